#include "taplink/base/log.hpp"

#include <unistd.h>

#include <atomic>
#include <mutex>
#include <string>
#include <utility>

namespace taplink::log {

namespace {

struct ProcessLog {
    std::mutex mutex;
    std::string programName = "taplink";
    Sink sink;
    std::atomic<Level> minimum = Level::Info;
};

ProcessLog& processLog() {
    static ProcessLog log;
    return log;
}

// One write() per line, so lines from several threads or processes never interleave. Best
// effort: a closed stderr must not change what the program does.
void writeToStderr(std::string_view programName, std::string_view line) {
    std::string text(programName);
    text.append(": ").append(line).push_back('\n');
    [[maybe_unused]] const ssize_t written = ::write(STDERR_FILENO, text.data(), text.size());
}

}  // namespace

std::string_view levelName(Level level) {
    switch (level) {
        case Level::Debug:
            return "debug";
        case Level::Info:
            return "info";
        case Level::Warning:
            return "warning";
        case Level::Error:
            return "error";
    }
    return "unknown";
}

void setProgramName(std::string_view name) {
    const std::lock_guard lock(processLog().mutex);
    processLog().programName = name;
}

void setMinimumLevel(Level level) {
    processLog().minimum = level;
}

Sink setSink(Sink sink) {
    const std::lock_guard lock(processLog().mutex);
    return std::exchange(processLog().sink, std::move(sink));
}

void write(Level level, std::string_view line) {
    ProcessLog& log = processLog();
    if (level < log.minimum) {
        return;
    }
    const std::lock_guard lock(log.mutex);
    if (log.sink) {
        log.sink(level, line);
    } else {
        writeToStderr(log.programName, line);
    }
}

Sink processSink() {
    return [](Level level, std::string_view line) { write(level, line); };
}

}  // namespace taplink::log
