#include "soak_report.hpp"

#include <iomanip>
#include <sstream>

namespace taplink::testbed {

namespace {
using nlohmann::json;

json countsJson(const std::map<std::string, std::uint64_t>& counts) {
    json object = json::object();
    for (const auto& [name, count] : counts) {
        object[name] = count;
    }
    return object;
}

void printCounts(std::ostream& out, const char* title,
                 const std::map<std::string, std::uint64_t>& counts) {
    out << title << '\n';
    for (const auto& [name, count] : counts) {
        out << "  " << std::left << std::setw(20) << name << count << '\n';
    }
}

std::string yuan(std::uint64_t fen) {
    constexpr std::uint64_t kFenPerYuan = 100;
    std::ostringstream text;
    text << fen / kFenPerYuan << '.' << std::setw(2) << std::setfill('0') << fen % kFenPerYuan;
    return text.str();
}
}  // namespace

std::string_view toString(FaultKind kind) {
    switch (kind) {
        case FaultKind::None:
            return "none";
        case FaultKind::CardPulledBefore:
            return "card_pulled_before";
        case FaultKind::CardPulledAfter:
            return "card_pulled_after";
        case FaultKind::DaemonKilled:
            return "daemon_killed";
        case FaultKind::Server5xxBefore:
            return "server_5xx_before";
        case FaultKind::Server5xxAfter:
            return "server_5xx_after";
        case FaultKind::ServerTimeout:
            return "server_timeout";
        case FaultKind::ServerDropped:
            return "server_dropped";
        case FaultKind::ChipReset:
            return "chip_reset";
    }
    return "unknown";
}

void SoakReport::countEnding(Ending ending) {
    completed += ending != Ending::Refused ? 1 : 0;
    refused += ending == Ending::Refused ? 1 : 0;
    recoveredByResumer += ending == Ending::Resumer ? 1 : 0;
    recoveredByRetry += ending == Ending::Retry ? 1 : 0;
}

json toJson(const SoakReport& report) {
    json out{{"seed", report.seed},
             {"topupsPlanned", report.topupsPlanned},
             {"attempted", report.attempted},
             {"completed", report.completed},
             {"refused", report.refused},
             {"recoveredByResumer", report.recoveredByResumer},
             {"recoveredByRetry", report.recoveredByRetry},
             {"firstCallFailed", report.firstCallFailed},
             {"firstCallCodes", countsJson(report.firstCallCodes)},
             {"faults", countsJson(report.faults)},
             {"faultsNotReached", countsJson(report.faultsNotHit)},
             {"amountLoadedFen", report.amountLoadedFen},
             {"moneyLostFen", report.moneyLostFen},
             {"moneyDoubleLoadedFen", report.moneyDoubleLoadedFen},
             {"durationSeconds", report.durationSeconds},
             {"passed", report.violation.empty()}};
    if (!report.violation.empty()) {
        out["violation"] = {{"topup", report.violationTopup}, {"message", report.violation}};
    }
    return out;
}

void print(std::ostream& out, const SoakReport& report) {
    out << "taplink-soak report (seed " << report.seed << ")\n"
        << "  top-ups attempted   " << report.attempted << " of " << report.topupsPlanned << '\n'
        << "  completed           " << report.completed << '\n'
        << "  refused             " << report.refused << '\n'
        << "  first call failed   " << report.firstCallFailed << '\n'
        << "  recovered: resumer  " << report.recoveredByResumer << ", retry "
        << report.recoveredByRetry << '\n'
        << "  loaded              " << yuan(report.amountLoadedFen) << " yuan\n"
        << "  money lost          " << report.moneyLostFen << " fen\n"
        << "  money double-loaded " << report.moneyDoubleLoadedFen << " fen\n"
        << "  duration            " << std::fixed << std::setprecision(1) << report.durationSeconds
        << " s\n";
    printCounts(out, "faults injected:", report.faults);
    printCounts(out, "faults armed but not reached:", report.faultsNotHit);
    printCounts(out, "first-call error codes:", report.firstCallCodes);
    out << (report.violation.empty() ? "PASSED"
                                     : "FAILED at top-up " + std::to_string(report.violationTopup) +
                                           ": " + report.violation)
        << std::endl;
}

}  // namespace taplink::testbed
