#include "frame_codec.hpp"

#include <cstring>

namespace taplink::nm {

void FrameDecoder::append(const char* data, std::size_t size) {
    if (overflowed_) {
        return;
    }
    // Drop what was consumed before growing: the buffer holds at most one frame plus a read.
    if (start_ > 0) {
        buffer_.erase(0, start_);
        start_ = 0;
    }
    buffer_.append(data, size);
}

std::optional<std::string> FrameDecoder::next() {
    if (overflowed_ || pending() < kFrameHeaderBytes) {
        return std::nullopt;
    }
    std::uint32_t length = 0;  // native byte order: copied as it is
    std::memcpy(&length, buffer_.data() + start_, kFrameHeaderBytes);
    if (length > kMaxFrameBytes) {
        announced_ = length;
        overflowed_ = true;
        buffer_.clear();
        start_ = 0;
        return std::nullopt;
    }
    if (pending() - kFrameHeaderBytes < length) {
        return std::nullopt;
    }
    std::string message = buffer_.substr(start_ + kFrameHeaderBytes, length);
    start_ += kFrameHeaderBytes + length;
    return message;
}

std::string encodeFrame(std::string_view message) {
    const auto length = static_cast<std::uint32_t>(message.size());
    std::string frame(kFrameHeaderBytes + message.size(), '\0');
    std::memcpy(frame.data(), &length, kFrameHeaderBytes);
    std::memcpy(frame.data() + kFrameHeaderBytes, message.data(), message.size());
    return frame;
}

}  // namespace taplink::nm
