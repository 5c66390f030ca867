// taplink-soak's run (docs/reliability.md): top-ups on the whole product (TopupBed), each with
// a fault drawn at random, then the system left to settle (the card and the chip put back,
// the server and taplinkd up again, taplinkd's resumer finishing, a retry while the order is
// still open) and the money checked: the card holds its first balance plus what the server's
// ledger settled for it, and every order was settled once or not loaded at all.
#pragma once

#include <chrono>
#include <cstdint>
#include <future>
#include <nlohmann/json.hpp>
#include <optional>
#include <random>
#include <stdexcept>
#include <string>

#include "soak_report.hpp"
#include "topup_bed.hpp"

namespace taplink::testbed {

struct SoakOptions {
    std::uint64_t topups = 1000;
    std::uint64_t seed = 0;
    double faultRate = 0.8;  // the share of top-ups with a fault
    // No new top-up after this moment (the report then counts the ones made).
    std::optional<std::chrono::steady_clock::time_point> deadline;
};

// A broken invariant: the run stops.
class SoakViolation : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// One topup.start: the result, or taplinkd's error code.
struct CallOutcome {
    nlohmann::json result;
    std::string code;  // empty on success
    std::string message;
    bool ok() const { return code.empty(); }
};

class Soak {
  public:
    explicit Soak(SoakOptions options);
    // Runs the top-ups; the report's violation is set when a check failed.
    SoakReport run();

  private:
    struct TopUp {
        std::uint64_t number = 0;
        std::string order;
        std::uint32_t amount = 0;
        FaultKind fault = FaultKind::None;
        CallOutcome first;
    };

    bool expired() const;
    void oneTopUp(std::uint64_t number);
    FaultKind drawFault();
    CallOutcome injectAndRun(FaultKind fault, const std::string& order);
    CallOutcome pullCard(const std::string& order, bool afterProcessing);
    CallOutcome resetChip(const std::string& order);
    CallOutcome failServer(const std::string& order, bool after);
    CallOutcome killDaemon(const std::string& order);
    CallOutcome stallServer(const std::string& order);
    CallOutcome dropServer(const std::string& order);
    std::future<CallOutcome> topupAsync(const std::string& order);
    std::chrono::milliseconds randomMoment();
    void noteReached(FaultKind fault, int slot);

    void restore();
    void startDaemon();
    void putBack(int slot);
    Ending settle(const TopUp& topUp);
    bool retryUntilLoaded(const std::string& order);
    std::string waitForEnd(const std::string& order);
    void check(const TopUp& topUp);
    void checkOrder(const TopUp& topUp, const nlohmann::json& ledger);
    void checkLedger(const nlohmann::json& ledger);
    void checkBalance(std::uint64_t expected);
    void learn(std::chrono::steady_clock::duration took, unsigned cardApdus, unsigned chipApdus);

    CallOutcome call(const std::string& method, const nlohmann::json& params,
                     std::chrono::seconds timeout = std::chrono::seconds(90));
    CallOutcome topup(const std::string& order);
    std::uint32_t balance();
    std::string journalState(const std::string& order);
    std::string orderStatus(const std::string& order);
    unsigned slotApdus(int slot);
    std::uint32_t drawAmount();
    std::uint64_t uniform(std::uint64_t low, std::uint64_t high);

    SoakOptions options_;
    std::mt19937_64 random_;
    SoakReport report_;
    TopupBed bed_;
    std::string cardSerial_;
    std::uint32_t initialBalance_ = 0;
    std::uint32_t maxAmount_ = 1;
    // Learnt from the fault-free top-ups: their length and the APDUs each sends.
    std::string faultDetail_;  // where the fault struck, for the top-up's line
    std::chrono::milliseconds moment_{0};
    bool learnt_ = false;
    std::chrono::milliseconds typicalTopup_{1500};
    unsigned cardApdus_ = 6;
    unsigned chipApdus_ = 20;
};

}  // namespace taplink::testbed
