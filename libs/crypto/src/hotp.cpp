#include "taplink/crypto/hotp.hpp"

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/hmac.hpp"

namespace taplink::crypto {
namespace {

constexpr std::size_t kMinMacSize = 20;  // dynamic truncation reads up to byte 15 + 3 = 18

void requireKey(ByteView key) {
    if (key.size() < kMinOtpKeySize) {
        throw OtpError(OtpErrorCode::BadKey, "HOTP: the secret must be at least 16 bytes, got " +
                                                 std::to_string(key.size()));
    }
}

}  // namespace

std::uint32_t dynamicTruncation(ByteView mac) {
    if (mac.size() < kMinMacSize) {
        throw CryptoError("dynamic truncation: a MAC of " + std::to_string(mac.size()) +
                          " bytes is too short");
    }
    const std::size_t offset = mac.back() & 0x0FU;
    // The top bit is masked so the number is the same signed or unsigned (RFC 4226 5.3).
    constexpr std::size_t kCodeBytes = 4;
    constexpr std::uint32_t kNoSignBit = 0x7FFFFFFFU;
    return static_cast<std::uint32_t>(bigEndian(mac.subspan(offset, kCodeBytes))) & kNoSignBit;
}

std::string decimalCode(std::uint32_t number, int digits) {
    if (digits < 1 || digits > 10) {  // a 31-bit number has at most 10 digits
        throw OtpError(OtpErrorCode::BadDigits, "a code of " + std::to_string(digits) + " digits");
    }
    std::string code(static_cast<std::size_t>(digits), '0');
    for (auto it = code.rbegin(); it != code.rend(); ++it) {
        *it = static_cast<char>('0' + number % 10);
        number /= 10;
    }
    return code;
}

std::string hotp(ByteView key, std::uint64_t counter, int digits) {
    if (digits < 6 || digits > 8) {
        throw OtpError(OtpErrorCode::BadDigits,
                       "HOTP: 6 to 8 digits (RFC 4226 5.3), got " + std::to_string(digits));
    }
    requireKey(key);
    const Bytes mac = hmac(Digest::Sha1, key, ByteWriter().u64(counter).take());
    return decimalCode(dynamicTruncation(mac), digits);
}

}  // namespace taplink::crypto
