// taplink-sim: serves virtual cards to a real pcscd through the vsmartcard vpcd driver.
#include <fcntl.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "cards/profiles.hpp"
#include "control_protocol.hpp"
#include "control_server.hpp"
#include "slot.hpp"
#include "taplink/base/log.hpp"
#include "taplink/protocol/issuer_keys.hpp"

namespace {

constexpr std::uint16_t kVpcdDefaultPort = 0x8C7B;  // vpcd's own default (35963)

int stopPipe[2] = {-1, -1};

extern "C" void onSignal(int /*signal*/) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(stopPipe[1], &byte, 1);
}

struct Options {
    std::uint16_t basePort = kVpcdDefaultPort;
    int slots = 2;
    std::string controlPath;
    std::vector<std::pair<int, std::string>> inserts;
    std::string stateDir;
    std::string issuerKeysPath;
    bool trace = false;
};

void usage(std::ostream& out) {
    out << "usage: taplink-sim [--port BASE] [--slots N] [--control PATH] [--state-dir DIR]\n"
           "                   [--issuer-keys FILE] [--insert SLOT=PROFILE]... [--trace]\n"
           "                   [--list-profiles]\n"
           "Slot i connects to the vpcd reader on 127.0.0.1 port BASE+i (default BASE "
        << kVpcdDefaultPort
        << ").\n"
           "City cards keep their state in DIR (default: in memory only).\n"
           "New city cards get the keys of the first city-epurse issuer in FILE\n"
           "(\"taplink-issuers/1\", as certs/make-pki.sh writes it; default: the test issuer).\n"
           "The control socket (default $XDG_RUNTIME_DIR/taplink-sim.sock) takes JSON lines;\n"
           "see docs/testbed.md.\n";
}

std::string defaultControlPath() {
    const char* runtime = std::getenv("XDG_RUNTIME_DIR");
    return std::string(runtime != nullptr ? runtime : "/tmp") + "/taplink-sim.sock";
}

Options parse(int argc, char** argv) {
    Options options;
    options.controlPath = defaultControlPath();
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) {
                throw std::invalid_argument(arg + " needs a value");
            }
            return args[++i];
        };
        if (arg == "--port") {
            const int port = std::stoi(value());
            if (port <= 0 || port > 0xFFFF) {
                throw std::invalid_argument("--port out of range");
            }
            options.basePort = static_cast<std::uint16_t>(port);
        } else if (arg == "--slots") {
            options.slots = std::stoi(value());
            if (options.slots < 1 || options.slots > 16) {
                throw std::invalid_argument("--slots takes 1 to 16");
            }
        } else if (arg == "--control") {
            options.controlPath = value();
        } else if (arg == "--insert") {
            const std::string& spec = value();
            const auto eq = spec.find('=');
            if (eq == std::string::npos) {
                throw std::invalid_argument("--insert takes SLOT=PROFILE");
            }
            options.inserts.emplace_back(std::stoi(spec.substr(0, eq)), spec.substr(eq + 1));
        } else if (arg == "--state-dir") {
            options.stateDir = value();
        } else if (arg == "--issuer-keys") {
            options.issuerKeysPath = value();
        } else if (arg == "--trace") {
            options.trace = true;
        } else if (arg == "--list-profiles") {
            for (const auto& name : taplink::sim::profileNames()) {
                std::cout << name << '\n';
            }
            std::exit(0);
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            std::exit(0);
        } else {
            throw std::invalid_argument("unknown option " + arg);
        }
    }
    return options;
}

// Makes the first city-epurse issuer of the file the issuer of every new city card.
void useIssuerKeys(const std::string& path) {
    const taplink::sim::IssuerKeySet keys = taplink::sim::loadIssuerKeys(path);
    const taplink::sim::Issuer* city = keys.firstOfScheme("city-epurse");
    if (city == nullptr) {
        throw std::invalid_argument(path + " names no city-epurse issuer");
    }
    taplink::sim::setDefaultCityIssuer(std::make_shared<const taplink::sim::Issuer>(*city));
}

}  // namespace

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplink-sim");
    Options options;
    try {
        options = parse(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "taplink-sim: " << error.what() << '\n';
        usage(std::cerr);
        return 2;
    }
    if (::pipe2(stopPipe, O_CLOEXEC) != 0) {
        std::perror("taplink-sim: pipe");
        return 1;
    }
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);

    try {
        if (!options.issuerKeysPath.empty()) {
            useIssuerKeys(options.issuerKeysPath);
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
        server.run(slots, stopPipe[0]);
    } catch (const std::exception& error) {
        std::cerr << "taplink-sim: " << error.what() << '\n';
        return 1;
    }
    return 0;
}
