// The thread that finishes open top-ups: at start-up, whenever a card is inserted (it may be
// one a top-up was writing), and every `retryEvery` while some remain (a server that was
// down comes back).
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <thread>

namespace taplink::app {

class Resumer {
  public:
    // `pass` is one resumption pass (TopupService::resume); it must not throw.
    Resumer(std::function<void()> pass, std::chrono::seconds retryEvery)
        : pass_(std::move(pass)), retryEvery_(retryEvery) {}
    ~Resumer() { stop(); }
    Resumer(const Resumer&) = delete;
    Resumer& operator=(const Resumer&) = delete;

    // Starts the thread; its first pass runs at once.
    void start();
    // Returns once the thread has left (after the pass under way, if any).
    void stop();
    // Runs a pass soon.
    void wake();

  private:
    void loop();

    std::function<void()> pass_;
    std::chrono::seconds retryEvery_;
    std::mutex mutex_;
    std::condition_variable wakeUp_;
    bool requested_ = true;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace taplink::app
