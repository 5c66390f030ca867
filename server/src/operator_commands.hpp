// taplink-server's operator commands (order create|show|list|cancel, account
// create|credit|set-pin|show|list, ledger, device list|revoke, events, tsm status|lock|unlock|
// refresh|personalise|update-params|jobs; refresh queues a status job; token verify): each
// one request on
// the admin socket, printed for a person, or as the JSON answer with --json.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>
#include <vector>

namespace taplink::server {

struct OperatorOptions {
    std::vector<std::string> words;  // e.g. {"order", "create"}, {"order", "show", "ORD-..."}
    std::string adminSocket;
    std::optional<std::string> amount;          // --amount
    std::optional<std::string> scheme;          // --scheme
    std::optional<std::string> chipSerial;      // --chip-serial
    std::optional<std::string> account;         // order create --account
    std::optional<std::string> merchant;        // order create --merchant (bank-purchase)
    std::optional<std::string> pin;             // account create|set-pin --pin
    std::optional<std::string> holder;          // account create --holder
    std::optional<std::string> pan;             // account create --pan
    std::optional<std::string> balance;         // account create --balance
    std::optional<std::string> applet;          // tsm lock|unlock|refresh --applet
    std::optional<std::string> perTransaction;  // tsm personalise|update-params, yuan
    std::optional<std::string> daily;
    std::optional<std::string> cvm;
    std::vector<std::string> aids;         // --aid, repeated
    std::optional<std::string> challenge;  // token verify: the 8-digit challenge
    std::optional<std::string> code;       // token verify: the code the device showed
    bool json = false;
};

inline constexpr int kExitOk = 0;
inline constexpr int kExitRefused = 1;      // the server answered with an error
inline constexpr int kExitUsage = 2;        // a command line this program does not understand
inline constexpr int kExitUnreachable = 3;  // no server on the admin socket

// Runs the command; what it prints goes to out, errors to err. Returns the exit status.
int runOperatorCommand(const OperatorOptions& options, std::ostream& out, std::ostream& err);

}  // namespace taplink::server
