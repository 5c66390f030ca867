// The sealed purchase of chip/payment_protocol.hpp (docs/chip.md, "Payment applet:
// purchase"): nonce (12) || AES-256-GCM ciphertext || tag (16) under the channel key, with
// AAD = "TapLink purchase v1" || chip serial, over the E3 template.
#include <string>

#include "payment_fields.hpp"
#include "strict_tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/crypto/aes_gcm.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::chip::pay {
namespace {

std::vector<tlv::Tlv> templateObjects(const SealedPurchase& purchase) {
    std::vector<tlv::Tlv> objects{
        tlv::Tlv::primitive(tag::kPurchaseNumber, ByteWriter().u32(purchase.purchaseNumber).take()),
        tlv::Tlv::primitive(emv::tag::kUnpredictableNumber, purchase.unpredictableNumber)};
    for (tlv::Tlv& object : purchase.request.objects()) {
        objects.push_back(std::move(object));
    }
    objects.push_back(tlv::Tlv::constructedOf(tag::kCardData, purchase.cardData));
    if (purchase.pinBlock) {
        objects.push_back(tlv::Tlv::primitive(tag::kPinBlock, *purchase.pinBlock));
    }
    return objects;
}

const tlv::Tlv& onlyTemplate(const std::vector<tlv::Tlv>& outer) {
    if (outer.size() != 1 || outer[0].tag != tag::kSealedPurchase) {
        throw PurchaseFormatError("sealed purchase: not one E3 template");
    }
    return outer[0];
}

ByteView slice(ByteView bytes, std::size_t offset, std::size_t size) {
    return bytes.subspan(offset, size);
}

}  // namespace

Bytes SealedPurchase::encode() const {
    return tlv::Tlv::constructedOf(tag::kSealedPurchase, templateObjects(*this)).encode();
}

SealedPurchase SealedPurchase::parse(ByteView bytes) {
    const std::string what = "sealed purchase";
    const auto outer =
        chip::detail::strictObjects<PurchaseFormatError>(bytes, {tag::kSealedPurchase}, what);
    const tlv::Tlv& e3 = onlyTemplate(outer);
    const auto objects = chip::detail::strictObjects<PurchaseFormatError>(
        e3.value,
        {tag::kPurchaseNumber, emv::tag::kUnpredictableNumber, emv::tag::kAmountAuthorised,
         emv::tag::kTransactionCurrencyCode, emv::tag::kTransactionDate, emv::tag::kTransactionType,
         emv::tag::kAid, tag::kOrderReference, tag::kCardData, tag::kPinBlock},
        what);
    SealedPurchase purchase;
    purchase.purchaseNumber = static_cast<std::uint32_t>(
        bigEndian(fields::sizedValue(objects, tag::kPurchaseNumber, kPurchaseNumberSize, what)));
    purchase.unpredictableNumber =
        fields::sizedValue(objects, emv::tag::kUnpredictableNumber, kUnpredictableNumberSize, what);
    purchase.request = fields::requestOf(objects, what);
    fields::requiredValue(objects, tag::kCardData, what);
    purchase.cardData = chip::detail::topLevel(objects, tag::kCardData)->children;
    if (chip::detail::topLevel(objects, tag::kPinBlock) != nullptr) {
        purchase.pinBlock = fields::sizedValue(objects, tag::kPinBlock, kPinBlockSize, what);
    }
    return purchase;
}

Bytes sealAad(ByteView chipSerial) {
    return ByteWriter().ascii(kSealAadLabel).bytes(chipSerial).take();
}

Bytes detail::sealPurchaseWithNonce(ByteView channelKey, ByteView chipSerial,
                                    const SealedPurchase& purchase, ByteView nonce) {
    const crypto::GcmSealed sealed =
        crypto::aes256GcmSeal(channelKey, nonce, sealAad(chipSerial), purchase.encode());
    return ByteWriter().bytes(nonce).bytes(sealed.ciphertext).bytes(sealed.tag).take();
}

Bytes sealPurchase(ByteView channelKey, ByteView chipSerial, const SealedPurchase& purchase) {
    return detail::sealPurchaseWithNonce(channelKey, chipSerial, purchase,
                                         crypto::randomBytes(kSealNonceSize));
}

SealedPurchase openSealedPurchase(ByteView channelKey, ByteView chipSerial, ByteView sealed) {
    if (sealed.size() < kSealNonceSize + kSealTagSize) {
        throw SealError(SealErrorCode::TooShort,
                        "sealed purchase: " + std::to_string(sealed.size()) + " bytes");
    }
    const std::size_t textSize = sealed.size() - kSealNonceSize - kSealTagSize;
    const auto plaintext =
        crypto::aes256GcmOpen(channelKey, slice(sealed, 0, kSealNonceSize), sealAad(chipSerial),
                              slice(sealed, kSealNonceSize, textSize),
                              slice(sealed, kSealNonceSize + textSize, kSealTagSize));
    if (!plaintext) {
        throw SealError(SealErrorCode::NotAuthentic,
                        "sealed purchase: the tag does not verify for chip " + toHex(chipSerial));
    }
    return SealedPurchase::parse(*plaintext);
}

}  // namespace taplink::chip::pay
