#include "taplink/gp/scp03_commands.hpp"

#include <string>

#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/gp/gp_error.hpp"
#include "taplink/gp/scp03_kdf.hpp"

namespace taplink::gp {
namespace {

constexpr std::size_t kDiversificationSize = 10;
constexpr std::size_t kMacSize = 8;
constexpr std::size_t kAnswerSize = 29;         // S8 mode, random card challenge
constexpr std::size_t kCounterAnswerSize = 32;  // with the 3-byte sequence counter

// ByteReader's error type: every short field is a GpError BadLength.
struct LengthError : GpError {
    explicit LengthError(const std::string& message) : GpError(GpErrorCode::BadLength, message) {}
};

std::string hex8(std::uint8_t value) {
    return toHex(ByteView(&value, 1));
}

void requireByte(std::uint8_t actual, std::uint8_t expected, std::string_view what) {
    if (actual != expected) {
        throw GpError(GpErrorCode::BadFormat,
                      std::string(what) + " must be " + hex8(expected) + ", got " + hex8(actual));
    }
}

void checkAnswerSize(std::size_t size) {
    if (size != kAnswerSize && size != kCounterAnswerSize) {
        throw GpError(GpErrorCode::BadLength, "INITIALIZE UPDATE answer: " + std::to_string(size) +
                                                  " bytes, expected 29 or 32 (S8 mode)");
    }
}

// Amendment D 7.1.3: the sequence counter is there exactly when the challenge is
// pseudo-random; S16 mode has 16-byte challenges and cryptograms (not supported here).
void checkKeyInformation(std::uint8_t scpId, std::uint8_t iParameter, std::size_t size) {
    requireByte(scpId, kScp03, "INITIALIZE UPDATE answer: SCP identifier");
    if ((iParameter & iparam::kS16) != 0) {
        throw GpError(GpErrorCode::Unsupported, "INITIALIZE UPDATE answer: S16 mode (i " +
                                                    hex8(iParameter) + ") is not supported");
    }
    const bool pseudoRandom = (iParameter & iparam::kPseudoRandom) != 0;
    if (pseudoRandom != (size == kCounterAnswerSize)) {
        throw GpError(GpErrorCode::BadLength, "INITIALIZE UPDATE answer: " + std::to_string(size) +
                                                  " bytes do not match i " + hex8(iParameter));
    }
}

}  // namespace

bool isValidSecurityLevel(std::uint8_t securityLevel) {
    switch (securityLevel) {
        case level::kCmac:
        case level::kCmac | level::kCdec:
        case level::kCmac | level::kRmac:
        case level::kCmac | level::kCdec | level::kRmac:
        case level::kCmac | level::kCdec | level::kRmac | level::kRenc:
            return true;
        default:
            return false;
    }
}

bool isLevelSupported(std::uint8_t securityLevel, std::uint8_t iParameter) {
    const bool rmac = (iParameter & (iparam::kRmac | iparam::kRenc)) != 0;
    const bool renc = (iParameter & iparam::kRenc) != 0;
    return ((securityLevel & level::kRmac) == 0 || rmac) &&
           ((securityLevel & level::kRenc) == 0 || renc);
}

apdu::CommandApdu encodeInitializeUpdate(const InitializeUpdateCommand& command) {
    requireSize<LengthError>(command.hostChallenge, kChallengeSize, "host challenge");
    return {kClaGp, kInsInitializeUpdate,  command.keyVersion,
            0x00,   command.hostChallenge, apdu::kMaxShortLe};
}

InitializeUpdateCommand parseInitializeUpdate(const apdu::CommandApdu& command) {
    requireByte(command.cla, kClaGp, "INITIALIZE UPDATE: CLA");
    requireByte(command.ins, kInsInitializeUpdate, "INITIALIZE UPDATE: INS");
    requireByte(command.p2, 0x00, "INITIALIZE UPDATE: P2");
    requireSize<LengthError>(command.data, kChallengeSize, "INITIALIZE UPDATE: host challenge");
    return {command.p1, command.data};
}

Bytes encodeInitializeUpdateAnswer(const InitializeUpdateAnswer& answer) {
    requireSize<LengthError>(answer.diversificationData, kDiversificationSize,
                             "key diversification data");
    requireSize<LengthError>(answer.cardChallenge, kChallengeSize, "card challenge");
    requireSize<LengthError>(answer.cardCryptogram, kCryptogramSize, "card cryptogram");
    ByteWriter out;
    out.bytes(answer.diversificationData)
        .u8(answer.keyVersion)
        .u8(answer.scpId)
        .u8(answer.iParameter)
        .bytes(answer.cardChallenge)
        .bytes(answer.cardCryptogram);
    if (answer.sequenceCounter) {
        out.number(*answer.sequenceCounter, 3);
    }
    return out.take();
}

InitializeUpdateAnswer parseInitializeUpdateAnswer(ByteView data) {
    checkAnswerSize(data.size());
    ByteReader<LengthError> reader(data, "INITIALIZE UPDATE answer");
    InitializeUpdateAnswer answer;
    answer.diversificationData = reader.take(kDiversificationSize, "key diversification data");
    answer.keyVersion = reader.u8("key version number");
    answer.scpId = reader.u8("SCP identifier");
    answer.iParameter = reader.u8("i parameter");
    checkKeyInformation(answer.scpId, answer.iParameter, data.size());
    answer.cardChallenge = reader.take(kChallengeSize, "card challenge");
    answer.cardCryptogram = reader.take(kCryptogramSize, "card cryptogram");
    if (!reader.atEnd()) {
        answer.sequenceCounter = static_cast<std::uint32_t>(reader.number(3, "sequence counter"));
    }
    return answer;
}

ExternalAuthenticateCommand parseExternalAuthenticate(const apdu::CommandApdu& command) {
    requireByte(command.cla, kClaGp | kClaSecureMessaging, "EXTERNAL AUTHENTICATE: CLA");
    requireByte(command.ins, kInsExternalAuthenticate, "EXTERNAL AUTHENTICATE: INS");
    requireByte(command.p2, 0x00, "EXTERNAL AUTHENTICATE: P2");
    if (!isValidSecurityLevel(command.p1)) {
        throw GpError(GpErrorCode::BadFormat, "EXTERNAL AUTHENTICATE: security level " +
                                                  hex8(command.p1) + " is not valid");
    }
    auto reader = ByteReader<LengthError>::exactly(command.data, kCryptogramSize + kMacSize,
                                                   "EXTERNAL AUTHENTICATE data");
    ExternalAuthenticateCommand parsed{
        command.p1, reader.take(kCryptogramSize, "host cryptogram"), {}};
    parsed.mac = reader.take(kMacSize, "C-MAC");
    return parsed;
}

}  // namespace taplink::gp
