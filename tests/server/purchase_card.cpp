#include "purchase_card.hpp"

#include <openssl/evp.h>

#include <chrono>

#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/pin_block.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/emv/bcd.hpp"

namespace taplink::servertest {

namespace {

namespace emv = crypto::emv;
namespace wire = net::wire;
namespace pay = chip::pay;
using tlv::Tlv;

constexpr emv::Suite kSuite = emv::Suite::TripleDes;
// The test card's CDOL1: 9F02 06 9F03 06 9F1A 02 95 05 5F2A 02 9A 03 9C 01 9F37 04 9F66 04.
constexpr const char* kCdol1 = "9F02069F03069F1A0295055F2A029A039C019F37049F6604";
constexpr const char* kFirstAcCvr = "03A00000";  // CVR byte 2: ARQC asked at the first AC
constexpr const char* kAid = "A000000333010101";

Bytes panBytes(const std::string& pan) {
    std::string padded = pan;
    if (padded.size() % 2 != 0) {
        padded.push_back('F');  // 5A: cn, padded with F (EMV Book 3 annex A)
    }
    return fromHex(padded);
}

}  // namespace

Bytes yymmddOf(std::chrono::system_clock::time_point when) {
    const auto seconds = std::chrono::system_clock::to_time_t(when);
    std::tm utc{};
    gmtime_r(&seconds, &utc);
    const auto year = static_cast<std::uint64_t>(utc.tm_year % 100);
    const auto month = static_cast<std::uint64_t>(utc.tm_mon) + 1;
    const auto yymmdd = (year * 100 + month) * 100 + static_cast<std::uint64_t>(utc.tm_mday);
    return taplink::emv::encodeNumeric(yymmdd, 3);  // n6, BCD (EMV Book 3 annex A, 9A)
}

Bytes todayYymmdd() {
    return yymmddOf(std::chrono::system_clock::now());
}

Bytes sha256(std::string_view text) {
    Bytes digest(EVP_MAX_MD_SIZE);
    unsigned length = 0;
    EVP_Digest(text.data(), text.size(), digest.data(), &length, EVP_sha256(), nullptr);
    digest.resize(length);
    return digest;
}

PurchaseCard::PurchaseCard(const sim::BankIssuer& issuer, std::string pan,
                           chip::mgmt::PaymentKeys keys, Bytes chipSerial)
    : keys_(*issuer.keysFor(kSuite)),
      pan_(std::move(pan)),
      paymentKeys_(std::move(keys)),
      chipSerial_(std::move(chipSerial)),
      terminalId_(chipSerial_.end() - wire::kTerminalIdSize, chipSerial_.end()) {}

Bytes PurchaseCard::sessionKey() const {
    return emv::sessionKey(kSuite, emv::iccMasterKey(kSuite, keys_.ac, pan_, psn_), atc_);
}

// 9F10 (JR/T 0025.5): length 07, DKI 01, CVN 01, CVR (4), algorithm indicator.
Bytes PurchaseCard::iad(ByteView cvr) const {
    return ByteWriter()
        .bytes(fromHex("070101"))
        .bytes(cvr)
        .u8(emv::algorithmIndicatorOf(kSuite))
        .take();
}

pay::SealedPurchase PurchaseCard::purchase(const std::string& orderId, const PurchaseTerms& terms) {
    ++atc_;
    pay::SealedPurchase sealed;
    sealed.purchaseNumber = ++purchaseNumber_;
    sealed.unpredictableNumber = crypto::randomBytes(4);
    sealed.request.amount = terms.amount;
    sealed.request.currency = terms.currency;
    sealed.request.date = terms.date.value_or(todayYymmdd());
    sealed.request.type = terms.type;
    sealed.request.aid = fromHex(kAid);
    sealed.request.orderReference = terms.orderReference.value_or(sha256(orderId));
    cdol1Data_ = ByteWriter()
                     .bytes(taplink::emv::encodeAmount(terms.cardAmount.value_or(terms.amount)))
                     .bytes(taplink::emv::encodeAmount(0))
                     .bytes(fromHex("0156"))
                     .bytes(fromHex("0000000000"))
                     .bytes(taplink::emv::encodeNumeric(terms.currency, 2))
                     .bytes(sealed.request.date)
                     .u8(terms.type)
                     .bytes(sealed.unpredictableNumber)
                     .bytes(fromHex("10800000"))
                     .take();
    arqc_ = emv::applicationCryptogram(
        kSuite, sessionKey(),
        ByteWriter().bytes(cdol1Data_).bytes(aip_).u16(atc_).bytes(fromHex(kFirstAcCvr)).take());
    sealed.cardData = {Tlv::primitive(0x5A, panBytes(pan_)),
                       Tlv::primitive(0x5F24, fromHex(terms.expiry)),
                       Tlv::primitive(0x5F34, {psn_}),
                       Tlv::primitive(0x82, aip_),
                       Tlv::primitive(0x8C, fromHex(kCdol1)),
                       Tlv::primitive(0x9F36, ByteWriter().u16(atc_).take()),
                       Tlv::primitive(0x9F27, {wire::kCidArqc}),
                       Tlv::primitive(0x9F26, arqc_),
                       Tlv::primitive(0x9F10, iad(fromHex(kFirstAcCvr)))};
    if (terms.pin) {
        sealed.pinBlock = crypto::encipherFormat4(paymentKeys_.pinKey, *terms.pin, pan_);
    }
    return sealed;
}

Bytes PurchaseCard::seal(const pay::SealedPurchase& purchase) const {
    return pay::sealPurchase(paymentKeys_.channelKey, chipSerial_, purchase);
}

bool PurchaseCard::authenticates(const wire::PurchaseAuthorizeResponse& answer) const {
    const Bytes expected = emv::arpcMethod1(kSuite, sessionKey(), arqc_, answer.arc);
    return answer.issuerAuthenticationData == concat(expected, answer.arc);
}

wire::PurchaseResult PurchaseCard::result(const std::string& orderId,
                                          const wire::PurchaseAuthorizeResponse& answer,
                                          bool tc) const {
    // CDOL2: 91 0A 8A 02 then CDOL1's objects; CVR byte 2 bits 8-7: 01 TC, 00 AAC.
    const Bytes cdol2Data = concat(concat(answer.issuerAuthenticationData, answer.arc), cdol1Data_);
    const Bytes cvr = fromHex(tc ? "03600000" : "03200000");
    const Bytes cryptogram = emv::applicationCryptogram(
        kSuite, sessionKey(),
        ByteWriter().bytes(cdol2Data).bytes(aip_).u16(atc_).bytes(cvr).take());
    return wire::PurchaseResult{orderId,       answer.nonce.value_or(Bytes(wire::kNonceSize, 0)),
                                atc_,          tc ? wire::kCidTc : wire::kCidAac,
                                cryptogram,    cdol2Data,
                                iad(cvr),      terminalId_,
                                todayYymmdd(), fromHex("101500")};
}

wire::PurchaseReversal PurchaseCard::reversal(const std::string& orderId,
                                              const wire::PurchaseAuthorizeResponse& answer,
                                              wire::ReversalReason reason) const {
    return wire::PurchaseReversal{orderId,
                                  answer.nonce.value_or(Bytes(wire::kNonceSize, 0)),
                                  atc_,
                                  reason,
                                  terminalId_,
                                  todayYymmdd(),
                                  fromHex("101501")};
}

}  // namespace taplink::servertest
