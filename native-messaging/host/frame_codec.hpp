// The native-messaging framing, the only place its bytes are laid out. Chrome ("Native
// messaging protocol", developer.chrome.com/docs/extensions/develop/concepts/native-messaging)
// and Firefox (MDN, "Native messaging", "App side") both define it as: each message is UTF-8
// JSON preceded by its length in bytes, a 32-bit unsigned integer in native byte order, on
// the host's stdin (from the browser) and stdout (to the browser).
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace taplink::nm {

inline constexpr std::size_t kFrameHeaderBytes = sizeof(std::uint32_t);
// The largest message taplink-nm accepts or sends: Chrome refuses a host's message over 1 MiB,
// and we hold the browser to the same limit (docs/native-messaging.md).
inline constexpr std::size_t kMaxFrameBytes = std::size_t{1} << 20;

// Splits the bytes read from stdin into messages. A header announcing more than
// kMaxFrameBytes is noticed as soon as its 4 bytes are in, before any of the body.
class FrameDecoder {
  public:
    void append(const char* data, std::size_t size);

    // The next complete message, or nothing when none is buffered or the stream overflowed.
    std::optional<std::string> next();

    // True once a header announced a message over the limit; the stream is then unusable.
    bool overflowed() const { return overflowed_; }
    // What that header announced.
    std::uint32_t announcedBytes() const { return announced_; }
    // Bytes of an incomplete header or message still buffered (a truncated frame at EOF).
    std::size_t pending() const { return buffer_.size() - start_; }

  private:
    std::string buffer_;
    std::size_t start_ = 0;  // where the next frame's header begins
    std::uint32_t announced_ = 0;
    bool overflowed_ = false;
};

// The header and the message, ready to write to stdout. The caller keeps messages within
// kMaxFrameBytes.
std::string encodeFrame(std::string_view message);

}  // namespace taplink::nm
