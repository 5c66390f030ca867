#include "taplink/base/log.hpp"

#include <unistd.h>

#include <atomic>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

namespace taplink::log {

namespace {

struct ProcessLog {
    std::mutex mutex;  // guards programName and sink, never held while a line is written
    std::string programName = "taplink";
    std::shared_ptr<const Sink> sink;
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
    auto replacement = sink ? std::make_shared<const Sink>(std::move(sink)) : nullptr;
    const std::lock_guard lock(processLog().mutex);
    const auto previous = std::exchange(processLog().sink, std::move(replacement));
    return previous ? *previous : Sink();
}

void write(Level level, std::string_view line) {
    ProcessLog& log = processLog();
    if (level < log.minimum) {
        return;
    }
    std::shared_ptr<const Sink> sink;
    std::string programName;
    {
        const std::lock_guard lock(log.mutex);
        sink = log.sink;
        programName = log.programName;
    }
    if (sink) {
        (*sink)(level, line);  // a sink may log itself: no lock is held here
    } else {
        writeToStderr(programName, line);
    }
}

Sink processSink() {
    return [](Level level, std::string_view line) { write(level, line); };
}

}  // namespace taplink::log
