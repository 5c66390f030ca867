// What an HTTP connection reads from and writes to: a TLS session or a plain socket.
#pragma once

#include <cstddef>
#include <string_view>

namespace taplink::server::http {

class ByteStream {
  public:
    ByteStream() = default;
    ByteStream(const ByteStream&) = delete;
    ByteStream& operator=(const ByteStream&) = delete;
    virtual ~ByteStream() = default;

    // Up to size bytes; 0 when the peer closed, the read timed out or failed.
    virtual std::size_t readSome(char* buffer, std::size_t size) = 0;
    // Everything, or false when the peer is gone or the write timed out.
    virtual bool writeAll(std::string_view bytes) = 0;
};

// A connected socket without TLS (the admin Unix socket). Does not own the descriptor.
class SocketStream : public ByteStream {
  public:
    explicit SocketStream(int fd) : fd_(fd) {}
    std::size_t readSome(char* buffer, std::size_t size) override;
    bool writeAll(std::string_view bytes) override;

  private:
    int fd_;
};

}  // namespace taplink::server::http
