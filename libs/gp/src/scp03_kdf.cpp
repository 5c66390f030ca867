#include "taplink/gp/scp03_kdf.hpp"

#include <string>

#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/cmac.hpp"
#include "taplink/gp/gp_error.hpp"

namespace taplink::gp {
namespace {

constexpr std::size_t kLabelZeros = 11;                  // Amendment D 4.1.5: 11 bytes 00 ...
constexpr std::uint32_t kMaxSequenceCounter = 0xFFFFFF;  // 3 bytes (Amendment D 7.1.2)

void requireAesKey(ByteView key, std::string_view what) {
    if (key.size() != 16 && key.size() != 24 && key.size() != 32) {
        throw GpError(GpErrorCode::BadLength, std::string(what) + ": AES key must be 16, 24 or " +
                                                  "32 bytes, got " + std::to_string(key.size()));
    }
}

// Amendment D 4.1.5: label (11 zero bytes || constant) || separator 00 || L (2 bytes, in
// bits) || i (1 byte, from 1) || context.
Bytes kdfInput(DerivationConstant constant, std::size_t bits, std::uint8_t i, ByteView context) {
    return ByteWriter()
        .bytes(Bytes(kLabelZeros, 0x00))
        .u8(static_cast<std::uint8_t>(constant))
        .u8(0x00)
        .u16(static_cast<std::uint16_t>(bits))
        .u8(i)
        .bytes(context)
        .take();
}

}  // namespace

Bytes deriveData(ByteView key, DerivationConstant constant, std::size_t bits, ByteView context) {
    requireAesKey(key, "SCP03 KDF");
    if (bits == 0 || bits % 8 != 0 || bits > 256) {
        throw GpError(
            GpErrorCode::BadLength,
            "SCP03 KDF: output must be 8..256 bits in whole bytes, got " + std::to_string(bits));
    }
    Bytes out;
    for (std::uint8_t i = 1; out.size() * 8 < bits; ++i) {
        const Bytes block = crypto::aesCmac(key, kdfInput(constant, bits, i, context));
        out.insert(out.end(), block.begin(), block.end());
    }
    out.resize(bits / 8);
    return out;
}

SessionKeys deriveSessionKeys(const StaticKeys& keys, ByteView hostChallenge,
                              ByteView cardChallenge) {
    const Bytes context = concat(hostChallenge, cardChallenge);
    const std::size_t bits = keys.enc.size() * 8;
    if (keys.mac.size() != keys.enc.size()) {
        throw GpError(GpErrorCode::BadLength, "SCP03 session keys: K-ENC and K-MAC differ in size");
    }
    return {deriveData(keys.enc, DerivationConstant::SessionEnc, bits, context),
            deriveData(keys.mac, DerivationConstant::SessionMac, bits, context),
            deriveData(keys.mac, DerivationConstant::SessionRmac, bits, context)};
}

Bytes cardCryptogram(ByteView sessionMac, ByteView hostChallenge, ByteView cardChallenge) {
    return deriveData(sessionMac, DerivationConstant::CardCryptogram, kCryptogramSize * 8,
                      concat(hostChallenge, cardChallenge));
}

Bytes hostCryptogram(ByteView sessionMac, ByteView hostChallenge, ByteView cardChallenge) {
    return deriveData(sessionMac, DerivationConstant::HostCryptogram, kCryptogramSize * 8,
                      concat(hostChallenge, cardChallenge));
}

Bytes pseudoRandomCardChallenge(ByteView staticEnc, std::uint32_t sequenceCounter, ByteView aid) {
    if (sequenceCounter > kMaxSequenceCounter) {
        throw GpError(GpErrorCode::BadLength, "SCP03 card challenge: sequence counter " +
                                                  std::to_string(sequenceCounter) +
                                                  " does not fit 3 bytes");
    }
    const Bytes context = ByteWriter().number(sequenceCounter, 3).bytes(aid).take();
    return deriveData(staticEnc, DerivationConstant::CardChallenge, kChallengeSize * 8, context);
}

}  // namespace taplink::gp
