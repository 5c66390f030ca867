#include "taplink/base/bytes.hpp"

#include <stdexcept>

namespace taplink {

namespace {
constexpr char kDigits[] = "0123456789ABCDEF";

int nibble(char c) {
    if (c >= '0' && c <= '9') {
        return c - '0';
    }
    if (c >= 'a' && c <= 'f') {
        return c - 'a' + 10;
    }
    if (c >= 'A' && c <= 'F') {
        return c - 'A' + 10;
    }
    return -1;
}
}  // namespace

std::string toHex(ByteView bytes, bool spaced) {
    std::string out;
    out.reserve(bytes.size() * 3);
    for (std::size_t i = 0; i < bytes.size(); ++i) {
        if (spaced && i != 0) {
            out.push_back(' ');
        }
        out.push_back(kDigits[bytes[i] >> 4U]);
        out.push_back(kDigits[bytes[i] & 0x0FU]);
    }
    return out;
}

Bytes fromHex(std::string_view hex) {
    Bytes out;
    int high = -1;
    for (char c : hex) {
        if (c == ' ' || c == ':') {
            continue;
        }
        const int value = nibble(c);
        if (value < 0) {
            // The byte's value, not the byte: the text may end up in JSON, which needs UTF-8.
            const auto code = static_cast<unsigned char>(c);
            throw std::invalid_argument(std::string("not a hex digit: 0x") + kDigits[code >> 4U] +
                                        kDigits[code & 0x0FU]);
        }
        if (high < 0) {
            high = value;
        } else {
            out.push_back(static_cast<std::uint8_t>((high << 4) | value));
            high = -1;
        }
    }
    if (high >= 0) {
        throw std::invalid_argument("odd number of hex digits");
    }
    return out;
}

}  // namespace taplink
