// The Tap & Pay purchase's wire (libs/protocol purchase_wire.hpp): TLP1 and TLQ1 against byte
// strings written out by hand from docs/server.md's layouts, and the strictness of the JSON
// bodies, the order's merchant and the merchant name rule.
#include <gtest/gtest.h>

#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::net::wire {
namespace {

using nlohmann::json;

// "TLP1" || 05 "ORD-1" || nonce 00..0F || ATC 0021 || CID 40 || TC 1122334455667788
// || 02 AABB || 08 0701010360000001 || terminal 000000000001 || 261206 || 101500
constexpr const char* kResultHex =
    "544C5031"
    "054F52442D31"
    "000102030405060708090A0B0C0D0E0F"
    "0021"
    "40"
    "1122334455667788"
    "02AABB"
    "080701010360000001"
    "000000000001"
    "261206"
    "101500";

// "TLQ1" || 05 "ORD-1" || nonce 00..0F || ATC 0021 || reason 02 || terminal || date || time
constexpr const char* kReversalHex =
    "544C5131"
    "054F52442D31"
    "000102030405060708090A0B0C0D0E0F"
    "0021"
    "02"
    "000000000001"
    "261206"
    "101501";

Bytes nonce() {
    return fromHex("000102030405060708090A0B0C0D0E0F");
}

PurchaseResult result() {
    return PurchaseResult{"ORD-1",
                          nonce(),
                          0x0021,
                          kCidTc,
                          fromHex("1122334455667788"),
                          fromHex("AABB"),
                          fromHex("0701010360000001"),
                          fromHex("000000000001"),
                          fromHex("261206"),
                          fromHex("101500")};
}

PurchaseReversal reversal() {
    return PurchaseReversal{"ORD-1",
                            nonce(),
                            0x0021,
                            ReversalReason::CardGone,
                            fromHex("000000000001"),
                            fromHex("261206"),
                            fromHex("101501")};
}

json approvedJson() {
    return {{"orderId", "ORD-1"},
            {"arc", "3030"},
            {"issuerAuthenticationData", "01020304050607083030"},
            {"nonce", "000102030405060708090A0B0C0D0E0F"},
            {"authCode", "A1B2C3"}};
}

TEST(PurchaseWire, TheResultMessageIsTheDocumentedBytes) {
    EXPECT_EQ(toHex(encodePurchaseResult(result())), kResultHex);
    EXPECT_EQ(parsePurchaseResult(fromHex(kResultHex)), result());
}

TEST(PurchaseWire, AResultMessageOffTheLayoutIsRefused) {
    const Bytes good = fromHex(kResultHex);
    Bytes trailing = good;
    trailing.push_back(0x00);
    EXPECT_THROW(parsePurchaseResult(trailing), WireFormatError);
    Bytes ecMagic = good;
    ecMagic[2] = 'E';  // TLE1
    EXPECT_THROW(parsePurchaseResult(ecMagic), WireFormatError);
    EXPECT_THROW(parsePurchaseResult(ByteView(good).first(good.size() - 1)), WireFormatError);
    PurchaseResult shortIad = result();
    shortIad.iad.resize(7);
    EXPECT_THROW(encodePurchaseResult(shortIad), WireFormatError);
    PurchaseResult badDate = result();
    badDate.date = fromHex("261306");
    EXPECT_THROW(encodePurchaseResult(badDate), WireFormatError);
    PurchaseResult noCdol2 = result();
    noCdol2.cdol2Data.clear();
    EXPECT_THROW(encodePurchaseResult(noCdol2), WireFormatError);
}

TEST(PurchaseWire, TheReversalIsTheEcLayoutUnderItsOwnMagic) {
    const Bytes message = encodePurchaseReversal(reversal());
    EXPECT_EQ(toHex(message), kReversalHex);
    EXPECT_EQ(parsePurchaseReversal(message), reversal());
    // Neither kind of reversal passes for the other.
    EXPECT_THROW(parseEcLoadReversal(message), WireFormatError);
    EXPECT_THROW(parsePurchaseReversal(encodeEcLoadReversal(reversal())), WireFormatError);
    Bytes badReason = message;
    badReason[4 + 6 + 16 + 2] = 0x03;
    EXPECT_THROW(parsePurchaseReversal(badReason), WireFormatError);
}

TEST(PurchaseWire, TheAuthorizeRequestTakesASealOf28To4096Bytes) {
    const auto request = [](std::size_t size) {
        return json{{"sealed", std::string(2 * size, 'a')}, {"terminalId", "000000000001"}};
    };
    EXPECT_EQ(PurchaseAuthorizeRequest::fromJson(request(28)).sealed.size(), 28U);
    EXPECT_EQ(PurchaseAuthorizeRequest::fromJson(request(4096)).sealed.size(), 4096U);
    EXPECT_THROW(PurchaseAuthorizeRequest::fromJson(request(27)), WireFormatError);
    EXPECT_THROW(PurchaseAuthorizeRequest::fromJson(request(4097)), WireFormatError);
    json extra = request(28);
    extra["pan"] = "6288880000001234";
    EXPECT_THROW(PurchaseAuthorizeRequest::fromJson(extra), WireFormatError);
    json shortTerminal = request(28);
    shortTerminal["terminalId"] = "0001";
    EXPECT_THROW(PurchaseAuthorizeRequest::fromJson(shortTerminal), WireFormatError);
    const PurchaseAuthorizeRequest parsed = PurchaseAuthorizeRequest::fromJson(request(28));
    EXPECT_EQ(PurchaseAuthorizeRequest::fromJson(toJson(parsed)), parsed);
}

TEST(PurchaseWire, AnApprovalCarriesNonceAndAuthCodeAndADeclineNeither) {
    const auto approved = PurchaseAuthorizeResponse::fromJson(approvedJson());
    EXPECT_TRUE(approved.approved());
    EXPECT_EQ(approved.authCode, std::optional<std::string>("A1B2C3"));
    EXPECT_EQ(PurchaseAuthorizeResponse::fromJson(toJson(approved)), approved);

    json noNonce = approvedJson();
    noNonce.erase("nonce");
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(noNonce), WireFormatError);
    json lowerCase = approvedJson();
    lowerCase["authCode"] = "a1b2c3";
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(lowerCase), WireFormatError);
    json declinedWithNonce = approvedJson();
    declinedWithNonce["arc"] = "3531";
    declinedWithNonce["issuerAuthenticationData"] = "01020304050607083531";
    declinedWithNonce.erase("authCode");
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(declinedWithNonce), WireFormatError);
    declinedWithNonce.erase("nonce");
    EXPECT_FALSE(PurchaseAuthorizeResponse::fromJson(declinedWithNonce).approved());
    // 91 is ARPC || ARC: its ARC must be the answer's.
    json otherArc = declinedWithNonce;
    otherArc["issuerAuthenticationData"] = "01020304050607083030";
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(otherArc), WireFormatError);
}

TEST(PurchaseWire, PinTriesLeftComesWithAnIncorrectPinOnly) {
    const json wrongPin{{"orderId", "ORD-1"},
                        {"arc", "3535"},
                        {"issuerAuthenticationData", "01020304050607083535"},
                        {"pinTriesLeft", 2}};
    EXPECT_EQ(PurchaseAuthorizeResponse::fromJson(wrongPin).pinTriesLeft,
              std::optional<std::uint32_t>(2));
    json withoutTries = wrongPin;
    withoutTries.erase("pinTriesLeft");
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(withoutTries), WireFormatError);
    json blocked = wrongPin;
    blocked["arc"] = "3735";
    blocked["issuerAuthenticationData"] = "01020304050607083735";
    EXPECT_THROW(PurchaseAuthorizeResponse::fromJson(blocked), WireFormatError);
}

TEST(PurchaseWire, TheReceiptRoundTripsAndNamesItsStatus) {
    const PurchaseReceipt receipt{"RCP-1", "ORD-1",  "settled", 5000, "TapLink 演示商店 Demo Shop",
                                  "…1234", "A1B2C3", 1700000000};
    EXPECT_EQ(PurchaseReceipt::fromJson(toJson(receipt)), receipt);
    json pending = toJson(receipt);
    pending["status"] = "pending";
    EXPECT_THROW(PurchaseReceipt::fromJson(pending), WireFormatError);
}

TEST(PurchaseWire, OnlyAPurchaseOrderHasAMerchantAndItMustHaveOne) {
    const json purchase{{"orderId", "ORD-1"},        {"amount", 5000},   {"currency", "CNY"},
                        {"scheme", "bank-purchase"}, {"status", "open"}, {"merchant", "Shop"}};
    const Order order = Order::fromJson(purchase);
    EXPECT_EQ(order.merchant, std::optional<std::string>("Shop"));
    EXPECT_EQ(toJson(order), purchase);
    json noMerchant = purchase;
    noMerchant.erase("merchant");
    EXPECT_THROW(Order::fromJson(noMerchant), WireFormatError);
    json city = noMerchant;
    city["scheme"] = "city-epurse";
    EXPECT_FALSE(Order::fromJson(city).merchant);
    city["merchant"] = "Shop";
    EXPECT_THROW(Order::fromJson(city), WireFormatError);
    Order cityWithMerchant = order;
    cityWithMerchant.scheme = "bank-ec";
    EXPECT_THROW(toJson(cityWithMerchant), WireFormatError);
}

TEST(PurchaseWire, OnlyAPurchaseOrderMayNameAParametersVersionOfAtLeastOne) {
    json purchase{{"orderId", "ORD-1"},          {"amount", 5000},   {"currency", "CNY"},
                  {"scheme", "bank-purchase"},   {"status", "open"}, {"merchant", "Shop"},
                  {"paramsVersion", 4294967295U}};
    const Order order = Order::fromJson(purchase);
    EXPECT_EQ(order.paramsVersion, std::optional<std::uint32_t>(4294967295U));
    EXPECT_EQ(toJson(order), purchase);
    for (const json& bad : {json(0), json(4294967296U), json(-1), json("2"), json(1.5)}) {
        purchase["paramsVersion"] = bad;
        EXPECT_THROW(Order::fromJson(purchase), WireFormatError) << bad;
    }
    json ec{{"orderId", "ORD-1"},  {"amount", 5000},   {"currency", "CNY"},
            {"scheme", "bank-ec"}, {"status", "open"}, {"paramsVersion", 1}};
    EXPECT_THROW(Order::fromJson(ec), WireFormatError);
    Order ecWithVersion = Order::fromJson(json{{"orderId", "ORD-1"},
                                               {"amount", 5000},
                                               {"currency", "CNY"},
                                               {"scheme", "bank-ec"},
                                               {"status", "open"}});
    ecWithVersion.paramsVersion = 1;
    EXPECT_THROW(toJson(ecWithVersion), WireFormatError);
    Order zero = order;
    zero.paramsVersion = 0;
    EXPECT_THROW(toJson(zero), WireFormatError);
}

TEST(PurchaseWire, AMerchantNameIsShortPrintableUtf8) {
    EXPECT_TRUE(isValidMerchantName("TapLink 演示商店 Demo Shop"));
    EXPECT_TRUE(isValidMerchantName(std::string(64, 'x')));
    EXPECT_TRUE(isValidMerchantName("\xF0\x9F\x8D\xB5"));  // U+1F375, 4 bytes
    EXPECT_FALSE(isValidMerchantName(""));
    EXPECT_FALSE(isValidMerchantName(std::string(65, 'x')));
    EXPECT_FALSE(
        isValidMerchantName(std::string(22, 'x') + "演示商店演示商店演示商店演示商"));  // 67
    EXPECT_FALSE(isValidMerchantName("a\nb"));
    EXPECT_FALSE(isValidMerchantName("a\x7F"));
    EXPECT_FALSE(isValidMerchantName("a\xC2\x85"));         // U+0085, a C1 control
    EXPECT_FALSE(isValidMerchantName("a\xC3"));             // cut short
    EXPECT_FALSE(isValidMerchantName("\xC0\xAF"));          // overlong '/'
    EXPECT_FALSE(isValidMerchantName("\xED\xA0\x80"));      // a surrogate
    EXPECT_FALSE(isValidMerchantName("\xF4\x90\x80\x80"));  // above U+10FFFF
}

}  // namespace
}  // namespace taplink::net::wire
