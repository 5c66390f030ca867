#include "taplink/rpc/line_buffer.hpp"

namespace taplink::api {

void LineBuffer::append(const char* data, std::size_t size) {
    if (overflowed_) {
        return;
    }
    // Drop what was consumed before growing, so the buffer holds at most one partial line
    // plus the new data.
    if (start_ > 0) {
        buffer_.erase(0, start_);
        scanned_ -= start_;
        start_ = 0;
    }
    buffer_.append(data, size);
}

std::optional<std::string> LineBuffer::next() {
    if (overflowed_) {
        return std::nullopt;
    }
    const std::size_t end = buffer_.find('\n', scanned_);
    if (end == std::string::npos) {
        scanned_ = buffer_.size();
        overflowed_ = pending() > maxLine_ + 1;  // room for a '\r' before the '\n'
        return std::nullopt;
    }
    std::size_t length = end - start_;
    if (length > 0 && buffer_[end - 1] == '\r') {
        --length;
    }
    if (length > maxLine_) {
        overflowed_ = true;
        return std::nullopt;
    }
    std::string line = buffer_.substr(start_, length);
    start_ = end + 1;
    scanned_ = start_;
    return line;
}

}  // namespace taplink::api
