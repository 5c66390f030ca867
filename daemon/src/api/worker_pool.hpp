// The threads calls run on. Bounded, and a call never waits behind a long one (topup.start
// takes minutes): a task is accepted only when a thread is free or one can be started, and
// refused otherwise, so the transport can answer "busy" at once.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace taplink::api {

class WorkerPool {
  public:
    explicit WorkerPool(std::size_t maxThreads) : maxThreads_(maxThreads) {}
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;
    ~WorkerPool() { shutdown(); }

    // Runs the task on a free thread, starting one if needed. False when all maxThreads are
    // busy or the pool is shutting down. The task must not throw.
    bool trySubmit(std::function<void()> task);

    // Lets the running tasks finish and joins every thread; refuses tasks from then on.
    void shutdown();

  private:
    void work();

    const std::size_t maxThreads_;
    std::mutex mutex_;
    std::condition_variable wake_;
    std::deque<std::function<void()>> tasks_;
    std::vector<std::thread> threads_;
    std::size_t running_ = 0;  // tasks being run; the other threads wait or are starting
    bool stopping_ = false;
};

}  // namespace taplink::api
