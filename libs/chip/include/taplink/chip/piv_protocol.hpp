// The PIV card application of the secure chip (NIST SP 800-73-4, "Interfaces for Personal
// Identity Verification", Part 1 data model and Part 2 card edge): every byte layout of its
// commands, answers and data objects, in one place. Used by the daemon's driver
// (chip/piv_chip.hpp) and by taplink-sim's applet. Clause numbers are those of SP 800-73-4.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"

namespace taplink::chip::piv {

// Part 2 clause 2.2: AID = RID A0 00 00 03 08 || PIX 00 00 10 00 01 00 (version 01 00).
Bytes applicationId();   // A0 00 00 03 08 00 00 10 00 01 00
Bytes applicationPix();  // 00 00 10 00 01 00
Bytes registeredId();    // A0 00 00 03 08 (NIST's RID, the tag allocation authority)

// Part 2 clause 3: instructions of the card edge. CLA 00; bit 5 of CLA (10) is command
// chaining (ISO/IEC 7816-4 clause 5.1.1.1), used for data longer than 255 bytes.
inline constexpr std::uint8_t kCla = 0x00;
inline constexpr std::uint8_t kClaChaining = 0x10;
inline constexpr std::uint8_t kInsVerify = 0x20;               // clause 3.2.1
inline constexpr std::uint8_t kInsChangeReferenceData = 0x24;  // clause 3.2.2
inline constexpr std::uint8_t kInsGeneralAuthenticate = 0x87;  // clause 3.2.4
inline constexpr std::uint8_t kInsGetData = 0xCB;              // clause 3.1.2
inline constexpr std::uint8_t kInsPutData = 0xDB;              // clause 3.3.1
inline constexpr std::uint8_t kInsGenerateKeyPair = 0x47;      // clause 3.3.2
inline constexpr std::uint8_t kP1GetData = 0x3F;               // GET/PUT DATA P1-P2 3F FF
inline constexpr std::uint8_t kP2GetData = 0xFF;

// Part 1 clause 3.5 / Part 2 table 4: key references.
inline constexpr std::uint8_t kPinReference = 0x80;       // PIV Card Application PIN
inline constexpr std::uint8_t kAuthenticationKey = 0x9A;  // PIV Authentication key (slot 9A)
// SP 800-78-4 table 6-2: cryptographic algorithm identifiers.
inline constexpr std::uint8_t kAlgorithmEccP256 = 0x11;

// Part 2 clause 3.2.1: the PIN is 6 to 8 ASCII digits, padded to 8 bytes with FF.
inline constexpr std::size_t kPinBlockSize = 8;
inline constexpr std::size_t kMinPinLength = 6;
inline constexpr std::uint8_t kPinPad = 0xFF;
inline constexpr int kPinTries = 3;

// Part 1 table 3 (data object identifiers, the BER-TLV tag given in GET DATA's tag list).
inline constexpr std::uint32_t kObjectChuid = 0x5FC102;               // Card Holder Unique Id
inline constexpr std::uint32_t kObjectAuthenticationCert = 0x5FC105;  // X.509 cert, slot 9A
inline constexpr std::uint32_t kObjectCcc = 0x5FC107;                 // Card Capability Container
inline constexpr std::uint32_t kObjectKeyHistory = 0x5FC10C;
inline constexpr std::uint32_t kObjectDiscovery = 0x7E;

// BER-TLV tags of the card edge.
inline constexpr std::uint32_t kTagApplicationTemplate = 0x61;  // Part 2 table 3 (SELECT)
inline constexpr std::uint32_t kTagAid = 0x4F;
inline constexpr std::uint32_t kTagAllocationAuthority = 0x79;
inline constexpr std::uint32_t kTagAlgorithms = 0xAC;
inline constexpr std::uint32_t kTagAlgorithmId = 0x80;
inline constexpr std::uint32_t kTagObjectIdentifier = 0x06;
inline constexpr std::uint32_t kTagTagList = 0x5C;                // GET DATA command data (3.1.2)
inline constexpr std::uint32_t kTagDataObject = 0x53;             // GET DATA answer, PUT DATA data
inline constexpr std::uint32_t kTagCertificate = 0x70;            // Part 1 table 15
inline constexpr std::uint32_t kTagCertInfo = 0x71;               // 00: not compressed
inline constexpr std::uint32_t kTagErrorDetection = 0xFE;         // LRC, always empty
inline constexpr std::uint32_t kTagDynamicAuthentication = 0x7C;  // Part 2 table 7
inline constexpr std::uint32_t kTagChallenge = 0x81;
inline constexpr std::uint32_t kTagResponse = 0x82;
inline constexpr std::uint32_t kTagPinUsagePolicy = 0x5F2F;  // Part 1 table 39 (Discovery)
// Part 2 clause 3.3.2, tables 10 and 11: GENERATE ASYMMETRIC KEY PAIR.
inline constexpr std::uint32_t kTagControlReference = 0xAC;  // command: AC { 80 algorithm }
inline constexpr std::uint32_t kTagPublicKey = 0x7F49;       // answer: 7F49 { 86 point }
inline constexpr std::uint32_t kTagEccPoint = 0x86;

// ISO/IEC 7816-4 short APDUs carry at most 255 data bytes; longer data is chained.
inline constexpr std::size_t kMaxChainLinkData = 255;

// Status words of the card edge (Part 2 clause 3, each command's table).
namespace sw {
inline constexpr std::uint16_t kPinBlocked = 0x6983;  // authentication method blocked
inline constexpr std::uint8_t kTriesLeftSw1 = 0x63;   // 63 Cx: wrong PIN, x tries left
inline constexpr std::uint8_t kTriesLeftNibble = 0xC0;
}  // namespace sw

// 63Cx for x tries left (0..15).
std::uint16_t triesLeftStatus(int triesLeft);
// x of a 63Cx status word; nullopt for any other word.
std::optional<int> triesLeftOf(std::uint16_t statusWord);

// A malformed PIV answer or data object.
class PivFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// ---- Commands (what the daemon sends) ----

// Part 2 clause 3.1.1 SELECT by the full AID, FCI wanted.
apdu::CommandApdu selectApplication();
// Part 2 clause 3.1.2 GET DATA: 00 CB 3F FF { 5C <object tag> } Le 00 (extended when the
// object may exceed 256 bytes is not needed: the card chains with 61xx).
apdu::CommandApdu getData(std::uint32_t objectId);
// Part 2 clause 3.2.1 VERIFY of the PIV PIN: 00 20 00 80 08 <PIN padded with FF>.
// Throws std::invalid_argument for a PIN that is not 6 to 8 digits.
apdu::CommandApdu verifyPin(std::string_view pin);
// VERIFY without data: asks whether the PIN is verified (9000) or how many tries are left.
apdu::CommandApdu pinStatus();
// Part 2 clause 3.2.2 CHANGE REFERENCE DATA: 00 24 00 80 10 <old padded> <new padded>.
apdu::CommandApdu changePin(std::string_view oldPin, std::string_view newPin);
// Part 2 clause 3.2.4 GENERAL AUTHENTICATE with slot 9A, ECC P-256:
// 00 87 11 9A 7C { 82 00, 81 <digest> } Le 00.
apdu::CommandApdu signWithAuthenticationKey(ByteView digest);
// Part 2 clause 3.3.2 GENERATE ASYMMETRIC KEY PAIR for slot 9A, ECC P-256:
// 00 47 00 9A 05 AC 03 80 01 11 Le 00.
apdu::CommandApdu generateAuthenticationKey();
// Part 2 clause 3.3.1 PUT DATA of the slot 9A certificate object:
// 00 DB 3F FF <5C 03 5F C1 05, 53 { 70 cert, 71 00, FE 00 }>, split into a command chain
// (ISO/IEC 7816-4 clause 5.1.1.1: CLA 10 on every command but the last) of at most 255
// data bytes each.
std::vector<apdu::CommandApdu> putAuthenticationCertificate(ByteView certificateDer);

// ---- Encoders and parsers shared by the driver and the simulated chip ----

// The PIN block: the digits, FF up to 8 bytes. Throws std::invalid_argument for a PIN
// that is not 6 to 8 ASCII digits.
Bytes pinBlock(std::string_view pin);

// Part 2 table 3: the SELECT answer, the Application Property Template
// 61 { 4F PIX, 79 { 4F RID }, AC { 80 11, 06 00 } }.
Bytes applicationPropertyTemplate();
// The PIX of the AID in a SELECT answer; PivFormatError when there is none.
Bytes pixFromPropertyTemplate(ByteView answer);

// The object named in GET DATA / PUT DATA command data (5C 01 7E or 5C 03 5F C1 xx);
// nullopt for a malformed tag list.
std::optional<std::uint32_t> requestedObject(ByteView commandData);

// Part 1 table 15 (X.509 certificate containers): 53 { 70 cert-DER, 71 00, FE 00 }.
Bytes certificateObject(ByteView certificateDer);
// The DER certificate in a GET DATA answer; PivFormatError when there is none or when it
// is compressed (71 01).
Bytes certificateFromObject(ByteView answer);
// The certificate in PUT DATA data: 5C 03 5F C1 05, 53 { 70 …, 71 00, FE 00 };
// nullopt when the data carries none.
std::optional<Bytes> certificateFromPutData(ByteView commandData);

// Part 1 table 9: CHUID 53 { 30 FASC-N(25), 34 GUID(16), 35 expiry "YYYYMMDD", 3E signature
// (empty: not issuer-signed), FE 00 }. The GUID carries the chip serial.
Bytes chuidObject(ByteView chipSerial);
// Part 1 table 8: CCC 53 { F0 card identifier(21), F1 21, F2 21, F3, F4 00, F5 10, F6, F7,
// FA, FB, FC, FD, FE }.
Bytes cccObject(ByteView chipSerial);
// Part 1 table 39: Discovery 7E { 4F AID, 5F2F 40 00 } (the PIV PIN is the only PIN).
Bytes discoveryObject();
// Part 1 table 19: Key History 53 { C1 00 (on-card retired certs), C2 00 (off-card), FE 00 }.
Bytes keyHistoryObject();

// Part 2 clause 3.2.4, table 7: the signature request 7C { 82 00, 81 <digest> }.
Bytes signatureRequest(ByteView digest);
// The challenge (81) of a request asking for a response (82 00); nullopt when the request
// is anything else.
std::optional<Bytes> challengeFromRequest(ByteView commandData);
// Part 2 clause 3.3.2, table 10: the key generation request AC { 80 <algorithm> }.
Bytes keyGenerationRequest(std::uint8_t algorithm);
// The algorithm a key generation request asks for; nullopt for a malformed request.
std::optional<std::uint8_t> algorithmFromGenerationRequest(ByteView commandData);
// Part 2 clause 3.3.2, table 11 (ECC): the answer 7F49 { 86 <uncompressed point> }.
Bytes publicKeyTemplate(ByteView point);
// The point in that answer; PivFormatError when there is none.
Bytes pointFromPublicKeyTemplate(ByteView answer);

// The answer 7C { 82 <DER ECDSA signature> }.
Bytes signatureResponse(ByteView signatureDer);
// The signature in that answer; PivFormatError when there is none.
Bytes signatureFromResponse(ByteView answer);

}  // namespace taplink::chip::piv
