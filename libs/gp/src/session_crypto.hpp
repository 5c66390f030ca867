// The state both ends of an open SCP03 channel keep: session keys, security level, MAC
// chaining value and encryption counter, and the MAC and encryption steps over them.
#pragma once

#include <array>
#include <cstdint>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/gp/scp03_kdf.hpp"

namespace taplink::gp::detail {

inline constexpr std::size_t kMacSize = 8;  // S8 mode: MACs are sent truncated to 8 bytes

// True for the status words a card protects: 9000 and the warnings 62xx and 63xx
// (Amendment D 6.2.5: no R-MAC or R-ENCRYPTION on an error status word).
bool isProtectedStatus(std::uint16_t sw);

class SessionCrypto {
  public:
    SessionCrypto(SessionKeys keys, std::uint8_t securityLevel);

    std::uint8_t securityLevel() const { return level_; }
    ByteView sessionMacKey() const { return keys_.mac; }
    bool has(std::uint8_t levelBits) const { return (level_ & levelBits) == levelBits; }

    // Amendment D 6.2.4: the C-MAC of a command whose header (CLA with b3 set, INS, P1, P2)
    // and final data field are given; Lc counts the 8 MAC bytes. The full 16-byte CMAC
    // becomes the MAC chaining value.
    Bytes signCommand(const apdu::CommandApdu& header, ByteView data);
    // Compares in constant time; on success the chaining value moves on, as in signCommand.
    bool verifyCommand(const apdu::CommandApdu& header, ByteView data, ByteView mac);

    // Amendment D 6.2.6: the encryption counter goes up by one before each command.
    void nextCommand();
    // Amendment D 6.2.6 and 6.2.7: AES-CBC under S-ENC with ISO/IEC 9797-1 method 2 padding;
    // ICV = AES(S-ENC, counter) for commands, with the counter's first byte 80 for responses.
    Bytes encryptCommandData(ByteView plain) const;
    Bytes decryptCommandData(ByteView encrypted) const;
    Bytes encryptResponseData(ByteView plain) const;
    Bytes decryptResponseData(ByteView encrypted) const;

    // Amendment D 6.2.5: the R-MAC over chaining value || response data || SW1 SW2.
    Bytes responseMac(ByteView data, std::uint16_t sw) const;

  private:
    Bytes commandMac(const apdu::CommandApdu& header, ByteView data) const;
    Bytes icv(std::uint8_t firstByte) const;

    SessionKeys keys_;
    std::uint8_t level_;
    Bytes chaining_;                                 // 16 bytes, zero before EXTERNAL AUTHENTICATE
    std::array<std::uint8_t, kAesBlock> counter_{};  // 128-bit big-endian counter
};

}  // namespace taplink::gp::detail
