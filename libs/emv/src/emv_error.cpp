#include "taplink/emv/emv_error.hpp"

#include "taplink/apdu/apdu.hpp"

namespace taplink::emv {

namespace {

std::string describe(EmvErrorCode code, const std::string& context) {
    return std::string("EMV ") + codeName(code) + ": " + context;
}

}  // namespace

const char* codeName(EmvErrorCode code) {
    switch (code) {
        case EmvErrorCode::CardAnsweredWrongly:
            return "card_answered_wrongly";
        case EmvErrorCode::CardRefused:
            return "card_refused";
        case EmvErrorCode::NoApplication:
            return "no_application";
        case EmvErrorCode::Cancelled:
            return "cancelled";
        case EmvErrorCode::NotAccepted:
            return "not_accepted";
        case EmvErrorCode::TerminalDataInvalid:
            return "terminal_data_invalid";
        case EmvErrorCode::IssuerDataInvalid:
            return "issuer_data_invalid";
        case EmvErrorCode::PinBlocked:
            return "pin_blocked";
    }
    return "unknown";
}

EmvError::EmvError(EmvErrorCode code, const std::string& context,
                   std::optional<std::uint16_t> statusWord)
    : std::runtime_error(describe(code, context)), code_(code), statusWord_(statusWord) {}

void throwRefused(const std::string& what, std::uint16_t statusWord) {
    throw EmvError(EmvErrorCode::CardRefused,
                   what + ": card answered SW " + apdu::statusWordHex(statusWord), statusWord);
}

}  // namespace taplink::emv
