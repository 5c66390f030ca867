// Bytes waiting to be written to one non-blocking descriptor, written as far as it takes them
// without waiting: the poll loops of taplinkd's Unix socket and of taplink-nm.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace taplink {

class OutputQueue {
  public:
    enum class Status { Done, Again, Failed };

    // `socket`: send() with MSG_NOSIGNAL | MSG_DONTWAIT, so a peer that left is Failed, not
    // SIGPIPE; otherwise write() (a pipe, which the caller made non-blocking).
    OutputQueue(int fd, bool socket) : fd_(fd), socket_(socket) {}

    void push(std::string_view bytes);
    // Writes until done or the descriptor is full (EAGAIN), retrying after signals; Failed
    // when the reader is gone (EPIPE, ...).
    Status flush();
    bool empty() const { return buffer_.size() == written_; }
    std::size_t size() const { return buffer_.size() - written_; }
    int fd() const { return fd_; }

  private:
    int fd_;
    bool socket_;
    std::string buffer_;
    std::size_t written_ = 0;
};

}  // namespace taplink
