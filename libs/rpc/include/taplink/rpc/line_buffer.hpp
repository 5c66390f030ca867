// The line framing of the Unix socket: one JSON-RPC message per '\n'-terminated line.
// Splits a byte stream into messages and notices one longer than the limit before it is
// complete, so a peer cannot make the buffer grow without bound.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

namespace taplink::api {

class LineBuffer {
  public:
    explicit LineBuffer(std::size_t maxLine) : maxLine_(maxLine) {}

    void append(const char* data, std::size_t size);

    // The next complete line without its '\n' (nor a '\r' before it), or nothing when no
    // complete line is buffered or the buffer overflowed.
    std::optional<std::string> next();

    // True once a line longer than the limit arrived (complete or not); the stream is then
    // out of step and must be dropped.
    bool overflowed() const { return overflowed_; }
    // Bytes of an incomplete line still buffered.
    std::size_t pending() const { return buffer_.size() - start_; }

  private:
    std::size_t maxLine_;
    std::string buffer_;
    std::size_t start_ = 0;    // where the next line begins
    std::size_t scanned_ = 0;  // no '\n' in [start_, scanned_)
    bool overflowed_ = false;
};

}  // namespace taplink::api
