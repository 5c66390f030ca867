// Ctrl-C (SIGINT) and SIGTERM as a readable pipe, so that a blocking wait on taplinkd can
// notice them: the first signal is written to the pipe, a second one ends the process.
#pragma once

#include <array>
#include <csignal>

#include "taplink/base/pipe.hpp"

namespace taplink::cli {

class InterruptPipe {
  public:
    // Installs the handlers; throws std::system_error.
    InterruptPipe();
    InterruptPipe(const InterruptPipe&) = delete;
    InterruptPipe& operator=(const InterruptPipe&) = delete;
    ~InterruptPipe();

    int readFd() const { return pipe_.read.get(); }

  private:
    Pipe pipe_;
};

// While the PIN prompt has the terminal's echo off: the signals that would stop or end the
// process without a chance to restore it (Ctrl-\ SIGQUIT, SIGHUP, Ctrl-Z SIGTSTP, SIGTTIN,
// SIGTTOU), each written as its number to a pipe of its own, as readpassphrase(3) catches
// them. Not the interrupt pipe: the call must not take Ctrl-Z for a cancellation. The
// previous handlers are back when destroyed.
class PromptSignals {
  public:
    // Installs the handlers; throws std::system_error.
    PromptSignals();
    PromptSignals(const PromptSignals&) = delete;
    PromptSignals& operator=(const PromptSignals&) = delete;
    ~PromptSignals();

    int readFd() const { return pipe_.read.get(); }

    // The signal caught (its number), or 0 when none is waiting.
    int take() const;

    // The signal again with the action it had before (the terminal restored first by the
    // caller), as readpassphrase(3) does: by default SIGQUIT and SIGHUP end the process;
    // SIGTSTP, SIGTTIN and SIGTTOU stop it and this returns once it is continued, with the
    // prompt's handler back in place.
    void raiseAsBefore(int signal) const;

    static constexpr std::array<int, 5> kSignals{SIGQUIT, SIGHUP, SIGTSTP, SIGTTIN, SIGTTOU};

  private:
    Pipe pipe_;
    std::array<struct sigaction, kSignals.size()> previous_{};
};

}  // namespace taplink::cli
