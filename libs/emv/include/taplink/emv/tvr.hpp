// Terminal verification results (95, 5 bytes; EMV Book 3 Annex C5) and the transaction
// status information (9B, 2 bytes; Annex C6), set as the steps run.
#pragma once

#include <array>
#include <cstdint>

#include "taplink/base/bytes.hpp"

namespace taplink::emv {

// A bit as (byte index from 0) << 8 | mask.
enum class TvrBit : std::uint16_t {
    OfflineDataAuthenticationNotPerformed = 0x0080,  // byte 1 b8
    IccDataMissing = 0x0020,                         // byte 1 b6
    DifferentApplicationVersions = 0x0180,           // byte 2 b8
    ExpiredApplication = 0x0140,                     // byte 2 b7
    ApplicationNotYetEffective = 0x0120,             // byte 2 b6
    ServiceNotAllowed = 0x0110,                      // byte 2 b5
    PinTryLimitExceeded = 0x0220,                    // byte 3 b6
    TransactionExceedsFloorLimit = 0x0380,           // byte 4 b8
    IssuerAuthenticationFailed = 0x0440,             // byte 5 b7
    ScriptFailedBeforeFinalGac = 0x0420,             // byte 5 b6
    ScriptFailedAfterFinalGac = 0x0410,              // byte 5 b5
};

enum class TsiBit : std::uint16_t {
    OfflineDataAuthenticationPerformed = 0x0080,  // byte 1 b8
    CardholderVerificationPerformed = 0x0040,     // byte 1 b7
    CardRiskManagementPerformed = 0x0020,         // byte 1 b6
    IssuerAuthenticationPerformed = 0x0010,       // byte 1 b5
    TerminalRiskManagementPerformed = 0x0008,     // byte 1 b4
    ScriptProcessingPerformed = 0x0004,           // byte 1 b3
};

// N bytes of bits, all clear at the start of a transaction.
template <std::size_t N, class Bit>
class BitField {
  public:
    void set(Bit bit) { bytes_.at(indexOf(bit)) |= maskOf(bit); }
    bool isSet(Bit bit) const { return (bytes_.at(indexOf(bit)) & maskOf(bit)) != 0; }
    Bytes bytes() const { return {bytes_.begin(), bytes_.end()}; }

  private:
    static std::size_t indexOf(Bit bit) { return static_cast<std::uint16_t>(bit) >> 8U; }
    static std::uint8_t maskOf(Bit bit) {
        return static_cast<std::uint8_t>(static_cast<std::uint16_t>(bit) & 0xFFU);
    }
    std::array<std::uint8_t, N> bytes_{};
};

using Tvr = BitField<5, TvrBit>;
using Tsi = BitField<2, TsiBit>;

}  // namespace taplink::emv
