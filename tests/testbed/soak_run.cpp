#include "soak_run.hpp"

#include <algorithm>
#include <array>
#include <iostream>
#include <set>
#include <thread>

#include "taplink/rpc/client.hpp"
#include "taplink/rpc/jsonrpc.hpp"

namespace taplink::testbed {

namespace {
using nlohmann::json;
using std::chrono::milliseconds;

// The city card taplink-sim's city-3des profile makes (serial ...0042).
constexpr const char* kCardSerial = "00000000000000000042";
constexpr std::uint32_t kCardLimitFen = 95000;  // below the purse's 1000.00 yuan maximum
constexpr std::uint32_t kLargestAmountFen = 5000;
// taplinkd's server client in the soak: a short request timeout, so that a stalled server
// costs seconds, and two attempts.
constexpr int kRequestTimeoutMs = 2000;
constexpr int kServerAttempts = 2;
constexpr auto kSettleTimeout = std::chrono::seconds(30);
constexpr int kRetries = 10;
constexpr int kStartAttempts = 10;
constexpr auto kRetryPause = milliseconds(500);
constexpr auto kPoll = milliseconds(50);
constexpr std::array kEndpoints{"order", "script", "authorize", "result"};
constexpr std::array kServerStatuses{500, 502, 503, 504};

TopupBedOptions soakBedOptions() {
    TopupBedOptions options;
    options.requestTimeoutMs = kRequestTimeoutMs;
    options.serverAttempts = kServerAttempts;
    options.cardWaitSeconds = 5;
    options.reportRetrySeconds = 1;
    return options;
}

std::string yuanText(std::uint32_t fen) {
    const std::string cents = std::to_string(100 + fen % 100);
    return std::to_string(fen / 100) + "." + cents.substr(1);
}

bool isEnd(const std::string& state) {
    return state == "reported" || state == "failed" || state == "not_found";
}

std::string describe(const CallOutcome& outcome) {
    if (!outcome.ok()) {
        return outcome.code;
    }
    return outcome.result.value("settled", false) ? "ok" : "ok (unsettled)";
}

std::string_view endingName(Ending ending) {
    switch (ending) {
        case Ending::Direct:
            return "direct";
        case Ending::Resumer:
            return "resumer";
        case Ending::Retry:
            return "retry";
        case Ending::Refused:
            return "refused";
    }
    return "?";
}
}  // namespace

Soak::Soak(SoakOptions options)
    : options_(options), random_(options.seed), bed_(soakBedOptions()), cardSerial_(kCardSerial) {
    report_.seed = options_.seed;
    report_.topupsPlanned = options_.topups;
    initialBalance_ = balance();
    const std::uint64_t room = (kCardLimitFen - std::min(initialBalance_, kCardLimitFen)) /
                               std::max<std::uint64_t>(options_.topups, 1);
    maxAmount_ = static_cast<std::uint32_t>(std::clamp<std::uint64_t>(room, 1, kLargestAmountFen));
    for (const FaultKind kind : kFaultKinds) {
        report_.faults[std::string(toString(kind))] = 0;
    }
}

SoakReport Soak::run() {
    const auto start = std::chrono::steady_clock::now();
    std::uint64_t number = 0;
    try {
        for (number = 1; number <= options_.topups && !expired(); ++number) {
            oneTopUp(number);
        }
    } catch (const std::exception& error) {
        report_.violation = error.what();
        report_.violationTopup = number;
    }
    report_.durationSeconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return report_;
}

bool Soak::expired() const {
    return options_.deadline && std::chrono::steady_clock::now() >= *options_.deadline;
}

// --- One top-up.

void Soak::oneTopUp(std::uint64_t number) {
    // The first top-up is fault-free: it measures the top-up the faults are timed against.
    TopUp topUp{number, "", drawAmount(), number == 1 ? FaultKind::None : drawFault(), {}};
    topUp.order = bed_.createOrder(yuanText(topUp.amount));
    ++report_.attempted;
    ++report_.faults[std::string(toString(topUp.fault))];
    const unsigned cardBefore = slotApdus(kCardSlot);
    const unsigned chipBefore = slotApdus(kChipSlot);
    const auto start = std::chrono::steady_clock::now();
    faultDetail_.clear();
    topUp.first = injectAndRun(topUp.fault, topUp.order);
    if (topUp.fault == FaultKind::None && topUp.first.ok()) {
        learn(std::chrono::steady_clock::now() - start, slotApdus(kCardSlot) - cardBefore,
              slotApdus(kChipSlot) - chipBefore);
    }
    if (!topUp.first.ok()) {
        ++report_.firstCallFailed;
        ++report_.firstCallCodes[topUp.first.code];
    }
    restore();
    const Ending ending = settle(topUp);
    report_.countEnding(ending);
    std::cout << "#" << number << " " << topUp.order << " " << yuanText(topUp.amount) << " "
              << toString(topUp.fault) << (faultDetail_.empty() ? "" : " (" + faultDetail_ + ")")
              << ": " << describe(topUp.first) << " -> " << endingName(ending) << std::endl;
    check(topUp);
}

std::uint32_t Soak::drawAmount() {
    return static_cast<std::uint32_t>(uniform(1, maxAmount_));
}

FaultKind Soak::drawFault() {
    if (std::uniform_real_distribution<double>(0, 1)(random_) >= options_.faultRate) {
        return FaultKind::None;
    }
    return kFaultKinds.at(uniform(1, kFaultKinds.size() - 1));
}

std::uint64_t Soak::uniform(std::uint64_t low, std::uint64_t high) {
    return std::uniform_int_distribution<std::uint64_t>(low, high)(random_);
}

// A fault-free top-up tells how long one takes and how many APDUs the card and the chip see,
// the ranges the faults are drawn from.
void Soak::learn(std::chrono::steady_clock::duration took, unsigned cardApdus, unsigned chipApdus) {
    const auto measured = std::chrono::duration_cast<milliseconds>(took);
    typicalTopup_ = learnt_ ? (typicalTopup_ * 3 + measured) / 4 : measured;
    learnt_ = true;
    cardApdus_ = std::max(cardApdus, 1U);
    chipApdus_ = std::max(chipApdus, 1U);
}

// --- The faults.

CallOutcome Soak::injectAndRun(FaultKind fault, const std::string& order) {
    switch (fault) {
        case FaultKind::None:
            return topup(order);
        case FaultKind::CardPulledBefore:
        case FaultKind::CardPulledAfter:
            return pullCard(order, fault == FaultKind::CardPulledAfter);
        case FaultKind::DaemonKilled:
            return killDaemon(order);
        case FaultKind::Server5xxBefore:
        case FaultKind::Server5xxAfter:
            return failServer(order, fault == FaultKind::Server5xxAfter);
        case FaultKind::ServerTimeout:
            return stallServer(order);
        case FaultKind::ServerDropped:
            return dropServer(order);
        case FaultKind::ChipReset:
            return resetChip(order);
    }
    return topup(order);
}

CallOutcome Soak::pullCard(const std::string& order, bool afterProcessing) {
    const auto apdu = static_cast<unsigned>(uniform(1, cardApdus_));
    faultDetail_ = "card APDU " + std::to_string(apdu);
    bed_.bed().sim().pullAt(kCardSlot, apdu, afterProcessing);
    CallOutcome outcome = topup(order);
    noteReached(afterProcessing ? FaultKind::CardPulledAfter : FaultKind::CardPulledBefore,
                kCardSlot);
    return outcome;
}

// The chip leaves its slot at one of its APDUs (before or after acting on it) and is put
// back by restore(): a power cycle of the chip, its state kept, its sessions gone.
CallOutcome Soak::resetChip(const std::string& order) {
    const auto apdu = static_cast<unsigned>(uniform(1, chipApdus_));
    const bool after = uniform(0, 1) == 1;
    faultDetail_ = "chip APDU " + std::to_string(apdu) + (after ? " after" : " before");
    bed_.bed().sim().pullAt(kChipSlot, apdu, after);
    CallOutcome outcome = topup(order);
    noteReached(FaultKind::ChipReset, kChipSlot);
    return outcome;
}

void Soak::noteReached(FaultKind fault, int slot) {
    if (!bed_.bed().sim().slotStatus(slot).at("card").is_null()) {
        ++report_.faultsNotHit[std::string(toString(fault))];
    }
}

CallOutcome Soak::failServer(const std::string& order, bool after) {
    const json fault{{"endpoint", kEndpoints.at(uniform(0, kEndpoints.size() - 1))},
                     {"mode", after ? "after" : "before"},
                     {"status", kServerStatuses.at(uniform(0, kServerStatuses.size() - 1))},
                     {"count", uniform(1, 3)}};
    faultDetail_ = fault.at("endpoint").get<std::string>() + " " +
                   std::to_string(fault.at("status").get<int>()) + " x" +
                   std::to_string(fault.at("count").get<std::uint64_t>());
    bed_.serverAdmin("POST", "/admin/faults", fault);
    return topup(order);
}

CallOutcome Soak::killDaemon(const std::string& order) {
    auto running = topupAsync(order);
    std::this_thread::sleep_for(randomMoment());
    bed_.stopDaemon(/*kill=*/true);
    faultDetail_ = "at " + std::to_string(moment_.count()) + " ms";
    return running.get();
}

// SIGSTOP: connections are accepted by the kernel and never answered, for longer than
// taplinkd waits for all its attempts; then SIGCONT.
CallOutcome Soak::stallServer(const std::string& order) {
    auto running = topupAsync(order);
    std::this_thread::sleep_for(randomMoment());
    bed_.pauseServer();
    faultDetail_ = "at " + std::to_string(moment_.count()) + " ms";
    std::this_thread::sleep_for(milliseconds(kRequestTimeoutMs * kServerAttempts + 1000));
    bed_.resumeServer();
    return running.get();
}

CallOutcome Soak::dropServer(const std::string& order) {
    auto running = topupAsync(order);
    std::this_thread::sleep_for(randomMoment());
    bed_.stopServer();
    const milliseconds down(uniform(0, 1500));
    faultDetail_ = "at " + std::to_string(moment_.count()) + " ms, down " +
                   std::to_string(down.count()) + " ms";
    std::this_thread::sleep_for(down);
    bed_.startServer();
    return running.get();
}

std::future<CallOutcome> Soak::topupAsync(const std::string& order) {
    return std::async(std::launch::async, [this, order] { return topup(order); });
}

milliseconds Soak::randomMoment() {
    const auto span = static_cast<std::uint64_t>(typicalTopup_.count());
    moment_ = milliseconds(uniform(0, span + span / 5));
    return moment_;
}

// --- Settling.

// Everything back as a person would put it: the faults cleared, the card and the chip in
// their slots, taplinkd running.
void Soak::restore() {
    auto& sim = bed_.bed().sim();
    sim.clearFaults(kCardSlot);
    sim.clearFaults(kChipSlot);
    bed_.serverAdmin("DELETE", "/admin/faults");
    putBack(kChipSlot);
    putBack(kCardSlot);
    if (!bed_.daemonRunning()) {
        startDaemon();
    }
}

// taplinkd started again. Another build relinking the taplinkd binary at that moment makes
// its start fail with "cannot execute": tried again a few times. Any other failure to start
// is the product's, and stops the run.
void Soak::startDaemon() {
    for (int attempt = 1;; ++attempt) {
        try {
            bed_.startDaemon();
            return;
        } catch (const std::runtime_error& error) {
            if (attempt == kStartAttempts ||
                std::string_view(error.what()).find("cannot execute") == std::string_view::npos) {
                throw;
            }
            std::this_thread::sleep_for(kRetryPause);
        }
    }
}

void Soak::putBack(int slot) {
    if (bed_.bed().sim().slotStatus(slot).at("card").is_null()) {
        bed_.bed().sim().reinsert(slot);
    }
    if (!bed_.bed().waitForCard(slot, true)) {
        throw std::runtime_error("slot " + std::to_string(slot) + ": the card did not come back");
    }
}

// taplinkd's resumer first; then, while the order is still open, a retry.
Ending Soak::settle(const TopUp& topUp) {
    waitForEnd(topUp.order);
    if (orderStatus(topUp.order) == "settled") {
        return topUp.first.ok() && topUp.first.result.value("settled", false) ? Ending::Direct
                                                                              : Ending::Resumer;
    }
    return retryUntilLoaded(topUp.order) ? Ending::Retry : Ending::Refused;
}

bool Soak::retryUntilLoaded(const std::string& order) {
    for (int attempt = 0; attempt < kRetries; ++attempt) {
        const CallOutcome retry = topup(order);
        if (retry.ok() || retry.code == "order_settled") {
            break;
        }
        std::this_thread::sleep_for(kRetryPause);
    }
    waitForEnd(order);
    return orderStatus(order) == "settled";
}

// Polls tx.status until the journal holds the top-up done (reported, failed, or never
// started); the last state seen.
std::string Soak::waitForEnd(const std::string& order) {
    const auto deadline = std::chrono::steady_clock::now() + kSettleTimeout;
    std::string state = journalState(order);
    while (!isEnd(state) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(kPoll);
        state = journalState(order);
    }
    return state;
}

// --- The checks.

void Soak::check(const TopUp& topUp) {
    const json ledger = bed_.serverAdmin("GET", "/admin/ledger");
    checkLedger(ledger);
    checkOrder(topUp, ledger);
    std::uint64_t total = 0;
    for (const auto& card : ledger.at("cards")) {
        if (card.at("cardSerial") == cardSerial_) {
            total = card.at("total").get<std::uint64_t>();
        }
    }
    report_.amountLoadedFen = total;
    checkBalance(initialBalance_ + total);
}

void Soak::checkBalance(std::uint64_t expected) {
    const std::uint64_t onCard = balance();
    if (onCard < expected) {
        report_.moneyLostFen = expected - onCard;
    }
    if (onCard > expected) {
        report_.moneyDoubleLoadedFen = onCard - expected;
    }
    if (onCard != expected) {
        throw SoakViolation("the card holds " + std::to_string(onCard) +
                            " fen, its first balance plus the server's ledger is " +
                            std::to_string(expected) + " fen");
    }
}

// Every settlement is of one order, once, and the card's total is the sum of its loads.
void Soak::checkLedger(const json& ledger) {
    std::set<std::string> orders;
    std::uint64_t sum = 0;
    for (const auto& settled : ledger.at("settled")) {
        const auto order = settled.at("orderId").get<std::string>();
        if (!orders.insert(order).second) {
            throw SoakViolation("order " + order + " is settled twice in the ledger");
        }
        sum +=
            settled.at("cardSerial") == cardSerial_ ? settled.at("amount").get<std::uint64_t>() : 0;
    }
    for (const auto& card : ledger.at("cards")) {
        if (card.at("cardSerial") == cardSerial_ && card.at("total").get<std::uint64_t>() != sum) {
            throw SoakViolation("the ledger's card total is not the sum of its settlements");
        }
    }
}

// The order is settled (for its amount, journal reported) or open (journal failed or never
// started: nothing on the card).
void Soak::checkOrder(const TopUp& topUp, const json& ledger) {
    const std::string status = orderStatus(topUp.order);
    const std::string state = journalState(topUp.order);
    const auto settlement =
        std::find_if(ledger.at("settled").begin(), ledger.at("settled").end(),
                     [&](const json& entry) { return entry.at("orderId") == topUp.order; });
    const bool inLedger = settlement != ledger.at("settled").end();
    if ((status == "settled") != inLedger) {
        throw SoakViolation("order " + topUp.order + " is " + status + " but the ledger " +
                            (inLedger ? "has" : "lacks") + " its settlement");
    }
    if (inLedger && settlement->at("amount").get<std::uint32_t>() != topUp.amount) {
        throw SoakViolation("order " + topUp.order + " settled for another amount");
    }
    if ((status == "settled" && state != "reported") || (status == "open" && !isEnd(state))) {
        throw SoakViolation("order " + topUp.order + " is " + status +
                            " at the server and taplinkd's journal says " + state);
    }
}

// --- The product's interfaces.

CallOutcome Soak::call(const std::string& method, const json& params,
                       std::chrono::seconds timeout) {
    CallOutcome outcome;
    try {
        auto client = api::Client::connect(bed_.socketPath());
        api::CallOptions options;
        options.timeout = timeout;
        outcome.result = client.call(method, params, options);
    } catch (const api::ApiError& error) {
        outcome.code = std::string(error.codeName());
        outcome.message = error.what();
    } catch (const api::TransportError& error) {
        outcome.code = "daemon_gone";
        outcome.message = error.what();
    }
    return outcome;
}

CallOutcome Soak::topup(const std::string& order) {
    return call("topup.start", {{"orderId", order}});
}

std::uint32_t Soak::balance() {
    CallOutcome info;
    for (int attempt = 0; attempt < kRetries; ++attempt) {
        info = call("card.info", json::object());
        if (info.ok()) {
            return info.result.at("balance").get<std::uint32_t>();
        }
        std::this_thread::sleep_for(kRetryPause);
    }
    throw std::runtime_error("card.info keeps failing: " + info.code + ": " + info.message);
}

std::string Soak::journalState(const std::string& order) {
    const CallOutcome status = call("tx.status", {{"orderId", order}});
    return status.ok() ? status.result.at("state").get<std::string>() : status.code;
}

std::string Soak::orderStatus(const std::string& order) {
    return bed_.serverAdmin("GET", "/admin/orders/" + order).at("status").get<std::string>();
}

unsigned Soak::slotApdus(int slot) {
    return bed_.bed().sim().slotStatus(slot).at("apdus").get<unsigned>();
}

}  // namespace taplink::testbed
