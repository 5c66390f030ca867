#include "service/topup_attempt.hpp"

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
    const net::wire::Order order = fetchOrder(kSupportedScheme, api::ErrorCode::UnsupportedCard);
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

void TopupAttempt::confirm(const net::wire::Order& order, const ReaderInfo& card) {
    if (!running_.confirm()) {
        return;
    }
    const ScopedTimer waiting(running_.waiting);  // the user's time is not the daemon's
    running_.confirm()(ConfirmationRequest{running_.orderId(), order.amount, card.name},
                       [this] { return running_.cancelled(); });
    requireSameCard(card);
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
