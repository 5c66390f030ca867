// Minimal RAII Unix stream sockets for the simulator's control channel.
#pragma once

#include <string>

namespace taplink::sim {

class UniqueFd {
  public:
    UniqueFd() = default;
    explicit UniqueFd(int fd) : fd_(fd) {}
    UniqueFd(const UniqueFd&) = delete;
    UniqueFd& operator=(const UniqueFd&) = delete;
    UniqueFd(UniqueFd&& other) noexcept;
    UniqueFd& operator=(UniqueFd&& other) noexcept;
    ~UniqueFd();

    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }

  private:
    int fd_ = -1;
};

// Throws std::system_error.
UniqueFd listenUnix(const std::string& path);
UniqueFd connectUnix(const std::string& path);

// Writes everything; false when the peer is gone.
bool writeAll(int fd, const std::string& text);

}  // namespace taplink::sim
