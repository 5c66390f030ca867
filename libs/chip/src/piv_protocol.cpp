#include "taplink/chip/piv_protocol.hpp"

#include <algorithm>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"

namespace taplink::chip::piv {

namespace {

using tlv::Tlv;

constexpr std::size_t kShortLe = apdu::kMaxShortLe;  // Le 00: up to 256 bytes, then 61xx

Bytes tagBytes(std::uint32_t objectId) {
    return tlv::encodeTag(objectId);
}

// An empty error detection code (Part 1 clause 3.1: "FE 00" closes every container).
Tlv errorDetectionCode() {
    return Tlv::primitive(kTagErrorDetection, {});
}

std::vector<Tlv> parseOrThrow(ByteView bytes, const char* what) {
    try {
        return tlv::parse(bytes);
    } catch (const tlv::TlvError& error) {
        throw PivFormatError(std::string(what) + ": " + error.what());
    }
}

const Tlv& requireTag(const std::vector<Tlv>& objects, std::uint32_t tag, const char* what) {
    const Tlv* found = tlv::find(objects, tag);
    if (found == nullptr) {
        throw PivFormatError(std::string(what) + ": no tag " + toHex(tlv::encodeTag(tag)));
    }
    return *found;
}

// The value right-aligned in a field of the given size, zeros in front (the value's last
// bytes when it is longer).
Bytes rightAligned(ByteView value, std::size_t size) {
    Bytes field(size, 0x00);
    const std::size_t count = std::min(size, value.size());
    std::copy(value.end() - static_cast<std::ptrdiff_t>(count), value.end(),
              field.end() - static_cast<std::ptrdiff_t>(count));
    return field;
}

bool isPinDigit(char c) {
    return c >= '0' && c <= '9';
}

}  // namespace

Bytes applicationId() {
    return {0xA0, 0x00, 0x00, 0x03, 0x08, 0x00, 0x00, 0x10, 0x00, 0x01, 0x00};
}

Bytes applicationPix() {
    return {0x00, 0x00, 0x10, 0x00, 0x01, 0x00};
}

Bytes registeredId() {
    return {0xA0, 0x00, 0x00, 0x03, 0x08};
}

std::uint16_t triesLeftStatus(int triesLeft) {
    const auto count = static_cast<std::uint8_t>(std::clamp(triesLeft, 0, 15));
    return static_cast<std::uint16_t>((sw::kTriesLeftSw1 << 8U) | sw::kTriesLeftNibble | count);
}

std::optional<int> triesLeftOf(std::uint16_t statusWord) {
    const auto sw1 = static_cast<std::uint8_t>(statusWord >> 8U);
    const auto sw2 = static_cast<std::uint8_t>(statusWord & 0xFFU);
    if (sw1 != sw::kTriesLeftSw1 || (sw2 & 0xF0U) != sw::kTriesLeftNibble) {
        return std::nullopt;
    }
    return static_cast<int>(sw2 & 0x0FU);
}

apdu::CommandApdu selectApplication() {
    return apdu::CommandApdu{kCla, apdu::kInsSelect, 0x04, 0x00, applicationId(), kShortLe};
}

apdu::CommandApdu getData(std::uint32_t objectId) {
    return apdu::CommandApdu{kCla,
                             kInsGetData,
                             kP1GetData,
                             kP2GetData,
                             Tlv::primitive(kTagTagList, tagBytes(objectId)).encode(),
                             kShortLe};
}

apdu::CommandApdu verifyPin(std::string_view pin) {
    return apdu::CommandApdu{kCla, kInsVerify, 0x00, kPinReference, pinBlock(pin), std::nullopt};
}

apdu::CommandApdu pinStatus() {
    return apdu::CommandApdu{kCla, kInsVerify, 0x00, kPinReference, {}, std::nullopt};
}

apdu::CommandApdu changePin(std::string_view oldPin, std::string_view newPin) {
    return apdu::CommandApdu{kCla,
                             kInsChangeReferenceData,
                             0x00,
                             kPinReference,
                             concat(pinBlock(oldPin), pinBlock(newPin)),
                             std::nullopt};
}

apdu::CommandApdu signWithAuthenticationKey(ByteView digest) {
    return apdu::CommandApdu{kCla,
                             kInsGeneralAuthenticate,
                             kAlgorithmEccP256,
                             kAuthenticationKey,
                             signatureRequest(digest),
                             kShortLe};
}

apdu::CommandApdu generateAuthenticationKey() {
    return apdu::CommandApdu{kCla,
                             kInsGenerateKeyPair,
                             0x00,
                             kAuthenticationKey,
                             keyGenerationRequest(kAlgorithmEccP256),
                             kShortLe};
}

std::vector<apdu::CommandApdu> putAuthenticationCertificate(ByteView certificateDer) {
    const Bytes data =
        concat(Tlv::primitive(kTagTagList, tagBytes(kObjectAuthenticationCert)).encode(),
               certificateObject(certificateDer));
    std::vector<apdu::CommandApdu> chain;
    for (std::size_t offset = 0; offset < data.size(); offset += kMaxChainLinkData) {
        const std::size_t size = std::min(kMaxChainLinkData, data.size() - offset);
        const bool last = offset + size == data.size();
        const auto begin = data.begin() + static_cast<std::ptrdiff_t>(offset);
        chain.push_back(apdu::CommandApdu{
            last ? kCla : static_cast<std::uint8_t>(kCla | kClaChaining), kInsPutData, kP1GetData,
            kP2GetData, Bytes(begin, begin + static_cast<std::ptrdiff_t>(size)), std::nullopt});
    }
    return chain;
}

Bytes pinBlock(std::string_view pin) {
    if (pin.size() < kMinPinLength || pin.size() > kPinBlockSize ||
        !std::all_of(pin.begin(), pin.end(), isPinDigit)) {
        throw std::invalid_argument("a PIV PIN is 6 to 8 digits");
    }
    Bytes block(pin.begin(), pin.end());
    block.resize(kPinBlockSize, kPinPad);
    return block;
}

Bytes applicationPropertyTemplate() {
    return Tlv::constructedOf(
               kTagApplicationTemplate,
               {Tlv::primitive(kTagAid, applicationPix()),
                Tlv::constructedOf(kTagAllocationAuthority,
                                   {Tlv::primitive(kTagAid, registeredId())}),
                Tlv::constructedOf(kTagAlgorithms,
                                   {Tlv::primitive(kTagAlgorithmId, {kAlgorithmEccP256}),
                                    Tlv::primitive(kTagObjectIdentifier, {})})})
        .encode();
}

Bytes pixFromPropertyTemplate(ByteView answer) {
    const auto objects = parseOrThrow(answer, "SELECT answer");
    const Tlv& property = requireTag(objects, kTagApplicationTemplate, "SELECT answer");
    // The first 4F directly in 61 is the PIX; the one inside 79 is the authority's RID.
    for (const auto& child : property.children) {
        if (child.tag == kTagAid) {
            return child.value;
        }
    }
    throw PivFormatError("SELECT answer: no PIX in the application property template");
}

std::optional<std::uint32_t> requestedObject(ByteView commandData) {
    try {
        const auto objects = tlv::parse(commandData);
        if (objects.empty() || objects.front().tag != kTagTagList ||
            objects.front().value.empty() || objects.front().value.size() > 3) {
            return std::nullopt;
        }
        return static_cast<std::uint32_t>(bigEndian(objects.front().value));
    } catch (const tlv::TlvError&) {
        return std::nullopt;
    }
}

Bytes certificateObject(ByteView certificateDer) {
    return Tlv::constructedOf(kTagDataObject,
                              {Tlv::primitive(kTagCertificate,
                                              Bytes(certificateDer.begin(), certificateDer.end())),
                               Tlv::primitive(kTagCertInfo, {0x00}), errorDetectionCode()})
        .encode();
}

Bytes certificateFromObject(ByteView answer) {
    const auto objects = parseOrThrow(answer, "certificate object");
    const Tlv& container = requireTag(objects, kTagDataObject, "certificate object");
    // 53 is primitive in BER terms, so its contents are parsed here.
    const auto contents = parseOrThrow(container.value, "certificate object");
    if (const Tlv* info = tlv::find(contents, kTagCertInfo);
        info != nullptr && !info->value.empty() && (info->value[0] & 0x01U) != 0) {
        throw PivFormatError("certificate object: compressed certificates are not supported");
    }
    const Tlv& certificate = requireTag(contents, kTagCertificate, "certificate object");
    if (certificate.value.empty()) {
        throw PivFormatError("certificate object: empty certificate");
    }
    return certificate.value;
}

std::optional<Bytes> certificateFromPutData(ByteView commandData) {
    try {
        const auto objects = tlv::parse(commandData);
        if (objects.size() < 2 || objects[0].tag != kTagTagList ||
            objects[1].tag != kTagDataObject) {
            return std::nullopt;
        }
        return certificateFromObject(objects[1].encode());
    } catch (const tlv::TlvError&) {
        return std::nullopt;
    } catch (const PivFormatError&) {
        return std::nullopt;
    }
}

Bytes chuidObject(ByteView chipSerial) {
    // A FASC-N of agency code 9999 (a test credential, SP 800-73-4 Part 1 clause 3.1.2),
    // in the 5-bit BCD with odd parity encoding of TIG SCEPACS.
    const Bytes fascN = fromHex("D4E739DA739CED39CE739D836858210842108421C84210C3EB");
    const std::string expiry = "20361231";
    return Tlv::constructedOf(
               kTagDataObject,
               {Tlv::primitive(0x30, fascN), Tlv::primitive(0x34, rightAligned(chipSerial, 16)),
                Tlv::primitive(0x35, Bytes(expiry.begin(), expiry.end())), Tlv::primitive(0x3E, {}),
                errorDetectionCode()})
        .encode();
}

Bytes cccObject(ByteView chipSerial) {
    // Card identifier: GSC-RID A0 00 00 01 16, manufacturer FF (none registered), card
    // type 02 (Java Card), then 14 bytes of card id (the chip serial).
    Bytes cardIdentifier = fromHex("A000000116FF02");
    const Bytes cardId = rightAligned(chipSerial, 14);
    cardIdentifier.insert(cardIdentifier.end(), cardId.begin(), cardId.end());
    std::vector<Tlv> fields{Tlv::primitive(0xF0, cardIdentifier),
                            Tlv::primitive(0xF1, {0x21}),  // capability container version
                            Tlv::primitive(0xF2, {0x21}),  // capability grammar version
                            Tlv::primitive(0xF3, {}),      // applications CardURL
                            Tlv::primitive(0xF4, {0x00}),  // PKCS#15: not present
                            Tlv::primitive(0xF5, {0x10}),  // registered data model number
                            Tlv::primitive(0xF6, {}),      // access control rule table
                            Tlv::primitive(0xF7, {}),      // card APDUs
                            Tlv::primitive(0xFA, {}),      // redirection tag
                            Tlv::primitive(0xFB, {}),      // capability tuples
                            Tlv::primitive(0xFC, {}),      // status tuples
                            Tlv::primitive(0xFD, {}),      // next CCC
                            errorDetectionCode()};
    return Tlv::constructedOf(kTagDataObject, std::move(fields)).encode();
}

Bytes discoveryObject() {
    // PIN usage policy byte 1: bit 7 (40) = the PIV Card Application PIN satisfies the PIV
    // access control rules; byte 2 = 00 (no global PIN to prefer).
    return Tlv::constructedOf(kObjectDiscovery, {Tlv::primitive(kTagAid, applicationId()),
                                                 Tlv::primitive(kTagPinUsagePolicy, {0x40, 0x00})})
        .encode();
}

Bytes keyHistoryObject() {
    return Tlv::constructedOf(kTagDataObject, {Tlv::primitive(0xC1, {0x00}),
                                               Tlv::primitive(0xC2, {0x00}), errorDetectionCode()})
        .encode();
}

Bytes signatureRequest(ByteView digest) {
    return Tlv::constructedOf(kTagDynamicAuthentication,
                              {Tlv::primitive(kTagResponse, {}),
                               Tlv::primitive(kTagChallenge, Bytes(digest.begin(), digest.end()))})
        .encode();
}

std::optional<Bytes> challengeFromRequest(ByteView commandData) {
    try {
        const auto objects = tlv::parse(commandData);
        if (objects.size() != 1 || objects[0].tag != kTagDynamicAuthentication) {
            return std::nullopt;
        }
        const auto& fields = objects[0].children;
        const Tlv* response = tlv::find(fields, kTagResponse);
        const Tlv* challenge = tlv::find(fields, kTagChallenge);
        if (response == nullptr || !response->value.empty() || challenge == nullptr ||
            challenge->value.empty()) {
            return std::nullopt;
        }
        return challenge->value;
    } catch (const tlv::TlvError&) {
        return std::nullopt;
    }
}

Bytes keyGenerationRequest(std::uint8_t algorithm) {
    return Tlv::constructedOf(kTagControlReference, {Tlv::primitive(kTagAlgorithmId, {algorithm})})
        .encode();
}

std::optional<std::uint8_t> algorithmFromGenerationRequest(ByteView commandData) {
    try {
        const auto objects = tlv::parse(commandData);
        if (objects.size() != 1 || objects[0].tag != kTagControlReference) {
            return std::nullopt;
        }
        const Tlv* algorithm = tlv::find(objects[0].children, kTagAlgorithmId);
        if (algorithm == nullptr || algorithm->value.size() != 1) {
            return std::nullopt;
        }
        return algorithm->value[0];
    } catch (const tlv::TlvError&) {
        return std::nullopt;
    }
}

Bytes publicKeyTemplate(ByteView point) {
    return Tlv::constructedOf(kTagPublicKey,
                              {Tlv::primitive(kTagEccPoint, Bytes(point.begin(), point.end()))})
        .encode();
}

Bytes pointFromPublicKeyTemplate(ByteView answer) {
    const auto objects = parseOrThrow(answer, "GENERATE ASYMMETRIC KEY PAIR answer");
    const Tlv& container =
        requireTag(objects, kTagPublicKey, "GENERATE ASYMMETRIC KEY PAIR answer");
    const Tlv& point =
        requireTag(container.children, kTagEccPoint, "GENERATE ASYMMETRIC KEY PAIR answer");
    if (point.value.empty()) {
        throw PivFormatError("GENERATE ASYMMETRIC KEY PAIR answer: empty point");
    }
    return point.value;
}

Bytes signatureResponse(ByteView signatureDer) {
    return Tlv::constructedOf(
               kTagDynamicAuthentication,
               {Tlv::primitive(kTagResponse, Bytes(signatureDer.begin(), signatureDer.end()))})
        .encode();
}

Bytes signatureFromResponse(ByteView answer) {
    const auto objects = parseOrThrow(answer, "GENERAL AUTHENTICATE answer");
    const Tlv& container =
        requireTag(objects, kTagDynamicAuthentication, "GENERAL AUTHENTICATE answer");
    const Tlv& response =
        requireTag(container.children, kTagResponse, "GENERAL AUTHENTICATE answer");
    if (response.value.empty()) {
        throw PivFormatError("GENERAL AUTHENTICATE answer: empty signature");
    }
    return response.value;
}

}  // namespace taplink::chip::piv
