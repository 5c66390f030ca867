// The load SAM application of the secure chip: every byte layout of its commands, answers,
// load authorization and ECIES envelope, in one place. Used by the daemon's driver
// (chip/load_sam.hpp), by taplink-sim's chip, by the tests and later by the server.
//
// The SAM lets the daemon complete an e-purse load without ever holding the card's load
// key: the server seals a load authorization (with the card's DLK) to the chip's P-256
// key; the chip opens it, checks its binding and MAC1, and produces MAC2 once.
// docs/chip.md, "Load SAM application", describes the commands in prose.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

#include "taplink/apdu/apdu.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/crypto/epurse_keys.hpp"

namespace taplink::chip::sam {

// AID: F0 (unregistered RID range) "TAPLINKSAM" = F0 54 41 50 4C 49 4E 4B 53 41 4D.
Bytes applicationId();

inline constexpr std::uint8_t kCla = 0x80;

// Instructions (CLA 80). Even values outside 6X/9X, as ISO/IEC 7816-3 requires for T=0.
namespace ins {
inline constexpr std::uint8_t kGetChipInfo = 0x30;  // 80 30 00 00 00 -> chip info TLVs
// 80 32 <state> 00: withdrawn, always 6982 (the lifecycle moves only by MANAGE).
inline constexpr std::uint8_t kSetLifecycle = 0x32;
// 80 34 00 00 Lc <envelope || allowance signature>
inline constexpr std::uint8_t kImportAuthorization = 0x34;
inline constexpr std::uint8_t kComputeLoadMac2 = 0x36;  // 80 36 00 00 2B <request> 04 -> MAC2
inline constexpr std::uint8_t kSm2Sign = 0x38;          // 80 38 00 00 Lc <message> 00 -> DER
}  // namespace ins

// Status words of the load SAM (ISO/IEC 7816-4 clause 5.6 and the PBOC e-purse's 9302).
namespace sw {
inline constexpr std::uint16_t kOk = 0x9000;
// Not in the lifecycle state the command needs (import and compute: operational; every
// command but GET CHIP INFO once locked), or COMPUTE LOAD MAC2 with no authorization
// imported.
inline constexpr std::uint16_t kConditionsNotSatisfied = 0x6985;
// Security status not satisfied: an expired authorization, or a withdrawn plain command
// (SET LIFECYCLE 80 32, plain MANAGE 80 E2).
inline constexpr std::uint16_t kAuthorizationExpired = 0x6982;
inline constexpr std::uint16_t kAuthorizationUsed = 0x6983;  // its nonce produced a MAC2
// The envelope does not open: bad ephemeral key, or the AES-GCM tag does not verify
// (tampered, or sealed to another chip). ISO: incorrect secure messaging data objects.
inline constexpr std::uint16_t kEnvelopeInvalid = 0x6988;
// The allowance signature on an imported envelope does not verify under the allowance key the
// TSM set (ISO: reference data not usable).
inline constexpr std::uint16_t kAllowanceSignatureInvalid = 0x6984;
// Binding mismatch (card serial, amount, terminal id, online ATC, suite or key version differ from
// the authorization), or a malformed authorization or request.
inline constexpr std::uint16_t kWrongData = 0x6A80;
inline constexpr std::uint16_t kMac1Invalid = 0x9302;  // the card's MAC1 does not verify
inline constexpr std::uint16_t kWrongLength = 0x6700;
inline constexpr std::uint16_t kIncorrectP1P2 = 0x6A86;
inline constexpr std::uint16_t kInsNotSupported = 0x6D00;
}  // namespace sw

// Plain words for a status word of the load SAM.
std::string describeStatusWord(std::uint16_t statusWord);

// A malformed load authorization, envelope, request or answer (wrong length, unknown value).
class LoadSamFormatError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// --- Lifecycle: installed(01) -> operational(02) <-> locked(03), installed -> locked. Only the
// TSM changes it, through the management channel (chip/chip_management.hpp:
// mgmt::isAllowedTransition, MANAGE).

enum class Lifecycle : std::uint8_t {
    Installed = 0x01,
    Operational = 0x02,
    Locked = 0x03,
};

std::string_view lifecycleName(Lifecycle state);  // "installed", "operational", "locked"
std::optional<Lifecycle> lifecycleFromByte(std::uint8_t value);
std::optional<Lifecycle> lifecycleFromName(std::string_view name);

// --- Load authorization plaintext (66 bytes, fixed layout, big-endian integers):
//   version(1) = 01
//   suite(1)        the card's e-purse algorithm id from INITIALIZE FOR LOAD, as it sent it:
//                   00 or 01 triple DES, 04 SM4 (JR/T 0025 e-purse)
//   card serial(10) application serial of the card (EF 0x15)
//   amount(4)       fen
//   terminal id(6)
//   online ATC(2)   the card's online ATC from INITIALIZE FOR LOAD: CREDIT FOR LOAD moves it
//                   on, so at most one load can ever use an authorization for a given ATC
//   nonce(16)       one-time: the chip produces at most one MAC2 per nonce
//   expiry(8)       unix seconds; valid while the chip's clock is before it
//   key index(1), key version(1)   of the card's load key
//   DLK(16)         the card's load key (diversified)
inline constexpr std::uint8_t kAuthorizationVersion = 0x01;
inline constexpr std::size_t kNonceSize = 16;
inline constexpr std::size_t kDlkSize = 16;
inline constexpr std::size_t kAuthorizationSize = 1 + 1 + cards::epurse::kSerialSize + 4 +
                                                  cards::epurse::kTerminalIdSize + 2 + kNonceSize +
                                                  8 + 1 + 1 + kDlkSize;  // 66

struct LoadAuthorization {
    // The card's byte, not a normalised one: the SAM computes MAC2 only for a card whose
    // INITIALIZE FOR LOAD answer carries this very id.
    std::uint8_t algorithmId = 0x01;
    Bytes cardSerial;  // 10
    std::uint32_t amount = 0;
    Bytes terminalId;  // 6
    std::uint16_t onlineAtc = 0;
    Bytes nonce;  // 16
    std::uint64_t expiry = 0;
    std::uint8_t keyIndex = 0;
    std::uint8_t keyVersion = 0;
    Bytes dlk;  // 16

    // The suite of algorithmId; crypto::CryptoError for an id that is not 00, 01 or 04.
    crypto::epurse::Suite suite() const;
    // LoadSamFormatError for a field of the wrong size or an algorithm id not 00, 01 or 04.
    Bytes encode() const;
    // LoadSamFormatError unless exactly kAuthorizationSize bytes, version 01, suite 00, 01 or
    // 04.
    static LoadAuthorization parse(ByteView bytes);
};

// --- ECIES envelope (what IMPORT LOAD AUTHORIZATION carries; 147 bytes for version 01):
//   ephemeral public key(65)  P-256 point, uncompressed 04 || X || Y
//   ciphertext(66)            AES-256-GCM of the authorization plaintext
//   tag(16)                   GCM tag
// Z = ECDH(ephemeral private, chip SAM public) = the shared point's X coordinate (32 bytes).
// key(32) || IV(12) = HKDF-SHA256(IKM = Z, salt = none (RFC 5869: HashLen zero bytes, the same
//   as an empty salt), info = "TapLink load authorization v1" || chip serial, L = 44).
// AAD = the ephemeral public key (65 bytes). A fresh ephemeral key per envelope, so the
// key/IV pair is never reused.
inline constexpr std::size_t kEcPointSize = 65;
inline constexpr std::size_t kGcmTagSize = 16;
inline constexpr std::size_t kEnvelopeKeySize = 32;
inline constexpr std::size_t kEnvelopeIvSize = 12;
inline constexpr std::size_t kEnvelopeSize = kEcPointSize + kAuthorizationSize + kGcmTagSize;
inline constexpr std::string_view kEnvelopeKdfLabel = "TapLink load authorization v1";

struct EnvelopeParts {
    ByteView ephemeralPublicKey;  // 65
    ByteView ciphertext;          // 64
    ByteView tag;                 // 16
};
// Views into envelope. LoadSamFormatError unless kEnvelopeSize bytes starting with 04.
EnvelopeParts splitEnvelope(ByteView envelope);

struct EnvelopeKey {
    Bytes key;  // 32, AES-256
    Bytes iv;   // 12
};
// The HKDF step above, from the ECDH X coordinate. CryptoError when OpenSSL fails.
EnvelopeKey deriveEnvelopeKey(ByteView sharedSecret, ByteView chipSerial);

// What the server does: seals the authorization to the chip's SAM key, given as a
// SubjectPublicKeyInfo (DER) or a 65-byte uncompressed P-256 point. LoadSamFormatError for
// a key that is not P-256 or a malformed authorization; crypto::CryptoError when OpenSSL
// fails.
Bytes sealLoadAuthorization(ByteView chipPublicKeySpkiOrPoint, ByteView chipSerial,
                            const LoadAuthorization& authorization);

// --- Allowance signature: the server's allowance key (P-256, the key that signs its money
// answers) signs, ECDSA with SHA-256, the chip allowance statement
//   magic(4) "TLC1" || chip serial length(1) || chip serial || envelope(147)
// IMPORT LOAD AUTHORIZATION carries envelope || signature (DER ECDSA-Sig-Value); the SAM
// verifies it with the allowance public key the TSM set (MANAGE C3) before it opens the
// envelope. So only the card company's server can have the chip produce a MAC2.
inline constexpr std::string_view kAllowanceStatementMagic = "TLC1";
inline constexpr std::size_t kMinAllowanceSignatureSize = 8;   // DER SEQUENCE of two INTEGERs
inline constexpr std::size_t kMaxAllowanceSignatureSize = 72;  // P-256: 2 + 2 * (2 + 33)
Bytes encodeAllowanceStatement(ByteView chipSerial, ByteView envelope);

struct SignedEnvelope {
    ByteView envelope;   // kEnvelopeSize
    ByteView signature;  // kMinAllowanceSignatureSize..kMaxAllowanceSignatureSize
};
// Views into IMPORT LOAD AUTHORIZATION's data. LoadSamFormatError for another length.
SignedEnvelope splitSignedEnvelope(ByteView data);

// --- GET CHIP INFO answer: BER-TLV, context-specific primitive tags, in this order:
//   80 lifecycle(1)   81 chip serial(1..32)
//   82 SAM ECDH public key(65, P-256 uncompressed)   83 SM2 public key(65, uncompressed)
inline constexpr std::size_t kMaxChipSerialSize = 32;

struct ChipInfo {
    Lifecycle lifecycle = Lifecycle::Installed;
    Bytes chipSerial;
    Bytes samPublicKey;  // P-256, 04 || X || Y
    Bytes sm2PublicKey;  // SM2 curve, 04 || X || Y

    Bytes encode() const;
    // LoadSamFormatError for missing or malformed fields.
    static ChipInfo parse(ByteView bytes);
};

// --- COMPUTE LOAD MAC2 request (43 bytes):
//   card serial(10) || INITIALIZE FOR LOAD answer(16: balance(4) online ATC(2) key version(1)
//   algorithm id(1) random(4) MAC1(4)) || amount(4) || terminal id(6) || date(4) || time(3)
// Answer: MAC2(4) = MAC(SESLK, amount || 02 || terminal id || date || time).
inline constexpr std::size_t kMac2RequestSize =
    cards::epurse::kSerialSize + 16 + 4 + cards::epurse::kTerminalIdSize + 4 + 3;  // 43
inline constexpr std::size_t kMac2Size = 4;

struct LoadMac2Request {
    Bytes cardSerial;  // 10
    cards::epurse::LoadInitialization initialization;
    std::uint32_t amount = 0;
    Bytes terminalId;  // 6
    Bytes date;        // 4, BCD YYYYMMDD
    Bytes time;        // 3, BCD hhmmss

    // LoadSamFormatError for a field of the wrong size.
    Bytes encode() const;
    // LoadSamFormatError unless exactly kMac2RequestSize bytes.
    static LoadMac2Request parse(ByteView bytes);
};

// --- SM2 SIGN: SM2 signature with SM3 over Z || message, Z computed with the default
// distinguishing identifier "1234567812345678" (GM/T 0009). Answer: DER SEQUENCE { r, s }.
inline constexpr std::string_view kSm2DefaultId = "1234567812345678";

// --- Commands.
apdu::CommandApdu selectApplication();  // 00 A4 04 00 0B <AID> 00
apdu::CommandApdu getChipInfo();
// The withdrawn 80 32 <state> 00, kept so that tests and the script policy can check that
// it is refused.
apdu::CommandApdu setLifecycle(Lifecycle target);
apdu::CommandApdu importLoadAuthorization(ByteView envelope, ByteView allowanceSignature);
apdu::CommandApdu computeLoadMac2(const LoadMac2Request& request);
apdu::CommandApdu sm2Sign(ByteView message);  // extended when > 255 bytes

}  // namespace taplink::chip::sam
