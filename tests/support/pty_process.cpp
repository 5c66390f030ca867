#include "pty_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <stdlib.h>  // posix_openpt, grantpt, unlockpt, ptsname_r
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <system_error>

namespace taplink::testsupport {

namespace {

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

// The master end (POSIX.1-2008 posix_openpt), unlocked, and its slave's path.
UniqueFd openMaster(std::string& slaveName) {
    UniqueFd master(::posix_openpt(O_RDWR | O_NOCTTY | O_CLOEXEC));
    if (!master || ::grantpt(master.get()) != 0 || ::unlockpt(master.get()) != 0) {
        fail("posix_openpt");
    }
    std::array<char, 128> name{};
    if (::ptsname_r(master.get(), name.data(), name.size()) != 0) {
        fail("ptsname_r");
    }
    slaveName = name.data();
    return master;
}

// Between fork and exec (async-signal-safe calls only): a new session, the slave opened and
// made its controlling terminal (TIOCSCTTY, tty_ioctl(4)), and stdin.
SpawnOptions onTerminal(const std::string& slaveName) {
    SpawnOptions options;
    options.out = Stream::capture();
    options.err = Stream::capture();
    options.beforeExec = [path = slaveName.c_str()] {
        if (::setsid() < 0) {
            return 125;
        }
        const int slave = ::open(path, O_RDWR);
        if (slave < 0 || ::ioctl(slave, TIOCSCTTY, 0) != 0 || ::dup2(slave, STDIN_FILENO) < 0) {
            return 125;
        }
        return slave == STDIN_FILENO ? 0 : ::close(slave);
    };
    return options;
}

}  // namespace

PtyProcess::PtyProcess(const std::vector<std::string>& argv)
    : master_(openMaster(slaveName_)), child_(argv, onTerminal(slaveName_)) {}

bool PtyProcess::readTerminal(Milliseconds wait) {
    pollfd ready{master_.get(), POLLIN, 0};
    if (::poll(&ready, 1, static_cast<int>(wait.count())) <= 0) {
        return true;
    }
    std::array<char, 4096> chunk;  // read() fills it
    const ssize_t n = ::read(master_.get(), chunk.data(), chunk.size());
    if (n > 0) {
        terminal_.append(chunk.data(), static_cast<std::size_t>(n));
        return true;
    }
    // EIO: every slave descriptor is closed (the program ended).
    return n < 0 && (errno == EINTR || errno == EAGAIN);
}

bool PtyProcess::waitForTerminal(std::string_view text, Milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (terminal_.find(text) == std::string::npos) {
        if (std::chrono::steady_clock::now() >= deadline || !readTerminal(Milliseconds(50))) {
            return false;
        }
    }
    return true;
}

bool PtyProcess::echoes() const {
    termios modes{};
    // On Linux the master answers with the slave's modes.
    return ::tcgetattr(master_.get(), &modes) != 0 || (modes.c_lflag & ECHO) != 0;
}

bool PtyProcess::waitForEchoOff(Milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (echoes()) {
        if (std::chrono::steady_clock::now() >= deadline) {
            return false;
        }
        readTerminal(Milliseconds(10));
    }
    return true;
}

void PtyProcess::type(std::string_view keys) {
    if (!writeAll(master_.get(), keys)) {
        fail("write to the pty");
    }
}

ProcessResult PtyProcess::finish(Milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (child_.running() && std::chrono::steady_clock::now() < deadline) {
        readTerminal(Milliseconds(20));
    }
    while (readTerminal(Milliseconds(0)) && !child_.running()) {
        pollfd ready{master_.get(), POLLIN, 0};
        if (::poll(&ready, 1, 0) <= 0) {
            break;  // the terminal's last bytes are read
        }
    }
    const auto left =
        std::chrono::duration_cast<Milliseconds>(deadline - std::chrono::steady_clock::now());
    return child_.finish(std::max(left, Milliseconds(100)));
}

}  // namespace taplink::testsupport
