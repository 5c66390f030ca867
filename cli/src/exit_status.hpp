// taplink's documented exit codes (taplink --help, cli/README.md, docs/api.md) and the one
// mapping from the daemon's error codes to them and to a one-line message.
#pragma once

#include <string>
#include <string_view>

#include "taplink/rpc/jsonrpc.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::cli {

enum ExitCode : int {
    kOk = 0,
    kOtherError = 1,
    kUsage = 2,
    kDaemonNotRunning = 3,
    kNoReader = 4,       // no reader, pcscd unavailable
    kCardProblem = 5,    // no card, card removed, unsupported card, wrong scheme, expired, no AID
    kServerProblem = 6,  // server unreachable, server error, script rejected
    kDeclined = 7,       // declined, order not found, order settled, EC or payment limit
    kCancelled = 8,      // cancelled, timed out
    kChipError = 9,
    kWrongPin = 10,  // pay: the issuer refused the PIN (nothing charged)
};

ExitCode exitCodeFor(api::ErrorCode code);

// One line for a person, e.g. "pcscd is not running".
std::string messageFor(const api::ApiError& error);
std::string messageFor(const api::DaemonUnavailable& error);

}  // namespace taplink::cli
