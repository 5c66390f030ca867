// taplinkd: the TapLink daemon. Owns the PC/SC readers, the secure chip, the journal and the
// server connection; serves the JSON-RPC API on its owner-only Unix socket (docs/daemon.md).
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "app/daemon.hpp"
#include "app/daemon_config.hpp"
#include "taplink/base/log.hpp"

namespace {

constexpr const char* kUsage =
    "usage: taplinkd [--config FILE] [--socket PATH]\n"
    "\n"
    "  --config FILE   the configuration (default: the first taplink/taplinkd.json in\n"
    "                  $XDG_CONFIG_HOME, then $XDG_CONFIG_DIRS)\n"
    "  --socket PATH   the API socket (default: the config's, else\n"
    "                  $XDG_RUNTIME_DIR/taplink/taplinkd.sock)\n"
    "\n"
    "Runs in the foreground until SIGTERM or SIGINT. docs/daemon.md describes the config.\n";

struct Arguments {
    std::optional<std::string> config;
    std::optional<std::string> socket;
};

// nullopt after printing help; throws std::invalid_argument for bad usage.
std::optional<Arguments> parseArguments(const std::vector<std::string>& args) {
    Arguments parsed;
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        if (arg == "--help" || arg == "-h") {
            std::cout << kUsage;
            return std::nullopt;
        }
        if ((arg == "--config" || arg == "--socket") && i + 1 < args.size()) {
            (arg == "--config" ? parsed.config : parsed.socket) = args[++i];
            continue;
        }
        throw std::invalid_argument("unknown or incomplete argument '" + arg + "'");
    }
    return parsed;
}

// Blocks SIGTERM and SIGINT in every thread (set before any is started) and waits for one.
sigset_t blockStopSignals() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    pthread_sigmask(SIG_BLOCK, &signals, nullptr);
    return signals;
}

}  // namespace

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplinkd");
    std::optional<Arguments> arguments;
    try {
        arguments = parseArguments(std::vector<std::string>(argv + 1, argv + argc));
    } catch (const std::invalid_argument& error) {
        std::cerr << "taplinkd: " << error.what() << "\n" << kUsage;
        return 2;
    }
    if (!arguments) {
        return 0;
    }
    const sigset_t stopSignals = blockStopSignals();
    std::signal(SIGPIPE, SIG_IGN);  // NOLINT(cert-err33-c): a client that goes away
    try {
        const auto configPath =
            arguments->config ? arguments->config : taplink::app::findConfigFile();
        if (!configPath) {
            std::cerr << "taplinkd: no configuration found; create "
                         "$XDG_CONFIG_HOME/taplink/taplinkd.json (docs/daemon.md) or pass "
                         "--config FILE\n";
            return 1;
        }
        auto config = taplink::app::loadConfig(*configPath);
        if (arguments->socket) {
            config.socketPath = *arguments->socket;
        }
        taplink::app::Daemon daemon(std::move(config));
        daemon.start();
        std::cerr << "taplinkd: listening on " << daemon.socketPath() << std::endl;
        if (daemon.websocketPort() != 0) {
            std::cerr << "taplinkd: WebSocket on ws://127.0.0.1:" << daemon.websocketPort()
                      << "/ and ws://[::1]:" << daemon.websocketPort() << "/" << std::endl;
        }
        int received = 0;
        sigwait(&stopSignals, &received);
        std::cerr << "taplinkd: " << strsignal(received) << ", stopping" << std::endl;
        daemon.stop();
        return 0;
    } catch (const std::exception& error) {
        std::cerr << "taplinkd: " << error.what() << '\n';
        return 1;
    }
}
