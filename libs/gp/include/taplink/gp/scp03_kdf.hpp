// SCP03 key and cryptogram derivation (GlobalPlatform Card Specification v2.3 Amendment D,
// 4.1.5 and 6.2.2): NIST SP 800-108 in counter mode with AES-CMAC as the PRF.
#pragma once

#include <cstddef>
#include <cstdint>

#include "taplink/base/bytes.hpp"

namespace taplink::gp {

// Amendment D 4.1.5: the derivation constant, last byte of the label.
enum class DerivationConstant : std::uint8_t {
    CardCryptogram = 0x00,
    HostCryptogram = 0x01,
    CardChallenge = 0x02,
    SessionEnc = 0x04,   // S-ENC from K-ENC
    SessionMac = 0x06,   // S-MAC from K-MAC
    SessionRmac = 0x07,  // S-RMAC from K-MAC
};

inline constexpr std::size_t kChallengeSize = 8;   // S8 mode (Amendment D 5.1)
inline constexpr std::size_t kCryptogramSize = 8;  // 64 bits in S8 mode
inline constexpr std::size_t kAesBlock = 16;

// The static keys of one key set (key version number): 16, 24 or 32 bytes each, all one size.
struct StaticKeys {
    Bytes enc;  // K-ENC
    Bytes mac;  // K-MAC
    Bytes dek;  // K-DEK (PUT KEY, STORE DATA key encryption; unused by the channel itself)
};

struct SessionKeys {
    Bytes enc;   // S-ENC
    Bytes mac;   // S-MAC
    Bytes rmac;  // S-RMAC
};

// Amendment D 4.1.5: `bits` of output (a multiple of 8) derived from key under the constant
// and context. GpError BadLength for a key that is not an AES key or bits out of range.
Bytes deriveData(ByteView key, DerivationConstant constant, std::size_t bits, ByteView context);

// Amendment D 6.2.1: the three session keys, context = host challenge || card challenge.
SessionKeys deriveSessionKeys(const StaticKeys& keys, ByteView hostChallenge,
                              ByteView cardChallenge);

// Amendment D 6.2.2.2 and 6.2.2.3: the 8-byte card and host cryptograms under S-MAC.
Bytes cardCryptogram(ByteView sessionMac, ByteView hostChallenge, ByteView cardChallenge);
Bytes hostCryptogram(ByteView sessionMac, ByteView hostChallenge, ByteView cardChallenge);

// Amendment D 6.2.2.1: the pseudo-random card challenge under K-ENC, context = sequence
// counter (3 bytes) || AID of the application that opens the channel.
Bytes pseudoRandomCardChallenge(ByteView staticEnc, std::uint32_t sequenceCounter, ByteView aid);

}  // namespace taplink::gp
