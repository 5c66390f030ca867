#include "exit_status.hpp"

#include <array>
#include <utility>

namespace taplink::cli {

namespace {

namespace errc = api::errc;

struct ErrorText {
    std::string_view code;
    ExitCode exit;
    std::string_view message;  // the daemon's own message follows in parentheses
};

constexpr std::array<ErrorText, 25> kErrors{{
    {errc::kInvalidParams, kUsage, "taplinkd refused the request"},
    {errc::kNoReader, kNoReader, "no card reader connected"},
    {errc::kPcscUnavailable, kNoReader, "pcscd is not running"},
    {errc::kNoCard, kCardProblem, "no card on the reader"},
    {errc::kCardRemoved, kCardProblem, "the card was removed"},
    {errc::kUnsupportedCard, kCardProblem, "this card is not supported"},
    {errc::kServerUnreachable, kServerProblem, "the top-up server cannot be reached"},
    {errc::kServerError, kServerProblem, "the top-up server reported an error"},
    {errc::kScriptRejected, kServerProblem, "the server's recharge script was rejected"},
    {errc::kDeclined, kDeclined, "the top-up was declined"},
    {errc::kOrderNotFound, kDeclined, "the server does not know this order"},
    {errc::kOrderSettled, kDeclined, "the order has already been settled"},
    {errc::kCancelled, kCancelled, "cancelled"},
    {errc::kTimeout, kCancelled, "timed out"},
    {errc::kChipUnavailable, kChipError, "the device's secure chip is not available"},
    {errc::kTooLate, kOtherError, "too late to cancel: the card has been written"},
    {errc::kBusy, kOtherError, "taplinkd is busy; try again"},
    {errc::kNotFound, kOtherError, "not found"},
    {errc::kInternal, kOtherError, "taplinkd failed"},
    {errc::kOriginDenied, kOtherError, "this web page's origin is not allowed"},
    {errc::kUserDenied, kCancelled, "refused in the confirmation dialog"},
    {errc::kConfirmationUnavailable, kOtherError, "no TapLink app is running to confirm"},
    {errc::kRateLimited, kOtherError, "too many requests"},
    {"method_not_found", kOtherError, "taplinkd does not know this command (too old?)"},
    {"invalid_request", kOtherError, "taplinkd did not understand the request"},
}};

const ErrorText* find(std::string_view code) {
    for (const auto& text : kErrors) {
        if (text.code == code) {
            return &text;
        }
    }
    return nullptr;
}

}  // namespace

ExitCode exitCodeFor(std::string_view apiErrorCode) {
    const auto* text = find(apiErrorCode);
    return text == nullptr ? kOtherError : text->exit;
}

std::string messageFor(const api::ApiError& error) {
    const auto* text = find(error.code());
    const std::string detail = error.what();
    if (text == nullptr) {
        return "taplinkd: " + detail + " (" + error.code() + ")";
    }
    std::string message(text->message);
    if (!detail.empty() && detail != message) {
        message += " (" + detail + ")";
    }
    return message;
}

std::string messageFor(const api::DaemonUnavailable& error) {
    using Reason = api::DaemonUnavailable::Reason;
    switch (error.reason()) {
        case Reason::NoSocket:
            return "taplinkd is not running (no socket at " + error.path() +
                   "); start it with `taplinkd`";
        case Reason::Refused:
            return "taplinkd is not running (nothing listens at " + error.path() +
                   "); start it with `taplinkd`";
        case Reason::PermissionDenied:
            return "cannot reach taplinkd at " + error.path() +
                   ": permission denied (is it another user's?)";
        case Reason::Other:
            break;
    }
    return error.what();
}

}  // namespace taplink::cli
