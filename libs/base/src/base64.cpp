#include "taplink/base/base64.hpp"

#include <openssl/evp.h>

#include <limits>

namespace taplink {

namespace {

// The 6-bit value of an alphabet character, -1 for anything else.
int sextet(char c) {
    if (c >= 'A' && c <= 'Z') {
        return c - 'A';
    }
    if (c >= 'a' && c <= 'z') {
        return c - 'a' + 26;
    }
    if (c >= '0' && c <= '9') {
        return c - '0' + 52;
    }
    if (c == '+') {
        return 62;
    }
    if (c == '/') {
        return 63;
    }
    return -1;
}

// Canonical: alphabet only, '=' only as the last one or two characters, and the bits the
// padding leaves over are zero (so one byte string has one encoding).
bool isCanonical(std::string_view text) {
    if (text.size() % 4 != 0) {
        return false;
    }
    std::size_t padding = 0;
    while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') {
        ++padding;
    }
    const std::size_t dataChars = text.size() - padding;
    for (std::size_t i = 0; i < dataChars; ++i) {
        if (sextet(text[i]) < 0) {
            return false;
        }
    }
    if (padding == 0) {
        return true;
    }
    const int last = sextet(text[dataChars - 1]);
    const int unusedMask = padding == 1 ? 0x03 : 0x0F;
    return (last & unusedMask) == 0;
}

}  // namespace

std::string base64Encode(ByteView bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3), '\0');
    if (!bytes.empty()) {
        const int written = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                            bytes.data(), static_cast<int>(bytes.size()));
        out.resize(static_cast<std::size_t>(written));
    }
    return out;
}

std::optional<Bytes> base64Decode(std::string_view text) {
    if (!isCanonical(text) ||
        text.size() > static_cast<std::size_t>(std::numeric_limits<int>::max())) {
        return std::nullopt;
    }
    if (text.empty()) {
        return Bytes{};
    }
    Bytes out(3 * (text.size() / 4));
    const int written =
        EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                        static_cast<int>(text.size()));
    if (written < 0) {
        return std::nullopt;
    }
    // EVP_DecodeBlock counts the padding as zero bytes.
    const std::size_t padding = static_cast<std::size_t>(text.end()[-1] == '=') +
                                static_cast<std::size_t>(text.end()[-2] == '=');
    out.resize(static_cast<std::size_t>(written) - padding);
    return out;
}

}  // namespace taplink
