#include "process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <csignal>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace taplink::servertest {

namespace {

std::vector<char*> argvOf(const std::vector<std::string>& argv) {
    std::vector<char*> args;
    args.reserve(argv.size() + 1);
    for (const std::string& arg : argv) {
        args.push_back(const_cast<char*>(arg.c_str()));
    }
    args.push_back(nullptr);
    return args;
}

int exitCodeOf(int status) {
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

std::string slurp(const std::string& path) {
    std::ifstream file(path);
    std::ostringstream text;
    text << file.rdbuf();
    return text.str();
}

std::string tempFile(const char* stem) {
    std::string path = "/tmp/taplink-servertest-" + std::string(stem) + "-XXXXXX";
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
        throw std::system_error(errno, std::generic_category(), "mkstemp");
    }
    ::close(fd);
    return path;
}

}  // namespace

CommandResult runCommand(const std::vector<std::string>& argv) {
    const std::string outPath = tempFile("out");
    const std::string errPath = tempFile("err");
    std::vector<char*> args = argvOf(argv);
    const pid_t pid = ::fork();
    if (pid < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid == 0) {
        const int out = ::open(outPath.c_str(), O_WRONLY | O_TRUNC);
        const int err = ::open(errPath.c_str(), O_WRONLY | O_TRUNC);
        const int in = ::open("/dev/null", O_RDONLY);
        if (out < 0 || err < 0 || in < 0 || ::dup2(out, 1) < 0 || ::dup2(err, 2) < 0 ||
            ::dup2(in, 0) < 0) {
            ::_exit(127);
        }
        ::execvp(args[0], args.data());
        ::_exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    CommandResult result{exitCodeOf(status), slurp(outPath), slurp(errPath)};
    ::unlink(outPath.c_str());
    ::unlink(errPath.c_str());
    return result;
}

std::string runChecked(const std::vector<std::string>& argv) {
    const CommandResult result = runCommand(argv);
    if (result.exitCode != 0) {
        std::string command;
        for (const std::string& arg : argv) {
            command += arg + " ";
        }
        throw std::runtime_error(command + "failed (" + std::to_string(result.exitCode) +
                                 "): " + result.err);
    }
    return result.out;
}

ServerProcess::~ServerProcess() {
    if (running()) {
        stop();
    }
    if (stdout_ >= 0) {
        ::close(stdout_);
    }
    if (!stderrPath_.empty()) {
        ::unlink(stderrPath_.c_str());
    }
}

std::optional<std::string> ServerProcess::start(const std::vector<std::string>& argv,
                                                std::chrono::milliseconds timeout) {
    std::array<int, 2> pipeFds{};
    if (::pipe2(pipeFds.data(), O_CLOEXEC) != 0) {
        throw std::system_error(errno, std::generic_category(), "pipe2");
    }
    stderrPath_ = tempFile("server-err");
    std::vector<char*> args = argvOf(argv);
    const pid_t parent = ::getpid();
    pid_ = ::fork();
    if (pid_ < 0) {
        throw std::system_error(errno, std::generic_category(), "fork");
    }
    if (pid_ == 0) {
        ::prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (::getppid() != parent) {
            ::_exit(126);
        }
        const int err = ::open(stderrPath_.c_str(), O_WRONLY | O_TRUNC);
        if (err < 0 || ::dup2(pipeFds[1], 1) < 0 || ::dup2(err, 2) < 0) {
            ::_exit(127);
        }
        ::execv(args[0], args.data());
        ::_exit(127);
    }
    ::close(pipeFds[1]);
    if (stdout_ >= 0) {
        ::close(stdout_);  // an earlier run's
    }
    stdout_ = pipeFds[0];
    unread_.clear();
    auto line = nextLine(timeout);
    if (!line) {
        stop();
    }
    return line;
}

std::optional<std::string> ServerProcess::nextLine(std::chrono::milliseconds timeout) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (unread_.find('\n') == std::string::npos) {
        const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        pollfd fd{stdout_, POLLIN, 0};
        if (stdout_ < 0 || left.count() <= 0 ||
            ::poll(&fd, 1, static_cast<int>(left.count())) <= 0) {
            return std::nullopt;
        }
        std::array<char, 256> chunk{};
        const ssize_t n = ::read(stdout_, chunk.data(), chunk.size());
        if (n <= 0) {
            return std::nullopt;
        }
        unread_.append(chunk.data(), static_cast<std::size_t>(n));
    }
    const std::size_t end = unread_.find('\n');
    std::string line = unread_.substr(0, end);
    unread_.erase(0, end + 1);
    return line;
}

int ServerProcess::stop(std::chrono::milliseconds grace) {
    if (pid_ <= 0) {
        return exitCode_.value_or(-1);
    }
    ::kill(pid_, SIGTERM);
    int status = 0;
    const auto deadline = std::chrono::steady_clock::now() + grace;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
        if (std::chrono::steady_clock::now() > deadline) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, &status, 0);
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    pid_ = -1;
    exitCode_ = exitCodeOf(status);
    return *exitCode_;
}

std::string ServerProcess::errors() const {
    return stderrPath_.empty() ? std::string() : slurp(stderrPath_);
}

}  // namespace taplink::servertest
