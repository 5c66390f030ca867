#include "support.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <system_error>
#include <thread>

namespace taplink::api::test {

namespace {

using Clock = std::chrono::steady_clock;
}  // namespace

bool waitUntil(const std::function<bool()>& predicate) {
    const auto deadline = Clock::now() + kGuard;
    while (!predicate()) {
        if (Clock::now() > deadline) {
            return false;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return true;
}

RawConnection::RawConnection(const std::string& path)
    : fd_(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::strncpy(address.sun_path, path.c_str(), sizeof address.sun_path - 1);
    if (!fd_ ||
        ::connect(fd_.get(), reinterpret_cast<const sockaddr*>(&address), sizeof address) != 0) {
        throw std::system_error(errno, std::generic_category(), "connect " + path);
    }
}

void RawConnection::send(std::string_view bytes) {
    if (!writeAll(fd_.get(), bytes)) {
        throw std::system_error(errno, std::generic_category(), "send");
    }
}

void RawConnection::sendJson(const nlohmann::json& message) {
    send(message.dump() + "\n");
}

std::optional<std::string> RawConnection::readLine() {
    const auto deadline = Clock::now() + kGuard;
    for (;;) {
        if (const auto end = buffer_.find('\n'); end != std::string::npos) {
            std::string line = buffer_.substr(0, end);
            buffer_.erase(0, end + 1);
            return line;
        }
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now());
        pollfd fd{fd_.get(), POLLIN, 0};
        if (left.count() <= 0 || ::poll(&fd, 1, static_cast<int>(left.count())) == 0) {
            throw std::runtime_error("no answer from the server within the guard time");
        }
        char chunk[65536];
        const ssize_t n = ::read(fd_.get(), chunk, sizeof chunk);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            return std::nullopt;  // EOF or reset: the server closed the connection
        }
        buffer_.append(chunk, static_cast<std::size_t>(n));
    }
}

nlohmann::json RawConnection::readJson() {
    const auto line = readLine();
    if (!line) {
        throw std::runtime_error("the server closed the connection");
    }
    return nlohmann::json::parse(*line);
}

bool RawConnection::readsEof() {
    return buffer_.empty() && !readLine().has_value();
}

void RawConnection::shutdownWrite() {
    ::shutdown(fd_.get(), SHUT_WR);
}

bool Gate::wait(const CallContext& context) {
    std::unique_lock lock(mutex_);
    ++started_;
    changed_.notify_all();
    const bool released = changed_.wait(lock, context.stopToken(), [this] { return released_; });
    if (!released) {
        ++cancelled_;
        changed_.notify_all();
    }
    return released;
}

void Gate::release() {
    {
        const std::lock_guard lock(mutex_);
        released_ = true;
    }
    changed_.notify_all();
}

bool Gate::waitStarted(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGuard, [&] { return started_ >= count; });
}

bool Gate::waitCancelled(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, kGuard, [&] { return cancelled_ >= count; });
}

nlohmann::json request(const nlohmann::json& id, std::string_view method, nlohmann::json params) {
    return {{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", std::move(params)}};
}

}  // namespace taplink::api::test
