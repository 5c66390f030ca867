#include "taplink/chip/load_sam_protocol.hpp"

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include <memory>
#include <utility>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/block_cipher.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/crypto/hkdf.hpp"
#include "taplink/crypto/openssl_handles.hpp"

namespace taplink::chip::sam {

namespace ep = cards::epurse;

namespace {

using crypto::PkeyPtr;

constexpr std::uint32_t kTagLifecycle = 0x80;
constexpr std::uint32_t kTagChipSerial = 0x81;
constexpr std::uint32_t kTagSamPublicKey = 0x82;
constexpr std::uint32_t kTagSm2PublicKey = 0x83;
constexpr std::size_t kInitializeForLoadAnswerSize = 16;
constexpr std::uint8_t kUncompressedPoint = 0x04;

std::string hexByte(std::uint8_t value) {
    return toHex(ByteView(&value, 1));
}

// Every layout of the wrong size, given or received, is a LoadSamFormatError.
using Reader = ByteReader<LoadSamFormatError>;

// The suite byte of a load authorization: the card's own algorithm id, 00 or 01 (triple
// DES) or 04 (SM4), JR/T 0025 e-purse.
std::uint8_t authorizationAlgorithmId(std::uint8_t algorithmId) {
    try {
        crypto::epurse::suiteFromAlgorithmId(algorithmId);
    } catch (const crypto::CryptoError&) {
        throw LoadSamFormatError("load authorization: unknown suite " + hexByte(algorithmId) +
                                 " (expected 00, 01 or 04)");
    }
    return algorithmId;
}

// GET CHIP INFO's tag 81 and the allowance statement's length byte hold 1..32 bytes.
void requireChipSerial(ByteView chipSerial, const char* what) {
    if (chipSerial.empty() || chipSerial.size() > kMaxChipSerialSize) {
        throw LoadSamFormatError(std::string(what) + ": a chip serial is 1.." +
                                 std::to_string(kMaxChipSerialSize) + " bytes, got " +
                                 std::to_string(chipSerial.size()));
    }
}

void requirePoint(ByteView point, const char* what) {
    requireSize<LoadSamFormatError>(point, kEcPointSize, what);
    if (point[0] != kUncompressedPoint) {
        throw LoadSamFormatError(std::string(what) +
                                 " is not an uncompressed point (04 || X || Y)");
    }
}

// --- The server's half of the envelope, all through OpenSSL EVP.

PkeyPtr p256KeyFromPoint(ByteView point) {
    requirePoint(point, "chip SAM public key");
    PkeyPtr key = crypto::publicKeyFromPoint("EC", crypto::kP256Group, point);
    if (!key) {
        throw LoadSamFormatError("chip SAM public key is not a point on P-256");
    }
    return key;
}

PkeyPtr p256KeyFromSpki(ByteView spki) {
    const unsigned char* cursor = spki.data();
    PkeyPtr key(d2i_PUBKEY(nullptr, &cursor, static_cast<long>(spki.size())));
    if (!key || cursor != spki.data() + spki.size()) {
        ERR_clear_error();
        throw LoadSamFormatError("chip SAM public key: not a DER SubjectPublicKeyInfo");
    }
    if (!crypto::isP256(key.get())) {
        ERR_clear_error();
        throw LoadSamFormatError("chip SAM public key: not an EC P-256 key");
    }
    return key;
}

PkeyPtr chipKeyFrom(ByteView spkiOrPoint) {
    constexpr std::uint8_t kDerSequence = 0x30;
    if (!spkiOrPoint.empty() && spkiOrPoint[0] == kDerSequence) {
        return p256KeyFromSpki(spkiOrPoint);
    }
    return p256KeyFromPoint(spkiOrPoint);
}

apdu::CommandApdu samCommand(std::uint8_t instruction, std::uint8_t p1, Bytes data,
                             std::optional<std::size_t> le) {
    return apdu::CommandApdu{kCla, instruction, p1, 0x00, std::move(data), le};
}

const tlv::Tlv& requiredTlv(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                            const char* what) {
    const tlv::Tlv* found = tlv::find(objects, tag);
    if (found == nullptr) {
        throw LoadSamFormatError(std::string("chip info: no ") + what);
    }
    return *found;
}

}  // namespace

Bytes applicationId() {
    return {0xF0, 0x54, 0x41, 0x50, 0x4C, 0x49, 0x4E, 0x4B, 0x53, 0x41, 0x4D};
}

std::string describeStatusWord(std::uint16_t statusWord) {
    switch (statusWord) {
        case sw::kOk:
            return "success";
        case sw::kConditionsNotSatisfied:
            return "wrong lifecycle state, or no load authorization imported";
        case sw::kAuthorizationExpired:
            return "load authorization expired, or a command the chip takes only through its "
                   "management channel";
        case sw::kAuthorizationUsed:
            return "load authorization already used";
        case sw::kEnvelopeInvalid:
            return "load authorization envelope does not open (tampered, or sealed to another "
                   "chip)";
        case sw::kAllowanceSignatureInvalid:
            return "the load authorization is not signed by the allowance key the chip holds";
        case sw::kWrongData:
            return "data does not match the load authorization (card serial, amount, terminal, "
                   "suite or key version), or is malformed";
        case sw::kMac1Invalid:
            return "MAC1 from the card does not verify";
        case sw::kWrongLength:
            return "wrong length";
        case sw::kIncorrectP1P2:
            return "incorrect P1-P2";
        case sw::kInsNotSupported:
            return "instruction not supported";
        case apdu::sw::kFileNotFound:
            return "load SAM application not found";
        case apdu::sw::kClaNotSupported:
            return "class not supported";
        default:
            break;
    }
    return "status " + apdu::statusWordHex(statusWord);
}

// --- Lifecycle

std::string_view lifecycleName(Lifecycle state) {
    switch (state) {
        case Lifecycle::Installed:
            return "installed";
        case Lifecycle::Operational:
            return "operational";
        case Lifecycle::Locked:
            return "locked";
    }
    return "unknown";
}

std::optional<Lifecycle> lifecycleFromByte(std::uint8_t value) {
    switch (value) {
        case static_cast<std::uint8_t>(Lifecycle::Installed):
            return Lifecycle::Installed;
        case static_cast<std::uint8_t>(Lifecycle::Operational):
            return Lifecycle::Operational;
        case static_cast<std::uint8_t>(Lifecycle::Locked):
            return Lifecycle::Locked;
        default:
            return std::nullopt;
    }
}

std::optional<Lifecycle> lifecycleFromName(std::string_view name) {
    for (const Lifecycle state :
         {Lifecycle::Installed, Lifecycle::Operational, Lifecycle::Locked}) {
        if (lifecycleName(state) == name) {
            return state;
        }
    }
    return std::nullopt;
}

// --- Load authorization

crypto::epurse::Suite LoadAuthorization::suite() const {
    return crypto::epurse::suiteFromAlgorithmId(algorithmId);
}

Bytes LoadAuthorization::encode() const {
    requireSize<LoadSamFormatError>(cardSerial, ep::kSerialSize, "load authorization: card serial");
    requireSize<LoadSamFormatError>(terminalId, ep::kTerminalIdSize,
                                    "load authorization: terminal id");
    requireSize<LoadSamFormatError>(nonce, kNonceSize, "load authorization: nonce");
    requireSize<LoadSamFormatError>(dlk, kDlkSize, "load authorization: DLK");
    return ByteWriter()
        .u8(kAuthorizationVersion)
        .u8(authorizationAlgorithmId(algorithmId))
        .bytes(cardSerial)
        .u32(amount)
        .bytes(terminalId)
        .u16(onlineAtc)
        .bytes(nonce)
        .u64(expiry)
        .u8(keyIndex)
        .u8(keyVersion)
        .bytes(dlk)
        .take();
}

LoadAuthorization LoadAuthorization::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, kAuthorizationSize, "load authorization");
    const std::uint8_t version = in.u8("version");
    if (version != kAuthorizationVersion) {
        throw LoadSamFormatError("load authorization: unknown version " + hexByte(version));
    }
    LoadAuthorization authorization;
    authorization.algorithmId = authorizationAlgorithmId(in.u8("suite"));
    authorization.cardSerial = in.take(ep::kSerialSize, "card serial");
    authorization.amount = in.u32("amount");
    authorization.terminalId = in.take(ep::kTerminalIdSize, "terminal id");
    authorization.onlineAtc = in.u16("online ATC");
    authorization.nonce = in.take(kNonceSize, "nonce");
    authorization.expiry = in.u64("expiry");
    authorization.keyIndex = in.u8("key index");
    authorization.keyVersion = in.u8("key version");
    authorization.dlk = in.take(kDlkSize, "DLK");
    return authorization;
}

// --- Allowance signature

Bytes encodeAllowanceStatement(ByteView chipSerial, ByteView envelope) {
    requireChipSerial(chipSerial, "allowance statement");
    requireSize<LoadSamFormatError>(envelope, kEnvelopeSize, "allowance statement: envelope");
    return ByteWriter()
        .ascii(kAllowanceStatementMagic)
        .u8(static_cast<std::uint8_t>(chipSerial.size()))
        .bytes(chipSerial)
        .bytes(envelope)
        .take();
}

SignedEnvelope splitSignedEnvelope(ByteView data) {
    if (data.size() < kEnvelopeSize + kMinAllowanceSignatureSize ||
        data.size() > kEnvelopeSize + kMaxAllowanceSignatureSize) {
        throw LoadSamFormatError("IMPORT LOAD AUTHORIZATION: " + std::to_string(data.size()) +
                                 " bytes, not an envelope and an allowance signature");
    }
    return SignedEnvelope{data.first(kEnvelopeSize), data.subspan(kEnvelopeSize)};
}

// --- ECIES envelope

EnvelopeParts splitEnvelope(ByteView envelope) {
    requireSize<LoadSamFormatError>(envelope, kEnvelopeSize, "load authorization envelope");
    EnvelopeParts parts{envelope.first(kEcPointSize),
                        envelope.subspan(kEcPointSize, kAuthorizationSize),
                        envelope.last(kGcmTagSize)};
    requirePoint(parts.ephemeralPublicKey, "envelope ephemeral public key");
    return parts;
}

EnvelopeKey deriveEnvelopeKey(ByteView sharedSecret, ByteView chipSerial) {
    if (sharedSecret.empty() || chipSerial.empty()) {
        throw crypto::CryptoError("load SAM envelope: empty shared secret or chip serial");
    }
    const Bytes info = ByteWriter().ascii(kEnvelopeKdfLabel).bytes(chipSerial).take();
    Bytes output = crypto::hkdfSha256(sharedSecret, info, kEnvelopeKeySize + kEnvelopeIvSize);
    const ByteView view(output);
    EnvelopeKey key{Bytes(view.begin(), view.begin() + kEnvelopeKeySize),
                    Bytes(view.begin() + kEnvelopeKeySize, view.end())};
    OPENSSL_cleanse(output.data(), output.size());
    return key;
}

Bytes sealLoadAuthorization(ByteView chipPublicKeySpkiOrPoint, ByteView chipSerial,
                            const LoadAuthorization& authorization) {
    Bytes plaintext = authorization.encode();
    const PkeyPtr chipKey = chipKeyFrom(chipPublicKeySpkiOrPoint);
    const PkeyPtr ephemeral = crypto::generateKey("EC", crypto::kP256Group);
    const Bytes ephemeralPoint = crypto::uncompressedPoint(ephemeral.get());
    requirePoint(ephemeralPoint, "ephemeral public key");
    std::optional<Bytes> agreed = crypto::ecdhSharedSecret(ephemeral.get(), chipKey.get());
    if (!agreed) {
        throw crypto::CryptoError("load SAM envelope: ECDH with the chip SAM public key failed");
    }
    Bytes secret = std::move(*agreed);
    EnvelopeKey key = deriveEnvelopeKey(secret, chipSerial);
    const crypto::GcmSealed sealed =
        crypto::aes256GcmSeal(key.key, key.iv, ephemeralPoint, plaintext);
    OPENSSL_cleanse(secret.data(), secret.size());
    OPENSSL_cleanse(key.key.data(), key.key.size());
    OPENSSL_cleanse(plaintext.data(), plaintext.size());

    return ByteWriter().bytes(ephemeralPoint).bytes(sealed.ciphertext).bytes(sealed.tag).take();
}

// --- GET CHIP INFO answer

Bytes ChipInfo::encode() const {
    requireChipSerial(chipSerial, "chip info");
    requirePoint(samPublicKey, "chip info: SAM public key");
    requirePoint(sm2PublicKey, "chip info: SM2 public key");
    ByteWriter out;
    for (const auto& object :
         {tlv::Tlv::primitive(kTagLifecycle, {static_cast<std::uint8_t>(lifecycle)}),
          tlv::Tlv::primitive(kTagChipSerial, chipSerial),
          tlv::Tlv::primitive(kTagSamPublicKey, samPublicKey),
          tlv::Tlv::primitive(kTagSm2PublicKey, sm2PublicKey)}) {
        out.bytes(object.encode());
    }
    return out.take();
}

ChipInfo ChipInfo::parse(ByteView bytes) {
    std::vector<tlv::Tlv> objects;
    try {
        objects = tlv::parse(bytes);
    } catch (const tlv::TlvError& error) {
        throw LoadSamFormatError(std::string("chip info: ") + error.what());
    }
    ChipInfo info;
    const Bytes& state = requiredTlv(objects, kTagLifecycle, "lifecycle").value;
    requireSize<LoadSamFormatError>(state, 1, "chip info: lifecycle");
    const auto lifecycle = lifecycleFromByte(state[0]);
    if (!lifecycle) {
        throw LoadSamFormatError("chip info: unknown lifecycle state " + hexByte(state[0]));
    }
    info.lifecycle = *lifecycle;
    info.chipSerial = requiredTlv(objects, kTagChipSerial, "chip serial").value;
    requireChipSerial(info.chipSerial, "chip info");
    info.samPublicKey = requiredTlv(objects, kTagSamPublicKey, "SAM public key").value;
    requirePoint(info.samPublicKey, "chip info: SAM public key");
    info.sm2PublicKey = requiredTlv(objects, kTagSm2PublicKey, "SM2 public key").value;
    requirePoint(info.sm2PublicKey, "chip info: SM2 public key");
    return info;
}

// --- COMPUTE LOAD MAC2 request

Bytes LoadMac2Request::encode() const {
    requireSize<LoadSamFormatError>(cardSerial, ep::kSerialSize, "MAC2 request: card serial");
    requireSize<LoadSamFormatError>(terminalId, ep::kTerminalIdSize, "MAC2 request: terminal id");
    requireSize<LoadSamFormatError>(date, 4, "MAC2 request: date");
    requireSize<LoadSamFormatError>(time, 3, "MAC2 request: time");
    Bytes initializationAnswer;
    try {
        initializationAnswer = initialization.encode();
    } catch (const std::exception& error) {
        throw LoadSamFormatError(std::string("MAC2 request: ") + error.what());
    }
    requireSize<LoadSamFormatError>(initializationAnswer, kInitializeForLoadAnswerSize,
                                    "MAC2 request: INITIALIZE FOR LOAD answer");
    return ByteWriter()
        .bytes(cardSerial)
        .bytes(initializationAnswer)
        .u32(amount)
        .bytes(terminalId)
        .bytes(date)
        .bytes(time)
        .take();
}

LoadMac2Request LoadMac2Request::parse(ByteView bytes) {
    auto in = Reader::exactly(bytes, kMac2RequestSize, "MAC2 request");
    LoadMac2Request request;
    request.cardSerial = in.take(ep::kSerialSize, "card serial");
    request.initialization = ep::LoadInitialization::parse(
        in.view(kInitializeForLoadAnswerSize, "INITIALIZE FOR LOAD answer"));
    request.amount = in.u32("amount");
    request.terminalId = in.take(ep::kTerminalIdSize, "terminal id");
    request.date = in.take(4, "date");
    request.time = in.take(3, "time");
    return request;
}

// --- Commands

apdu::CommandApdu selectApplication() {
    return apdu::CommandApdu{0x00, apdu::kInsSelect, 0x04,
                             0x00, applicationId(),  apdu::kMaxShortLe};
}

apdu::CommandApdu getChipInfo() {
    return samCommand(ins::kGetChipInfo, 0x00, {}, apdu::kMaxShortLe);
}

apdu::CommandApdu setLifecycle(Lifecycle target) {
    return samCommand(ins::kSetLifecycle, static_cast<std::uint8_t>(target), {}, std::nullopt);
}

apdu::CommandApdu importLoadAuthorization(ByteView envelope, ByteView allowanceSignature) {
    requireSize<LoadSamFormatError>(envelope, kEnvelopeSize, "load authorization envelope");
    Bytes data(envelope.begin(), envelope.end());
    data.insert(data.end(), allowanceSignature.begin(), allowanceSignature.end());
    splitSignedEnvelope(data);  // the signature's size
    return samCommand(ins::kImportAuthorization, 0x00, std::move(data), std::nullopt);
}

apdu::CommandApdu computeLoadMac2(const LoadMac2Request& request) {
    return samCommand(ins::kComputeLoadMac2, 0x00, request.encode(), kMac2Size);
}

apdu::CommandApdu sm2Sign(ByteView message) {
    return samCommand(ins::kSm2Sign, 0x00, Bytes(message.begin(), message.end()),
                      apdu::kMaxShortLe);
}

}  // namespace taplink::chip::sam
