// Ctrl-C (SIGINT) and SIGTERM as a readable pipe, so that a blocking wait on taplinkd can
// notice them: the first signal is written to the pipe, a second one ends the process.
#pragma once

#include "taplink/base/unique_fd.hpp"

namespace taplink::cli {

class InterruptPipe {
  public:
    // Installs the handlers; throws std::system_error.
    InterruptPipe();
    InterruptPipe(const InterruptPipe&) = delete;
    InterruptPipe& operator=(const InterruptPipe&) = delete;
    ~InterruptPipe();

    int readFd() const { return read_.get(); }

  private:
    UniqueFd read_;
    UniqueFd write_;
};

}  // namespace taplink::cli
