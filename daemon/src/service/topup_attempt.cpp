#include "service/topup_attempt.hpp"

#include <ctime>
#include <utility>

#include "script/engine.hpp"
#include "service/journal_checkpoints.hpp"
#include "service/topup_errors.hpp"
#include "taplink/base/masking.hpp"

namespace taplink::service {

namespace {

using journal::TopupState;
using nlohmann::json;

constexpr const char* kSupportedScheme = "city-epurse";

std::uint8_t bcd(int value) {
    return static_cast<std::uint8_t>(((value / 10) << 4U) | (value % 10));
}

// CREDIT FOR LOAD's date (YYYYMMDD) and time (hhmmss), BCD, local time.
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

// The script's server steps, mapped to the device API (only "authorize" exists).
class OrderExchange final : public script::ServerExchange {
  public:
    OrderExchange(net::TopupServer& server, std::string orderId)
        : server_(server), orderId_(std::move(orderId)) {}

    json call(std::string_view name, const json& request) override {
        if (name != "authorize") {
            throw std::invalid_argument("the daemon has no server call '" + std::string(name) +
                                        "'");
        }
        return server_.exchange(orderId_, std::string(name), request);
    }

  private:
    net::TopupServer& server_;
    std::string orderId_;
};

}  // namespace

bool RunningTopup::cancelled() const {
    return cancelRequested_.load() || (clientCancelled_ && clientCancelled_());
}

void RunningTopup::requestCancel() {
    const std::lock_guard lock(decision_);
    if (writing_) {
        throw ServiceError(api::ErrorCode::TooLate,
                           "the card is already being written; the top-up will finish");
    }
    cancelRequested_ = true;
}

void RunningTopup::startWriting() {
    const std::lock_guard lock(decision_);
    if (cancelled()) {
        throw ServiceError(api::ErrorCode::Cancelled,
                           "the top-up was cancelled before the card was written");
    }
    writing_ = true;
}

TopupOutcome TopupAttempt::run(const std::string& reader) {
    const net::wire::Order order = fetchOrder();
    const script::Script script = fetchScript(order);
    ports_.journal.recordOrderFetched(running_.orderId(), order.amount);
    try {
        progress_("waiting_for_card");
        const ReaderInfo card = waitForCard(reader);
        confirm(order, card);
        return writeCard(order, script, card);
    } catch (...) {
        const ServiceError failure = describeFailure(std::current_exception(), "");
        recovery_.failIfOpen(running_.orderId(), failure.what());
        throw;
    }
}

net::wire::Order TopupAttempt::fetchOrder() {
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
    if (order.scheme != kSupportedScheme) {
        throw ServiceError(api::ErrorCode::UnsupportedCard, "order " + orderId +
                                                                " is for scheme '" + order.scheme +
                                                                "', which this daemon cannot load");
    }
    return order;
}

script::Script TopupAttempt::fetchScript(const net::wire::Order& order) {
    script::Script script =
        script::verifySignedScript(ports_.server()->fetchScript(order.scheme), scriptKeys_);
    if (script.scheme != order.scheme) {
        throw ServiceError(api::ErrorCode::ScriptRejected,
                           "the server sent a script for another scheme");
    }
    return script;
}

void TopupAttempt::requireReaders(const std::string& wanted) const {
    if (!ports_.readers.pcscAvailable()) {
        throw ServiceError(api::ErrorCode::PcscUnavailable, "pcscd is not running");
    }
    if (!wanted.empty() && !ports_.readers.reader(wanted)) {
        throw ServiceError(api::ErrorCode::NoReader, "there is no reader named '" + wanted + "'");
    }
}

ReaderInfo TopupAttempt::waitForCard(const std::string& reader) {
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

void TopupAttempt::confirm(const net::wire::Order& order, const ReaderInfo& card) {
    if (!running_.confirm()) {
        return;
    }
    const ScopedTimer waiting(running_.waiting);  // the user's time is not the daemon's
    running_.confirm()(ConfirmationRequest{running_.orderId(), order.amount, card.name},
                       [this] { return running_.cancelled(); });
    requireSameCard(card);
}

void TopupAttempt::requireSameCard(const ReaderInfo& confirmed) const {
    const auto now = ports_.readers.reader(confirmed.name);
    if (!now || !now->cardPresent || now->insertion != confirmed.insertion) {
        throw ServiceError(api::ErrorCode::CardRemoved,
                           "the card left the reader or was swapped after it was confirmed; "
                           "start the top-up again with the card to load");
    }
}

TopupOutcome TopupAttempt::writeCard(const net::wire::Order& order, const script::Script& script,
                                     const ReaderInfo& card) {
    // Exclusive: nothing else may talk to the card between INITIALIZE and CREDIT.
    const auto connection = ports_.cards.connect(card.name, CardAccess::Exclusive);
    if (running_.confirm()) {
        requireSameCard(card);  // the card the user confirmed, still, now that we hold it
    }
    const auto chipHold = ports_.chip.hold();
    // An earlier top-up left this card in doubt: settle it before a new load moves it on.
    recovery_.settleOthersOnCard(*connection, running_.orderId());
    try {
        runScript(order, script, *connection);
    } catch (...) {
        return afterScriptFailure(std::current_exception(), *connection);
    }
    TopupOutcome outcome = reported();
    outcome.timings.emplace();  // filled in by TopupService::run()
    return outcome;
}

void TopupAttempt::runScript(const net::wire::Order& order, const script::Script& script,
                             apdu::ApduChannel& card) {
    const auto device = ports_.chip.identity();
    const auto [date, time] = transactionDateTime();
    const auto server = ports_.server();
    OrderExchange exchange(*server, running_.orderId());
    TimedChannel timedCard(card, running_.cardBusy);
    JournalCheckpoints checkpoints(ports_.journal, running_.orderId(), device->terminalId,
                                   [this] { running_.startWriting(); });
    script::RunContext scriptRun(timedCard, ports_.chip.channel(), exchange, checkpoints);
    scriptRun.progress = [this](std::string_view stage) { progress_(std::string(stage)); };
    scriptRun.cancelled = [this] { return !running_.writing() && running_.cancelled(); };
    scriptRun.inputs.setBytes("orderId", asciiBytes(running_.orderId()));
    scriptRun.inputs.setInteger("amount", order.amount);
    scriptRun.inputs.setBytes("terminalId", device->terminalId);
    scriptRun.inputs.setBytes("txDate", date);
    scriptRun.inputs.setBytes("txTime", time);
    script::run(script, scriptRun);
}

TopupOutcome TopupAttempt::afterScriptFailure(const std::exception_ptr& failure,
                                              apdu::ApduChannel& card) {
    const auto record = ports_.journal.find(running_.orderId());
    if (record && record->state == TopupState::Credited) {
        // Only the last balance read failed: the money is on the card and journaled.
        TopupOutcome outcome = reported();
        outcome.timings.emplace();  // it ran now: TopupService::run() fills them in
        return outcome;
    }
    if (!record || record->state != TopupState::CardInitialized) {
        std::rethrow_exception(failure);
    }
    // The credit may or may not have reached the card: ask it, while it is still here.
    try {
        recovery_.proveOnCard(card, *record);
    } catch (...) {  // NOLINT(bugprone-empty-catch): the card is gone; resume() asks later
    }
    const auto after = ports_.journal.find(running_.orderId());
    if (after->state == TopupState::CardInitialized) {
        throw ServiceError(api::ErrorCode::CardRemoved,
                           "the card was taken away while it was being written; present card " +
                               maskSerial(std::string_view(after->cardSerial)) +
                               " again to finish");
    }
    if (after->state != TopupState::Credited) {
        std::rethrow_exception(failure);
    }
    TopupOutcome outcome = reported();
    outcome.timings.emplace();
    return outcome;
}

TopupOutcome TopupAttempt::reported() {
    recovery_.report(running_.orderId());
    return outcomeOf(*ports_.journal.find(running_.orderId()));
}

}  // namespace taplink::service
