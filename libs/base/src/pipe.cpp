#include "taplink/base/pipe.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

namespace taplink {

namespace {

// The handler may only touch this (async-signal-safe: a plain int and write()).
volatile sig_atomic_t stopWriteFd = -1;

extern "C" void onStopSignal(int /*signal*/) {
    const int savedErrno = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(stopWriteFd, &byte, 1);
    errno = savedErrno;
}

}  // namespace

Pipe makePipe(int flags) {
    int fds[2];
    if (::pipe2(fds, flags) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

// Non-blocking: a handler must never block on a pipe full of unread stop bytes.
StopSignals::StopSignals() : pipe_(makePipe(O_CLOEXEC | O_NONBLOCK)) {
    stopWriteFd = pipe_.write.get();
    std::signal(SIGTERM, onStopSignal);
    std::signal(SIGINT, onStopSignal);
    std::signal(SIGPIPE, SIG_IGN);
}

StopSignals::~StopSignals() {
    std::signal(SIGTERM, SIG_DFL);
    std::signal(SIGINT, SIG_DFL);
    stopWriteFd = -1;
}

}  // namespace taplink
