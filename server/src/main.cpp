// taplink-server: the reference top-up server (docs/server.md).
//   taplink-server serve --config FILE
//   taplink-server order create --amount 50.00 [--scheme city-epurse] [--json]
//   taplink-server order show ID | order list | order cancel ID | ledger | events
//   taplink-server device list | device revoke --chip-serial HEX
// Operator commands take --config FILE or --admin-socket PATH.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <iostream>
#include <string>
#include <vector>

#include "operator_commands.hpp"
#include "server_app.hpp"
#include "server_config.hpp"
#include "taplink/base/log.hpp"

namespace {

using taplink::server::kExitUsage;

int stopPipe[2] = {-1, -1};

extern "C" void onSignal(int /*signal*/) {
    const char byte = 1;
    [[maybe_unused]] const auto written = ::write(stopPipe[1], &byte, 1);
}

void usage(std::ostream& out) {
    out << "usage: taplink-server serve --config FILE\n"
           "       taplink-server COMMAND [--config FILE | --admin-socket PATH] [--json]\n"
           "commands:\n"
           "  order create --amount YUAN [--scheme city-epurse]   prints the order id\n"
           "  order show ID | order list | order cancel ID\n"
           "  ledger | events\n"
           "  device list | device revoke --chip-serial HEX\n"
           "See docs/server.md.\n";
}

struct CommandLine {
    std::string config;
    taplink::server::OperatorOptions options;
};

CommandLine parse(int argc, char** argv) {
    CommandLine line;
    const std::vector<std::string> args(argv + 1, argv + argc);
    for (std::size_t i = 0; i < args.size(); ++i) {
        const std::string& arg = args[i];
        auto value = [&]() -> const std::string& {
            if (i + 1 >= args.size()) {
                throw std::invalid_argument(arg + " needs a value");
            }
            return args[++i];
        };
        if (arg == "--config") {
            line.config = value();
        } else if (arg == "--admin-socket") {
            line.options.adminSocket = value();
        } else if (arg == "--amount") {
            line.options.amount = value();
        } else if (arg == "--scheme") {
            line.options.scheme = value();
        } else if (arg == "--chip-serial") {
            line.options.chipSerial = value();
        } else if (arg == "--json") {
            line.options.json = true;
        } else if (arg == "--help" || arg == "-h") {
            usage(std::cout);
            std::exit(0);
        } else if (arg.rfind("--", 0) == 0) {
            throw std::invalid_argument("unknown option " + arg);
        } else {
            line.options.words.push_back(arg);
        }
    }
    if (line.options.words.empty()) {
        throw std::invalid_argument("no command");
    }
    return line;
}

int serve(const std::string& configPath) {
    if (configPath.empty()) {
        std::cerr << "taplink-server: serve needs --config FILE\n";
        return kExitUsage;
    }
    ::umask(077);  // the database, its -wal/-shm files and the admin socket: owner-only
    if (::pipe2(stopPipe, O_CLOEXEC) != 0) {
        std::perror("taplink-server: pipe");
        return 1;
    }
    std::signal(SIGTERM, onSignal);
    std::signal(SIGINT, onSignal);
    std::signal(SIGPIPE, SIG_IGN);
    try {
        taplink::server::ServerApp app(taplink::server::loadServerConfig(configPath));
        std::cout << "listening on " << app.deviceUrl() << std::endl;
        if (const auto merchant = app.merchantUrl()) {
            std::cout << "merchant on " << *merchant << std::endl;
        }
        app.run(stopPipe[0]);
    } catch (const std::exception& error) {
        std::cerr << "taplink-server: " << error.what() << '\n';
        return 1;
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    taplink::log::setProgramName("taplink-server");
    CommandLine line;
    try {
        line = parse(argc, argv);
    } catch (const std::exception& error) {
        std::cerr << "taplink-server: " << error.what() << '\n';
        usage(std::cerr);
        return kExitUsage;
    }
    if (line.options.words == std::vector<std::string>{"serve"}) {
        return serve(line.config);
    }
    if (line.options.adminSocket.empty()) {
        if (line.config.empty()) {
            std::cerr << "taplink-server: give --config FILE or --admin-socket PATH\n";
            return kExitUsage;
        }
        try {
            line.options.adminSocket = taplink::server::loadServerConfig(line.config).adminSocket;
        } catch (const std::exception& error) {
            std::cerr << "taplink-server: " << error.what() << '\n';
            return kExitUsage;
        }
    }
    return taplink::server::runOperatorCommand(line.options, std::cout, std::cerr);
}
