// taplink-sim: serves virtual cards to a real pcscd through the vsmartcard vpcd driver.

#include <CLI/CLI.hpp>
#include <charconv>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "cards/bank_card.hpp"
#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "control_protocol.hpp"
#include "control_server.hpp"
#include "slot.hpp"
#include "taplink/base/log.hpp"
#include "taplink/base/pipe.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace {

constexpr std::uint16_t kVpcdDefaultPort = 0x8C7B;  // vpcd's own default (35963)

struct Options {
    std::uint16_t basePort = kVpcdDefaultPort;
    int slots = 2;
    std::string controlPath;
    std::vector<std::pair<int, std::string>> inserts;
    std::string stateDir;
    std::string issuerKeysPath;
    std::string tsmKeysPath;
    bool trace = false;
    bool listProfiles = false;
};

std::string defaultControlPath() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    return std::string(runtime != nullptr ? runtime : "/tmp") + "/taplink-sim.sock";
}

// SLOT=PROFILE; the slot is checked against --slots once the slots exist.
std::pair<int, std::string> parseInsert(const std::string& spec) {
    if (const auto eq = spec.find('='); eq != std::string::npos) {
        const char* slotEnd = spec.data() + eq;
        int slot = 0;
        const auto [end, error] = std::from_chars(spec.data(), slotEnd, slot);
        if (error == std::errc() && end == slotEnd) {
            return {slot, spec.substr(eq + 1)};
        }
    }
    throw CLI::ValidationError("--insert", "takes SLOT=PROFILE, not '" + spec + "'");
}

void addInserts(CLI::App& app, Options& options) {
    app.add_option_function<std::vector<std::string>>(
           "--insert",
           [&options](const std::vector<std::string>& specs) {
               for (const auto& spec : specs) {
                   options.inserts.push_back(parseInsert(spec));
               }
           },
           "puts a card of PROFILE into SLOT at start (repeatable)")
        ->type_name("SLOT=PROFILE");
}

void describe(CLI::App& app, Options& options) {
    // A repeated option: the last one counts.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("--port", options.basePort,
                   "slot i connects to the vpcd reader on 127.0.0.1 port BASE+i\n(default " +
                       std::to_string(kVpcdDefaultPort) + ", vpcd's own)")
        ->type_name("BASE")
        ->check(CLI::Range(1, 0xFFFF).description(""));
    app.add_option("--slots", options.slots, "how many slots, 1 to 16 (default 2)")
        ->type_name("N")
        ->check(CLI::Range(1, 16).description(""));
    app.add_option("--control", options.controlPath,
                   "the control socket (default $XDG_RUNTIME_DIR/taplink-sim.sock)")
        ->type_name("PATH");
    app.add_option("--state-dir", options.stateDir,
                   "where city and bank cards keep their state (default: in memory only)")
        ->type_name("DIR");
    app.add_option("--issuer-keys", options.issuerKeysPath,
                   "new city cards get the keys of the first city-epurse issuer\n"
                   "in FILE, new bank cards those of its first bank-pboc issuer\n"
                   "(\"taplink-issuers/1\", as certs/make-pki.sh writes it;\n"
                   "default: the test issuers)")
        ->type_name("FILE");
    app.add_option("--tsm-keys", options.tsmKeysPath,
                   "secure chips get their management keys from the TSM master\n"
                   "key in FILE (\"taplink-tsm-keys/1\", as certs/make-pki.sh\n"
                   "writes it; default: the published test key)")
        ->type_name("FILE");
    addInserts(app, options);
    app.add_flag("--trace", options.trace, "log every APDU");
    app.add_flag("--list-profiles", options.listProfiles, "print the card profiles and exit");
    app.footer("The control socket takes JSON lines; see docs/testbed.md.");
}

// The exit status when the command line says to stop: after --help or --list-profiles, or
// on a usage error.
std::optional<int> parse(CLI::App& app, const Options& options, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplink-sim: " << error.what() << '\n' << app.help();
        return 2;
    }
    if (options.listProfiles) {
        for (const auto& name : taplink::sim::profileNames()) {
            std::cout << name << '\n';
        }
        return 0;
    }
    return std::nullopt;
}

// Makes the first city-epurse issuer of the file the issuer of every new city card, and its
// first bank-pboc issuer, if it has one, that of every new bank card.
void useIssuerKeys(const std::string& path) {
    const taplink::sim::IssuerKeySet keys = taplink::sim::loadIssuerKeys(path);
    const taplink::sim::Issuer* city = keys.firstOfScheme("city-epurse");
    if (city == nullptr) {
        throw std::invalid_argument(path + " names no city-epurse issuer");
    }
    taplink::sim::setDefaultCityIssuer(std::make_shared<const taplink::sim::Issuer>(*city));
    if (!keys.bankIssuers.empty()) {
        taplink::sim::setDefaultBankIssuer(
            std::make_shared<const taplink::sim::BankIssuer>(keys.bankIssuers.front()));
    }
}

}  // namespace

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplink-sim");
    Options options;
    options.controlPath = defaultControlPath();
    CLI::App app{"taplink-sim: serves virtual cards to pcscd through the vpcd driver.",
                 "taplink-sim"};
    describe(app, options);
    if (const auto stop = parse(app, options, argc, argv)) {
        return *stop;
    }
    try {
        const taplink::StopSignals stop;
        if (!options.issuerKeysPath.empty()) {
            useIssuerKeys(options.issuerKeysPath);
        }
        if (!options.tsmKeysPath.empty()) {
            taplink::sim::setDefaultTsmKeys(std::make_shared<const taplink::protocol::TsmMasterKey>(
                taplink::protocol::readTsmKeys(options.tsmKeysPath)));
        }
        std::vector<std::unique_ptr<taplink::sim::Slot>> slots;
        slots.reserve(static_cast<std::size_t>(options.slots));
        for (int i = 0; i < options.slots; ++i) {
            slots.push_back(std::make_unique<taplink::sim::Slot>(
                i, static_cast<std::uint16_t>(options.basePort + i), options.trace));
        }
        for (const auto& [slot, profile] : options.inserts) {
            if (slot < 0 || slot >= options.slots) {
                throw std::invalid_argument("--insert: no slot " + std::to_string(slot));
            }
            taplink::sim::CardOptions cardOptions;
            cardOptions.stateDir = options.stateDir;
            taplink::sim::insertIntoSlot(slots, *slots[static_cast<std::size_t>(slot)],
                                         taplink::sim::makeCard(profile, cardOptions));
        }
        taplink::sim::ControlServer server(options.controlPath,
                                           taplink::sim::SimSettings{options.stateDir});
        std::cerr << "taplink-sim: " << options.slots << " slot(s) on vpcd ports "
                  << options.basePort << "-" << options.basePort + options.slots - 1 << ", control "
                  << options.controlPath << '\n';
        server.run(slots, stop.readFd());
    } catch (const std::exception& error) {
        std::cerr << "taplink-sim: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
