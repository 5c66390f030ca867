#include "exit_status.hpp"

#include <array>
#include <cstdint>
#include <string>
#include <utility>

namespace taplink::cli {

namespace {

using api::ErrorCode;

struct ErrorText {
    ErrorCode code;
    ExitCode exit;
    std::string_view message;  // the daemon's own message follows in parentheses
};

constexpr std::array<ErrorText, 35> kErrors{{
    {ErrorCode::InvalidParams, kUsage, "taplinkd refused the request"},
    {ErrorCode::NoReader, kNoReader, "no card reader connected"},
    {ErrorCode::PcscUnavailable, kNoReader, "pcscd is not running"},
    {ErrorCode::NoCard, kCardProblem, "no card on the reader"},
    {ErrorCode::CardRemoved, kCardProblem, "the card was removed"},
    {ErrorCode::UnsupportedCard, kCardProblem, "this card is not supported"},
    {ErrorCode::WrongScheme, kCardProblem,
     "this card does not fit the order (a city card is topped up, a bank card is EC-loaded)"},
    {ErrorCode::CardExpired, kCardProblem, "the card has expired"},
    {ErrorCode::NoApplication, kCardProblem, "the card has no e-cash application TapLink supports"},
    {ErrorCode::PinBlocked, kCardProblem,
     "the card's PIN is blocked (contact the issuing bank); nothing was loaded"},
    {ErrorCode::ServerUnreachable, kServerProblem, "the top-up server cannot be reached"},
    {ErrorCode::ServerError, kServerProblem, "the top-up server reported an error"},
    {ErrorCode::ScriptRejected, kServerProblem, "the server's recharge script was rejected"},
    {ErrorCode::Declined, kDeclined, "the load was declined"},
    {ErrorCode::OrderNotFound, kDeclined, "the server does not know this order"},
    {ErrorCode::OrderSettled, kDeclined, "the order has already been settled"},
    {ErrorCode::EcLimitExceeded, kDeclined,
     "the card cannot hold that much e-cash (over its EC balance limit); nothing was loaded"},
    {ErrorCode::LimitExceeded, kDeclined,
     "over this device's payment limit (per payment or per day); nothing was charged"},
    {ErrorCode::WrongPin, kWrongPin, "the PIN was wrong; nothing was charged"},
    {ErrorCode::Cancelled, kCancelled, "cancelled"},
    {ErrorCode::Timeout, kCancelled, "timed out"},
    {ErrorCode::ChipUnavailable, kChipError, "the device's secure chip is not available"},
    {ErrorCode::ChipLocked, kChipError,
     "the device's secure chip is locked by its management system; nothing was loaded or "
     "charged (ask the operator to unlock it, then run 'taplink chip sync')"},
    {ErrorCode::ChipOutdated, kChipError,
     "the device's secure chip has older payment limits than the server requires; nothing was "
     "charged (ask the operator to check the chip's TSM jobs, then run 'taplink chip sync')"},
    {ErrorCode::TooLate, kOtherError, "too late to cancel: the card has been written"},
    {ErrorCode::Busy, kOtherError, "taplinkd is busy; try again"},
    {ErrorCode::NotFound, kOtherError, "not found"},
    {ErrorCode::Internal, kOtherError, "taplinkd failed"},
    {ErrorCode::OriginDenied, kOtherError, "this web page's origin is not allowed"},
    {ErrorCode::UserDenied, kCancelled, "refused in the confirmation dialog"},
    {ErrorCode::ConfirmationUnavailable, kOtherError, "no TapLink app is running to confirm"},
    {ErrorCode::RateLimited, kOtherError, "too many requests"},
    {ErrorCode::MethodNotFound, kOtherError, "taplinkd does not know this command (too old?)"},
    {ErrorCode::InvalidRequest, kOtherError, "taplinkd did not understand the request"},
    {ErrorCode::ParseError, kOtherError, "taplinkd could not read the request"},
}};

// Every code has its line (cli tests check it); Internal's stands in for none.
const ErrorText& find(ErrorCode code) {
    for (const auto& text : kErrors) {
        if (text.code == code) {
            return text;
        }
    }
    return find(ErrorCode::Internal);
}

// wrong_pin's details {"pinTriesLeft": n}: how many more the card's account allows.
std::string triesLeft(const api::ApiError& error) {
    if (error.code() != ErrorCode::WrongPin || !error.details().is_object()) {
        return {};
    }
    const auto left = error.details().find("pinTriesLeft");
    if (left == error.details().end() || !left->is_number_integer() || *left < 0) {
        return {};
    }
    return "; " + std::to_string(left->get<std::uint64_t>()) +
           (*left == 1 ? " try left" : " tries left");
}

}  // namespace

ExitCode exitCodeFor(ErrorCode code) {
    return find(code).exit;
}

std::string messageFor(const api::ApiError& error) {
    const std::string detail = error.what();
    if (error.codeName() != api::errorCodeName(error.code())) {
        // A code from a newer taplinkd: say what it said, and its name.
        return "taplinkd: " + detail + " (" + std::string(error.codeName()) + ")";
    }
    std::string message(find(error.code()).message);
    message += triesLeft(error);
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
