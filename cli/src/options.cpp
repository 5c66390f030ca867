#include "options.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <array>
#include <string_view>

namespace taplink::cli {

namespace {

constexpr std::array<std::string_view, 11> kCommands{"readers", "status", "balance", "history",
                                                     "topup",   "ecload", "pay",     "watch",
                                                     "doctor",  "chip",   "token"};
// What `taplink chip` does.
constexpr std::array<std::string_view, 2> kChipActions{"sync", "status"};

constexpr std::int64_t kMaxLimit = 1000;
constexpr std::int64_t kMaxTimeout = std::int64_t{24} * 60 * 60;

// An empty value ("--reader=", --reader "") is no value.
CLI::Validator nonEmpty() {
    return {[](const std::string& value) { return value.empty() ? "needs a value" : ""; }, ""};
}

// The option sets target only when it is given.
template <typename Value>
CLI::Option* addOptional(CLI::App& app, const std::string& name, std::optional<Value>& target) {
    return app.add_option_function<Value>(name, [&target](const Value& value) { target = value; });
}

// --help is ours (usageText()), so that help needs no command and prints the exit codes.
void addFlags(CLI::App& app, Options& options) {
    app.set_help_flag();
    app.add_flag("--json", options.json);
    app.add_flag("-h,--help", options.help);
    app.add_flag("--version", options.version);
}

// Every option may come before or after the command; check() says which command takes it.
void addValues(CLI::App& app, Options& options) {
    const std::vector<std::string> commands(kCommands.begin(), kCommands.end());
    app.add_option("command", options.command)->check(CLI::IsMember(commands));
    addOptional(app, "action", options.action);
    addOptional(app, "--socket", options.socketPath)->check(nonEmpty());
    addOptional(app, "--reader", options.reader)->check(nonEmpty());
    addOptional(app, "--limit", options.limit)->check(CLI::Range(std::int64_t{1}, kMaxLimit));
    addOptional(app, "--order", options.orderId)->check(nonEmpty());
    addOptional(app, "--timeout", options.timeoutSeconds)
        ->check(CLI::Range(std::int64_t{1}, kMaxTimeout));
    addOptional(app, "--challenge", options.challenge)->check(nonEmpty());
}

// Which command each command-specific option belongs to.
void requireCommand(const Options& options, std::string_view option,
                    std::initializer_list<std::string_view> commands) {
    if (std::find(commands.begin(), commands.end(), options.command) == commands.end()) {
        throw UsageError(std::string(option) + " does not apply to '" + options.command + "'");
    }
}

void check(const Options& options) {
    if (options.command.empty()) {
        throw UsageError("no command given");
    }
    if (options.command == "chip") {
        const bool known = options.action && std::find(kChipActions.begin(), kChipActions.end(),
                                                       *options.action) != kChipActions.end();
        if (!known) {
            throw UsageError("chip needs 'sync' or 'status'");
        }
    } else if (options.action) {
        throw UsageError("'" + options.command + "' takes no '" + *options.action + "'");
    }
    if (options.reader) {
        requireCommand(options, "--reader", {"balance", "history", "topup", "ecload", "pay"});
    }
    if (options.limit) {
        requireCommand(options, "--limit", {"history"});
    }
    if (options.orderId) {
        requireCommand(options, "--order", {"topup", "ecload", "pay"});
    }
    if (options.timeoutSeconds) {
        requireCommand(options, "--timeout", {"topup", "ecload", "pay"});
    }
    const bool orderCommand =
        options.command == "topup" || options.command == "ecload" || options.command == "pay";
    if (orderCommand && !options.orderId) {
        throw UsageError(options.command + " needs --order ID");
    }
    if (options.challenge) {
        requireCommand(options, "--challenge", {"token"});
    }
    if (options.command == "token" && !options.challenge) {
        throw UsageError("token needs --challenge DIGITS");
    }
}

}  // namespace

Options parseArguments(const std::vector<std::string>& arguments) {
    Options options;
    CLI::App app{"", "taplink"};
    // A flag given a value (--json=yes) is a usage error; a repeated option's last value wins.
    app.option_defaults()->disable_flag_override()->multi_option_policy(
        CLI::MultiOptionPolicy::TakeLast);
    addFlags(app, options);
    addValues(app, options);
    try {
        app.parse(std::vector<std::string>(arguments.rbegin(), arguments.rend()));
    } catch (const CLI::ParseError& error) {
        throw UsageError(error.what());
    }
    if (!options.help && !options.version) {
        check(options);
    }
    return options;
}

std::string usageText() {
    return R"(usage: taplink [options] COMMAND [command options]

The kiosk command line of TapLink: a client of taplinkd's local socket.

commands:
  readers                       list the card readers and what is on them
  status                        taplinkd's version, the device and the readers
  balance [--reader NAME]       the card's balance
  history [--reader NAME] [--limit N]
                                the transactions the card remembers
  topup --order ID [--reader NAME] [--timeout SEC]
                                load the server's order ID onto the card; progress on
                                stderr, the receipt on stdout
  ecload --order ID [--reader NAME] [--timeout SEC]
                                EC load (圈存): load the server's bank-ec order ID onto
                                the bank card's e-cash; progress on stderr, the EC
                                balance before and after and the receipt on stdout
  pay --order ID [--reader NAME] [--timeout SEC]
                                Tap & Pay: pay the server's bank-purchase order ID with
                                the bank card; asks the card's PIN on this terminal when
                                the card wants it (not echoed); the receipt on stdout
  watch                         print reader and card events until interrupted
  doctor                        check the socket, taplinkd, pcscd, readers, the secure
                                chip (its load SAM operational) and the top-up server
  chip sync                     apply the chip management system's (TSM's) pending jobs
                                to the secure chip: activate, lock, unlock, ...
  chip status                   the secure chip's applets and their lifecycle states
  token --challenge DIGITS      the payment applet's one-time code for the bank's
                                8-digit challenge, and the counter it used

options:
  --json                        machine-readable output on stdout
  --socket PATH                 taplinkd's socket (default: $TAPLINK_SOCKET, else
                                $XDG_RUNTIME_DIR/taplink/taplinkd.sock, else
                                /tmp/taplink-UID/taplinkd.sock)
  -h, --help                    this text
  --version                     taplink's version

exit codes:
  0  ok
  1  other error
  2  usage error
  3  taplinkd is not running
  4  no card reader, or pcscd is not running
  5  no card, card removed, card not supported or not the order's, card expired, PIN blocked, no e-cash app
  6  the top-up server cannot be reached or reported an error
  7  declined, or the order cannot be paid (unknown, already settled, over the e-cash or payment limit)
  8  cancelled or timed out
  9  secure chip error, or the secure chip is locked by its management system
  10 wrong PIN (pay); nothing was charged
)";
}

}  // namespace taplink::cli
