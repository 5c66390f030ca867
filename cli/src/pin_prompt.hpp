// The online PIN typed on the controlling terminal for `taplink pay` (ui.request kind "pin"):
// echo off while it is typed, the terminal's settings restored on every way out (Enter,
// Ctrl-C, the question closed or expired, Ctrl-\, Ctrl-Z, a hang-up, an error), and the
// typed bytes wiped.
#pragma once

#include <chrono>
#include <optional>
#include <string>

namespace taplink::cli {

// What may end the prompt before Enter.
struct PinStops {
    int interruptFd = -1;  // readable once the user pressed Ctrl-C; left unread for the call
    // Gets why taplinkd closed the question (ui.request.closed), in words for the cardholder.
    int closedFd = -1;
    std::optional<std::chrono::steady_clock::time_point> deadline;  // the question's expiry
};

enum class PinEnd { Entered, Interrupted, Closed, Expired, Gone };

struct PinReading {
    PinEnd end = PinEnd::Gone;
    std::string pin;  // Entered only; the caller wipes it (OPENSSL_cleanse) when done with it
};

// Turns echo off, writes `prompt` to the terminal `ttyFd` and reads one line. While it
// reads, Ctrl-\ (SIGQUIT), SIGHUP, Ctrl-Z (SIGTSTP), SIGTTIN and SIGTTOU restore the
// terminal before they take their usual effect (readpassphrase(3)); after a stop the prompt
// starts again when the process is continued. Closed and Expired are said on the terminal
// ("PIN entry closed: <why> / 密码输入已关闭"). Gone: the terminal closed, or a SIGHUP or
// SIGQUIT whose action let the process live on.
PinReading readPinFrom(int ttyFd, const std::string& prompt, const PinStops& stops);

// readPinFrom on /dev/tty; Gone when the process has no controlling terminal.
PinReading readPin(const std::string& prompt, const PinStops& stops);

}  // namespace taplink::cli
