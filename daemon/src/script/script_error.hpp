// The one exception type of the recharge script engine: a code the daemon maps to its own
// errors, the step it is about and plain words. docs/scripts.md lists the codes.
#pragma once

#include <cstdint>
#include <exception>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::script {

enum class ErrorCode {
    SignatureInvalid,   // the envelope's signature does not verify over the script bytes
    UnknownKey,         // keyId names no trusted key
    KeyInvalid,         // a trusted key that is not a P-256 public key
    Malformed,          // the envelope or script breaks the format (field, type, hex, name)
    Unsupported,        // another format version, kind or step type
    ApduNotAllowed,     // an APDU outside the target's policy
    LimitExceeded,      // a hard limit (size, steps, APDUs, loop iterations, time, calls)
    StatusWord,         // a status word the step does not accept
    ResponseInvalid,    // an answer too short or of the wrong length for the step
    ValueInvalid,       // a value that does not fit its encoding, an unset variable
    InvalidInput,       // run() was given inputs the script does not declare as such
    Server,             // the server exchange failed or answered outside the mapping
    DataScriptInvalid,  // a data script of the wrong kind, target, scheme or items
    Cancelled,          // the caller cancelled between two steps
    NotAccepted,        // the script's own check refused the transaction (outcome() names it)
    RolledBack,         // a lower version than the highest this daemon accepted for the scheme
    Expired,            // the script's validity period ended (validUntil) before now
    NotYetValid,        // the script's validity period starts (validFrom) after now
};

// The snake_case name of a code ("status_word"), as logs and the API show it.
std::string_view codeName(ErrorCode code);

class ScriptError : public std::runtime_error {
  public:
    // step: the step's label ("steps[3] credit-for-load"); empty when not about one step.
    // cause: the exception behind it, if any (a server exchange's), for the daemon to inspect.
    ScriptError(ErrorCode code, std::string step, const std::string& message,
                std::exception_ptr cause = nullptr);

    // A status word the step did not accept. outcome: what the script maps it to
    // ("insufficient_funds"), or empty.
    static ScriptError statusWord(std::string step, std::uint16_t statusWord,
                                  const std::string& commandName, std::string outcome);
    // A check of the script refused the transaction before the card was asked:
    // not_accepted with that outcome ("ec_limit_exceeded").
    static ScriptError notAccepted(std::string step, std::string outcome, const std::string& why);

    ErrorCode code() const { return code_; }
    const std::string& step() const { return step_; }
    std::optional<std::uint16_t> statusWord() const { return statusWord_; }
    const std::string& outcome() const { return outcome_; }
    // nullptr when there is none; std::rethrow_exception(cause()) to look at it.
    const std::exception_ptr& cause() const { return cause_; }

  private:
    ErrorCode code_;
    std::string step_;
    std::optional<std::uint16_t> statusWord_;
    std::string outcome_;
    std::exception_ptr cause_;
};

}  // namespace taplink::script
