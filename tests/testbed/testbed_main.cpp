// taplink-testbed: starts the test bed for people and scripts.
//   taplink-testbed demo                      lists the virtual readers and cards, then stops
//   taplink-testbed up   [options]            runs until Ctrl-C, printing what to export
//   taplink-testbed run  [options] -- CMD...  runs CMD against the test bed
// options: --readers 0|1, --card SLOT=PROFILE (repeatable), --trace
#include <CLI/CLI.hpp>
#include <charconv>
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <stdexcept>
#include <string>
#include <utility>
#include <variant>
#include <vector>

#include "child_process.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/cards/card_summary.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/errors.hpp"
#include "test_bed.hpp"

namespace {

using taplink::testbed::Options;

constexpr std::uint32_t kDemoBalance = 1000;  // 10.00 yuan on the demo city card
using taplink::testbed::TestBed;

struct Command {
    std::string verb;
    Options options;
    std::vector<std::string> program;
};

// SLOT=PROFILE.
std::pair<int, std::string> parseCard(const std::string& spec) {
    if (const auto eq = spec.find('='); eq != std::string::npos) {
        const char* slotEnd = spec.data() + eq;
        int slot = 0;
        const auto [end, error] = std::from_chars(spec.data(), slotEnd, slot);
        if (error == std::errc() && end == slotEnd) {
            return {slot, spec.substr(eq + 1)};
        }
    }
    throw CLI::ValidationError("--card", "takes SLOT=PROFILE, not '" + spec + "'");
}

void describe(CLI::App& app, Command& command) {
    // A repeated option: the last one counts (but --card, which adds a card each time).
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("command", command.verb, "demo, up or run")
        ->required()
        ->check(CLI::IsMember({"demo", "up", "run"}));
    app.add_option("--readers", command.options.readers, "0 or 1 (default 1)")->type_name("N");
    app.add_option_function<std::vector<std::string>>(
           "--card",
           [&command](const std::vector<std::string>& specs) {
               for (const auto& spec : specs) {
                   command.options.cards.push_back(parseCard(spec));
               }
           },
           "puts a card of PROFILE into SLOT (repeatable)")
        ->type_name("SLOT=PROFILE")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll)
        ->allow_extra_args(false);
    app.add_flag("--trace", command.options.traceApdus, "log every APDU");
    // What follows "--" is CMD; CLI11 leaves it, with the "--", as extras.
    app.allow_extras();
    app.footer("run: -- CMD... runs CMD against the test bed. See docs/testbed.md.");
}

// CMD, after the "--" the extras start with; anything else left over is an unknown option.
std::vector<std::string> programOf(const std::vector<std::string>& extras) {
    if (!extras.empty() && extras.front() != "--") {
        throw std::invalid_argument("unknown option " + extras.front());
    }
    return extras.empty() ? extras : std::vector<std::string>(extras.begin() + 1, extras.end());
}

// The command, or the exit status when the command line says to stop (--help, an error).
std::variant<Command, int> parse(int argc, char** argv) {
    Command command;
    CLI::App app{"taplink-testbed: the test bed (pcscd, vpcd, taplink-sim) for people and scripts.",
                 "taplink-testbed"};
    describe(app, command);
    try {
        app.parse(argc, argv);
        command.program = programOf(app.remaining());
        return command;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplink-testbed: " << error.what() << '\n';
        return 1;
    } catch (const std::invalid_argument& error) {
        std::cerr << "taplink-testbed: " << error.what() << '\n';
        return 1;
    }
}

std::string protocolName(taplink::pcsc::Protocol protocol) {
    return protocol == taplink::pcsc::Protocol::T0 ? "T=0" : "T=1";
}

// EF.DIR (SFI 1E), record 1: which application the card announces.
std::string announcedApplication(taplink::pcsc::CardConnection& card) {
    const auto response = card.transmit({0x00, 0xB2, 0x01, (0x1E << 3) | 0x04, {}, 256});
    if (!response.ok()) {
        return "no EF.DIR (SW " + taplink::toHex(taplink::Bytes{response.sw1(), response.sw2()}) +
               ")";
    }
    const auto objects = taplink::tlv::parse(response.data);
    const auto* aid = taplink::tlv::find(objects, 0x4F);
    const auto* label = taplink::tlv::find(objects, 0x50);
    return std::string(label ? std::string(label->value.begin(), label->value.end()) : "?") +
           " (AID " + (aid ? taplink::toHex(aid->value) : "?") + ")";
}

void printCitySummary(const taplink::cards::CardSummary& summary) {
    std::cout << "    city  e-purse " << summary.maskedSerial << ", issuer " << summary.issuer
              << ", valid " << summary.validFrom << " to " << summary.validUntil << '\n'
              << "    balance " << taplink::cards::epurse::formatYuan(summary.balance.value_or(0))
              << ", " << summary.history.size() << " transaction(s) in the log\n";
}

void describeCard(taplink::pcsc::CardConnection& card) {
    std::cout << "    card  ATR " << taplink::toHex(card.atr(), true) << " ("
              << protocolName(card.protocol()) << ")\n";
    const auto summary = taplink::cards::summarizeCard(card);
    if (summary.scheme == taplink::cards::Scheme::CityEpurse) {
        printCitySummary(summary);
    } else {
        std::cout << "    app   " << announcedApplication(card) << '\n';
    }
}

void listReadersAndCards(TestBed& bed) {
    const auto context = taplink::pcsc::Context::establish();
    std::cout << "Readers seen through TapLink's PC/SC layer (vpcd ports " << bed.basePort() << "-"
              << bed.basePort() + bed.slotCount() - 1 << "):\n";
    for (const auto& reader : context.listReaders()) {
        std::cout << "  " << reader << '\n';
        try {
            auto card = taplink::pcsc::CardConnection::connect(context, reader);
            describeCard(card);
        } catch (const taplink::pcsc::PcscError& error) {
            std::cout << "    "
                      << (error.kind() == taplink::pcsc::ErrorKind::NoCard ? std::string("no card")
                                                                           : error.what())
                      << '\n';
        }
    }
}

int runProgram(const std::vector<std::string>& program, const TestBed& bed) {
    taplink::testsupport::SpawnOptions options;
    options.setEnv = {{"TAPLINK_SIM_CONTROL", bed.simSocket()}};
    taplink::testsupport::ChildProcess child(program, options);
    const auto status = child.wait(taplink::testsupport::kNoTimeout);
    return taplink::testsupport::exitCodeOf(status.value_or(-1));
}

int waitForSignal(const TestBed& bed) {
    std::cout << "Test bed up. In another shell:\n"
              << "  export PCSCLITE_CSOCK_NAME=" << bed.pcscSocket() << '\n'
              << "  export TAPLINK_SIM_CONTROL=" << bed.simSocket() << '\n'
              << "Ctrl-C stops it." << std::endl;
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGTERM);
    sigprocmask(SIG_BLOCK, &signals, nullptr);
    int received = 0;
    sigwait(&signals, &received);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    auto parsed = parse(argc, argv);
    if (const int* stop = std::get_if<int>(&parsed)) {
        return *stop;
    }
    Command& command = std::get<Command>(parsed);
    try {
        if (command.verb == "demo") {
            const bool defaultCards = command.options.cards.empty();
            if (defaultCards) {
                command.options.cards = {{1, "iso-t0"}};
            }
            TestBed bed(command.options);
            if (defaultCards) {
                bed.sim().insert(0, "city-3des", {{"balance", kDemoBalance}});
                bed.waitForCard(0, true);
            }
            listReadersAndCards(bed);
            return 0;
        }
        if (command.verb == "up") {
            TestBed bed(command.options);
            return waitForSignal(bed);
        }
        if (command.verb == "run") {
            if (command.program.empty()) {
                throw std::invalid_argument("run needs -- CMD");
            }
            TestBed bed(command.options);
            return runProgram(command.program, bed);
        }
        throw std::invalid_argument("unknown command " + command.verb);
    } catch (const std::exception& error) {
        std::cerr << "taplink-testbed: " << error.what() << '\n';
        return 1;
    }
}
