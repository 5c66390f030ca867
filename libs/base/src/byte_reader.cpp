#include "taplink/base/byte_reader.hpp"

#include <stdexcept>

namespace taplink {

namespace {
constexpr std::size_t kMaxIntegerBytes = 8;
}  // namespace

std::uint64_t bigEndian(ByteView bytes) {
    if (bytes.size() > kMaxIntegerBytes) {
        throw std::invalid_argument("a big-endian integer of " + std::to_string(bytes.size()) +
                                    " bytes does not fit 64 bits");
    }
    std::uint64_t value = 0;
    for (const std::uint8_t octet : bytes) {
        value = (value << 8U) | octet;
    }
    return value;
}

namespace detail {

std::string wrongSizeMessage(std::string_view what, std::size_t expected, std::size_t actual) {
    return std::string(what) + " must be " + std::to_string(expected) + " bytes, got " +
           std::to_string(actual);
}

std::string wrongLengthMessage(std::string_view what, std::size_t actual, std::size_t expected) {
    return std::string(what) + ": " + std::to_string(actual) + " bytes, expected " +
           std::to_string(expected);
}

std::string endsInsideMessage(std::string_view what, std::string_view field) {
    return std::string(what) + " ends inside " + std::string(field);
}

}  // namespace detail

}  // namespace taplink
