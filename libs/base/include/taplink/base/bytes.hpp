// Byte buffers and hex conversion shared by every layer.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace taplink {

using Bytes = std::vector<std::uint8_t>;
using ByteView = std::span<const std::uint8_t>;

// Upper-case hex, optionally with a space between bytes ("3B 8F 80").
std::string toHex(ByteView bytes, bool spaced = false);

// Parses hex digits; spaces and colons between bytes are ignored.
// Throws std::invalid_argument on an odd digit count or a non-hex character.
Bytes fromHex(std::string_view hex);

inline Bytes concat(ByteView a, ByteView b) {
    Bytes out(a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

}  // namespace taplink
