#include "host_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <stdexcept>
#include <system_error>

extern char** environ;  // NOLINT(readability-redundant-declaration): POSIX declares it nowhere

namespace taplink::nm::test {

namespace {

using Clock = std::chrono::steady_clock;

struct PipePair {
    UniqueFd read;
    UniqueFd write;
};

PipePair makePipe() {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    return {UniqueFd(fds[0]), UniqueFd(fds[1])};
}

void setNonBlocking(int fd) {
    ::fcntl(fd, F_SETFL, ::fcntl(fd, F_GETFL) | O_NONBLOCK);
}

std::vector<std::string> hostEnvironment(const std::map<std::string, std::string>& added) {
    std::vector<std::string> environment;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        if (text.rfind("TAPLINK_SOCKET=", 0) != 0 && text.rfind("XDG_RUNTIME_DIR=", 0) != 0) {
            environment.emplace_back(text);
        }
    }
    for (const auto& [name, value] : added) {
        environment.push_back(name);
        environment.back().append("=").append(value);
    }
    return environment;
}

std::vector<char*> pointersTo(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (auto& text : strings) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

int millisecondsUntil(Clock::time_point deadline) {
    const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline - Clock::now());
    return static_cast<int>(std::max<std::chrono::milliseconds::rep>(left.count(), 0));
}

}  // namespace

std::string headerOf(std::uint32_t length) {
    std::string header(sizeof length, '\0');
    std::memcpy(header.data(), &length, sizeof length);  // native byte order
    return header;
}

std::string frameOf(std::string_view message) {
    return headerOf(static_cast<std::uint32_t>(message.size())) + std::string(message);
}

std::string frameOf(const nlohmann::json& message) {
    return frameOf(std::string_view(message.dump()));
}

HostProcess::HostProcess(const std::string& socketPath, std::vector<std::string> arguments)
    : HostProcess(
          HostCommand{TAPLINK_NM_PATH, std::move(arguments), {{"TAPLINK_SOCKET", socketPath}}}) {}

HostProcess::HostProcess(const HostCommand& command) {
    std::signal(SIGPIPE, SIG_IGN);  // a host that exited shows up as a failed write
    auto input = makePipe();
    auto output = makePipe();
    auto errors = makePipe();
    std::vector<std::string> argv{command.program};
    argv.insert(argv.end(), command.arguments.begin(), command.arguments.end());
    auto environment = hostEnvironment(command.environment);
    auto argvPointers = pointersTo(argv);
    auto environmentPointers = pointersTo(environment);
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid_ == 0) {  // only async-signal-safe calls from here to exec
        ::dup2(input.read.get(), STDIN_FILENO);
        ::dup2(output.write.get(), STDOUT_FILENO);
        ::dup2(errors.write.get(), STDERR_FILENO);
        ::execve(argvPointers[0], argvPointers.data(), environmentPointers.data());
        ::_exit(127);
    }
    in_ = std::move(input.write);
    out_ = std::move(output.read);
    errPipe_ = std::move(errors.read);
    setNonBlocking(in_.get());
    setNonBlocking(out_.get());
    setNonBlocking(errPipe_.get());
}

HostProcess::~HostProcess() {
    if (!status_) {
        ::kill(pid_, SIGKILL);
        int ignored = 0;
        ::waitpid(pid_, &ignored, 0);
    }
}

bool HostProcess::write(std::string_view bytes) {
    const auto deadline = Clock::now() + kHostGuard;
    while (!bytes.empty()) {
        const ssize_t n = ::write(in_.get(), bytes.data(), bytes.size());
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
            continue;
        }
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n < 0 && errno != EAGAIN) {
            return false;  // EPIPE: the host exited
        }
        // Full: read what the host wrote meanwhile so it never blocks on us.
        pollfd writable{in_.get(), POLLOUT, 0};
        ::poll(&writable, 1, 5);
        pump(Clock::now());
        if (Clock::now() > deadline) {
            throw std::runtime_error("taplink-nm stopped reading its stdin");
        }
    }
    return true;
}

void HostProcess::pump(Clock::time_point deadline) {
    std::array<pollfd, 2> fds{
        {{outEof_ ? -1 : out_.get(), POLLIN, 0}, {errPipe_.get(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), millisecondsUntil(deadline)) <= 0) {
        return;
    }
    char buffer[65536];
    if (fds[1].revents != 0) {
        const ssize_t n = ::read(errPipe_.get(), buffer, sizeof buffer);
        if (n > 0) {
            err_.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            errPipe_.reset();
        }
    }
    if (fds[0].revents != 0) {
        const ssize_t n = ::read(out_.get(), buffer, sizeof buffer);
        if (n > 0) {
            outBuffer_.append(buffer, static_cast<std::size_t>(n));
        } else if (n == 0) {
            outEof_ = true;
        }
    }
}

bool HostProcess::fill(std::size_t bytes) {
    const auto deadline = Clock::now() + kHostGuard;
    while (outBuffer_.size() < bytes) {
        if (Clock::now() > deadline) {
            throw std::runtime_error("taplink-nm wrote no frame in time; stderr:\n" + err_);
        }
        if (outEof_ || !out_) {
            return false;
        }
        pump(deadline);
    }
    return true;
}

std::optional<std::string> HostProcess::readFrame() {
    if (!fill(4)) {
        if (!outBuffer_.empty()) {
            throw std::runtime_error("taplink-nm wrote a truncated frame header");
        }
        return std::nullopt;
    }
    std::uint32_t length = 0;
    std::memcpy(&length, outBuffer_.data(), sizeof length);
    if (!fill(4 + std::size_t{length})) {
        throw std::runtime_error("taplink-nm wrote a truncated frame");
    }
    std::string message = outBuffer_.substr(4, length);
    outBuffer_.erase(0, 4 + std::size_t{length});
    return message;
}

nlohmann::json HostProcess::readJson() {
    const auto frame = readFrame();
    if (!frame) {
        throw std::runtime_error("taplink-nm closed stdout; stderr:\n" + err_);
    }
    return nlohmann::json::parse(*frame);
}

nlohmann::json HostProcess::hello(std::string_view origin) {
    writeFrame({{"type", "hello"}, {"origin", origin}});
    return readJson();
}

nlohmann::json HostProcess::call(int id, std::string_view method, const nlohmann::json& params,
                                 std::vector<nlohmann::json>* notifications) {
    writeFrame({{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}});
    for (;;) {
        nlohmann::json message = readJson();
        if (message.contains("id") && message["id"] == id) {
            return message;
        }
        if (notifications != nullptr) {
            notifications->push_back(std::move(message));
        }
    }
}

bool HostProcess::readsEof() {
    return !readFrame().has_value();
}

int HostProcess::waitExit() {
    if (status_) {
        return *status_;
    }
    const auto deadline = Clock::now() + kHostGuard;
    for (;;) {
        int status = 0;
        rusage usage{};
        const pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
        if (done == pid_) {
            status_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
            maxResidentKib_ = usage.ru_maxrss;
            const auto drained = Clock::now() + std::chrono::seconds(2);
            while (errPipe_ && Clock::now() < drained) {  // what it wrote to stderr last
                pump(drained);
            }
            return *status_;
        }
        if (Clock::now() > deadline) {
            throw std::runtime_error("taplink-nm did not exit; stderr:\n" + err_);
        }
        pump(Clock::now() + std::chrono::milliseconds(10));
    }
}

}  // namespace taplink::nm::test
