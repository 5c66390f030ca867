// OCRA, the OATH challenge-response algorithm (RFC 6287): a one-time code bound to a
// challenge and, as the suite says, a counter and a PIN hash. TapLink implements the suites
// with a counter (C), a challenge (QA, QN or QH) and a PIN hash (PSHA1/256/512) under
// HOTP-SHA1, -SHA256 or -SHA512; session data (S) and timestamps (T) are refused.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/hmac.hpp"
#include "taplink/crypto/hotp.hpp"

namespace taplink::crypto {

// The dynamic token of the payment applet: 8 digits bound to a counter and an 8-digit
// numeric challenge.
inline constexpr std::string_view kPaymentTokenSuite = "OCRA-1:HOTP-SHA1-8:C-QN08";

// A parsed OCRASuite, Algorithm:CryptoFunction:DataInput (RFC 6287 section 6).
struct OcraSuite {
    std::string text;                 // the suite string itself, part of every MAC input
    Digest digest = Digest::Sha1;     // HOTP-SHA1, -SHA256 or -SHA512 (6.2)
    int digits = 6;                   // the code length, 4..10 (6.2)
    bool usesCounter = false;         // C (6.3)
    char questionFormat = 'N';        // A, N or H in QFxx (6.3)
    std::size_t questionMax = 8;      // xx in QFxx, 04..64 (6.3)
    std::optional<Digest> pinDigest;  // PSHA1, PSHA256 or PSHA512 (6.3)
};

// OtpError BadSuite for a malformed suite, Unsupported for S, T or t=0.
OcraSuite parseOcraSuite(std::string_view text);

struct OcraInput {
    std::optional<std::uint64_t> counter;  // exactly when the suite has C
    // One challenge; two for mutual challenge-response (RFC 6287 7.3), used concatenated in
    // the order given. Each is 4..xx characters of the suite's alphabet.
    std::vector<std::string_view> challenges;
    Bytes pinHash;  // the PIN's hash, exactly when the suite has P
};

// The OCRA code (RFC 6287 section 5) under key (16 bytes or more). OtpError for input that
// does not fit the suite.
std::string ocra(const OcraSuite& suite, ByteView key, const OcraInput& input);

}  // namespace taplink::crypto
