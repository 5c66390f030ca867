#include "options.hpp"

#include <algorithm>
#include <array>
#include <charconv>
#include <string_view>

namespace taplink::cli {

namespace {

constexpr std::array<std::string_view, 7> kCommands{"readers", "status", "balance", "history",
                                                    "topup",   "watch",  "doctor"};

constexpr std::int64_t kMaxLimit = 1000;
constexpr std::int64_t kMaxTimeout = std::int64_t{24} * 60 * 60;

std::int64_t parseCount(std::string_view option, const std::string& text, std::int64_t max) {
    std::int64_t value = 0;
    const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (error != std::errc() || end != text.data() + text.size() || value < 1 || value > max) {
        throw UsageError(std::string(option) + " takes a whole number from 1 to " +
                         std::to_string(max) + ", not '" + text + "'");
    }
    return value;
}

// Which command each command-specific option belongs to.
void requireCommand(const Options& options, std::string_view option,
                    std::initializer_list<std::string_view> commands) {
    if (std::find(commands.begin(), commands.end(), options.command) == commands.end()) {
        throw UsageError(std::string(option) + " does not apply to '" + options.command + "'");
    }
}

class Parser {
  public:
    explicit Parser(const std::vector<std::string>& arguments) : arguments_(arguments) {}

    Options parse() {
        for (index_ = 0; index_ < arguments_.size(); ++index_) {
            const std::string& argument = arguments_[index_];
            if (argument.size() > 1 && argument.front() == '-') {
                option(argument);
            } else {
                positional(argument);
            }
        }
        if (options_.help || options_.version) {
            return options_;
        }
        check();
        return options_;
    }

  private:
    void positional(const std::string& argument) {
        if (!options_.command.empty()) {
            throw UsageError("unexpected argument '" + argument + "'");
        }
        if (std::find(kCommands.begin(), kCommands.end(), argument) == kCommands.end()) {
            throw UsageError("unknown command '" + argument + "'");
        }
        options_.command = argument;
    }

    void option(const std::string& argument) {
        std::string name = argument;
        std::optional<std::string> inlineValue;
        if (const auto equals = argument.find('='); equals != std::string::npos) {
            name = argument.substr(0, equals);
            inlineValue = argument.substr(equals + 1);
        }
        if (name == "--json" || name == "--help" || name == "-h" || name == "--version") {
            if (inlineValue) {
                throw UsageError(name + " takes no value");
            }
            flag(name);
            return;
        }
        const std::string value = inlineValue ? *inlineValue : next(name);
        if (name == "--socket") {
            options_.socketPath = nonEmpty(name, value);
        } else if (name == "--reader") {
            options_.reader = nonEmpty(name, value);
        } else if (name == "--limit") {
            options_.limit = parseCount(name, value, kMaxLimit);
        } else if (name == "--order") {
            options_.orderId = nonEmpty(name, value);
        } else if (name == "--timeout") {
            options_.timeoutSeconds = parseCount(name, value, kMaxTimeout);
        } else {
            throw UsageError("unknown option '" + name + "'");
        }
    }

    void flag(const std::string& name) {
        if (name == "--json") {
            options_.json = true;
        } else if (name == "--version") {
            options_.version = true;
        } else {
            options_.help = true;
        }
    }

    std::string next(const std::string& name) {
        if (index_ + 1 >= arguments_.size()) {
            throw UsageError(name + " needs a value");
        }
        return arguments_[++index_];
    }

    static std::string nonEmpty(const std::string& name, const std::string& value) {
        if (value.empty()) {
            throw UsageError(name + " needs a value");
        }
        return value;
    }

    void check() const {
        if (options_.command.empty()) {
            throw UsageError("no command given");
        }
        if (options_.reader) {
            requireCommand(options_, "--reader", {"balance", "history", "topup"});
        }
        if (options_.limit) {
            requireCommand(options_, "--limit", {"history"});
        }
        if (options_.orderId) {
            requireCommand(options_, "--order", {"topup"});
        }
        if (options_.timeoutSeconds) {
            requireCommand(options_, "--timeout", {"topup"});
        }
        if (options_.command == "topup" && !options_.orderId) {
            throw UsageError("topup needs --order ID");
        }
    }

    const std::vector<std::string>& arguments_;
    std::size_t index_ = 0;
    Options options_;
};

}  // namespace

Options parseArguments(const std::vector<std::string>& arguments) {
    return Parser(arguments).parse();
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
  watch                         print reader and card events until interrupted
  doctor                        check the socket, taplinkd, pcscd, readers, the secure
                                chip and the top-up server

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
  5  no card, card removed, or card not supported
  6  the top-up server cannot be reached or reported an error
  7  declined, or the order cannot be paid (unknown or already settled)
  8  cancelled or timed out
  9  secure chip error
)";
}

}  // namespace taplink::cli
