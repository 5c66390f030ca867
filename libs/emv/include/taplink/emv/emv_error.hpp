// The kernel's one error type: what went wrong (the code a caller acts on) and where.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

namespace taplink::emv {

enum class EmvErrorCode {
    CardAnsweredWrongly,  // a malformed or inconsistent answer (bad TLV, length, template)
    CardRefused,          // the card answered a status word the step cannot go on with
    NoApplication,        // no application both the card and the terminal support
    Cancelled,            // the cardholder did not choose an application
    NotAccepted,          // our policy or the card's data refuse the transaction
    TerminalDataInvalid,  // the caller's terminal data cannot be used (e.g. a bad amount)
    IssuerDataInvalid,    // the issuer's answer (8A, 91, scripts) is malformed
    PinBlocked,           // the card's PIN try counter (9F17) is 0: an EC load is refused
};

// "card_answered_wrongly", ... (for logs and messages).
const char* codeName(EmvErrorCode code);

class EmvError : public std::runtime_error {
  public:
    EmvError(EmvErrorCode code, const std::string& context,
             std::optional<std::uint16_t> statusWord = std::nullopt);

    EmvErrorCode code() const { return code_; }
    // The card's status word when the card refused.
    std::optional<std::uint16_t> statusWord() const { return statusWord_; }

  private:
    EmvErrorCode code_;
    std::optional<std::uint16_t> statusWord_;
};

// The card refused `what` with sw: EmvError(CardRefused, "<what>: card answered SW <sw>").
[[noreturn]] void throwRefused(const std::string& what, std::uint16_t statusWord);
// EmvError(CardAnsweredWrongly, ...) as a ByteReader / requireSize error type.
struct MalformedAnswer : EmvError {
    explicit MalformedAnswer(const std::string& context)
        : EmvError(EmvErrorCode::CardAnsweredWrongly, context) {}
};

}  // namespace taplink::emv
