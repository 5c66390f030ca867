#include "service/attempt_steps.hpp"

#include <ctime>

#include "journal/script_version_journal.hpp"
#include "script/script_freshness.hpp"
#include "service/topup_attempt.hpp"
#include "service/topup_errors.hpp"

namespace taplink::service {

namespace {
std::uint8_t bcd(int value) {
    return static_cast<std::uint8_t>(((value / 10) << 4U) | (value % 10));
}
}  // namespace

std::pair<Bytes, Bytes> transactionDateTime() {
    const std::time_t now = std::time(nullptr);
    std::tm local{};
    localtime_r(&now, &local);
    const int year = local.tm_year + 1900;
    return {Bytes{bcd(year / 100), bcd(year % 100), bcd(local.tm_mon + 1), bcd(local.tm_mday)},
            Bytes{bcd(local.tm_hour), bcd(local.tm_min), bcd(local.tm_sec)}};
}

Bytes asciiBytes(const std::string& text) {
    return Bytes(text.begin(), text.end());
}

net::wire::Order AttemptSteps::fetchOrder(std::string_view scheme, api::ErrorCode unsupported) {
    const std::string& orderId = running_.orderId();
    net::wire::Order order = ports_.server()->fetchOrder(orderId);
    if (order.status == net::wire::OrderStatus::Settled) {
        throw ServiceError(api::ErrorCode::OrderSettled,
                           "order " + orderId + " is already paid out");
    }
    if (order.status == net::wire::OrderStatus::Cancelled) {
        throw ServiceError(api::ErrorCode::Declined,
                           "order " + orderId + " was cancelled by the merchant");
    }
    if (order.status == net::wire::OrderStatus::Reversed) {
        throw ServiceError(api::ErrorCode::Declined,
                           "order " + orderId + " was reversed: the account was refunded");
    }
    if (order.scheme != scheme) {
        throw ServiceError(unsupported, "order " + orderId + " is for scheme '" + order.scheme +
                                            "', which this daemon cannot load");
    }
    return order;
}

script::Script AttemptSteps::fetchScript(const net::wire::Order& order) {
    script::Script script =
        script::verifySignedScript(ports_.server()->fetchScript(order.scheme), scriptKeys_);
    if (script.scheme != order.scheme) {
        throw ServiceError(api::ErrorCode::ScriptRejected,
                           "the server sent a script for another scheme");
    }
    journal::ScriptVersionJournal versions(ports_.journal);
    script::acceptScript(script, versions, script::WallClock::now());  // before any APDU
    return script;
}

void AttemptSteps::requireReaders(const std::string& wanted) const {
    if (!ports_.readers.pcscAvailable()) {
        throw ServiceError(api::ErrorCode::PcscUnavailable, "pcscd is not running");
    }
    if (!wanted.empty() && !ports_.readers.reader(wanted)) {
        throw ServiceError(api::ErrorCode::NoReader, "there is no reader named '" + wanted + "'");
    }
}

ReaderInfo AttemptSteps::waitForCard(const std::string& reader) {
    const std::string wanted = reader.empty() ? settings_.cardReader : reader;
    requireReaders(wanted);
    const std::string chipReader = ports_.chip.identity()->reader;  // no chip: fail before
    if (!wanted.empty() && wanted == chipReader) {
        throw ServiceError(api::ErrorCode::InvalidParams,
                           wanted + " holds the secure chip, not a card");
    }
    std::optional<ReaderInfo> card;
    {
        const ScopedTimer waiting(running_.waiting);
        card = ports_.readers.waitForCard(wanted, chipReader, settings_.cardWait,
                                          [this] { return running_.cancelled(); });
    }
    if (card) {
        return *card;
    }
    if (running_.cancelled()) {
        throw ServiceError(api::ErrorCode::Cancelled, "the top-up was cancelled");
    }
    throw ServiceError(
        api::ErrorCode::Timeout,
        "no card was presented within " + std::to_string(settings_.cardWait.count()) + " s");
}

void AttemptSteps::requireSameCard(const ReaderInfo& confirmed) const {
    const auto now = ports_.readers.reader(confirmed.name);
    if (!now || !now->cardPresent || now->insertion != confirmed.insertion) {
        throw ServiceError(api::ErrorCode::CardRemoved,
                           "the card left the reader or was swapped after it was confirmed; "
                           "start the top-up again with the card to load");
    }
}

}  // namespace taplink::service
