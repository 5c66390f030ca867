#include "child_process.hpp"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <csignal>
#include <limits>
#include <stdexcept>
#include <system_error>
#include <utility>

namespace taplink::testsupport {

namespace {

using Clock = std::chrono::steady_clock;

constexpr Milliseconds kPollStep{5};
constexpr auto kDrainTime = std::chrono::seconds(2);
constexpr const char* kDefaultPath = "/usr/local/bin:/usr/bin:/bin";

[[noreturn]] void fail(const char* what) {
    throw std::system_error(errno, std::generic_category(), what);
}

Clock::time_point deadlineAfter(Milliseconds timeout) {
    const auto now = Clock::now();
    const auto room = std::chrono::duration_cast<Milliseconds>(Clock::time_point::max() - now);
    return timeout >= room ? Clock::time_point::max() : now + timeout;
}

int millisecondsUntil(Clock::time_point deadline) {
    const auto now = Clock::now();
    if (deadline <= now) {
        return 0;
    }
    const auto left = std::chrono::ceil<Milliseconds>(deadline - now).count();
    return static_cast<int>(std::min<Milliseconds::rep>(left, std::numeric_limits<int>::max()));
}

// A descriptor numbered above 2, so that setting up the child's 0, 1 and 2 never overwrites
// one still to be used (when this process runs with one of them closed).
UniqueFd aboveStdio(int fd, const char* what) {
    UniqueFd owned(fd);
    if (!owned) {
        fail(what);
    }
    if (owned.get() > STDERR_FILENO) {
        return owned;
    }
    UniqueFd moved(::fcntl(owned.get(), F_DUPFD_CLOEXEC, STDERR_FILENO + 1));
    if (!moved) {
        fail("fcntl");
    }
    return moved;
}

// One standard stream of the child: the descriptor it gets and the end the test keeps.
struct StreamEnds {
    UniqueFd child;
    UniqueFd parent;
};

StreamEnds pipeEnds(bool input) {
    std::array<int, 2> fds{};
    if (::pipe2(fds.data(), O_CLOEXEC) != 0) {
        fail("pipe2");
    }
    UniqueFd read = aboveStdio(fds[0], "pipe2");
    UniqueFd write = aboveStdio(fds[1], "pipe2");
    ::fcntl(input ? write.get() : read.get(), F_SETFL, O_NONBLOCK);  // the test's end
    return input ? StreamEnds{std::move(read), std::move(write)}
                 : StreamEnds{std::move(write), std::move(read)};
}

StreamEnds captureEnds() {
    UniqueFd memory = aboveStdio(::memfd_create("taplink-test-capture", MFD_CLOEXEC), "memfd");
    UniqueFd child = aboveStdio(::fcntl(memory.get(), F_DUPFD_CLOEXEC, 0), "fcntl");
    return {std::move(child), std::move(memory)};
}

StreamEnds fileEnds(const std::string& path, int flags) {
    return {aboveStdio(::open(path.c_str(), flags | O_CLOEXEC, 0600), path.c_str()), UniqueFd()};
}

StreamEnds openStream(const Stream& stream, bool input) {
    using Kind = Stream::Kind;
    if (input && stream.kind != Kind::Inherit && stream.kind != Kind::Null &&
        stream.kind != Kind::Pipe) {
        throw std::invalid_argument("stdin takes Inherit, Null or Pipe");
    }
    switch (stream.kind) {
        case Kind::Null:
            return fileEnds("/dev/null", input ? O_RDONLY : O_WRONLY);
        case Kind::Pipe:
            return pipeEnds(input);
        case Kind::Capture:
            return captureEnds();
        case Kind::Truncate:
            return fileEnds(stream.path, O_WRONLY | O_CREAT | O_TRUNC);
        case Kind::Append:
            return fileEnds(stream.path, O_WRONLY | O_CREAT | O_APPEND);
        case Kind::Inherit:
        case Kind::Stdout:
            break;
    }
    return {};
}

std::vector<std::string> childEnvironment(const SpawnOptions& options) {
    std::vector<std::string> entries;
    for (char** entry = environ; *entry != nullptr; ++entry) {
        const std::string_view text(*entry);
        const std::string name(text.substr(0, text.find('=')));
        const auto& unset = options.unsetEnv;
        if (std::find(unset.begin(), unset.end(), name) == unset.end() &&
            options.setEnv.count(name) == 0) {
            entries.emplace_back(text);
        }
    }
    for (const auto& [name, value] : options.setEnv) {
        std::string entry = name;
        entry += '=';
        entry += value;
        entries.push_back(std::move(entry));
    }
    return entries;
}

std::string_view pathVariable(const std::vector<std::string>& environment) {
    for (const std::string& entry : environment) {
        if (entry.rfind("PATH=", 0) == 0) {
            return std::string_view(entry).substr(5);
        }
    }
    return kDefaultPath;
}

// Looked up before fork, as execvp would: the child may only make async-signal-safe calls.
std::string programPath(const std::string& name, const std::vector<std::string>& environment) {
    if (name.find('/') != std::string::npos) {
        return name;
    }
    std::string_view path = pathVariable(environment);
    for (;;) {
        const auto colon = path.find(':');
        const std::string_view dir = path.substr(0, colon);
        std::string candidate = (dir.empty() ? std::string(".") : std::string(dir)) + "/" + name;
        if (::access(candidate.c_str(), X_OK) == 0) {
            return candidate;
        }
        if (colon == std::string_view::npos) {
            return name;  // not found: the exec fails and the child exits with 127
        }
        path.remove_prefix(colon + 1);
    }
}

std::vector<char*> pointersTo(std::vector<std::string>& strings) {
    std::vector<char*> pointers;
    pointers.reserve(strings.size() + 1);
    for (std::string& text : strings) {
        pointers.push_back(text.data());
    }
    pointers.push_back(nullptr);
    return pointers;
}

// Everything the child needs, prepared before fork.
struct ChildPlan {
    const char* path = nullptr;
    char* const* argv = nullptr;
    char* const* envp = nullptr;
    std::array<int, 3> fds{-1, -1, -1};  // for 0, 1, 2; -1: inherited
    bool errToOut = false;
    bool dieWithParent = false;
    pid_t parent = -1;
    const std::function<int()>* beforeExec = nullptr;
    std::string_view execFailure;
};

// Between fork and exec: async-signal-safe calls only.
[[noreturn]] void runChild(const ChildPlan& plan) {
    if (plan.dieWithParent &&
        (::prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || ::getppid() != plan.parent)) {
        ::_exit(126);
    }
    for (int target = STDIN_FILENO; target <= STDERR_FILENO; ++target) {
        const int fd = plan.fds[static_cast<std::size_t>(target)];
        if (fd >= 0 && ::dup2(fd, target) < 0) {
            ::_exit(126);
        }
    }
    if (plan.errToOut && ::dup2(STDOUT_FILENO, STDERR_FILENO) < 0) {
        ::_exit(126);
    }
    if (*plan.beforeExec) {
        if (const int status = (*plan.beforeExec)(); status != 0) {
            ::_exit(status);
        }
    }
    ::execve(plan.path, plan.argv, plan.envp);
    [[maybe_unused]] const auto ignored =
        ::write(STDERR_FILENO, plan.execFailure.data(), plan.execFailure.size());
    ::_exit(127);
}

void readSome(UniqueFd& fd, std::string& buffer) {
    std::array<char, 65536> chunk;  // read() fills it
    const ssize_t n = ::read(fd.get(), chunk.data(), chunk.size());
    if (n > 0) {
        buffer.append(chunk.data(), static_cast<std::size_t>(n));
    } else if (n == 0 || (errno != EINTR && errno != EAGAIN)) {
        fd.reset();  // EOF
    }
}

std::string readCapture(const UniqueFd& fd) {
    std::string text;
    std::array<char, 65536> chunk;  // pread() fills it
    for (off_t at = 0; fd;) {
        const ssize_t n = ::pread(fd.get(), chunk.data(), chunk.size(), at);
        if (n <= 0) {
            break;
        }
        text.append(chunk.data(), static_cast<std::size_t>(n));
        at += n;
    }
    return text;
}

std::string commandLine(const std::vector<std::string>& argv) {
    std::string line;
    for (const std::string& argument : argv) {
        line += (line.empty() ? "" : " ") + argument;
    }
    return line;
}

}  // namespace

int exitCodeOf(int waitStatus) {
    if (WIFEXITED(waitStatus)) {
        return WEXITSTATUS(waitStatus);
    }
    return WIFSIGNALED(waitStatus) ? 128 + WTERMSIG(waitStatus) : -1;
}

ChildProcess::ChildProcess(const std::vector<std::string>& argv, const SpawnOptions& options)
    : name_(argv.at(0).substr(argv.at(0).rfind('/') + 1)), stopGrace_(options.stopGrace) {
    std::vector<std::string> arguments = argv;
    std::vector<std::string> environment = childEnvironment(options);
    const std::string path = programPath(argv[0], environment);
    const std::string execFailure = "cannot execute " + path + "\n";
    const auto argvPointers = pointersTo(arguments);
    const auto envPointers = pointersTo(environment);
    std::array<StreamEnds, 3> streams{openStream(options.in, true), openStream(options.out, false),
                                      openStream(options.err, false)};
    if (options.in.kind == Stream::Kind::Pipe) {
        std::signal(SIGPIPE, SIG_IGN);  // a child that exited shows up as a failed write()
    }
    const ChildPlan plan{path.c_str(),
                         argvPointers.data(),
                         envPointers.data(),
                         {streams[0].child.get(), streams[1].child.get(), streams[2].child.get()},
                         options.err.kind == Stream::Kind::Stdout,
                         options.dieWithParent,
                         ::getpid(),
                         &options.beforeExec,
                         execFailure};
    pid_ = ::fork();
    if (pid_ < 0) {
        fail("fork");
    }
    if (pid_ == 0) {
        runChild(plan);
    }
    adopt(streams[0].parent, streams[1].parent, streams[2].parent, options);
}

void ChildProcess::adopt(UniqueFd& in, UniqueFd& out, UniqueFd& err, const SpawnOptions& options) {
    const bool outCaptured = options.out.kind == Stream::Kind::Capture;
    const bool errCaptured = options.err.kind == Stream::Kind::Capture;
    io_.in = std::move(in);
    (outCaptured ? io_.outCapture : io_.out) = std::move(out);
    (errCaptured ? io_.errCapture : io_.err) = std::move(err);
}

ChildProcess::ChildProcess(ChildProcess&& other) noexcept
    : name_(std::move(other.name_)),
      pid_(std::exchange(other.pid_, -1)),
      status_(std::exchange(other.status_, std::nullopt)),
      maxResidentKib_(other.maxResidentKib_),
      stopGrace_(other.stopGrace_),
      io_(std::move(other.io_)) {}

ChildProcess& ChildProcess::operator=(ChildProcess&& other) noexcept {
    if (this != &other) {
        end();
        name_ = std::move(other.name_);
        pid_ = std::exchange(other.pid_, -1);
        status_ = std::exchange(other.status_, std::nullopt);
        maxResidentKib_ = other.maxResidentKib_;
        stopGrace_ = other.stopGrace_;
        io_ = std::move(other.io_);
    }
    return *this;
}

ChildProcess::~ChildProcess() {
    end();
}

void ChildProcess::end() noexcept {
    if (stopGrace_.count() > 0) {
        stop(stopGrace_);
    } else {
        kill();
    }
}

bool ChildProcess::running() {
    if (pid_ <= 0 || status_) {
        return false;
    }
    int status = 0;
    rusage usage{};
    const pid_t done = ::wait4(pid_, &status, WNOHANG, &usage);
    if (done == 0 || (done < 0 && errno == EINTR)) {
        return true;
    }
    status_ = done == pid_ ? status : -1;  // -1: reaped elsewhere, its status is lost
    maxResidentKib_ = usage.ru_maxrss;
    return false;
}

void ChildProcess::signal(int number) const {
    if (pid_ > 0 && !status_) {  // not reaped: the pid cannot belong to anyone else yet
        ::kill(pid_, number);
    }
}

std::optional<int> ChildProcess::wait(Milliseconds timeout) {
    return waitUntil(deadlineAfter(timeout));
}

std::optional<int> ChildProcess::waitUntil(Clock::time_point deadline) {
    while (running()) {
        const auto now = Clock::now();
        if (now >= deadline) {
            return std::nullopt;
        }
        pump(std::min(deadline, now + kPollStep));  // or just sleeps, without pipes
    }
    drain();
    return status_;
}

// What it wrote last; bounded, as something it started may hold the pipes open.
void ChildProcess::drain() {
    const auto deadline = Clock::now() + kDrainTime;
    while ((io_.out || io_.err) && Clock::now() < deadline) {
        pump(deadline);
    }
}

std::optional<int> ChildProcess::stop(Milliseconds grace) {
    if (running()) {
        signal(SIGTERM);
        if (!wait(grace)) {
            kill();
        }
    }
    return status_;
}

void ChildProcess::kill() {
    if (running()) {
        signal(SIGKILL);
        wait(kNoTimeout);
    }
}

// Reads what stdout and stderr have, waiting until the deadline for the first bytes.
void ChildProcess::pump(Clock::time_point deadline) {
    std::array<pollfd, 2> fds{{{io_.out.get(), POLLIN, 0}, {io_.err.get(), POLLIN, 0}}};
    if (::poll(fds.data(), fds.size(), millisecondsUntil(deadline)) <= 0) {
        return;
    }
    if (fds[0].revents != 0) {
        readSome(io_.out, io_.outBuffer);
    }
    if (fds[1].revents != 0) {
        readSome(io_.err, io_.errBuffer);
    }
}

bool ChildProcess::write(std::string_view bytes, Milliseconds timeout) {
    const auto deadline = deadlineAfter(timeout);
    while (!bytes.empty() && io_.in) {
        const ssize_t n = ::write(io_.in.get(), bytes.data(), bytes.size());
        if (n > 0) {
            bytes.remove_prefix(static_cast<std::size_t>(n));
        } else if (n < 0 && errno != EINTR && errno != EAGAIN) {
            return false;  // EPIPE: it exited
        } else if (n < 0 && errno == EAGAIN) {
            waitWritable(deadline);
        }
    }
    return bytes.empty();
}

// The pipe is full: reads what the child wrote meanwhile, so that it never blocks on us.
void ChildProcess::waitWritable(Clock::time_point deadline) {
    if (Clock::now() > deadline) {
        throwTimeout("stopped reading its stdin");
    }
    pollfd writable{io_.in.get(), POLLOUT, 0};
    ::poll(&writable, 1, static_cast<int>(kPollStep.count()));
    pump(Clock::now());
}

bool ChildProcess::readUntil(const std::function<bool()>& ready, Milliseconds timeout,
                             const char* what) {
    const auto deadline = deadlineAfter(timeout);
    while (!ready()) {
        if (!io_.out) {
            return false;
        }
        if (Clock::now() >= deadline) {
            throwTimeout(std::string("wrote no ") + what + " in time");
        }
        pump(deadline);
    }
    return true;
}

std::optional<std::string> ChildProcess::readLine(Milliseconds timeout) {
    const auto hasLine = [this] { return io_.outBuffer.find('\n') != std::string::npos; };
    if (!readUntil(hasLine, timeout, "line")) {
        return std::nullopt;
    }
    std::string line = takeOutput(io_.outBuffer.find('\n') + 1);
    line.pop_back();
    return line;
}

bool ChildProcess::waitForOutput(std::size_t bytes, Milliseconds timeout) {
    return readUntil([this, bytes] { return io_.outBuffer.size() >= bytes; }, timeout, "output");
}

std::string ChildProcess::takeOutput(std::size_t bytes) {
    std::string taken = io_.outBuffer.substr(0, bytes);
    io_.outBuffer.erase(0, bytes);
    return taken;
}

std::string ChildProcess::errors() const {
    return io_.errBuffer + readCapture(io_.errCapture);
}

ProcessResult ChildProcess::finish(Milliseconds timeout) {
    const auto deadline = deadlineAfter(timeout);
    closeStdin();
    while (io_.out || io_.err) {
        if (Clock::now() >= deadline) {
            throwTimeout("did not finish in time");
        }
        pump(deadline);
    }
    if (!waitUntil(deadline)) {
        throwTimeout("did not finish in time");
    }
    std::string out = takeOutput(std::string::npos) + readCapture(io_.outCapture);
    return {exitCodeOf(status_.value_or(-1)), std::move(out), errors()};
}

void ChildProcess::throwTimeout(const std::string& what) const {
    throw std::runtime_error(name_ + " " + what + "; stderr:\n" + errors());
}

SpawnOptions capturing() {
    SpawnOptions options;
    options.in = Stream::null();
    options.out = Stream::pipe();
    options.err = Stream::pipe();
    return options;
}

ProcessResult run(const std::vector<std::string>& argv, const SpawnOptions& options,
                  Milliseconds timeout) {
    return ChildProcess(argv, options).finish(timeout);
}

std::string runChecked(const std::vector<std::string>& argv, Milliseconds timeout) {
    ProcessResult result = run(argv, capturing(), timeout);
    if (result.exitCode != 0) {
        throw std::runtime_error(commandLine(argv) + " failed (exit " +
                                 std::to_string(result.exitCode) + "):\n" + result.out +
                                 result.err);
    }
    return std::move(result.out);
}

ShellResult runShell(const std::string& command, Milliseconds timeout) {
    SpawnOptions options;
    options.out = Stream::pipe();
    ChildProcess shell({"/bin/sh", "-c", command + " 2>&1"}, options);
    ProcessResult result = shell.finish(timeout);
    const int status = shell.status().value_or(-1);
    return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, std::move(result.out)};
}

std::string shellQuoted(std::string_view text) {
    std::string quoted = "'";
    for (const char c : text) {
        quoted += c == '\'' ? std::string("'\\''") : std::string(1, c);
    }
    return quoted + "'";
}

}  // namespace taplink::testsupport
