// log::foldRepeats (docs/daemon.md, "Logs"): repeats within the window are counted, not
// written, and the count goes out with the next line.
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "taplink/base/log_folding.hpp"

namespace taplink::log {
namespace {

using namespace std::chrono_literals;

struct Recorder {
    std::mutex mutex;
    std::vector<std::string> lines;

    Sink sink() {
        return [this](Level, std::string_view line) {
            const std::lock_guard lock(mutex);
            lines.emplace_back(line);
        };
    }
};

TEST(LogFolding, WritesTheFirstOfIdenticalLinesAndCountsTheRest) {
    Recorder recorder;
    const Sink folded = foldRepeats(recorder.sink(), 1h);
    for (int i = 0; i < 1000; ++i) {
        folded(Level::Warning, "accept: errno 24");
    }
    EXPECT_EQ(recorder.lines, std::vector<std::string>{"accept: errno 24"});
    folded(Level::Warning, "another line");
    ASSERT_EQ(recorder.lines.size(), 3U);
    EXPECT_EQ(recorder.lines[1].rfind("... (repeated 999 times in the last ", 0), 0U)
        << recorder.lines[1];
    EXPECT_NE(recorder.lines[1].find("accept: errno 24"), std::string::npos);
    EXPECT_EQ(recorder.lines[2], "another line");
}

TEST(LogFolding, DifferentLinesAreAllWritten) {
    Recorder recorder;
    const Sink folded = foldRepeats(recorder.sink(), 1h);
    folded(Level::Info, "a");
    folded(Level::Info, "b");
    folded(Level::Info, "a");
    EXPECT_EQ(recorder.lines, (std::vector<std::string>{"a", "b", "a"}));
}

TEST(LogFolding, ALineAfterTheWindowIsWrittenWithTheSummary) {
    Recorder recorder;
    const Sink folded = foldRepeats(recorder.sink(), 50ms);
    folded(Level::Warning, "same");
    folded(Level::Warning, "same");
    std::this_thread::sleep_for(100ms);
    folded(Level::Warning, "same");
    ASSERT_EQ(recorder.lines.size(), 3U);
    EXPECT_EQ(recorder.lines[1].rfind("... (repeated 1 times", 0), 0U) << recorder.lines[1];
    EXPECT_EQ(recorder.lines[2], "same");
}

TEST(LogFolding, CountsEveryRepeatFromSeveralThreads) {
    Recorder recorder;
    const Sink folded = foldRepeats(recorder.sink(), 1h);
    std::vector<std::thread> threads;
    threads.reserve(4);
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&] {
            for (int i = 0; i < 250; ++i) {
                folded(Level::Warning, "flood");
            }
        });
    }
    for (auto& thread : threads) {
        thread.join();
    }
    folded(Level::Warning, "end");
    ASSERT_EQ(recorder.lines.size(), 3U);
    EXPECT_EQ(recorder.lines[1].rfind("... (repeated 999 times", 0), 0U) << recorder.lines[1];
}

}  // namespace
}  // namespace taplink::log
