// The SCP03 handshake commands and their answers (GlobalPlatform Card Specification v2.3
// Amendment D, 7.1 INITIALIZE UPDATE and 7.2 EXTERNAL AUTHENTICATE), S8 mode. Parsers check
// every length and throw GpError; they never read past their input.
#pragma once

#include <cstdint>
#include <optional>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::gp {

inline constexpr std::uint8_t kClaGp = 0x80;               // GP proprietary class
inline constexpr std::uint8_t kClaSecureMessaging = 0x04;  // bit b3 of CLA: C-MAC present
inline constexpr std::uint8_t kInsInitializeUpdate = 0x50;
inline constexpr std::uint8_t kInsExternalAuthenticate = 0x82;
inline constexpr std::uint8_t kScp03 = 0x03;  // Secure Channel Protocol identifier

// Amendment D 5.1: bits of the "i" parameter.
namespace iparam {
inline constexpr std::uint8_t kS16 = 0x01;           // 16-byte challenges and MACs (unsupported)
inline constexpr std::uint8_t kPseudoRandom = 0x10;  // card challenge from the sequence counter
inline constexpr std::uint8_t kRmac = 0x20;          // R-MAC supported
inline constexpr std::uint8_t kRenc = 0x40;          // R-ENCRYPTION (and R-MAC) supported
}  // namespace iparam

// Amendment D 7.2.2: bits of the security level (P1 of EXTERNAL AUTHENTICATE).
namespace level {
inline constexpr std::uint8_t kCmac = 0x01;
inline constexpr std::uint8_t kCdec = 0x02;  // C-DECRYPTION (always with C-MAC)
inline constexpr std::uint8_t kRmac = 0x10;
inline constexpr std::uint8_t kRenc = 0x20;  // R-ENCRYPTION (always with R-MAC and C-DEC)
}  // namespace level

// True for the levels Amendment D 7.2.2.1 allows with a MAC: 01, 03, 11, 13, 33.
bool isValidSecurityLevel(std::uint8_t securityLevel);
// True when a card with this i parameter can give the level's R-MAC and R-ENCRYPTION.
bool isLevelSupported(std::uint8_t securityLevel, std::uint8_t iParameter);

struct InitializeUpdateCommand {
    std::uint8_t keyVersion = 0;  // 00: the card's first key set
    Bytes hostChallenge;          // 8 bytes
};

// Amendment D 7.1.2: 80 50 <kvn> 00 08 <host challenge> 00.
apdu::CommandApdu encodeInitializeUpdate(const InitializeUpdateCommand& command);
InitializeUpdateCommand parseInitializeUpdate(const apdu::CommandApdu& command);

struct InitializeUpdateAnswer {
    Bytes diversificationData;  // 10 bytes
    std::uint8_t keyVersion = 0;
    std::uint8_t scpId = kScp03;
    std::uint8_t iParameter = 0;
    Bytes cardChallenge;                           // 8 bytes
    Bytes cardCryptogram;                          // 8 bytes
    std::optional<std::uint32_t> sequenceCounter;  // 3 bytes, when iParameter has kPseudoRandom
};

// Amendment D 7.1.3: diversification data (10) || key information (kvn, SCP id,
// i: 3) || card challenge (8) || card cryptogram (8) [|| sequence counter (3)].
Bytes encodeInitializeUpdateAnswer(const InitializeUpdateAnswer& answer);
InitializeUpdateAnswer parseInitializeUpdateAnswer(ByteView data);

struct ExternalAuthenticateCommand {
    std::uint8_t securityLevel = 0;
    Bytes hostCryptogram;  // 8 bytes
    Bytes mac;             // 8 bytes, the C-MAC
};

// Amendment D 7.2.2: 84 82 <security level> 00 10 <host cryptogram> <C-MAC>.
ExternalAuthenticateCommand parseExternalAuthenticate(const apdu::CommandApdu& command);

}  // namespace taplink::gp
