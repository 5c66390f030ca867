// Reading and writing stdin, stdout and the daemon socket without ever blocking the relay:
// each is non-blocking where the kernel allows it (pipes and sockets, which is what the
// browser and taplinkd give us) and written from a queue as far as it takes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace taplink::nm {

// Puts a pipe or socket into non-blocking mode; leaves a terminal or file alone (started by
// hand, where blocking now and then does no harm). True when it is non-blocking now.
bool makeNonBlocking(int fd);

enum class ReadStatus { Data, Again, Eof, Failed };

// One read(2) into `into` (appended), retried on EINTR.
ReadStatus readSome(int fd, std::string& into, std::size_t chunk);

// Bytes waiting to be written to one descriptor, in order.
class OutputQueue {
  public:
    enum class Status { Done, Again, Failed };

    explicit OutputQueue(int fd, bool socket) : fd_(fd), socket_(socket) {}

    void push(std::string_view bytes);
    // Writes until done or the descriptor is full; Failed when the reader is gone (EPIPE, ...).
    Status flush();
    bool empty() const { return buffer_.size() == written_; }
    std::size_t size() const { return buffer_.size() - written_; }
    int fd() const { return fd_; }

  private:
    int fd_;
    bool socket_;  // send(MSG_NOSIGNAL) rather than write()
    std::string buffer_;
    std::size_t written_ = 0;
};

}  // namespace taplink::nm
