#include "api/worker_pool.hpp"

#include <system_error>

namespace taplink::api {

bool WorkerPool::trySubmit(std::function<void()> task) {
    {
        const std::lock_guard lock(mutex_);
        if (stopping_ || running_ + tasks_.size() >= maxThreads_) {
            return false;
        }
        // Threads not running a task will each take one; start another if they are too few.
        if (tasks_.size() + 1 > threads_.size() - running_) {
            try {
                threads_.emplace_back([this] { work(); });
            } catch (const std::system_error&) {
                return false;  // the system refused another thread: as good as busy
            }
        }
        tasks_.push_back(std::move(task));
    }
    wake_.notify_one();
    return true;
}

void WorkerPool::shutdown() {
    std::vector<std::thread> threads;
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
        threads.swap(threads_);
    }
    wake_.notify_all();
    for (auto& thread : threads) {
        thread.join();
    }
}

void WorkerPool::work() {
    std::unique_lock lock(mutex_);
    for (;;) {
        wake_.wait(lock, [this] { return stopping_ || !tasks_.empty(); });
        if (tasks_.empty()) {
            return;  // stopping, and nothing left to run
        }
        auto task = std::move(tasks_.front());
        tasks_.pop_front();
        ++running_;
        lock.unlock();
        task();
        task = nullptr;  // whatever it captured goes before the thread waits again
        lock.lock();
        --running_;
    }
}

}  // namespace taplink::api
