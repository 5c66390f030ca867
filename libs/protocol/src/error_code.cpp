#include "taplink/protocol/error_code.hpp"

#include <algorithm>
#include <array>
#include <utility>

namespace taplink::api {

namespace {

constexpr std::array<std::pair<ErrorCode, std::string_view>, 35> kNames{{
    {ErrorCode::InvalidParams, "invalid_params"},
    {ErrorCode::NoReader, "no_reader"},
    {ErrorCode::NoCard, "no_card"},
    {ErrorCode::CardRemoved, "card_removed"},
    {ErrorCode::UnsupportedCard, "unsupported_card"},
    {ErrorCode::PcscUnavailable, "pcsc_unavailable"},
    {ErrorCode::ChipUnavailable, "chip_unavailable"},
    {ErrorCode::ServerUnreachable, "server_unreachable"},
    {ErrorCode::ServerError, "server_error"},
    {ErrorCode::OrderNotFound, "order_not_found"},
    {ErrorCode::OrderSettled, "order_settled"},
    {ErrorCode::Declined, "declined"},
    {ErrorCode::ScriptRejected, "script_rejected"},
    {ErrorCode::Cancelled, "cancelled"},
    {ErrorCode::TooLate, "too_late"},
    {ErrorCode::Busy, "busy"},
    {ErrorCode::Timeout, "timeout"},
    {ErrorCode::NotFound, "not_found"},
    {ErrorCode::Internal, "internal"},
    {ErrorCode::OriginDenied, "origin_denied"},
    {ErrorCode::UserDenied, "user_denied"},
    {ErrorCode::ConfirmationUnavailable, "confirmation_unavailable"},
    {ErrorCode::RateLimited, "rate_limited"},
    {ErrorCode::WrongScheme, "wrong_scheme"},
    {ErrorCode::EcLimitExceeded, "ec_limit_exceeded"},
    {ErrorCode::CardExpired, "card_expired"},
    {ErrorCode::NoApplication, "no_application"},
    {ErrorCode::PinBlocked, "pin_blocked"},
    {ErrorCode::ChipLocked, "chip_locked"},
    {ErrorCode::WrongPin, "wrong_pin"},
    {ErrorCode::LimitExceeded, "limit_exceeded"},
    {ErrorCode::ChipOutdated, "chip_outdated"},
    {ErrorCode::ParseError, "parse_error"},
    {ErrorCode::InvalidRequest, "invalid_request"},
    {ErrorCode::MethodNotFound, "method_not_found"},
}};

// The application codes are the table's first entries; the standard JSON-RPC ones follow.
constexpr std::size_t kApplicationCodes = 32;

constexpr std::array<ErrorCode, kApplicationCodes> applicationCodes() {
    std::array<ErrorCode, kApplicationCodes> codes{};
    for (std::size_t i = 0; i < kApplicationCodes; ++i) {
        codes.at(i) = kNames.at(i).first;
    }
    return codes;
}

constexpr auto kApplicationErrorCodes = applicationCodes();

}  // namespace

std::string_view errorCodeName(ErrorCode code) {
    const auto* entry = std::find_if(kNames.begin(), kNames.end(),
                                     [code](const auto& named) { return named.first == code; });
    return entry == kNames.end() ? "internal" : entry->second;
}

std::optional<ErrorCode> errorCodeFromName(std::string_view name) {
    const auto* entry = std::find_if(kNames.begin(), kNames.end(),
                                     [name](const auto& named) { return named.second == name; });
    if (entry == kNames.end()) {
        return std::nullopt;
    }
    return entry->first;
}

std::span<const ErrorCode> applicationErrorCodes() {
    return kApplicationErrorCodes;
}

}  // namespace taplink::api
