// A pipe(2) whose two ends close themselves, and the stop pipe a server's poll loop waits on.
#pragma once

#include "taplink/base/unique_fd.hpp"

namespace taplink {

struct Pipe {
    UniqueFd read;
    UniqueFd write;
};

// pipe2(2) with `flags` (O_CLOEXEC, O_NONBLOCK). Throws std::system_error with its errno.
Pipe makePipe(int flags);

// SIGTERM and SIGINT as a readable pipe, so that a server's poll loop notices them: each one
// writes a byte to it. SIGPIPE is ignored from then on, so a peer that left is a failed
// write, not the end of the process. One at a time: the handler finds the pipe in one static
// int (all it may touch, being async-signal-safe).
class StopSignals {
  public:
    // Installs the handlers; throws std::system_error.
    StopSignals();
    StopSignals(const StopSignals&) = delete;
    StopSignals& operator=(const StopSignals&) = delete;
    // The default actions are back before the pipe closes.
    ~StopSignals();

    int readFd() const { return pipe_.read.get(); }

  private:
    Pipe pipe_;
};

}  // namespace taplink
