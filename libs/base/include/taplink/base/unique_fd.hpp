// The owner of a file descriptor (sockets, pipes, lock files, eventfds), and the one loop that
// writes a whole buffer to one.
#pragma once

#include <string_view>
#include <utility>

#include "taplink/base/bytes.hpp"

namespace taplink {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept : fd_(std::exchange(other.fd_, -1)) {}
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    ~UniqueFd() { reset(); }

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset() noexcept;

  private:
    int fd_ = -1;
};

// Writes all of `bytes`, retrying after signals and short writes. Sockets are written with
// MSG_NOSIGNAL, so a peer that left makes this return false instead of raising SIGPIPE.
// False on any failure, with errno saying why (0 when the descriptor took no bytes).
bool writeAll(int fd, std::string_view bytes);
inline bool writeAll(int fd, ByteView bytes) {
    return writeAll(fd,
                    std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace taplink
