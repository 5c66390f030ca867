#include "taplink/crypto/ocra.hpp"

#include <openssl/bn.h>
#include <openssl/crypto.h>

#include <algorithm>
#include <cctype>

#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::crypto {
namespace {

constexpr std::size_t kQuestionSize = 128;  // Q is always 128 bytes (RFC 6287 5.1)
constexpr std::size_t kMinChallenge = 4;    // the shortest QFxx, QF04 (6.3)
constexpr std::size_t kMaxChallenge = 64;

[[noreturn]] void fail(OtpErrorCode code, const std::string& message) {
    throw OtpError(code, "OCRA: " + message);
}

std::vector<std::string_view> split(std::string_view text, char separator) {
    std::vector<std::string_view> parts;
    for (std::size_t start = 0;;) {
        const std::size_t end = text.find(separator, start);
        parts.push_back(text.substr(start, end - start));
        if (end == std::string_view::npos) {
            return parts;
        }
        start = end + 1;
    }
}

// A number of exactly `width` decimal digits, or nullopt.
std::optional<int> decimal(std::string_view text, std::size_t width) {
    if (text.size() != width ||
        !std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return std::nullopt;
    }
    int value = 0;
    for (const char c : text) {
        value = value * 10 + (c - '0');
    }
    return value;
}

std::optional<Digest> digestNamed(std::string_view name) {
    for (const Digest digest : {Digest::Sha1, Digest::Sha256, Digest::Sha512}) {
        if (name == digestName(digest)) {
            return digest;
        }
    }
    return std::nullopt;
}

// 6.2: CryptoFunction = HOTP-H-t, H = SHA1 | SHA256 | SHA512, t = 0 | 4..10.
void parseCryptoFunction(std::string_view text, OcraSuite& suite) {
    const auto parts = split(text, '-');
    const bool threeParts = parts.size() == 3;
    const auto digest = threeParts ? digestNamed(parts[1]) : std::nullopt;
    const auto digits = threeParts && !parts[2].empty() && parts[2].size() <= 2
                            ? decimal(parts[2], parts[2].size())
                            : std::nullopt;
    if (parts[0] != "HOTP" || !digest || !digits) {
        fail(OtpErrorCode::BadSuite, "crypto function must be HOTP-SHA1|SHA256|SHA512-t");
    }
    if (*digits == 0) {
        fail(OtpErrorCode::Unsupported, "untruncated codes (t=0) are not implemented");
    }
    if (*digits < 4 || *digits > 10) {
        fail(OtpErrorCode::BadSuite, "code length must be 4 to 10 digits");
    }
    suite.digest = *digest;
    suite.digits = *digits;
}

// 6.3: QFxx, F = A | N | H, xx = 04..64.
void parseQuestion(std::string_view item, OcraSuite& suite) {
    const auto length = item.size() == 4 ? decimal(item.substr(2), 2) : std::nullopt;
    if (!length || item[0] != 'Q' ||
        std::string_view("ANH").find(item[1]) == std::string_view::npos ||
        *length < static_cast<int>(kMinChallenge) || *length > static_cast<int>(kMaxChallenge)) {
        fail(OtpErrorCode::BadSuite, "the challenge must be QA, QN or QH with a length 04..64");
    }
    suite.questionFormat = item[1];
    suite.questionMax = static_cast<std::size_t>(*length);
}

// 6.3: DataInput = [C] | QFxx | [PH | Snnn | TG], in that order.
void parseDataInput(std::string_view text, OcraSuite& suite) {
    const auto items = split(text, '-');
    std::size_t next = 0;
    suite.usesCounter = items[next] == "C";
    next += suite.usesCounter ? 1 : 0;
    if (next == items.size()) {
        fail(OtpErrorCode::BadSuite, "the data input has no challenge");
    }
    parseQuestion(items[next++], suite);
    if (next < items.size() && items[next].starts_with('P')) {
        suite.pinDigest = digestNamed(items[next++].substr(1));
        if (!suite.pinDigest) {
            fail(OtpErrorCode::BadSuite, "the PIN hash must be PSHA1, PSHA256 or PSHA512");
        }
    }
    if (next < items.size()) {
        const bool sessionOrTime = items[next].starts_with('S') || items[next].starts_with('T');
        fail(
            sessionOrTime ? OtpErrorCode::Unsupported : OtpErrorCode::BadSuite,
            "data input item " + std::string(items[next]) +
                (sessionOrTime ? " (session or time) is not implemented" : " is not allowed here"));
    }
}

bool inAlphabet(char format, char c) {
    const auto u = static_cast<unsigned char>(c);
    switch (format) {
        case 'N':
            return std::isdigit(u) != 0;
        case 'H':
            return std::isxdigit(u) != 0;
        default:
            return std::isalnum(u) != 0;
    }
}

std::string joinedChallenges(const OcraSuite& suite, const OcraInput& input) {
    if (input.challenges.empty() || input.challenges.size() > 2) {
        fail(OtpErrorCode::BadChallenge, "one challenge, or two for mutual authentication");
    }
    std::string joined;
    for (const std::string_view challenge : input.challenges) {
        if (challenge.size() < kMinChallenge || challenge.size() > suite.questionMax ||
            !std::all_of(challenge.begin(), challenge.end(),
                         [&](char c) { return inAlphabet(suite.questionFormat, c); })) {
            fail(OtpErrorCode::BadChallenge, "a challenge must be 4 to " +
                                                 std::to_string(suite.questionMax) + " " +
                                                 suite.questionFormat + " characters");
        }
        joined.append(challenge);
    }
    return joined;
}

void freeOpenSslString(char* text) {
    OPENSSL_free(text);
}

// A decimal challenge as hex digits without leading zeros ("0" for zero).
std::string decimalToHexDigits(const std::string& decimalText) {
    BIGNUM* raw = nullptr;
    checkOpenSsl(BN_dec2bn(&raw, decimalText.c_str()), "OCRA: BN_dec2bn");
    const BignumPtr number(raw);
    const OpenSslPtr<char, &freeOpenSslString> hex(BN_bn2hex(number.get()));
    checkOpenSsl(hex != nullptr ? 1 : 0, "OCRA: BN_bn2hex");
    const std::string_view digits(hex.get());
    return std::string(digits.size() > 1 && digits[0] == '0' ? digits.substr(1) : digits);
}

// 5.1 and 5.2: Q as hex digits, first digit first, then zeros to 128 bytes. N challenges
// become their number in hex, A challenges their ASCII bytes, H challenges stay as written.
Bytes questionField(char format, const std::string& joined) {
    std::string nibbles = format == 'N'   ? decimalToHexDigits(joined)
                          : format == 'H' ? joined
                                          : toHex(ByteWriter().ascii(joined).take());
    nibbles.append(2 * kQuestionSize - nibbles.size(), '0');
    return fromHex(nibbles);
}

void requireInputs(const OcraSuite& suite, ByteView key, const OcraInput& input) {
    if (key.size() < kMinOtpKeySize) {
        fail(OtpErrorCode::BadKey, "the secret must be at least 16 bytes");
    }
    if (input.counter.has_value() != suite.usesCounter) {
        fail(OtpErrorCode::BadInput,
             suite.usesCounter ? "the suite needs a counter" : "the suite has no counter");
    }
    const std::size_t pinSize = suite.pinDigest ? digestSize(*suite.pinDigest) : 0;
    if (input.pinHash.size() != pinSize) {
        fail(OtpErrorCode::BadInput, "the PIN hash must be " + std::to_string(pinSize) +
                                         " bytes, got " + std::to_string(input.pinHash.size()));
    }
}

}  // namespace

OcraSuite parseOcraSuite(std::string_view text) {
    const auto parts = split(text, ':');
    if (parts.size() != 3 || parts[0] != "OCRA-1") {
        fail(OtpErrorCode::BadSuite, "a suite is OCRA-1:<crypto function>:<data input>");
    }
    OcraSuite suite;
    suite.text = std::string(text);
    parseCryptoFunction(parts[1], suite);
    parseDataInput(parts[2], suite);
    return suite;
}

// 5.1: DataInput = OCRASuite | 00 | C (8) | Q (128) | P, hashed with the suite's HMAC and
// truncated as HOTP (5.2).
std::string ocra(const OcraSuite& suite, ByteView key, const OcraInput& input) {
    requireInputs(suite, key, input);
    ByteWriter data;
    data.ascii(suite.text).u8(0x00);
    if (input.counter) {
        data.u64(*input.counter);
    }
    data.bytes(questionField(suite.questionFormat, joinedChallenges(suite, input)));
    data.bytes(input.pinHash);
    const Bytes mac = hmac(suite.digest, key, data.take());
    return decimalCode(dynamicTruncation(mac), suite.digits);
}

}  // namespace taplink::crypto
