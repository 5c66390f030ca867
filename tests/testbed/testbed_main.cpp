// taplink-testbed: starts the test bed for people and scripts.
//   taplink-testbed demo                      lists the virtual readers and cards, then stops
//   taplink-testbed up   [options]            runs until Ctrl-C, printing what to export
//   taplink-testbed run  [options] -- CMD...  runs CMD against the test bed
// options: --readers 0|1, --card SLOT=PROFILE (repeatable), --trace
#include <csignal>
#include <cstdlib>
#include <iostream>
#include <string>
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

Command parse(int argc, char** argv) {
    if (argc < 2) {
        throw std::invalid_argument("missing command (demo, up or run)");
    }
    Command command{argv[1], {}, {}};
    for (int i = 2; i < argc; ++i) {
        const std::string arg = argv[i];
        auto value = [&] {
            if (i + 1 >= argc) {
                throw std::invalid_argument(arg + " needs a value");
            }
            return std::string(argv[++i]);
        };
        if (arg == "--readers") {
            command.options.readers = std::stoi(value());
        } else if (arg == "--card") {
            const std::string spec = value();
            const auto eq = spec.find('=');
            if (eq == std::string::npos) {
                throw std::invalid_argument("--card takes SLOT=PROFILE");
            }
            command.options.cards.emplace_back(std::stoi(spec.substr(0, eq)), spec.substr(eq + 1));
        } else if (arg == "--trace") {
            command.options.traceApdus = true;
        } else if (arg == "--") {
            command.program.assign(argv + i + 1, argv + argc);
            break;
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    return command;
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
    try {
        Command command = parse(argc, argv);
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
