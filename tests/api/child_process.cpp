#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <csignal>
#include <stdexcept>
#include <system_error>

#include "support.hpp"

extern char** environ;  // NOLINT: the POSIX way to reach the environment

namespace taplink::api::test {

namespace {

std::vector<std::string> childEnvironment(const std::map<std::string, std::string>& added) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string text(*entry);
        const std::string name = text.substr(0, text.find('='));
        if (name != "TAPLINK_SOCKET" && name != "XDG_RUNTIME_DIR" && added.count(name) == 0) {
            entries.push_back(text);
        }
    }
    for (const auto& [name, value] : added) {
        std::string entry = name;
        entry += '=';
        entry += value;
        entries.push_back(std::move(entry));
    }
    return entries;
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

}  // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& command,
                           const std::map<std::string, std::string>& environment) {
    // Everything the child needs is prepared before fork(): the parent has threads.
    std::vector<std::string> arguments = command;
    std::vector<std::string> variables = childEnvironment(environment);
    const auto argv = pointersTo(arguments);
    const auto envp = pointersTo(variables);
    int out[2];
    int err[2];
    if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe");
    }
    out_ = UniqueFd(out[0]);
    err_ = UniqueFd(err[0]);
    const UniqueFd outWrite(out[1]);
    const UniqueFd errWrite(err[1]);
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid_ == 0) {
        if (::dup2(outWrite.get(), 1) < 0 || ::dup2(errWrite.get(), 2) < 0) {
            ::_exit(126);
        }
        ::execve(argv[0], argv.data(), envp.data());
        ::_exit(127);
    }
}

ChildProcess::~ChildProcess() {
    if (pid_ > 0) {
        ::kill(pid_, SIGKILL);  // our own child, still running after a failed test
        ::waitpid(pid_, nullptr, 0);
    }
}

bool ChildProcess::pump(bool untilOutLine) {
    const auto deadline = std::chrono::steady_clock::now() + kGuard;
    while (out_ || err_) {
        if (untilOutLine && outBuffer_.find('\n') != std::string::npos) {
            return true;
        }
        pollfd fds[2] = {{out_ ? out_.get() : -1, POLLIN, 0}, {err_ ? err_.get() : -1, POLLIN, 0}};
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0 || ::poll(fds, 2, static_cast<int>(left.count())) == 0) {
            throw std::runtime_error("taplink did not finish within the guard time; stderr: " +
                                     result_.err);
        }
        for (int i = 0; i < 2; ++i) {
            if (fds[i].revents == 0) {
                continue;
            }
            auto& fd = i == 0 ? out_ : err_;
            char buffer[4096];
            const ssize_t n = ::read(fd.get(), buffer, sizeof buffer);
            if (n > 0) {
                (i == 0 ? outBuffer_ : result_.err).append(buffer, static_cast<std::size_t>(n));
            } else if (n == 0 || errno != EINTR) {
                fd.reset();
            }
        }
    }
    return untilOutLine && outBuffer_.find('\n') != std::string::npos;
}

std::optional<std::string> ChildProcess::readOutLine() {
    if (!pump(true)) {
        return std::nullopt;
    }
    const auto end = outBuffer_.find('\n');
    std::string line = outBuffer_.substr(0, end);
    result_.out += outBuffer_.substr(0, end + 1);
    outBuffer_.erase(0, end + 1);
    return line;
}

void ChildProcess::signal(int signal) const {
    ::kill(pid_, signal);
}

ProcessResult ChildProcess::finish() {
    pump(false);
    result_.out += outBuffer_;
    outBuffer_.clear();
    int status = 0;
    if (::waitpid(pid_, &status, 0) != pid_) {
        throw std::system_error(errno, std::generic_category(), "waitpid");
    }
    pid_ = -1;
    result_.exitCode = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    return result_;
}

ProcessResult runTaplink(const std::vector<std::string>& arguments,
                         const std::map<std::string, std::string>& environment) {
    std::vector<std::string> command{TAPLINK_CLI_PATH};
    command.insert(command.end(), arguments.begin(), arguments.end());
    ChildProcess child(command, environment);
    return child.finish();
}

}  // namespace taplink::api::test
