// taplink-server: the reference top-up server (docs/server.md).
//   taplink-server serve --config FILE
//   taplink-server order create --amount 50.00 [--scheme city-epurse|bank-ec|bank-purchase]
//                               [--account ACC-...] [--merchant NAME] [--json]
//   taplink-server account create --holder NAME --pan DIGITS [--balance YUAN] [--pin DIGITS]
//   taplink-server account credit ID --amount YUAN | account set-pin ID --pin DIGITS
//   taplink-server account show ID | account list
//   taplink-server order show ID | order list | order cancel ID | ledger | events
//   taplink-server device list | device revoke --chip-serial HEX
//   taplink-server tsm status|lock|unlock|refresh|personalise|update-params --chip-serial HEX
//                  [--applet load-sam|payment] [--per-transaction Y --daily Y --cvm Y --aid HEX]
//   taplink-server tsm jobs [--chip-serial HEX]
//   taplink-server token verify --chip-serial HEX --challenge DIGITS --code DIGITS
// Operator commands take --config FILE or --admin-socket PATH.
#include <sys/stat.h>

#include <CLI/CLI.hpp>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "operator_commands.hpp"
#include "server_app.hpp"
#include "server_config.hpp"
#include "taplink/base/log.hpp"
#include "taplink/base/pipe.hpp"

namespace {

using taplink::server::kExitUsage;

// CLI11 lists the options; the commands' words are listed here.
constexpr const char* kCommandList =
    "commands:\n"
    "  serve --config FILE                                  runs the server\n"
    "  order create --amount YUAN [--scheme city-epurse]    prints the order id\n"
    "  order create --amount YUAN --scheme bank-ec --account ACC-...\n"
    "  order create --amount YUAN --scheme bank-purchase --merchant NAME\n"
    "  order show ID | order list | order cancel ID\n"
    "  account create --holder NAME --pan DIGITS [--balance YUAN] [--pin DIGITS]\n"
    "      prints the account id\n"
    "  account credit ID --amount YUAN | account set-pin ID --pin DIGITS (tries back to 3)\n"
    "  account show ID | account list\n"
    "  ledger | events\n"
    "  device list | device revoke --chip-serial HEX\n"
    "  tsm status --chip-serial HEX                         the chip's applets and jobs\n"
    "  tsm lock|unlock|refresh --chip-serial HEX [--applet load-sam|payment]  prints the job id\n"
    "  tsm personalise|update-params --chip-serial HEX [--per-transaction YUAN] [--daily YUAN]\n"
    "      [--cvm YUAN] [--aid HEX]...                      prints the job id\n"
    "  tsm jobs [--chip-serial HEX]\n"
    "  token verify --chip-serial HEX --challenge DIGITS --code DIGITS\n"
    "      the device's dynamic token: prints the accepted counter, or is refused\n"
    "Operator commands take --config FILE or --admin-socket PATH. See docs/server.md.";

struct CommandLine {
    std::string config;
    taplink::server::OperatorOptions options;
};

// The option sets target only when it is given.
CLI::Option* addOptional(CLI::App& app, const std::string& name, std::optional<std::string>& target,
                         const std::string& description) {
    return app.add_option_function<std::string>(
        name, [&target](const std::string& value) { target = value; }, description);
}

// Every option may come anywhere; runOperatorCommand checks the words and what they need.
void describe(CLI::App& app, CommandLine& line) {
    // A repeated option: the last one counts.
    app.option_defaults()->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
    app.add_option("COMMAND", line.options.words, "serve, or an operator command (below)")
        ->required();
    app.add_option("--config", line.config, "the server's configuration")->type_name("FILE");
    app.add_option("--admin-socket", line.options.adminSocket,
                   "a running server's admin socket, instead of --config")
        ->type_name("PATH");
    addOptional(app, "--amount", line.options.amount, "order create: the amount")
        ->type_name("YUAN");
    addOptional(app, "--scheme", line.options.scheme, "order create: the card scheme")
        ->type_name("SCHEME");
    addOptional(app, "--chip-serial", line.options.chipSerial, "device revoke, tsm: the chip")
        ->type_name("HEX");
    addOptional(app, "--account", line.options.account, "order create: the paying account")
        ->type_name("ACC-...");
    addOptional(app, "--merchant", line.options.merchant, "order create: a purchase's merchant")
        ->type_name("NAME");
    addOptional(app, "--pin", line.options.pin, "account create|set-pin: the purchase PIN")
        ->type_name("DIGITS");
    addOptional(app, "--holder", line.options.holder, "account create: the cardholder")
        ->type_name("NAME");
    addOptional(app, "--pan", line.options.pan, "account create: the card it funds")
        ->type_name("DIGITS");
    addOptional(app, "--balance", line.options.balance, "account create: opening balance")
        ->type_name("YUAN");
    addOptional(app, "--applet", line.options.applet, "tsm: load-sam (default) or payment")
        ->type_name("APPLET");
    addOptional(app, "--per-transaction", line.options.perTransaction,
                "tsm personalise|update-params: the per-transaction limit")
        ->type_name("YUAN");
    addOptional(app, "--daily", line.options.daily, "tsm personalise|update-params: daily limit")
        ->type_name("YUAN");
    addOptional(app, "--cvm", line.options.cvm,
                "tsm personalise|update-params: contactless CVM limit")
        ->type_name("YUAN");
    app.add_option("--aid", line.options.aids, "tsm personalise|update-params: an allowed AID")
        ->type_name("HEX")
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
    addOptional(app, "--challenge", line.options.challenge, "token verify: the 8-digit challenge")
        ->type_name("DIGITS");
    addOptional(app, "--code", line.options.code, "token verify: the device's code")
        ->type_name("DIGITS");
    app.add_flag("--json", line.options.json, "print the admin API's JSON answer");
    app.footer(kCommandList);
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
        std::cerr << "taplink-server: " << error.what() << '\n' << app.help();
        return kExitUsage;
    }
}

int serve(const std::string& configPath) {
    if (configPath.empty()) {
        std::cerr << "taplink-server: serve needs --config FILE\n";
        return kExitUsage;
    }
    ::umask(077);  // the database, its -wal/-shm files and the admin socket: owner-only
    try {
        const taplink::StopSignals stop;
        taplink::server::ServerApp app(taplink::server::loadServerConfig(configPath));
        std::cout << "listening on " << app.deviceUrl() << std::endl;
        if (const auto merchant = app.merchantUrl()) {
            std::cout << "merchant on " << *merchant << std::endl;
        }
        app.run(stop.readFd());
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
    CLI::App app{"taplink-server: the reference top-up server.", "taplink-server"};
    describe(app, line);
    if (const auto stop = parse(app, argc, argv)) {
        return *stop;
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
