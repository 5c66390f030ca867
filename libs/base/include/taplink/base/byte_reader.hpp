// Reading byte layouts: fixed-size fields and big-endian integers front to back, and the
// size check of a field. The error type is the caller's (each protocol keeps its own typed
// error); it must be constructible from a std::string, whose text names the field.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "taplink/base/bytes.hpp"

namespace taplink {

// The big-endian value of up to eight bytes (0 for none); std::invalid_argument for more.
std::uint64_t bigEndian(ByteView bytes);

namespace detail {
std::string wrongSizeMessage(std::string_view what, std::size_t expected, std::size_t actual);
std::string wrongLengthMessage(std::string_view what, std::size_t actual, std::size_t expected);
std::string endsInsideMessage(std::string_view what, std::string_view field);
}  // namespace detail

// Error("<what> must be <size> bytes, got <n>") unless field is exactly size bytes.
template <class Error>
void requireSize(ByteView field, std::size_t size, std::string_view what) {
    if (field.size() != size) {
        throw Error(detail::wrongSizeMessage(what, size, field.size()));
    }
}

// Reads fields front to back. A field that runs past the end is
// Error("<what> ends inside <field>"), never a read past it.
template <class Error>
class ByteReader {
  public:
    // what names the whole input in messages ("result message").
    ByteReader(ByteView bytes, std::string what) : bytes_(bytes), what_(std::move(what)) {}

    // For a layout of one size: Error("<what>: <n> bytes, expected <size>") for any other.
    static ByteReader exactly(ByteView bytes, std::size_t size, std::string what) {
        if (bytes.size() != size) {
            throw Error(detail::wrongLengthMessage(what, bytes.size(), size));
        }
        return ByteReader(bytes, std::move(what));
    }

    ByteView view(std::size_t count, std::string_view field) {
        if (remaining() < count) {
            throw Error(detail::endsInsideMessage(what_, field));
        }
        const ByteView taken = bytes_.subspan(offset_, count);
        offset_ += count;
        return taken;
    }
    Bytes take(std::size_t count, std::string_view field) {
        const ByteView taken = view(count, field);
        return {taken.begin(), taken.end()};
    }

    // Big-endian unsigned integers; number() for other widths (1..8 bytes).
    std::uint8_t u8(std::string_view field) { return view(1, field)[0]; }
    std::uint16_t u16(std::string_view field) {
        return static_cast<std::uint16_t>(number(2, field));
    }
    std::uint32_t u32(std::string_view field) {
        return static_cast<std::uint32_t>(number(4, field));
    }
    std::uint64_t u64(std::string_view field) { return number(8, field); }
    std::uint64_t number(std::size_t width, std::string_view field) {
        return bigEndian(view(width, field));
    }

    std::size_t remaining() const { return bytes_.size() - offset_; }
    bool atEnd() const { return remaining() == 0; }

  private:
    ByteView bytes_;
    std::string what_;
    std::size_t offset_ = 0;
};

}  // namespace taplink
