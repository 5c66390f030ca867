// One-time codes: HOTP (RFC 4226) and the error type shared with OCRA (ocra.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/crypto_error.hpp"

namespace taplink::crypto {

enum class OtpErrorCode {
    BadDigits,     // a code length the algorithm does not allow
    BadKey,        // a secret shorter than 16 bytes (RFC 4226 section 4, R6)
    BadSuite,      // an OCRA suite string that does not parse (RFC 6287 section 6)
    Unsupported,   // a valid OCRA suite with inputs TapLink does not implement (S, T, t=0)
    BadChallenge,  // a challenge of the wrong length or alphabet for the suite
    BadInput,      // a counter or PIN hash missing, or given when the suite has none
};

class OtpError : public CryptoError {
  public:
    OtpError(OtpErrorCode code, const std::string& message) : CryptoError(message), code_(code) {}
    OtpErrorCode code() const { return code_; }

  private:
    OtpErrorCode code_;
};

inline constexpr std::size_t kMinOtpKeySize = 16;  // RFC 4226 R6: at least 128 bits

// RFC 4226 5.3, dynamic truncation: the 31-bit number at the offset named by the low nibble
// of the MAC's last byte. Works for any MAC of 20 bytes or more (RFC 6287 uses SHA-256/512).
std::uint32_t dynamicTruncation(ByteView mac);

// The number's last `digits` decimal digits (1..10), zeros in front (RFC 4226 5.3, step 3).
std::string decimalCode(std::uint32_t number, int digits);

// HOTP(K, C) = Truncate(HMAC-SHA-1(K, C)), C the 8-byte big-endian counter (RFC 4226 5.2);
// 6, 7 or 8 digits (5.3). OtpError for another length or a short key.
std::string hotp(ByteView key, std::uint64_t counter, int digits = 6);

}  // namespace taplink::crypto
