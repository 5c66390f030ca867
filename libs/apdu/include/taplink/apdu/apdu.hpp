// ISO/IEC 7816-4 command and response APDUs (clause 5.1: cases 1-4, short and extended).
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>

#include "taplink/base/bytes.hpp"

namespace taplink::apdu {

// Malformed APDU bytes. Parsing never reads past the input.
class ApduError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

inline constexpr std::size_t kMaxShortLc = 255;
inline constexpr std::size_t kMaxShortLe = 256;  // encoded as 00
inline constexpr std::size_t kMaxExtendedLc = 65535;
inline constexpr std::size_t kMaxExtendedLe = 65536;  // encoded as 0000

struct CommandApdu {
    std::uint8_t cla = 0;
    std::uint8_t ins = 0;
    std::uint8_t p1 = 0;
    std::uint8_t p2 = 0;
    Bytes data;
    // Maximum number of response bytes expected (1..65536); nullopt means no Le field.
    std::optional<std::size_t> le;

    // Short form unless the data or Le needs the extended form.
    bool isExtended() const;
    // Throws ApduError when data or Le exceed the extended limits.
    Bytes encode() const;
    // Accepts cases 1, 2S, 3S, 4S, 2E, 3E, 4E; anything else throws ApduError.
    static CommandApdu parse(ByteView bytes);

    bool operator==(const CommandApdu&) const = default;
};

struct ResponseApdu {
    Bytes data;
    std::uint16_t sw = 0;

    std::uint8_t sw1() const { return static_cast<std::uint8_t>(sw >> 8U); }
    std::uint8_t sw2() const { return static_cast<std::uint8_t>(sw & 0xFFU); }
    bool ok() const { return sw == 0x9000; }

    Bytes encode() const;
    // Needs at least the two status bytes; throws ApduError otherwise.
    static ResponseApdu parse(ByteView bytes);

    bool operator==(const ResponseApdu&) const = default;
};

// Interindustry instructions that more than one layer needs (ISO/IEC 7816-4 clause 5.4.2).
inline constexpr std::uint8_t kInsSelect = 0xA4;
inline constexpr std::uint8_t kInsReadBinary = 0xB0;
inline constexpr std::uint8_t kInsReadRecord = 0xB2;
inline constexpr std::uint8_t kInsGetResponse = 0xC0;

// A status word as four upper-case hex digits ("9302"), as error messages show it.
std::string statusWordHex(std::uint16_t statusWord);

// Common status words (ISO/IEC 7816-4 clause 5.6).
namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
inline constexpr std::uint16_t kEndOfFileReached = 0x6282;  // fewer bytes than Ne
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kCommandIncompatible = 0x6981;  // with the file structure
inline constexpr std::uint16_t kSecurityNotSatisfied = 0x6982;
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
inline constexpr std::uint16_t kNoCurrentEf = 0x6986;
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kFunctionNotSupported = 0x6A81;
inline constexpr std::uint16_t kFileNotFound = 0x6A82;
inline constexpr std::uint16_t kRecordNotFound = 0x6A83;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kWrongP1P2 = 0x6B00;  // e.g. offset beyond the EF
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
inline constexpr std::uint16_t kClaNotSupported = 0x6E00;
inline constexpr std::uint16_t kNoPreciseDiagnosis = 0x6F00;
inline constexpr std::uint8_t kMoreDataSw1 = 0x61;  // 61xx: xx more bytes via GET RESPONSE
inline constexpr std::uint8_t kWrongLeSw1 = 0x6C;   // 6Cxx: re-issue with Le = xx
}  // namespace sw

}  // namespace taplink::apdu
