// The purchase commands' requests, answers and checks of chip/payment_protocol.hpp
// (docs/chip.md, "Payment applet: purchase"). Parsing is strict: only the layout's tags, each
// exactly once, canonical BER-TLV, every value of its size and format.
#include <algorithm>
#include <string>

#include "payment_fields.hpp"
#include "strict_tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/chip/payment_protocol.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::chip::pay {
namespace {

constexpr std::uint8_t kCryptogramTypeMask = 0xC0;
constexpr std::uint8_t kArqc = 0x80;
std::uint8_t cvmByte(Cvm cvm) {
    return static_cast<std::uint8_t>(cvm);
}

Cvm cvmOf(ByteView value) {
    requireSize<PurchaseFormatError>(value, 1, "purchase start DF23");
    if (value[0] != cvmByte(Cvm::None) && value[0] != cvmByte(Cvm::OnlinePin)) {
        throw PurchaseFormatError("purchase start: unknown CVM decision " + toHex(value));
    }
    return static_cast<Cvm>(value[0]);
}

apdu::CommandApdu command(std::uint8_t instruction, Bytes data, std::optional<std::size_t> le) {
    return apdu::CommandApdu{kCla, instruction, 0x00, 0x00, std::move(data), le};
}

}  // namespace

std::vector<tlv::Tlv> PurchaseRequest::objects() const {
    return {tlv::Tlv::primitive(emv::tag::kAmountAuthorised, emv::encodeAmount(amount)),
            tlv::Tlv::primitive(emv::tag::kTransactionCurrencyCode,
                                emv::encodeNumeric(currency, kCurrencySize)),
            tlv::Tlv::primitive(emv::tag::kTransactionDate, date),
            tlv::Tlv::primitive(emv::tag::kTransactionType, Bytes{type}),
            tlv::Tlv::primitive(emv::tag::kAid, aid),
            tlv::Tlv::primitive(tag::kOrderReference, orderReference)};
}

Bytes PurchaseRequest::encode() const {
    return fields::encodeAll(objects());
}

PurchaseRequest PurchaseRequest::parse(ByteView data) {
    const std::string what = "purchase request";
    const auto objects = chip::detail::strictObjects<PurchaseFormatError>(
        data,
        {emv::tag::kAmountAuthorised, emv::tag::kTransactionCurrencyCode,
         emv::tag::kTransactionDate, emv::tag::kTransactionType, emv::tag::kAid,
         tag::kOrderReference},
        what);
    return fields::requestOf(objects, what);
}

Bytes PurchaseStart::encode() const {
    return fields::encodeAll(
        {tlv::Tlv::primitive(emv::tag::kUnpredictableNumber, unpredictableNumber),
         tlv::Tlv::primitive(tag::kPurchaseNumber, ByteWriter().u32(purchaseNumber).take()),
         tlv::Tlv::primitive(tag::kCvmDecision, Bytes{cvmByte(cvm)})});
}

PurchaseStart PurchaseStart::parse(ByteView bytes) {
    const std::string what = "purchase start";
    const auto objects = chip::detail::strictObjects<PurchaseFormatError>(
        bytes, {emv::tag::kUnpredictableNumber, tag::kPurchaseNumber, tag::kCvmDecision}, what);
    PurchaseStart start;
    start.unpredictableNumber =
        fields::sizedValue(objects, emv::tag::kUnpredictableNumber, kUnpredictableNumberSize, what);
    start.purchaseNumber = static_cast<std::uint32_t>(
        bigEndian(fields::sizedValue(objects, tag::kPurchaseNumber, kPurchaseNumberSize, what)));
    start.cvm = cvmOf(fields::requiredValue(objects, tag::kCvmDecision, what));
    return start;
}

Bytes TokenAnswer::encode() const {
    return fields::encodeAll(
        {tlv::Tlv::primitive(tag::kTokenCode, Bytes(code.begin(), code.end())),
         tlv::Tlv::primitive(tag::kTokenCounter, ByteWriter().u64(counter).take())});
}

TokenAnswer TokenAnswer::parse(ByteView bytes) {
    const std::string what = "token answer";
    const auto objects = chip::detail::strictObjects<PurchaseFormatError>(
        bytes, {tag::kTokenCode, tag::kTokenCounter}, what);
    const Bytes& code = fields::requiredValue(objects, tag::kTokenCode, what);
    TokenAnswer answer{std::string(code.begin(), code.end()), 0};
    if (answer.code.empty() || !isDigits(answer.code)) {
        throw PurchaseFormatError("token answer: DF31 is not ASCII digits");
    }
    answer.counter =
        bigEndian(fields::sizedValue(objects, tag::kTokenCounter, kTokenCounterSize, what));
    return answer;
}

bool isArqc(std::uint8_t cryptogramInformation) {
    return (cryptogramInformation & kCryptogramTypeMask) == kArqc;
}

std::optional<std::string> panDigits(ByteView pan) {
    const std::string nibbles = toHex(pan);
    const std::size_t end = nibbles.find('F');
    const std::string digits = nibbles.substr(0, end);
    const bool paddedWithF =
        end == std::string::npos || nibbles.find_first_not_of('F', end) == std::string::npos;
    if (digits.empty() || !isDigits(digits) || !paddedWithF) {
        return std::nullopt;
    }
    return digits;
}

bool isValidPin(std::string_view pin) {
    return pin.size() >= kMinPinDigits && pin.size() <= kMaxPinDigits && isDigits(pin);
}

bool isBefore(ByteView yymmdd, ByteView other) {
    const auto first = emv::dateOrder(yymmdd);
    const auto second = emv::dateOrder(other);
    if (!first || !second) {
        throw PurchaseFormatError("isBefore: " + toHex(yymmdd) + " or " + toHex(other) +
                                  " is not a YYMMDD date");
    }
    return *first < *second;
}

apdu::CommandApdu beginPurchase(const PurchaseRequest& request) {
    return command(ins::kBeginPurchase, request.encode(), apdu::kMaxShortLe);
}

apdu::CommandApdu putCardData(ByteView objects) {
    return command(ins::kPutCardData, Bytes(objects.begin(), objects.end()), std::nullopt);
}

apdu::CommandApdu putPin(std::string_view pin) {
    return command(ins::kPutPin, Bytes(pin.begin(), pin.end()), std::nullopt);
}

apdu::CommandApdu seal() {
    return command(ins::kSeal, {}, apdu::kMaxShortLe);
}

apdu::CommandApdu generateToken(std::string_view challenge) {
    return command(ins::kGenerateToken, Bytes(challenge.begin(), challenge.end()),
                   apdu::kMaxShortLe);
}

}  // namespace taplink::chip::pay
