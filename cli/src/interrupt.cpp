#include "interrupt.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <system_error>

namespace taplink::cli {

namespace {

// The handler may only touch this (async-signal-safe: a plain int and write()).
volatile sig_atomic_t interruptWriteFd = -1;
volatile sig_atomic_t promptSignalWriteFd = -1;

extern "C" void onInterrupt(int /*signal*/) {
    const int savedErrno = errno;
    const char byte = 1;
    [[maybe_unused]] const ssize_t written = ::write(interruptWriteFd, &byte, 1);
    errno = savedErrno;
}

// PromptSignals: the signal's number, so that the prompt can raise that one again.
extern "C" void onPromptSignal(int signal) {
    const int savedErrno = errno;
    const auto byte = static_cast<unsigned char>(signal);
    [[maybe_unused]] const ssize_t written = ::write(promptSignalWriteFd, &byte, 1);
    errno = savedErrno;
}

void installPromptHandler(int signal, struct sigaction* previous) {
    struct sigaction action {};
    action.sa_handler = onPromptSignal;
    sigemptyset(&action.sa_mask);
    if (::sigaction(signal, &action, previous) != 0) {
        throw std::system_error(errno, std::generic_category(), "sigaction");
    }
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

InterruptPipe::InterruptPipe() : pipe_(makePipe(O_CLOEXEC | O_NONBLOCK)) {
    interruptWriteFd = pipe_.write.get();
    if (!install(SIGINT, onInterrupt) || !install(SIGTERM, onInterrupt)) {
        throw std::system_error(errno, std::generic_category(), "sigaction");
    }
}

InterruptPipe::~InterruptPipe() {
    install(SIGINT, SIG_DFL);
    install(SIGTERM, SIG_DFL);
    interruptWriteFd = -1;
}

PromptSignals::PromptSignals() : pipe_(makePipe(O_CLOEXEC | O_NONBLOCK)) {
    promptSignalWriteFd = pipe_.write.get();
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        installPromptHandler(kSignals[i], &previous_[i]);
    }
}

PromptSignals::~PromptSignals() {
    for (std::size_t i = 0; i < kSignals.size(); ++i) {
        ::sigaction(kSignals[i], &previous_[i], nullptr);
    }
    promptSignalWriteFd = -1;
}

int PromptSignals::take() const {
    unsigned char byte = 0;
    return ::read(pipe_.read.get(), &byte, 1) == 1 ? byte : 0;
}

void PromptSignals::raiseAsBefore(int signal) const {
    const auto* const it = std::find(kSignals.begin(), kSignals.end(), signal);
    if (it == kSignals.end()) {
        return;
    }
    const auto index = static_cast<std::size_t>(it - kSignals.begin());
    ::sigaction(signal, &previous_[index], nullptr);
    // Delivered to this thread before raise() returns (if the action lets it return).
    ::raise(signal);
    installPromptHandler(signal, nullptr);
}

}  // namespace taplink::cli
