#include "taplink/base/byte_writer.hpp"

#include <stdexcept>
#include <string>
#include <utility>

namespace taplink {

ByteWriter& ByteWriter::bytes(ByteView field) {
    out_.insert(out_.end(), field.begin(), field.end());
    return *this;
}

ByteWriter& ByteWriter::ascii(std::string_view text) {
    for (const char c : text) {
        out_.push_back(static_cast<std::uint8_t>(c));
    }
    return *this;
}

ByteWriter& ByteWriter::u8(std::uint8_t value) {
    out_.push_back(value);
    return *this;
}

ByteWriter& ByteWriter::number(std::uint64_t value, std::size_t width) {
    constexpr std::size_t kMaxWidth = 8;
    if (width == 0 || width > kMaxWidth) {
        throw std::invalid_argument("a big-endian field is 1 to 8 bytes, not " +
                                    std::to_string(width));
    }
    for (std::size_t i = width; i-- > 0;) {
        out_.push_back(static_cast<std::uint8_t>((value >> (8U * i)) & 0xFFU));
    }
    return *this;
}

Bytes ByteWriter::take() {
    return std::exchange(out_, Bytes{});
}

}  // namespace taplink
