#include "taplink/crypto/emv_keys.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"

namespace taplink::crypto::emv {
namespace {

constexpr std::size_t kKeySize = 16;          // IMK, MK and SK in both suites
constexpr std::size_t kCryptogramSize = 8;    // ARQC, TC, AAC and ARPC (9F26, 91)
constexpr std::size_t kArcSize = 2;           // 8A, two characters
constexpr std::size_t kScriptMacSize = 4;     // EMV Book 2 9.2.1: the leftmost 4 bytes
constexpr std::size_t kScriptHeaderSize = 5;  // CLA INS P1 P2 Lc
constexpr std::size_t kYDigits = 16;          // EMV Book 2 A1.4.1: Y is 16 digits, 8 bytes
constexpr std::size_t kMinPanDigits = 12;     // 5A: n var. up to 19 (EMV Book 3 annex A)
constexpr std::size_t kMaxPanDigits = 19;

std::string_view suiteName(Suite suite) {
    return suite == Suite::Sm4 ? "SM4" : "3DES";
}

std::string contextOf(std::string_view function, Suite suite) {
    return "emv::" + std::string(function) + " (" + std::string(suiteName(suite)) + ")";
}

Cipher keyCipher(Suite suite) {
    return suite == Suite::Sm4 ? Cipher::Sm4 : Cipher::TripleDes;
}

Bytes leftmost(const Bytes& bytes, std::size_t count) {
    return {bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(count)};
}

Bytes inverted(ByteView bytes) {
    Bytes out(bytes.begin(), bytes.end());
    for (auto& byte : out) {
        byte = static_cast<std::uint8_t>(~byte);
    }
    return out;
}

// The suite's MAC over data padded by ISO/IEC 9797-1 method 2: the retail MAC (algorithm 3)
// for triple DES, SM4 CBC-MAC (algorithm 1) otherwise. 8 or 16 bytes.
Bytes fullMac(Suite suite, ByteView key, ByteView data) {
    return suite == Suite::Sm4 ? cbcMac(Cipher::Sm4, key, data) : retailMac(key, data);
}

void checkPan(std::string_view pan, const std::string& context) {
    if (pan.size() < kMinPanDigits || pan.size() > kMaxPanDigits) {
        throw CryptoError(context + ": PAN must be 12 to 19 digits, got " +
                          std::to_string(pan.size()));
    }
    const auto bad =
        std::find_if(pan.begin(), pan.end(), [](char c) { return c < '0' || c > '9'; });
    if (bad != pan.end()) {
        throw CryptoError(context + ": PAN has a non-digit at position " +
                          std::to_string(bad - pan.begin()));
    }
}

// The PSN is n 2 (EMV Book 3 annex A, 5F34): two BCD digits.
std::string psnDigits(std::uint8_t psn, const std::string& context) {
    if ((psn >> 4) > 9 || (psn & 0x0F) > 9) {
        throw CryptoError(context + ": PSN " + toHex(ByteView(&psn, 1)) + " is not two BCD digits");
    }
    return toHex(ByteView(&psn, 1));
}

// EMV Book 2 A1.4.1 option A: Y = the rightmost 16 digits of PAN || PSN, left-padded with
// 0 digits, packed as 8 bytes.
Bytes masterKeyInput(std::string_view pan, std::uint8_t psn, const std::string& context) {
    checkPan(pan, context);
    std::string digits = std::string(pan) + psnDigits(psn, context);
    if (digits.size() > kYDigits) {
        digits.erase(0, digits.size() - kYDigits);
    }
    digits.insert(0, kYDigits - digits.size(), '0');
    return fromHex(digits);
}

}  // namespace

std::uint8_t algorithmIndicatorOf(Suite suite) {
    return suite == Suite::Sm4 ? 0x04 : 0x01;
}

Suite suiteFromAlgorithmIndicator(std::uint8_t indicator) {
    switch (indicator) {
        case 0x01:
            return Suite::TripleDes;
        case 0x04:
            return Suite::Sm4;
        default:
            break;
    }
    throw CryptoError("emv: unknown algorithm indicator " + toHex(ByteView(&indicator, 1)) +
                      " (expected 01 or 04)");
}

// ECB over two 8-byte blocks is 3DES(Y) || 3DES(~Y), over one 16-byte block SM4(Y || ~Y):
// the same call gives both suites' formula.
Bytes iccMasterKey(Suite suite, ByteView issuerMasterKey, std::string_view pan, std::uint8_t psn) {
    const std::string context = contextOf("iccMasterKey", suite);
    requireSize<CryptoError>(issuerMasterKey, kKeySize, context + ": issuer master key");
    const Bytes y = masterKeyInput(pan, psn, context);
    return encryptEcb(keyCipher(suite), issuerMasterKey, concat(y, inverted(y)));
}

// R = 00 x6 || ATC || 00 x6 || ~ATC (the published PBOC examples, docs/cards.md); ECB gives
// 3DES(R[0..8)) || 3DES(R[8..16)) and SM4(R) alike.
Bytes sessionKey(Suite suite, ByteView masterKey, std::uint16_t atc) {
    const std::string context = contextOf("sessionKey", suite);
    requireSize<CryptoError>(masterKey, kKeySize, context + ": master key");
    const auto notAtc = static_cast<std::uint16_t>(atc ^ 0xFFFFU);
    const Bytes r = ByteWriter().number(0, 6).u16(atc).number(0, 6).u16(notAtc).take();
    return encryptEcb(keyCipher(suite), masterKey, r);
}

Bytes applicationCryptogram(Suite suite, ByteView sessionKey, ByteView data) {
    const std::string context = contextOf("applicationCryptogram", suite);
    requireSize<CryptoError>(sessionKey, kKeySize, context + ": session key");
    return leftmost(fullMac(suite, sessionKey, data), kCryptogramSize);
}

// EMV Book 2 8.2.1 method 1: X = ARQC XOR (ARC || 00 x6); SM4 fills its block with 00 x8.
Bytes arpcMethod1(Suite suite, ByteView sessionKey, ByteView arqc, ByteView arc) {
    const std::string context = contextOf("arpcMethod1", suite);
    requireSize<CryptoError>(sessionKey, kKeySize, context + ": session key");
    requireSize<CryptoError>(arqc, kCryptogramSize, context + ": ARQC");
    requireSize<CryptoError>(arc, kArcSize, context + ": ARC");
    Bytes x(arqc.begin(), arqc.end());
    x[0] ^= arc[0];
    x[1] ^= arc[1];
    x.resize(blockSize(keyCipher(suite)), 0x00);
    return leftmost(encryptEcb(keyCipher(suite), sessionKey, x), kCryptogramSize);
}

// EMV Book 2 9.2.1: CLA INS P1 P2 Lc || ATC || ARQC || data, Lc counting the 4-byte MAC.
Bytes scriptMacInput(ByteView header5, std::uint16_t atc, ByteView arqc, ByteView data) {
    const std::string context = "emv::scriptMacInput";
    requireSize<CryptoError>(header5, kScriptHeaderSize, context + ": command header");
    requireSize<CryptoError>(arqc, kCryptogramSize, context + ": ARQC");
    if (header5[4] != data.size() + kScriptMacSize) {
        throw CryptoError(context + ": Lc " + std::to_string(header5[4]) + " does not count " +
                          std::to_string(data.size()) + " data bytes and the 4-byte MAC");
    }
    return ByteWriter().bytes(header5).u16(atc).bytes(arqc).bytes(data).take();
}

Bytes scriptMac(Suite suite, ByteView macSessionKey, ByteView input) {
    const std::string context = contextOf("scriptMac", suite);
    requireSize<CryptoError>(macSessionKey, kKeySize, context + ": MAC session key");
    return leftmost(fullMac(suite, macSessionKey, input), kScriptMacSize);
}

}  // namespace taplink::crypto::emv
