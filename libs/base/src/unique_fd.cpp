#include "taplink/base/unique_fd.hpp"

#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>

namespace taplink {

namespace {

// send() with MSG_NOSIGNAL on a socket, write() on anything else (files, pipes).
ssize_t writeSome(int fd, std::string_view bytes, bool& socket) {
    if (socket) {
        const ssize_t n = ::send(fd, bytes.data(), bytes.size(), MSG_NOSIGNAL);
        if (n >= 0 || errno != ENOTSOCK) {
            return n;
        }
        socket = false;
    }
    return ::write(fd, bytes.data(), bytes.size());
}

}  // namespace

UniqueFd& UniqueFd::operator=(UniqueFd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = std::exchange(other.fd_, -1);
    }
    return *this;
}

void UniqueFd::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
        fd_ = -1;
    }
}

bool writeAll(int fd, std::string_view bytes) {
    bool socket = true;
    while (!bytes.empty()) {
        const ssize_t n = writeSome(fd, bytes, socket);
        if (n < 0 && errno == EINTR) {
            continue;
        }
        if (n <= 0) {
            if (n == 0) {
                errno = 0;
            }
            return false;
        }
        bytes.remove_prefix(static_cast<std::size_t>(n));
    }
    return true;
}

}  // namespace taplink
