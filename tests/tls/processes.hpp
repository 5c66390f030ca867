// Running the openssl command line, the certs/ scripts and taplink-enroll from tests, and
// an `openssl s_server` of the test's own on 127.0.0.1 (started and stopped by the test).
#pragma once

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iterator>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_bed.hpp"

namespace taplink::testing {

struct CommandResult {
    int status = -1;
    std::string output;
};

// Runs a shell command line and returns its exit status and what it printed (stderr too).
inline CommandResult run(const std::string& command) {
    CommandResult result;
    FILE* pipe = ::popen((command + " 2>&1").c_str(), "r");
    if (pipe == nullptr) {
        return result;
    }
    std::array<char, 4096> buffer{};
    while (std::fgets(buffer.data(), static_cast<int>(buffer.size()), pipe) != nullptr) {
        result.output += buffer.data();
    }
    const int status = ::pclose(pipe);
    result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    return result;
}

// The text in single quotes for sh, quotes inside escaped.
inline std::string shellQuoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

inline std::string readText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// `openssl s_server -accept 127.0.0.1:0 ARGS...` with its output in logPath; the port is the
// one it reports ("ACCEPT 127.0.0.1:PORT"). Stopped (SIGTERM, this process's own child
// only) when destroyed.
class OpensslServer {
  public:
    OpensslServer(const std::vector<std::string>& arguments, std::string logPath)
        : logPath_(std::move(logPath)) {
        std::vector<std::string> argv{"openssl", "s_server", "-accept", "127.0.0.1:0"};
        argv.insert(argv.end(), arguments.begin(), arguments.end());
        std::vector<char*> pointers;
        pointers.reserve(argv.size() + 1);
        for (auto& argument : argv) {
            pointers.push_back(argument.data());
        }
        pointers.push_back(nullptr);
        posix_spawn_file_actions_t actions;
        posix_spawn_file_actions_init(&actions);
        posix_spawn_file_actions_addopen(&actions, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
        posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, logPath_.c_str(),
                                         O_WRONLY | O_CREAT | O_TRUNC, 0600);
        posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
        pid_t pid = -1;
        const int spawned =
            posix_spawnp(&pid, "openssl", &actions, nullptr, pointers.data(), environ);
        posix_spawn_file_actions_destroy(&actions);
        if (spawned != 0) {
            throw std::runtime_error("cannot start openssl s_server");
        }
        process_ = testbed::ChildProcess(pid);
        port_ = waitForPort();
    }

    std::uint16_t port() const { return port_; }
    std::string log() const { return readText(logPath_); }

  private:
    std::uint16_t waitForPort() {
        const std::string marker = "ACCEPT 127.0.0.1:";
        for (int attempt = 0; attempt < 500 && process_.checkRunning(); ++attempt) {
            const std::string text = log();
            if (const auto at = text.find(marker); at != std::string::npos) {
                return static_cast<std::uint16_t>(std::stoi(text.substr(at + marker.size())));
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        throw std::runtime_error("openssl s_server did not start: " + log());
    }

    std::string logPath_;
    testbed::ChildProcess process_;
    std::uint16_t port_ = 0;
};

}  // namespace taplink::testing
