// The taplink command line: commands, options and the --help text (with the exit codes).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

namespace taplink::cli {

// A command line that does not parse: exit code 2.
class UsageError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

struct Options {
    // readers, status, balance, history, topup, ecload, pay, watch, doctor, chip, token
    std::string command;
    std::optional<std::string> action;  // chip: sync, status
    bool json = false;
    bool help = false;
    bool version = false;
    std::optional<std::string> socketPath;       // --socket; else TAPLINK_SOCKET, else the default
    std::optional<std::string> reader;           // balance, history, topup, ecload, pay
    std::optional<std::int64_t> limit;           // history
    std::optional<std::string> orderId;          // topup, ecload, pay (required)
    std::optional<std::int64_t> timeoutSeconds;  // topup, ecload, pay
    std::optional<std::string> challenge;        // token (required): 8 digits
};

// Parses the arguments after the program name; options may come before or after the
// command. Throws UsageError.
Options parseArguments(const std::vector<std::string>& arguments);

// What `taplink --help` prints.
std::string usageText();

}  // namespace taplink::cli
