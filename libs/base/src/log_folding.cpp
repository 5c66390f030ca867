#include "taplink/base/log_folding.hpp"

#include <cstddef>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <utility>

namespace taplink::log {

namespace {

using Clock = std::chrono::steady_clock;

struct Folded {
    Level level;
    std::string summary;
};

class Folder {
  public:
    Folder(Sink sink, Clock::duration window) : sink_(std::move(sink)), window_(window) {}

    void write(Level level, std::string_view line) {
        const auto summary = take(level, line);
        if (!summary) {
            return;  // a repeat: counted
        }
        if (!summary->summary.empty()) {
            sink_(summary->level, summary->summary);
        }
        sink_(level, line);  // outside the lock: the sink may log itself
    }

  private:
    // Nothing for a repeat to count; else the summary of the repeats it ends (maybe empty).
    std::optional<Folded> take(Level level, std::string_view line) {
        const std::lock_guard lock(mutex_);
        const auto now = Clock::now();
        if (line == last_ && level == level_ && now - since_ < window_) {
            ++repeats_;
            return std::nullopt;
        }
        Folded folded{level_, repeats_ > 0 ? summaryOf(now) : std::string()};
        last_ = line;
        level_ = level;
        since_ = now;
        repeats_ = 0;
        return folded;
    }

    std::string summaryOf(Clock::time_point now) const {
        const auto seconds = std::chrono::ceil<std::chrono::seconds>(now - since_).count();
        return "... (repeated " + std::to_string(repeats_) + " times in the last " +
               std::to_string(seconds) + "s): " + last_;
    }

    Sink sink_;
    Clock::duration window_;
    std::mutex mutex_;
    std::string last_;
    Level level_ = Level::Info;
    Clock::time_point since_;
    std::size_t repeats_ = 0;
};

}  // namespace

Sink foldRepeats(Sink sink, Clock::duration window) {
    auto folder = std::make_shared<Folder>(std::move(sink), window);
    return [folder](Level level, std::string_view line) { folder->write(level, line); };
}

}  // namespace taplink::log
