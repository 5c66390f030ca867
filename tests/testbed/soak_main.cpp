// taplink-soak: the chaos soak (docs/reliability.md). Thousands of top-ups on the whole
// product (TopupBed: pcscd + vpcd + taplink-sim, taplink-server, taplinkd), each with a fault
// drawn at random: the card pulled at any APDU, taplinkd SIGKILLed, the server answering 5xx,
// timing out or dropped, the chip reset. After each, the card's balance must equal its first
// balance plus what the server's ledger settled, and every order must be settled once or not
// loaded at all. Prints the seed first, so that a run can be replayed, and a report at the
// end (also as JSON with --report). Exit status 0: every check held; 1: a check failed (the
// message names the top-up); 2: a usage error.
#include <CLI/CLI.hpp>
#include <chrono>
#include <csignal>
#include <cstdint>
#include <fstream>
#include <iostream>
#include <optional>
#include <string>

#include "soak_run.hpp"

namespace {

using taplink::testbed::SoakOptions;
using taplink::testbed::SoakReport;

struct CommandLine {
    SoakOptions soak;
    std::optional<std::uint64_t> seed;
    std::string reportPath;
    double maxMinutes = 0;
};

void describe(CLI::App& app, CommandLine& line) {
    app.add_option("--topups", line.soak.topups, "top-ups to make (default 1000)")
        ->check(CLI::PositiveNumber);
    app.add_option("--seed", line.seed, "the random seed (default: from the clock; printed)");
    app.add_option("--report", line.reportPath, "write the report as JSON to this file");
    app.add_option("--fault-rate", line.soak.faultRate,
                   "the share of top-ups with a fault (default 0.8)")
        ->check(CLI::Range(0.0, 1.0));
    app.add_option("--max-minutes", line.maxMinutes,
                   "start no top-up after this many minutes (default: no limit)")
        ->check(CLI::NonNegativeNumber);
    app.footer("See docs/reliability.md.");
}

std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplink-soak: " << error.what() << '\n' << app.help();
        return 2;
    }
}

std::uint64_t clockSeed() {
    return static_cast<std::uint64_t>(std::chrono::system_clock::now().time_since_epoch().count());
}

void settle(CommandLine& line) {
    line.soak.seed = line.seed.value_or(clockSeed());
    if (line.maxMinutes > 0) {
        line.soak.deadline = std::chrono::steady_clock::now() +
                             std::chrono::duration_cast<std::chrono::steady_clock::duration>(
                                 std::chrono::duration<double, std::ratio<60>>(line.maxMinutes));
    }
}

void writeReport(const std::string& path, const SoakReport& report) {
    if (path.empty()) {
        return;
    }
    std::ofstream out(path, std::ios::trunc);
    out << taplink::testbed::toJson(report).dump(2) << '\n';
    if (!out) {
        std::cerr << "taplink-soak: cannot write " << path << '\n';
    }
}

int finish(const CommandLine& line, const SoakReport& report) {
    taplink::testbed::print(std::cout, report);
    writeReport(line.reportPath, report);
    if (report.violation.empty()) {
        return 0;
    }
    std::cerr << "taplink-soak: FAILED at top-up " << report.violationTopup << " (seed "
              << report.seed << "): " << report.violation << '\n'
              << "replay: taplink-soak --seed " << report.seed << " --topups "
              << report.topupsPlanned << '\n';
    return 1;
}

}  // namespace

int main(int argc, char** argv) {
    CommandLine line;
    CLI::App app{"taplink-soak: top-ups with random faults; checks that no money is lost.",
                 "taplink-soak"};
    describe(app, line);
    if (const auto stop = parse(app, argc, argv)) {
        return *stop;
    }
    settle(line);
    std::signal(SIGPIPE, SIG_IGN);
    std::cout << "taplink-soak: seed " << line.soak.seed << ", " << line.soak.topups
              << " top-ups, fault rate " << line.soak.faultRate << std::endl;
    try {
        taplink::testbed::Soak soak(line.soak);
        const SoakReport report = soak.run();
        return finish(line, report);
    } catch (const std::exception& error) {
        std::cerr << "taplink-soak: the bed failed (seed " << line.soak.seed
                  << "): " << error.what() << '\n';
        return 1;
    }
}
