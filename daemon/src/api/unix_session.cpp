#include "api/unix_session.hpp"

#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <system_error>

#include "taplink/rpc/jsonrpc.hpp"
#include "taplink/rpc/transport_error.hpp"

namespace taplink::api {

Waker::Waker() : fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
    if (!fd_) {
        throw TransportError("eventfd: " + std::generic_category().message(errno));
    }
}

void Waker::wake() const {
    const std::uint64_t one = 1;
    // Fails only when the counter is saturated, and then poll() wakes anyway.
    [[maybe_unused]] const ssize_t written = ::write(fd_.get(), &one, sizeof one);
}

void Waker::drain() const {
    std::uint64_t count = 0;
    [[maybe_unused]] const ssize_t got = ::read(fd_.get(), &count, sizeof count);
}

void UnixSession::send(const nlohmann::json& message) {
    std::string line = toLine(message);
    {
        const std::lock_guard lock(mutex_);
        if (closed_ || overflowed_) {
            return;
        }
        if (queued_.size() + line.size() > maxQueued_) {
            overflowed_ = true;
        } else {
            queued_ += line;
        }
    }
    waker_->wake();
}

std::string UnixSession::takeQueued() {
    const std::lock_guard lock(mutex_);
    return std::exchange(queued_, {});
}

bool UnixSession::overflowed() const {
    const std::lock_guard lock(mutex_);
    return overflowed_;
}

void UnixSession::close() {
    const std::lock_guard lock(mutex_);
    closed_ = true;
    queued_.clear();
}

}  // namespace taplink::api
