#include "pin_prompt.hpp"

#include <fcntl.h>
#include <openssl/crypto.h>
#include <poll.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <set>
#include <utility>

#include "interrupt.hpp"
#include "taplink/base/unique_fd.hpp"

namespace taplink::cli {

namespace {

// ECHO off (and ECHONL on, so Enter still ends the line on screen) until destroyed, and
// for the while a stop signal holds the process (restore(), then apply() again).
class EchoOff {
  public:
    explicit EchoOff(int fd) : fd_(fd), saved_(::tcgetattr(fd, &original_) == 0) { apply(); }
    EchoOff(const EchoOff&) = delete;
    EchoOff& operator=(const EchoOff&) = delete;
    ~EchoOff() { restore(); }

    // TCSAFLUSH: what was typed before the prompt (echoed or not) is not taken for the PIN.
    void apply() {
        if (saved_) {
            termios quiet = original_;
            quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
            quiet.c_lflag |= ECHONL;
            ::tcsetattr(fd_, TCSAFLUSH, &quiet);
        }
    }
    void restore() {
        if (saved_) {
            ::tcsetattr(fd_, TCSAFLUSH, &original_);
        }
    }

  private:
    int fd_;
    termios original_{};
    bool saved_;
};

// Longer than any PIN (ISO 9564: 12 digits): the buffer never grows, so no copy of the typed
// bytes is left behind in freed memory.
constexpr std::size_t kMaxTyped = 32;

enum class Ready { Tty, Interrupted, Closed, Expired, Signal, Gone };

// poll()'s timeout for the deadline: -1 (none), else the milliseconds left, rounded up.
int timeoutFor(const std::optional<std::chrono::steady_clock::time_point>& deadline) {
    if (!deadline) {
        return -1;
    }
    const auto left =
        std::chrono::ceil<std::chrono::milliseconds>(*deadline - std::chrono::steady_clock::now());
    return static_cast<int>(std::clamp<std::chrono::milliseconds::rep>(left.count(), 0, 1 << 30));
}

bool readable(const pollfd& fd) {
    return (fd.revents & POLLIN) != 0;
}

// poll() ignores the negative fds: an absent stop is never ready.
Ready waitForInput(int ttyFd, const PinStops& stops, int signalFd) {
    std::array<pollfd, 4> fds{pollfd{ttyFd, POLLIN, 0}, pollfd{stops.interruptFd, POLLIN, 0},
                              pollfd{stops.closedFd, POLLIN, 0}, pollfd{signalFd, POLLIN, 0}};
    while (true) {
        const int ready = ::poll(fds.data(), fds.size(), timeoutFor(stops.deadline));
        if (ready < 0) {
            if (errno == EINTR) {
                continue;  // the signal's byte is in its pipe: the next poll sees it
            }
            return Ready::Gone;
        }
        if (ready == 0) {
            return Ready::Expired;
        }
        if (readable(fds[3])) {
            return Ready::Signal;
        }
        if (readable(fds[1])) {
            return Ready::Interrupted;
        }
        if (readable(fds[2])) {
            return Ready::Closed;
        }
        if ((fds[0].revents & (POLLIN | POLLHUP | POLLERR)) != 0) {
            return Ready::Tty;
        }
    }
}

void writeText(int fd, const std::string& text) {
    std::size_t done = 0;
    while (done < text.size()) {
        const ssize_t written = ::write(fd, text.data() + done, text.size() - done);
        if (written <= 0 && errno != EINTR) {
            return;
        }
        done += written > 0 ? static_cast<std::size_t>(written) : 0U;
    }
}

// The typed line so far, wiped whenever it is given up.
class TypedPin {
  public:
    TypedPin() { pin_.reserve(kMaxTyped); }
    TypedPin(const TypedPin&) = delete;
    TypedPin& operator=(const TypedPin&) = delete;
    ~TypedPin() { wipe(); }

    void add(char byte) {
        if (pin_.size() < kMaxTyped) {
            pin_.push_back(byte);
        }
    }
    void wipe() {
        OPENSSL_cleanse(pin_.data(), pin_.size());
        pin_.clear();
    }
    std::string take() { return std::exchange(pin_, std::string()); }

  private:
    std::string pin_;
};

PinEnd endFor(Ready ready) {
    switch (ready) {
        case Ready::Interrupted:
            return PinEnd::Interrupted;
        case Ready::Closed:
            return PinEnd::Closed;
        case Ready::Expired:
            return PinEnd::Expired;
        default:
            return PinEnd::Gone;
    }
}

// "PIN entry closed: …": why taplinkd closed the question (closedFd's text), or the expiry.
std::string closedLine(Ready ready, int closedFd) {
    std::string because = "no PIN in time";
    if (ready == Ready::Closed) {
        std::array<char, 128> text{};
        const ssize_t got = ::read(closedFd, text.data(), text.size());
        because = got > 0 ? std::string(text.data(), static_cast<std::size_t>(got)) : "closed";
    }
    return "PIN entry closed: " + because + " / \u5bc6\u7801\u8f93\u5165\u5df2\u5173\u95ed\n";
}

bool stopsTheProcess(int signal) {
    return signal == SIGTSTP || signal == SIGTTIN || signal == SIGTTOU;
}

// Raises, each once, every signal caught by now (the terminal already restored: restoring it
// in the background adds a SIGTTOU). False when one that ends the prompt let the process go on.
bool raiseCaught(const PromptSignals& signals) {
    std::set<int> caught;
    for (int signal = signals.take(); signal != 0; signal = signals.take()) {
        caught.insert(signal);
    }
    bool goOn = true;
    for (const int signal : caught) {
        signals.raiseAsBefore(signal);  // may stop or end the process here
        goOn = goOn && stopsTheProcess(signal);
    }
    return goOn;
}

}  // namespace

PinReading readPinFrom(int ttyFd, const std::string& prompt, const PinStops& stops) {
    const PromptSignals signals;
    EchoOff quiet(ttyFd);  // before the prompt: nothing typed after it is flushed
    writeText(ttyFd, prompt);
    TypedPin pin;
    while (true) {
        const Ready ready = waitForInput(ttyFd, stops, signals.readFd());
        if (ready == Ready::Signal) {
            quiet.restore();
            if (!raiseCaught(signals)) {
                return {PinEnd::Gone, {}};
            }
            pin.wipe();  // continued: a fresh prompt, as readpassphrase(3) restarts
            quiet.apply();
            writeText(ttyFd, "\n" + prompt);
            continue;
        }
        char byte = 0;
        if (ready == Ready::Closed || ready == Ready::Expired) {
            quiet.restore();
            writeText(ttyFd, "\n" + closedLine(ready, stops.closedFd));
            return {endFor(ready), {}};
        }
        if (ready != Ready::Tty || ::read(ttyFd, &byte, 1) != 1) {
            return {endFor(ready), {}};
        }
        if (byte == '\n' || byte == '\r') {
            return {PinEnd::Entered, pin.take()};
        }
        pin.add(byte);
        OPENSSL_cleanse(&byte, 1);
    }
}

PinReading readPin(const std::string& prompt, const PinStops& stops) {
    const UniqueFd tty(::open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY));
    if (!tty) {
        return {PinEnd::Gone, {}};
    }
    return readPinFrom(tty.get(), prompt, stops);
}

}  // namespace taplink::cli
