// Child processes for the server tests: one-shot commands (the openssl CLI, the operator
// commands) and the taplink-server process itself.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace taplink::servertest {

struct CommandResult {
    int exitCode = -1;  // -1: killed by a signal
    std::string out;
    std::string err;
};

// Runs argv[0] (searched in PATH) to its end.
CommandResult runCommand(const std::vector<std::string>& argv);
// The same, throwing std::runtime_error with its stderr unless it exits with 0.
std::string runChecked(const std::vector<std::string>& argv);

// A long-running child whose first stdout line says it is ready. Gets SIGKILL if the test
// process dies (PR_SET_PDEATHSIG).
class ServerProcess {
  public:
    ServerProcess() = default;
    ServerProcess(const ServerProcess&) = delete;
    ServerProcess& operator=(const ServerProcess&) = delete;
    ~ServerProcess();

    // Starts argv; returns its first stdout line, or nullopt when it exited (or said nothing)
    // within the timeout; then exitCode() and errors() tell why.
    std::optional<std::string> start(const std::vector<std::string>& argv,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // The next line it writes on stdout after the first, or nullopt when none comes within
    // the timeout (the process keeps running).
    std::optional<std::string> nextLine(
        std::chrono::milliseconds timeout = std::chrono::seconds(10));
    // SIGTERM, then waits (SIGKILL after the grace period). The exit code; -1 after a signal.
    int stop(std::chrono::milliseconds grace = std::chrono::seconds(10));
    bool running() const { return pid_ > 0; }
    // What it wrote to stderr (a file, read when asked).
    std::string errors() const;
    std::optional<int> exitCode() const { return exitCode_; }

  private:
    pid_t pid_ = -1;
    int stdout_ = -1;
    std::string unread_;  // stdout read beyond the lines handed out
    std::string stderrPath_;
    std::optional<int> exitCode_;
};

}  // namespace taplink::servertest
