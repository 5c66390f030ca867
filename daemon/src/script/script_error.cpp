#include "script/script_error.hpp"

#include <utility>

#include "taplink/apdu/apdu.hpp"

namespace taplink::script {

namespace {

std::string describe(ErrorCode code, const std::string& step, const std::string& message) {
    std::string text(codeName(code));
    text += ": ";
    if (!step.empty()) {
        text += step + ": ";
    }
    return text + message;
}

}  // namespace

std::string_view codeName(ErrorCode code) {
    switch (code) {
        case ErrorCode::SignatureInvalid:
            return "signature_invalid";
        case ErrorCode::UnknownKey:
            return "unknown_key";
        case ErrorCode::KeyInvalid:
            return "key_invalid";
        case ErrorCode::Malformed:
            return "malformed";
        case ErrorCode::Unsupported:
            return "unsupported";
        case ErrorCode::ApduNotAllowed:
            return "apdu_not_allowed";
        case ErrorCode::LimitExceeded:
            return "limit_exceeded";
        case ErrorCode::StatusWord:
            return "status_word";
        case ErrorCode::ResponseInvalid:
            return "response_invalid";
        case ErrorCode::ValueInvalid:
            return "value_invalid";
        case ErrorCode::InvalidInput:
            return "invalid_input";
        case ErrorCode::Server:
            return "server";
        case ErrorCode::DataScriptInvalid:
            return "data_script_invalid";
        case ErrorCode::Cancelled:
            return "cancelled";
        case ErrorCode::NotAccepted:
            return "not_accepted";
        case ErrorCode::RolledBack:
            return "rolled_back";
        case ErrorCode::Expired:
            return "expired";
        case ErrorCode::NotYetValid:
            return "not_yet_valid";
    }
    return "unknown";
}

ScriptError::ScriptError(ErrorCode code, std::string step, const std::string& message,
                         std::exception_ptr cause)
    : std::runtime_error(describe(code, step, message)),
      code_(code),
      step_(std::move(step)),
      cause_(std::move(cause)) {}

ScriptError ScriptError::statusWord(std::string step, std::uint16_t statusWord,
                                    const std::string& commandName, std::string outcome) {
    std::string message = commandName + " answered SW " + apdu::statusWordHex(statusWord);
    if (!outcome.empty()) {
        message += " (" + outcome + ")";
    }
    ScriptError error(ErrorCode::StatusWord, std::move(step), message);
    error.statusWord_ = statusWord;
    error.outcome_ = std::move(outcome);
    return error;
}

ScriptError ScriptError::notAccepted(std::string step, std::string outcome,
                                     const std::string& why) {
    ScriptError error(ErrorCode::NotAccepted, std::move(step), why + " (" + outcome + ")");
    error.outcome_ = std::move(outcome);
    return error;
}

}  // namespace taplink::script
