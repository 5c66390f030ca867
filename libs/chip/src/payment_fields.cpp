// The purchase request's objects and the checks of their formats (EMV Book 3 Annex A1).
#include "payment_fields.hpp"

#include "strict_tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::chip::pay::fields {
namespace {

std::uint64_t numeric(ByteView value, const std::string& what) {
    const auto number = emv::numericValue(value);
    if (!number) {
        throw PurchaseFormatError(what + " is not n (BCD digits)");
    }
    return *number;
}

Bytes checkedDate(ByteView value, const std::string& what) {
    if (!emv::isDate(value)) {
        throw PurchaseFormatError(what + " 9A is not a YYMMDD date");
    }
    return {value.begin(), value.end()};
}

Bytes checkedAid(ByteView value, const std::string& what) {
    if (value.size() < mgmt::kMinAidSize || value.size() > mgmt::kMaxAidSize) {
        throw PurchaseFormatError(what + " 4F: an AID is 5..16 bytes");
    }
    return {value.begin(), value.end()};
}

// The applet takes CNY purchases of goods and services only (docs/chip.md).
void requireCnyGoods(const PurchaseRequest& request, const std::string& what) {
    if (request.currency != kCurrencyCny) {
        throw PurchaseFormatError(what + " 5F2A: currency " + std::to_string(request.currency) +
                                  " is not 0156 (CNY)");
    }
    if (request.type != kGoodsAndServices) {
        throw PurchaseFormatError(what + " 9C: transaction type " + toHex(Bytes{request.type}) +
                                  " is not 00 (goods and services)");
    }
}

}  // namespace

Bytes encodeAll(const std::vector<tlv::Tlv>& objects) {
    ByteWriter out;
    for (const tlv::Tlv& object : objects) {
        out.bytes(object.encode());
    }
    return out.take();
}

const Bytes& requiredValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag,
                           const std::string& what) {
    const tlv::Tlv* found = chip::detail::topLevel(objects, tag);
    if (found == nullptr) {
        throw PurchaseFormatError(what + ": no tag " + toHex(tlv::encodeTag(tag)));
    }
    return found->value;
}

const Bytes& sizedValue(const std::vector<tlv::Tlv>& objects, std::uint32_t tag, std::size_t size,
                        const std::string& what) {
    const Bytes& value = requiredValue(objects, tag, what);
    requireSize<PurchaseFormatError>(value, size, what + " " + toHex(tlv::encodeTag(tag)));
    return value;
}

PurchaseRequest requestOf(const std::vector<tlv::Tlv>& objects, const std::string& what) {
    PurchaseRequest request;
    request.amount = numeric(
        sizedValue(objects, emv::tag::kAmountAuthorised, emv::kAmountSize, what), what + " 9F02");
    request.currency = static_cast<std::uint16_t>(
        numeric(sizedValue(objects, emv::tag::kTransactionCurrencyCode, kCurrencySize, what),
                what + " 5F2A"));
    request.date = checkedDate(requiredValue(objects, emv::tag::kTransactionDate, what), what);
    request.type = sizedValue(objects, emv::tag::kTransactionType, 1, what)[0];
    requireCnyGoods(request, what);
    request.aid = checkedAid(requiredValue(objects, emv::tag::kAid, what), what);
    request.orderReference = sizedValue(objects, tag::kOrderReference, kOrderReferenceSize, what);
    return request;
}

}  // namespace taplink::chip::pay::fields
