// Byte layouts of the simulated PBOC 3.0 bank card (JR/T 0025 on EMV 4.3 Book 3): command
// codes, the card verification results and the answers of GET PROCESSING OPTIONS and
// GENERATE AC. Tags, data object lists and amounts are the EMV kernel's (taplink/emv/
// emv_tags.hpp, dol.hpp, bcd.hpp), the formulas taplink/crypto/emv_keys.hpp's.
#pragma once

#include <cstdint>
#include <optional>

#include "taplink/base/bytes.hpp"
#include "taplink/crypto/emv_keys.hpp"

namespace taplink::sim::pboc {

// EMV Book 3 6.3.2 (CLA) and 6.5 (INS).
inline constexpr std::uint8_t kClaEmv = 0x80;
inline constexpr std::uint8_t kClaSecureMessaging = 0x04;  // Book 3 6.3.2, Book 2 9.2
inline constexpr std::uint8_t kInsVerify = 0x20;
inline constexpr std::uint8_t kInsExternalAuthenticate = 0x82;
inline constexpr std::uint8_t kInsGetProcessingOptions = 0xA8;
inline constexpr std::uint8_t kInsGenerateAc = 0xAE;
inline constexpr std::uint8_t kInsGetData = 0xCA;
inline constexpr std::uint8_t kInsPutData = 0xDA;

// Status words beyond ISO/IEC 7816-4's common ones (EMV Book 3 6.3.5, Book 1 table 35).
namespace sw {
inline constexpr std::uint16_t kVerificationFailed = 0x6300;  // EXTERNAL AUTHENTICATE
inline constexpr std::uint16_t kPinBlocked = 0x6983;          // authentication method blocked
inline constexpr std::uint16_t kSmDataIncorrect = 0x6988;     // script MAC wrong
inline constexpr std::uint16_t kDataNotFound = 0x6A88;        // GET/PUT DATA of another tag
inline constexpr std::uint16_t kTriesLeft = 0x63C0;           // 63Cx: x tries left (VERIFY)
}  // namespace sw

// GENERATE AC P1 bits 8-7 and the cryptogram information data 9F27 (EMV Book 3 6.5.5.2,
// table 12 and 9F27 in annex A).
enum class AcType : std::uint8_t { Aac = 0x00, Tc = 0x40, Arqc = 0x80 };
inline constexpr std::uint8_t kAcTypeMask = 0xC0;
inline constexpr std::uint8_t kCdaRequested = 0x10;  // P1 bit 5; this card offers no CDA

// Card verification results (JR/T 0025.5 annex, the VIS layout EMV Book 3 annex C7 points
// to), 4 bytes:
//   byte 1: length 03
//   byte 2: bits 8-7 AC of the second GENERATE AC (00 AAC, 01 TC, 10 not requested),
//           bits 6-5 AC of the first (00 AAC, 01 TC, 10 ARQC), bit 4 issuer authentication
//           performed and failed, bit 3 offline PIN verification performed, bit 2 offline
//           PIN verification failed
//   byte 3: bit 7 PIN try limit exceeded, bit 4 issuer authentication failed on the last
//           online transaction
//   byte 4: 00 (script counters and the rest: not used by this card)
struct CardVerificationResults {
    AcType firstAc = AcType::Aac;
    std::optional<AcType> secondAc;  // nullopt: second GENERATE AC not requested (yet)
    bool issuerAuthenticationFailed = false;
    bool offlinePinPerformed = false;
    bool offlinePinFailed = false;
    bool pinTryLimitExceeded = false;
    bool issuerAuthenticationFailedLastOnline = false;

    Bytes encode() const;
};

// Issuer application data 9F10 (JR/T 0025.5; the published example
// 07 00 01 03A04002 01 0A 01 0000001000D1F61152): length 07, derivation key index,
// cryptogram version, CVR (4), algorithm indicator, then 0A, issuer discretionary data id
// 01 and 9 bytes of it (zeros on this card).
inline constexpr std::uint8_t kDerivationKeyIndex = 0x01;
Bytes issuerApplicationData(crypto::emv::Suite suite, const CardVerificationResults& cvr);

// GET PROCESSING OPTIONS answer, format 2 (EMV Book 3 6.5.8.4): 77 { 82 AIP, 94 AFL }.
Bytes processingOptions(ByteView aip, ByteView afl);
// GENERATE AC answer, format 2 (EMV Book 3 6.5.5.4): 77 { 9F27 CID, 9F36 ATC, 9F26 AC,
// 9F10 IAD }.
Bytes generateAcAnswer(AcType type, std::uint16_t atc, ByteView cryptogram, ByteView iad);

}  // namespace taplink::sim::pboc
