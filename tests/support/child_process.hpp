// The one way the tests run another program (docs/architecture.md, "Test support").
// ChildProcess starts argv with the streams and environment asked for, reads its stdout and
// stderr pipes together (a child never blocks on a full pipe the test is not reading, and a
// write to its stdin drains them too), bounds every wait, and ends the process it started,
// and only that one, when it goes out of scope.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/unique_fd.hpp"

namespace taplink::testsupport {

using Milliseconds = std::chrono::milliseconds;

// For programs run to their end: longer than any ctest TIMEOUT, so that ctest reports a hang
// inside the tests and this one only a hang outside them.
inline constexpr Milliseconds kRunTimeout = std::chrono::minutes(5);
// A wait with no end (the interactive tools in tests/testbed).
inline constexpr Milliseconds kNoTimeout = Milliseconds::max();

// Where one standard stream of the child goes.
struct Stream {
    enum class Kind { Inherit, Null, Pipe, Capture, Truncate, Append, Stdout };
    Kind kind = Kind::Inherit;
    std::string path;  // Truncate and Append

    static Stream inherit() { return {}; }
    static Stream null() { return {Kind::Null, {}}; }
    // A pipe: the test writes the child's stdin, reads its stdout or stderr.
    static Stream pipe() { return {Kind::Pipe, {}}; }
    // stdout, stderr: an unnamed in-memory file, readable at any time and never full.
    static Stream capture() { return {Kind::Capture, {}}; }
    // stdout, stderr: a file made owner-only, truncated, or appended to.
    static Stream file(std::string path) { return {Kind::Truncate, std::move(path)}; }
    static Stream appendTo(std::string path) { return {Kind::Append, std::move(path)}; }
    // stderr: wherever stdout goes (2>&1).
    static Stream toStdout() { return {Kind::Stdout, {}}; }
};

struct SpawnOptions {
    Stream in;
    Stream out;
    Stream err;
    // The environment: this process's without `unsetEnv`, with `setEnv` added (replacing).
    std::vector<std::string> unsetEnv;
    std::map<std::string, std::string> setEnv;
    // SIGKILL when the thread that started it ends (PR_SET_PDEATHSIG), so that nothing
    // outlives a crashed test. For children started by a thread that lives as long as they do.
    bool dieWithParent = false;
    // How the destructor ends a process still running: SIGTERM, then SIGKILL after this
    // grace; 0 is SIGKILL at once.
    Milliseconds stopGrace{0};
    // Runs in the child just before exec. Async-signal-safe calls only: the parent may have
    // threads. A non-zero result is the child's exit status instead of the program.
    std::function<int()> beforeExec;
};

// How a program ended and what it wrote (on pipes and captures).
struct ProcessResult {
    int exitCode = -1;  // 128 + signal when a signal ended it
    std::string out;    // stdout not already read with readLine() or takeOutput()
    std::string err;
};

// A wait status as a shell shows it: the exit status, or 128 + the signal.
int exitCodeOf(int waitStatus);

class ChildProcess {
  public:
    ChildProcess() = default;  // no process
    // Starts argv: argv[0] is a path, or a name looked up in PATH. Throws std::system_error
    // when there is no process; a program that cannot be executed exits with 127.
    explicit ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options = {});
    ChildProcess(const ChildProcess&) = delete;
    ChildProcess& operator=(const ChildProcess&) = delete;
    ChildProcess(ChildProcess&& other) noexcept;
    ChildProcess& operator=(ChildProcess&& other) noexcept;  // ends the process held before
    ~ChildProcess();  // ends the process if it still runs (SpawnOptions::stopGrace)

    pid_t pid() const { return pid_; }
    // Reaps the process once it has ended; true while it runs.
    bool running();
    // Its wait status once reaped.
    std::optional<int> status() const { return status_; }
    // Sends the signal to our child, while it is not reaped (its pid is still its own).
    void signal(int number) const;
    // Waits for the exit, reading the pipes meanwhile: the wait status, nothing on timeout.
    std::optional<int> wait(Milliseconds timeout);
    // SIGTERM, then SIGKILL after the grace period: the wait status, nothing when no
    // process was started.
    std::optional<int> stop(Milliseconds grace = std::chrono::seconds(5));
    // SIGKILL (a crash) and reap.
    void kill();
    // The ended process's peak resident set, in KiB.
    long maxResidentKib() const { return maxResidentKib_; }

    // stdin (a pipe): writes all the bytes; false once the child no longer reads them.
    // Throws std::runtime_error when it stops reading for the whole timeout.
    bool write(std::string_view bytes, Milliseconds timeout);
    void closeStdin() { io_.in.reset(); }

    // stdout (a pipe): the next line without '\n', nothing at EOF. Throws std::runtime_error
    // on timeout, like every read.
    std::optional<std::string> readLine(Milliseconds timeout);
    // Reads until `bytes` bytes are buffered (true) or stdout ends (false).
    bool waitForOutput(std::size_t bytes, Milliseconds timeout);
    // What was read from stdout and not yet taken.
    const std::string& output() const { return io_.outBuffer; }
    std::string takeOutput(std::size_t bytes);
    void closeStdout() { io_.out.reset(); }

    // What it wrote to stderr so far (a pipe's bytes read until now, or the capture).
    std::string errors() const;
    // Closes stdin, reads stdout and stderr to their end and reaps the process; throws
    // std::runtime_error on timeout.
    ProcessResult finish(Milliseconds timeout);

  private:
    using Clock = std::chrono::steady_clock;

    // The test's ends of the child's streams and what was read from them.
    struct Io {
        UniqueFd in;
        UniqueFd out;
        UniqueFd err;
        UniqueFd outCapture;
        UniqueFd errCapture;
        std::string outBuffer;
        std::string errBuffer;
    };

    void adopt(UniqueFd& in, UniqueFd& out, UniqueFd& err, const SpawnOptions& options);
    void end() noexcept;
    std::optional<int> waitUntil(Clock::time_point deadline);
    void drain();
    void pump(Clock::time_point deadline);
    void waitWritable(Clock::time_point deadline);
    bool readUntil(const std::function<bool()>& ready, Milliseconds timeout, const char* what);
    [[noreturn]] void throwTimeout(const std::string& what) const;

    std::string name_;  // argv[0]'s base name, for messages
    pid_t pid_ = -1;
    std::optional<int> status_;
    long maxResidentKib_ = 0;
    Milliseconds stopGrace_{0};
    Io io_;
};

// stdin from /dev/null, stdout and stderr on pipes: what run() uses unless told otherwise.
SpawnOptions capturing();
// Runs argv to its end.
ProcessResult run(const std::vector<std::string>& argv, const SpawnOptions& options = capturing(),
                  Milliseconds timeout = kRunTimeout);
// The same, returning its stdout; throws std::runtime_error with the command, its exit code,
// stdout and stderr unless it exits with 0.
std::string runChecked(const std::vector<std::string>& argv, Milliseconds timeout = kRunTimeout);

// A shell command line's exit status (-1 after a signal) and what it printed.
struct ShellResult {
    int status = -1;
    std::string output;
};
// `/bin/sh -c "COMMAND 2>&1"`, as popen(COMMAND + " 2>&1") runs it.
ShellResult runShell(const std::string& command, Milliseconds timeout = kRunTimeout);
// The text in single quotes for sh, quotes inside escaped.
std::string shellQuoted(std::string_view text);

}  // namespace taplink::testsupport
