// Shared helpers for tests on the pcscd + vpcd test bed.
#pragma once

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <vector>

#include "taplink/pcsc/monitor.hpp"

namespace taplink::testing {

// Collects monitor events from the monitor's thread for assertions in the test's thread.
class EventRecorder {
  public:
    void operator()(const pcsc::ReaderEvent& event) {
        const std::lock_guard lock(mutex_);
        events_.push_back(event);
        arrived_.notify_all();
    }

    // Waits until an event matching the predicate has arrived (counting from the start).
    bool waitFor(const std::function<bool(const pcsc::ReaderEvent&)>& match,
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        std::unique_lock lock(mutex_);
        return arrived_.wait_for(lock, timeout, [&] {
            for (const auto& event : events_) {
                if (match(event)) {
                    return true;
                }
            }
            return false;
        });
    }

    bool waitFor(pcsc::ReaderEvent::Type type, const std::string& reader = {},
                 std::chrono::milliseconds timeout = std::chrono::seconds(5)) {
        return waitFor(
            [&](const pcsc::ReaderEvent& event) {
                return event.type == type && (reader.empty() || event.reader == reader);
            },
            timeout);
    }

    std::vector<pcsc::ReaderEvent> events() {
        const std::lock_guard lock(mutex_);
        return events_;
    }

    void clear() {
        const std::lock_guard lock(mutex_);
        events_.clear();
    }

  private:
    std::mutex mutex_;
    std::condition_variable arrived_;
    std::vector<pcsc::ReaderEvent> events_;
};

}  // namespace taplink::testing
