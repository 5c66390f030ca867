#include "service/topup_service.hpp"

#include <ctime>
#include <utility>

#include "script/engine.hpp"
#include "taplink/base/log.hpp"
#include "taplink/cards/card_summary.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"
#include "taplink/pcsc/errors.hpp"

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

}  // namespace

struct TopupService::Running {
    std::string orderId;
    Nanos cardBusy{0};
    Nanos waiting{0};
    std::function<bool()> clientCancelled;
    TopupService::Confirm confirm;
    std::atomic<bool> cancelRequested{false};
    std::atomic<bool> writing{false};  // card_initialized journaled: no stopping now

    bool cancelled() const {
        return cancelRequested.load() || (clientCancelled && clientCancelled());
    }
};

namespace {

// The script's server steps, mapped to the device API (only "authorize" exists).
class OrderExchange : public script::ServerExchange {
  public:
    using Exchange = std::function<json(const std::string& call, const json& request)>;
    explicit OrderExchange(Exchange exchange) : exchange_(std::move(exchange)) {}

    json call(std::string_view name, const json& request) override {
        if (name != "authorize") {
            throw std::invalid_argument("the daemon has no server call '" + std::string(name) +
                                        "'");
        }
        return exchange_(std::string(name), request);
    }

  private:
    Exchange exchange_;
};

// The script's checkpoints, written to the journal before the script goes on.
class JournalCheckpoints : public script::CheckpointSink {
  public:
    JournalCheckpoints(journal::TopupJournal& journal, std::string orderId, Bytes terminalId,
                       std::function<void()> beforeWriting)
        : journal_(journal),
          orderId_(std::move(orderId)),
          terminalId_(std::move(terminalId)),
          beforeWriting_(std::move(beforeWriting)) {}

    void checkpoint(std::string_view name, const script::Variables& saved) override {
        if (name == "authorized") {
            journal_.recordAuthorized(
                orderId_,
                {saved.bytes("nonce"), static_cast<std::int64_t>(saved.integer("expiresAt"))});
        } else if (name == "card_initialized") {
            beforeWriting_();  // from here on the card may change: cancel is too late
            journal::CardInitialization card;
            card.cardSerial = toHex(saved.bytes("cardSerial"));
            card.onlineAtc = static_cast<std::uint16_t>(saved.integer("onlineAtc"));
            card.balanceBefore = static_cast<std::uint32_t>(saved.integer("balance"));
            card.mac1 = saved.bytes("mac1");
            card.algorithmId = static_cast<std::uint8_t>(saved.integer("algorithmId"));
            card.terminalId = terminalId_;
            card.txDate = saved.bytes("txDate");
            card.txTime = saved.bytes("txTime");
            journal_.recordCardInitialized(orderId_, card);
        } else if (name == "credited") {
            journal_.recordCredited(orderId_, saved.bytes("tac"),
                                    static_cast<std::uint32_t>(saved.integer("balanceAfter")));
        } else {
            throw std::invalid_argument("the daemon has no checkpoint '" + std::string(name) + "'");
        }
    }

  private:
    journal::TopupJournal& journal_;
    std::string orderId_;
    Bytes terminalId_;
    std::function<void()> beforeWriting_;
};

}  // namespace

TopupService::TopupService(ReaderRegistry& readers, ChipSession& chip,
                           journal::TopupJournal& journal, ServerFactory server,
                           std::vector<script::TrustedKey> scriptKeys, TopupSettings settings)
    : readers_(readers),
      chip_(chip),
      journal_(journal),
      serverFactory_(std::move(server)),
      scriptKeys_(std::move(scriptKeys)),
      settings_(std::move(settings)) {}

template <class Call>
auto TopupService::timedServer(Call call) {
    // Lock order: chip, then the HTTPS client. A call may open a TLS session, whose handshake
    // signs with the chip's device key while the client's lock is held.
    const auto chipHold = chip_.hold();
    struct Account {
        TopupService& service;
        std::int64_t chipBefore;
        std::chrono::steady_clock::time_point start;
        ~Account() {
            const auto wall = std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count();
            service.serverBusy_ += wall - (service.chip_.busyNanos() - chipBefore);
        }
    } account{*this, chip_.busyNanos(), std::chrono::steady_clock::now()};
    return call();
}

std::shared_ptr<net::TopupServerClient> TopupService::server() {
    std::uint64_t generation = 0;
    {
        const std::lock_guard lock(stateMutex_);
        if (server_) {
            return server_;
        }
        generation = serverGeneration_;
    }
    // The factory reads the device identity under the chip's lock; holding stateMutex_ here
    // would take the two in the opposite order to a report (chip, then state).
    auto created = serverFactory_();
    const std::lock_guard lock(stateMutex_);
    if (generation != serverGeneration_) {
        return created;  // settings changed meanwhile: use it for this call, never keep it
    }
    if (!server_) {
        server_ = std::move(created);
    }
    return server_;
}

void TopupService::requireSameCard(const ReaderInfo& confirmed) const {
    const auto now = readers_.reader(confirmed.name);
    if (!now || !now->cardPresent || now->insertion != confirmed.insertion) {
        throw ServiceError("card_removed",
                           "the card left the reader or was swapped after it was confirmed; "
                           "start the top-up again with the card to load");
    }
}

void TopupService::dropServerClient() {
    const std::lock_guard lock(stateMutex_);
    server_.reset();
    ++serverGeneration_;
}

TopupOutcome TopupService::run(const std::string& orderId, const std::string& reader,
                               const Progress& progress, const std::function<bool()>& cancelled,
                               const Confirm& confirm) {
    // A resume pass is short; another top-up is not worth waiting for.
    std::unique_lock runLock(runMutex_, std::defer_lock);
    if (!runLock.try_lock_for(std::chrono::seconds(15))) {
        throw ServiceError("busy", "another top-up is in progress; try again when it is done");
    }
    Running running;
    running.orderId = orderId;
    running.clientCancelled = cancelled;
    running.confirm = confirm;
    {
        const std::lock_guard lock(stateMutex_);
        running_ = &running;
    }
    struct ClearRunning {
        TopupService& service;
        ~ClearRunning() {
            const std::lock_guard lock(service.stateMutex_);
            service.running_ = nullptr;
        }
    } clear{*this};
    const auto start = std::chrono::steady_clock::now();
    const std::int64_t chipBefore = chip_.busyNanos();
    const std::int64_t serverBefore = serverBusy_.load();
    try {
        TopupOutcome outcome = runLocked(orderId, reader, progress, running);
        if (outcome.timings) {
            const auto ms = [](std::int64_t nanos) { return static_cast<double>(nanos) / 1e6; };
            TopupTimings& timings = *outcome.timings;
            timings.total = ms(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   std::chrono::steady_clock::now() - start)
                                   .count() -
                               running.waiting.load());
            timings.card = ms(running.cardBusy.load());
            timings.chip = ms(chip_.busyNanos() - chipBefore);
            timings.server = ms(serverBusy_.load() - serverBefore);
            timings.daemon = timings.total - timings.card - timings.chip - timings.server;
        }
        return outcome;
    } catch (...) {
        throw describeFailure(std::current_exception(), "top-up of order " + orderId);
    }
}

TopupOutcome TopupService::runLocked(const std::string& orderId, const std::string& reader,
                                     const Progress& progress, Running& running) {
    if (!net::wire::isValidOrderId(orderId)) {
        throw ServiceError("invalid_params", "'" + orderId + "' is not an order id");
    }
    if (auto existing = journal_.find(orderId)) {
        // An earlier attempt at this order: finish it before anything else.
        if (existing->state == TopupState::CardInitialized) {
            settleWithCard(*existing);
            existing = journal_.find(orderId);
            if (existing->state == TopupState::CardInitialized) {
                throw ServiceError(
                    "card_removed",
                    "an earlier attempt at order " + orderId + " was interrupted while card " +
                        existing->cardSerial.substr(existing->cardSerial.size() - 4) +
                        " was written; present that card to finish it");
            }
        }
        if (existing->state == TopupState::Credited) {
            report(orderId);
            existing = journal_.find(orderId);
        }
        if (existing->state == TopupState::Credited || existing->state == TopupState::Reported) {
            return outcomeOf(*existing);
        }
        failIfOpen(orderId, "interrupted before the card was written");
    }

    const net::wire::Order order = timedServer([&] { return server()->fetchOrder(orderId); });
    if (order.status == net::wire::OrderStatus::Settled) {
        throw ServiceError("order_settled", "order " + orderId + " is already paid out");
    }
    if (order.status == net::wire::OrderStatus::Cancelled) {
        throw ServiceError("declined", "order " + orderId + " was cancelled by the merchant");
    }
    if (order.scheme != kSupportedScheme) {
        throw ServiceError("unsupported_card", "order " + orderId + " is for scheme '" +
                                                   order.scheme +
                                                   "', which this daemon cannot load");
    }
    const script::Script script = script::verifySignedScript(
        timedServer([&] { return server()->fetchScript(order.scheme); }), scriptKeys_);
    if (script.scheme != order.scheme) {
        throw ServiceError("script_rejected", "the server sent a script for another scheme");
    }
    journal_.recordOrderFetched(orderId, order.amount);

    try {
        progress("waiting_for_card");
        const std::string chipReader = chip_.identity()->reader;  // no chip: fail before waiting
        std::optional<ReaderInfo> card;
        {
            const ScopedTimer waiting(running.waiting);
            card = readers_.waitForCard(reader.empty() ? settings_.cardReader : reader, chipReader,
                                        settings_.cardWait,
                                        [&running] { return running.cancelled(); });
        }
        if (!card) {
            if (running.cancelled()) {
                throw ServiceError("cancelled", "the top-up was cancelled");
            }
            throw ServiceError("timeout", "no card was presented within " +
                                              std::to_string(settings_.cardWait.count()) + " s");
        }
        if (running.confirm) {
            const ScopedTimer waiting(running.waiting);  // the user's time is not the daemon's
            running.confirm(ConfirmationRequest{orderId, order.amount, card->name},
                            [&running] { return running.cancelled(); });
            requireSameCard(*card);
        }
        return writeCard(orderId, order, script, *card, progress, running);
    } catch (...) {
        const ServiceError failure = describeFailure(std::current_exception(), "");
        failIfOpen(orderId, failure.what());
        throw;
    }
}

TopupOutcome TopupService::writeCard(const std::string& orderId, const net::wire::Order& order,
                                     const script::Script& script, const ReaderInfo& card,
                                     const Progress& progress, Running& running) {
    const auto pcscContext = pcsc::Context::establish();
    // Exclusive: nothing else may talk to the card between INITIALIZE and CREDIT.
    auto connection = pcsc::CardConnection::connect(pcscContext, card.name, pcsc::Protocol::Any,
                                                    pcsc::ShareMode::Exclusive);
    if (running.confirm) {
        requireSameCard(card);  // the card the user confirmed, still, now that we hold it
    }
    const auto chipHold = chip_.hold();
    const auto device = chip_.identity();
    const auto [date, time] = transactionDateTime();
    // An earlier top-up left this card in doubt (card_initialized): settle it first. A new
    // load would move the card's online ATC on, and GET TRANSACTION PROVE answers for the
    // last load only, so the earlier one could no longer be proven.
    for (const auto& open : journal_.unfinished()) {
        if (open.state == TopupState::CardInitialized && open.orderId != orderId) {
            proveOnCard(connection, open);
        }
    }

    OrderExchange exchange([this, &orderId](const std::string& call, const json& request) {
        return timedServer([&] { return server()->exchange(orderId, call, request); });
    });
    TimedChannel timedCard(connection, running.cardBusy);
    // Cancel and the start of writing decide under one lock, so a cancel that was answered
    // "cancelled" can never be followed by a write.
    JournalCheckpoints checkpoints(journal_, orderId, device->terminalId, [this, &running] {
        const std::lock_guard lock(stateMutex_);
        if (running.cancelled()) {
            throw ServiceError("cancelled", "the top-up was cancelled before the card was written");
        }
        running.writing = true;
    });
    script::RunContext scriptRun(timedCard, chip_.channel(), exchange, checkpoints);
    scriptRun.progress = [&progress](std::string_view stage) { progress(std::string(stage)); };
    scriptRun.cancelled = [&running] { return !running.writing && running.cancelled(); };
    scriptRun.inputs.setBytes("orderId", asciiBytes(orderId));
    scriptRun.inputs.setInteger("amount", order.amount);
    scriptRun.inputs.setBytes("terminalId", device->terminalId);
    scriptRun.inputs.setBytes("txDate", date);
    scriptRun.inputs.setBytes("txTime", time);

    try {
        script::run(script, scriptRun);
    } catch (...) {
        const auto failure = std::current_exception();
        const auto record = journal_.find(orderId);
        if (record && record->state == TopupState::Credited) {
            // Only the last balance read failed: the money is on the card and journaled.
            report(orderId);
            return outcomeOf(*journal_.find(orderId));
        }
        if (!record || record->state != TopupState::CardInitialized) {
            throw;
        }
        // The credit may or may not have reached the card: ask it, while it is still here.
        try {
            proveOnCard(connection, *record);
        } catch (...) {  // NOLINT(bugprone-empty-catch): the card is gone; resume() asks later
        }
        const auto after = journal_.find(orderId);
        if (after->state == TopupState::CardInitialized) {
            throw ServiceError("card_removed",
                               "the card was taken away while it was being written; present "
                               "card " +
                                   cards::maskSerial(fromHex(after->cardSerial)) +
                                   " again to finish");
        }
        if (after->state != TopupState::Credited) {
            std::rethrow_exception(failure);
        }
    }
    report(orderId);
    TopupOutcome outcome = outcomeOf(*journal_.find(orderId));
    outcome.timings.emplace();  // filled in by run()
    return outcome;
}

bool TopupService::settleWithCard(const journal::TopupRecord& record) {
    for (const auto& reader : readers_.readers()) {
        if (!reader.cardPresent || reader.name == chip_.identity()->reader) {
            continue;
        }
        const auto context = pcsc::Context::establish();
        auto connection = pcsc::CardConnection::connect(context, reader.name);
        if (proveOnCard(connection, record)) {
            return true;
        }
    }
    return false;
}

bool TopupService::proveOnCard(apdu::ApduChannel& card, const journal::TopupRecord& record) {
    cards::epurse::EpurseCard purse(card);
    if (!purse.select() || toHex(purse.readPublicInfo().serial) != record.cardSerial) {
        return false;  // another card: not the one this top-up was writing
    }
    // GET TRANSACTION PROVE answers for the load at that online ATC only if it happened.
    const auto proof = purse.proveTransaction(cards::epurse::kTypeLoad, *record.onlineAtc);
    if (proof) {
        journal_.recordCredited(record.orderId, proof->tac, *record.balanceBefore + record.amount);
    } else {
        journal_.recordFailed(record.orderId,
                              "the card was not credited (it has no load at "
                              "online ATC " +
                                  std::to_string(*record.onlineAtc) + ")");
    }
    return true;
}

bool TopupService::report(const std::string& orderId, json* receipt) {
    // Lock order everywhere: the chip, then the HTTPS client (whose TLS handshake signs
    // through the chip).
    const auto chipHold = chip_.hold();
    const auto record = journal_.find(orderId);
    if (!record || record->state != TopupState::Credited) {
        return record && record->state == TopupState::Reported;
    }
    net::wire::TopupResult result;
    result.orderId = orderId;
    result.algorithmId = record->algorithmId;
    result.cardSerial = fromHex(record->cardSerial);
    result.balanceBefore = *record->balanceBefore;
    result.amount = record->amount;
    result.balanceAfter = *record->balanceAfter;
    result.onlineAtc = *record->onlineAtc;
    result.terminalId = record->terminalId;
    result.date = record->txDate;
    result.time = record->txTime;
    result.tac = record->tac;
    result.nonce = record->nonce;
    try {
        const Bytes message = net::wire::encodeResult(result);
        const Bytes signature = chip_.sign(message);
        const auto outcome =
            timedServer([&] { return server()->reportResult(orderId, message, signature); });
        const json settled = net::wire::toJson(outcome.receipt);
        journal_.recordReported(orderId, settled.dump());
        if (receipt != nullptr) {
            *receipt = settled;
        }
        return true;
    } catch (const std::exception& error) {
        // Stays credited: the money is on the card and resume() reports it later.
        log::warning("order " + orderId + ": report not settled yet: " + error.what());
        return false;
    }
}

TopupOutcome TopupService::outcomeOf(const journal::TopupRecord& record) const {
    TopupOutcome outcome;
    outcome.orderId = record.orderId;
    outcome.amount = record.amount;
    outcome.balanceBefore = record.balanceBefore.value_or(0);
    outcome.balanceAfter = record.balanceAfter.value_or(0);
    outcome.tac = record.tac;
    outcome.settled = record.state == TopupState::Reported;
    outcome.receipt =
        outcome.settled && !record.receipt.empty() ? json::parse(record.receipt) : json(nullptr);
    return outcome;
}

void TopupService::failIfOpen(const std::string& orderId, const std::string& reason) noexcept {
    try {
        const auto record = journal_.find(orderId);
        if (record && (record->state == TopupState::OrderFetched ||
                       record->state == TopupState::Authorized)) {
            journal_.recordFailed(orderId, reason);
        }
    } catch (const std::exception& error) {
        log::error("order " + orderId + ": cannot journal the failure: " + error.what());
    }
}

void TopupService::cancel(const std::string& orderId) {
    const std::lock_guard lock(stateMutex_);  // see the card_initialized checkpoint
    if (running_ == nullptr || running_->orderId != orderId) {
        throw ServiceError("not_found", "order " + orderId + " is not being topped up now");
    }
    if (running_->writing) {
        throw ServiceError("too_late", "the card is already being written; the top-up will finish");
    }
    running_->cancelRequested = true;
}

journal::TopupRecord TopupService::status(const std::string& orderId) {
    auto record = journal_.find(orderId);
    if (!record) {
        throw ServiceError("not_found", "no top-up of order " + orderId + " in the journal");
    }
    return *record;
}

std::size_t TopupService::resume() noexcept {
    std::unique_lock runLock(runMutex_, std::try_to_lock);
    if (!runLock.owns_lock()) {
        return 1;  // a top-up runs; it finishes its own order, the next pass does the rest
    }
    std::size_t open = 0;
    try {
        for (const auto& record : journal_.unfinished()) {
            try {
                if (record.state == TopupState::OrderFetched ||
                    record.state == TopupState::Authorized) {
                    failIfOpen(record.orderId, "interrupted before the card was written");
                    continue;
                }
                if (record.state == TopupState::CardInitialized) {
                    const auto chipHold = chip_.hold();
                    settleWithCard(record);
                }
                report(record.orderId);
                const auto now = journal_.find(record.orderId);
                open += now && !journal::isFinal(now->state) ? 1U : 0U;
            } catch (const std::exception& error) {
                ++open;
                log::warning("order " + record.orderId + ": cannot resume yet: " + error.what());
            }
        }
    } catch (const std::exception& error) {
        log::error(std::string("cannot read the journal: ") + error.what());
    }
    return open;
}

}  // namespace taplink::service
