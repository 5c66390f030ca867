#include "api/websocket_session.hpp"

#include <libwebsockets.h>

#include <utility>

namespace taplink::api {

void ServiceWaker::attach(lws_context* context) {
    const std::lock_guard lock(contextMutex_);
    context_ = context;
}

void ServiceWaker::detach() {
    const std::lock_guard lock(contextMutex_);
    context_ = nullptr;
}

void ServiceWaker::wake(std::uint64_t connection) {
    {
        const std::lock_guard lock(wokenMutex_);
        woken_.push_back(connection);
    }
    interrupt();
}

void ServiceWaker::interrupt() {
    // Held across the call, so that detach() (and then the context's destruction) waits.
    const std::lock_guard lock(contextMutex_);
    if (context_ != nullptr) {
        lws_cancel_service(context_);  // thread-safe: it writes to lws's event pipe
    }
}

std::vector<std::uint64_t> ServiceWaker::takeWoken() {
    const std::lock_guard lock(wokenMutex_);
    return std::exchange(woken_, {});
}

void WebSocketSession::send(const nlohmann::json& message) {
    std::string text = message.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    {
        const std::lock_guard lock(mutex_);
        if (sealed_ || overflowed_) {
            return;
        }
        if (queuedBytes_ + text.size() > maxQueuedBytes_) {
            overflowed_ = true;
        } else {
            queuedBytes_ += text.size();
            queue_.push_back(std::move(text));
        }
    }
    waker_->wake(connection_);
}

std::optional<std::string> WebSocketSession::takeNext() {
    const std::lock_guard lock(mutex_);
    if (queue_.empty()) {
        return std::nullopt;
    }
    std::string next = std::move(queue_.front());
    queue_.pop_front();
    queuedBytes_ -= next.size();
    return next;
}

bool WebSocketSession::hasQueued() const {
    const std::lock_guard lock(mutex_);
    return !queue_.empty();
}

bool WebSocketSession::overflowed() const {
    const std::lock_guard lock(mutex_);
    return overflowed_;
}

void WebSocketSession::seal() {
    const std::lock_guard lock(mutex_);
    sealed_ = true;
}

void WebSocketSession::close() {
    const std::lock_guard lock(mutex_);
    sealed_ = true;
    queue_.clear();
    queuedBytes_ = 0;
}

}  // namespace taplink::api
