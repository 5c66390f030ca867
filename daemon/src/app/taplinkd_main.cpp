// taplinkd: the TapLink daemon. Owns the PC/SC readers, the secure chip, the journal and the
// server connection; serves the JSON-RPC API on its owner-only Unix socket (docs/daemon.md).
#include <CLI/CLI.hpp>
#include <csignal>
#include <cstring>
#include <iostream>
#include <optional>
#include <string>

#include "api/file_limit.hpp"
#include "app/daemon.hpp"
#include "app/daemon_config.hpp"
#include "taplink/base/log.hpp"

namespace {

struct Arguments {
    std::optional<std::string> config;
    std::optional<std::string> socket;
};

// The option sets target only when it is given.
CLI::Option* addOptional(CLI::App& app, const std::string& name, std::optional<std::string>& target,
                         const std::string& description) {
    return app.add_option_function<std::string>(
        name, [&target](const std::string& value) { target = value; }, description);
}

void describe(CLI::App& app, Arguments& arguments) {
    // A repeated option: the last one counts.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    addOptional(app, "--config", arguments.config,
                "the configuration (default: the first taplink/taplinkd.json in\n"
                "$XDG_CONFIG_HOME, then $XDG_CONFIG_DIRS)")
        ->type_name("FILE");
    addOptional(app, "--socket", arguments.socket,
                "the API socket (default: the config's, else\n"
                "$XDG_RUNTIME_DIR/taplink/taplinkd.sock)")
        ->type_name("PATH");
    app.footer(
        "Runs in the foreground until SIGTERM or SIGINT. docs/daemon.md describes the config.");
}

// The exit status when the command line says to stop: after --help, or on a usage error.
std::optional<int> parse(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
        return std::nullopt;
    } catch (const CLI::CallForHelp&) {
        std::cout << app.help();
        return 0;
    } catch (const CLI::ParseError& error) {
        std::cerr << "taplinkd: " << error.what() << "\n" << app.help();
        return 2;
    }
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
    Arguments arguments;
    CLI::App app{"taplinkd: the TapLink daemon.", "taplinkd"};
    describe(app, arguments);
    if (const auto stop = parse(app, argc, argv)) {
        return *stop;
    }
    const sigset_t stopSignals = blockStopSignals();
    std::signal(SIGPIPE, SIG_IGN);  // NOLINT(cert-err33-c): a client that goes away
    // Before any descriptor is taken: the WebSocket's share is derived from it.
    taplink::log::info("file descriptor limit: " + std::to_string(taplink::api::raiseFileLimit()));
    try {
        const auto configPath =
            arguments.config ? arguments.config : taplink::app::findConfigFile();
        if (!configPath) {
            std::cerr << "taplinkd: no configuration found; create "
                         "$XDG_CONFIG_HOME/taplink/taplinkd.json (docs/daemon.md) or pass "
                         "--config FILE\n";
            return 1;
        }
        auto config = taplink::app::loadConfig(*configPath);
        if (arguments.socket) {
            config.socketPath = *arguments.socket;
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
