#include "interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <system_error>

namespace taplink::cli {

namespace {

// The handler may only touch this (async-signal-safe: a plain int and write()).
volatile sig_atomic_t interruptWriteFd = -1;

extern "C" void onInterrupt(int /*signal*/) {
    const int savedErrno = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(interruptWriteFd, &byte, 1);
    errno = savedErrno;
}

bool install(int signal, void (*handler)(int)) {
    struct sigaction action {};
    action.sa_handler = handler;
    sigemptyset(&action.sa_mask);
    // SA_RESETHAND: a second Ctrl-C is not caught, it ends the process.
    action.sa_flags = handler == SIG_DFL ? 0 : static_cast<int>(SA_RESETHAND);
    return ::sigaction(signal, &action, nullptr) == 0;
}

}  // namespace

InterruptPipe::InterruptPipe() {
    int fds[2];
    if (::pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    read_ = UniqueFd(fds[0]);
    write_ = UniqueFd(fds[1]);
    interruptWriteFd = write_.get();
    if (!install(SIGINT, onInterrupt) || !install(SIGTERM, onInterrupt)) {
        throw std::system_error(errno, std::generic_category(), "sigaction");
    }
}

InterruptPipe::~InterruptPipe() {
    install(SIGINT, SIG_DFL);
    install(SIGTERM, SIG_DFL);
    interruptWriteFd = -1;
}

}  // namespace taplink::cli
