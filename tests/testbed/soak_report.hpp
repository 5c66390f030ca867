// taplink-soak's counts (docs/reliability.md): the top-ups, the faults injected by kind, how
// each top-up came out and the money the checks found lost or loaded twice (both must be 0).
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <ostream>
#include <string>
#include <string_view>

namespace taplink::testbed {

enum class FaultKind {
    None,
    CardPulledBefore,  // the card leaves at APDU N, before the card acted on it
    CardPulledAfter,   // ... after it acted on it (its answer lost)
    DaemonKilled,      // taplinkd SIGKILLed at a random moment, then started again
    Server5xxBefore,   // an endpoint answers 5xx without doing anything
    Server5xxAfter,    // an endpoint commits, then answers 5xx (the answer lost)
    ServerTimeout,     // the server SIGSTOPped longer than taplinkd's timeouts, then SIGCONT
    ServerDropped,     // the server stopped at a random moment (connections dropped), restarted
    ChipReset,         // the secure chip leaves its slot at APDU N, then is put back
};

inline constexpr std::array kFaultKinds{
    FaultKind::None,          FaultKind::CardPulledBefore, FaultKind::CardPulledAfter,
    FaultKind::DaemonKilled,  FaultKind::Server5xxBefore,  FaultKind::Server5xxAfter,
    FaultKind::ServerTimeout, FaultKind::ServerDropped,    FaultKind::ChipReset};

std::string_view toString(FaultKind kind);

// How a top-up ended once the system settled.
enum class Ending {
    Direct,   // topup.start answered settled
    Resumer,  // loaded, and settled by taplinkd itself (journal + resumer)
    Retry,    // the order was still open; a retry of topup.start loaded it
    Refused,  // the order is still open after the retries; nothing on the card
};

struct SoakReport {
    std::uint64_t seed = 0;
    std::uint64_t topupsPlanned = 0;
    std::uint64_t attempted = 0;
    std::uint64_t completed = 0;
    std::uint64_t refused = 0;
    std::uint64_t recoveredByResumer = 0;
    std::uint64_t recoveredByRetry = 0;
    std::uint64_t firstCallFailed = 0;
    std::map<std::string, std::uint64_t> faults;          // by kind, as injected
    std::map<std::string, std::uint64_t> faultsNotHit;    // armed but never reached
    std::map<std::string, std::uint64_t> firstCallCodes;  // topup.start's error codes
    std::uint64_t amountLoadedFen = 0;
    std::uint64_t moneyLostFen = 0;
    std::uint64_t moneyDoubleLoadedFen = 0;
    double durationSeconds = 0;
    std::string violation;  // empty unless a check failed
    std::uint64_t violationTopup = 0;

    void countEnding(Ending ending);
};

nlohmann::json toJson(const SoakReport& report);
void print(std::ostream& out, const SoakReport& report);

}  // namespace taplink::testbed
