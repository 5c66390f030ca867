#include "applets/pboc_layout.hpp"

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::sim::pboc {

namespace tag = emv::tag;

namespace {

std::uint8_t acBits(AcType type) {
    switch (type) {
        case AcType::Aac:
            return 0b00;
        case AcType::Tc:
            return 0b01;
        case AcType::Arqc:
            return 0b10;
    }
    return 0b11;
}

}  // namespace

Bytes CardVerificationResults::encode() const {
    constexpr std::uint8_t kSecondNotRequested = 0b10;
    const std::uint8_t second = secondAc ? acBits(*secondAc) : kSecondNotRequested;
    auto byte2 = static_cast<std::uint8_t>((second << 6U) | (acBits(firstAc) << 4U));
    byte2 |= issuerAuthenticationFailed ? 0x08U : 0U;
    byte2 |= offlinePinPerformed ? 0x04U : 0U;
    byte2 |= offlinePinFailed ? 0x02U : 0U;
    std::uint8_t byte3 = pinTryLimitExceeded ? 0x40U : 0U;
    byte3 |= issuerAuthenticationFailedLastOnline ? 0x08U : 0U;
    return Bytes{0x03, byte2, byte3, 0x00};
}

Bytes issuerApplicationData(crypto::emv::Suite suite, const CardVerificationResults& cvr) {
    constexpr std::uint8_t kStandardPartLength = 0x07;
    constexpr std::uint8_t kDiscretionaryLength = 0x0A;
    constexpr std::uint8_t kDiscretionaryId = 0x01;
    constexpr std::size_t kDiscretionaryBytes = 9;
    return ByteWriter()
        .u8(kStandardPartLength)
        .u8(kDerivationKeyIndex)
        .u8(crypto::emv::kCryptogramVersion)
        .bytes(cvr.encode())
        .u8(crypto::emv::algorithmIndicatorOf(suite))
        .u8(kDiscretionaryLength)
        .u8(kDiscretionaryId)
        .bytes(Bytes(kDiscretionaryBytes, 0x00))
        .take();
}

Bytes processingOptions(ByteView aip, ByteView afl) {
    return tlv::Tlv::constructedOf(tag::kResponseFormat2,
                                   {tlv::Tlv::primitive(tag::kAip, Bytes(aip.begin(), aip.end())),
                                    tlv::Tlv::primitive(tag::kAfl, Bytes(afl.begin(), afl.end()))})
        .encode();
}

Bytes generateAcAnswer(AcType type, std::uint16_t atc, ByteView cryptogram, ByteView iad) {
    return tlv::Tlv::constructedOf(
               tag::kResponseFormat2,
               {tlv::Tlv::primitive(tag::kCryptogramInformationData,
                                    Bytes{static_cast<std::uint8_t>(type)}),
                tlv::Tlv::primitive(tag::kAtc, ByteWriter().u16(atc).take()),
                tlv::Tlv::primitive(tag::kApplicationCryptogram,
                                    Bytes(cryptogram.begin(), cryptogram.end())),
                tlv::Tlv::primitive(tag::kIssuerApplicationData, Bytes(iad.begin(), iad.end()))})
        .encode();
}

}  // namespace taplink::sim::pboc
