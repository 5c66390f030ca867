#include "taplink/emv/generate_ac.hpp"

#include <string>

#include "taplink/base/byte_reader.hpp"
#include "taplink/emv/emv_error.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/emv_transport.hpp"

namespace taplink::emv {

namespace {

constexpr std::uint8_t kInsGenerateAc = 0xAE;
constexpr std::uint8_t kTypeMask = 0xC0;  // CID b8-b7
constexpr std::size_t kCryptogramSize = 8;
constexpr std::size_t kMaxIadSize = 32;

CryptogramType typeOf(std::uint8_t cid) {
    const auto bits = static_cast<std::uint8_t>(cid & kTypeMask);
    if (bits == kTypeMask) {
        throw MalformedAnswer("GENERATE AC: CID " + toHex(Bytes{cid}) + " is RFU");
    }
    return static_cast<CryptogramType>(bits);
}

int rankOf(CryptogramType type) {
    switch (type) {
        case CryptogramType::Aac:
            return 0;
        case CryptogramType::Arqc:
            return 1;
        case CryptogramType::Tc:
            return 2;
    }
    return 0;
}

// Format 1 (Book 3 6.5.5.4): the fields one after the other in one 80 object.
GenerateAcResult fromFormat1(ByteView value) {
    ByteReader<MalformedAnswer> in(value, "GENERATE AC format 1");
    GenerateAcResult result;
    result.cid = in.u8("the CID");
    result.atc = in.u16("the ATC");
    result.cryptogram = in.take(kCryptogramSize, "the cryptogram");
    if (in.remaining() > kMaxIadSize) {
        throw MalformedAnswer("GENERATE AC format 1: issuer application data over 32 bytes");
    }
    result.issuerApplicationData = in.take(in.remaining(), "the IAD");
    return result;
}

GenerateAcResult fromFormat2(const EmvTemplate& answer) {
    GenerateAcResult result;
    result.cid = answer.required(tag::kCryptogramInformationData).front();
    result.atc = static_cast<std::uint16_t>(bigEndian(answer.required(tag::kAtc)));
    result.cryptogram = answer.required(tag::kApplicationCryptogram);
    if (const Bytes* iad = answer.optional(tag::kIssuerApplicationData)) {
        result.issuerApplicationData = *iad;
    }
    return result;
}

GenerateAcResult parseFormat1(ByteView answer) {
    std::vector<tlv::Tlv> objects;
    try {
        objects = tlv::parse(answer);
    } catch (const tlv::TlvError& error) {
        throw MalformedAnswer(std::string("GENERATE AC format 1: ") + error.what());
    }
    if (objects.size() != 1) {
        throw MalformedAnswer("GENERATE AC format 1: more than the one 80 object");
    }
    return fromFormat1(objects.front().value);
}

GenerateAcResult run(apdu::ApduChannel& channel, CryptogramType asked, ByteView cdolData,
                     bool second) {
    const std::string what = std::string(second ? "second" : "first") + " GENERATE AC";
    const Bytes answer =
        requireSuccess(exchange(channel, generateAcCommand(asked, cdolData)), what);
    GenerateAcResult result = parseGenerateAcAnswer(answer);
    checkCryptogramType(asked, result.type, second);
    return result;
}

}  // namespace

const char* cryptogramName(CryptogramType type) {
    switch (type) {
        case CryptogramType::Aac:
            return "AAC";
        case CryptogramType::Tc:
            return "TC";
        case CryptogramType::Arqc:
            return "ARQC";
    }
    return "?";
}

apdu::CommandApdu generateAcCommand(CryptogramType type, ByteView cdolData) {
    return apdu::CommandApdu{0x80,
                             kInsGenerateAc,
                             static_cast<std::uint8_t>(type),
                             0x00,
                             Bytes(cdolData.begin(), cdolData.end()),
                             apdu::kMaxShortLe};
}

GenerateAcResult parseGenerateAcAnswer(ByteView answer) {
    GenerateAcResult result =
        !answer.empty() && answer.front() == tag::kResponseFormat1
            ? parseFormat1(answer)
            : fromFormat2(EmvTemplate::parse(answer, tag::kResponseFormat2, "GENERATE AC"));
    result.type = typeOf(result.cid);
    return result;
}

void checkCryptogramType(CryptogramType asked, CryptogramType answered, bool secondGenerateAc) {
    const bool upgrade = rankOf(answered) > rankOf(asked);
    const bool arqcSecond = secondGenerateAc && answered == CryptogramType::Arqc;
    if (upgrade || arqcSecond) {
        throw MalformedAnswer(std::string("GENERATE AC: asked for ") + cryptogramName(asked) +
                              ", the card answered " + cryptogramName(answered));
    }
}

GenerateAcResult firstGenerateAc(apdu::ApduChannel& channel, ByteView cdol1Data) {
    return run(channel, CryptogramType::Arqc, cdol1Data, false);
}

GenerateAcResult secondGenerateAc(apdu::ApduChannel& channel, bool approve, ByteView cdol2Data) {
    return run(channel, approve ? CryptogramType::Tc : CryptogramType::Aac, cdol2Data, true);
}

}  // namespace taplink::emv
