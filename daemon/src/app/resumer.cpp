#include "app/resumer.hpp"

namespace taplink::app {

void Resumer::start() {
    thread_ = std::thread([this] { loop(); });
}

void Resumer::stop() {
    {
        const std::lock_guard lock(mutex_);
        stopping_ = true;
    }
    wakeUp_.notify_all();
    if (thread_.joinable()) {
        thread_.join();
    }
}

void Resumer::wake() {
    {
        const std::lock_guard lock(mutex_);
        requested_ = true;
    }
    wakeUp_.notify_all();
}

void Resumer::loop() {
    std::unique_lock lock(mutex_);
    while (!stopping_) {
        wakeUp_.wait_for(lock, retryEvery_, [this] { return stopping_ || requested_; });
        if (stopping_) {
            return;
        }
        requested_ = false;
        lock.unlock();
        pass_();
        lock.lock();
    }
}

}  // namespace taplink::app
