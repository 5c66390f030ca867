// The top-up service's one slot (one chip, one SAM authorization at a time), usable with
// std::unique_lock like std::timed_mutex. Built on a condition variable because std::timed_mutex
// waits in pthread_mutex_clocklock, which GCC 12's ThreadSanitizer does not intercept: it would
// see the unlock of a lock it never saw taken.
#pragma once

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <utility>

namespace taplink::service {

class RunSlot {
  public:
    void lock() {
        std::unique_lock guard(mutex_);
        freed_.wait(guard, [this] { return !taken_; });
        taken_ = true;
    }

    bool try_lock() {
        const std::lock_guard guard(mutex_);
        return !std::exchange(taken_, true);
    }

    template <typename Rep, typename Period>
    bool try_lock_for(const std::chrono::duration<Rep, Period>& wait) {
        std::unique_lock guard(mutex_);
        if (!freed_.wait_for(guard, wait, [this] { return !taken_; })) {
            return false;
        }
        taken_ = true;
        return true;
    }

    void unlock() {
        {
            const std::lock_guard guard(mutex_);
            taken_ = false;
        }
        freed_.notify_one();
    }

  private:
    std::mutex mutex_;
    std::condition_variable freed_;
    bool taken_ = false;
};

}  // namespace taplink::service
