// taplink_protocol (topup_wire): the signed result message's byte layout and the strict JSON
// bodies.
#include <gtest/gtest.h>

#include <algorithm>
#include <array>

#include "taplink/base/masking.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::net::wire {
namespace {

TopupResult sampleResult() {
    return TopupResult{"ORD-ABCDEFGHIJKLMNOPQRST",
                       kAlgorithmTripleDes,
                       fromHex("00000000000000000042"),
                       1000,
                       5000,
                       6000,
                       7,
                       fromHex("434800000001"),
                       fromHex("20261121"),
                       fromHex("221500"),
                       fromHex("A1B2C3D4"),
                       fromHex("000102030405060708090A0B0C0D0E0F")};
}

TEST(TopupResultMessage, EncodesTheContractLayoutByteForByte) {
    const Bytes expected = fromHex(
        "544C5231"  // "TLR1"
        "18"
        "4F52442D4142434445464748494A4B4C4D4E4F5051525354"  // length 24, order id
        "01"                                                // algorithm id
        "00000000000000000042"                              // card serial
        "000003E8"
        "00001388"
        "00001770"  // 1000, 5000, 6000 fen
        "0007"      // online ATC
        "434800000001"
        "20261121"
        "221500"
        "A1B2C3D4"                            // terminal, date, time, TAC
        "000102030405060708090A0B0C0D0E0F");  // nonce
    EXPECT_EQ(encodeResult(sampleResult()), expected);
    EXPECT_EQ(expected.size(), kResultFixedSize + 24);
    EXPECT_EQ(parseResult(expected), sampleResult());
}

TEST(TopupResultMessage, EveryTruncationAndExtensionIsRefused) {
    const Bytes message = encodeResult(sampleResult());
    for (std::size_t length = 0; length < message.size(); ++length) {
        EXPECT_THROW(parseResult(ByteView(message).first(length)), WireFormatError) << length;
    }
    Bytes longer = message;
    longer.push_back(0x00);
    EXPECT_THROW(parseResult(longer), WireFormatError);
}

TEST(TopupResultMessage, EveryOneByteMutationParsesToSomethingElseOrIsRefused) {
    const Bytes message = encodeResult(sampleResult());
    for (std::size_t i = 0; i < message.size(); ++i) {
        Bytes mutated = message;
        mutated[i] ^= 0x5A;
        try {
            EXPECT_NE(parseResult(mutated), sampleResult()) << i;
        } catch (const WireFormatError&) {
        }
    }
}

TEST(TopupResultMessage, RefusesBadFieldsOnBothSides) {
    auto withChange = [](auto change) {
        TopupResult result = sampleResult();
        change(result);
        return result;
    };
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.orderId = "ORD 1"; })),
                 WireFormatError);
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.orderId = std::string(65, 'A'); })),
                 WireFormatError);
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.algorithmId = 0x02; })),
                 WireFormatError);
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.date = fromHex("20261321"); })),
                 WireFormatError);
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.time = fromHex("2460FF"); })),
                 WireFormatError);
    EXPECT_THROW(encodeResult(withChange([](TopupResult& r) { r.nonce.pop_back(); })),
                 WireFormatError);
    Bytes badMagic = encodeResult(sampleResult());
    badMagic[3] = '2';
    EXPECT_THROW(parseResult(badMagic), WireFormatError);
    EXPECT_NO_THROW(
        encodeResult(withChange([](TopupResult& r) { r.orderId = std::string(64, 'z'); })));
}

// JR/T 0025 e-purse: algorithm id 00 and 01 both mean triple DES, 04 SM4; the message keeps
// the card's own byte (the server checks the TAC against what the card said).
constexpr std::array<std::uint8_t, 3> kCardAlgorithmIds{0x00, 0x01, 0x04};

bool isCardAlgorithmId(unsigned id) {
    return std::find(kCardAlgorithmIds.begin(), kCardAlgorithmIds.end(), id) !=
           kCardAlgorithmIds.end();
}

TEST(TopupResultMessage, CarriesTheCardsAlgorithmId00Or01Or04AndNoOther) {
    constexpr std::size_t kAlgorithmOffset = 4 + 1 + 24;  // magic, length, order id
    for (unsigned id = 0; id <= 0xFF; ++id) {
        TopupResult result = sampleResult();
        result.algorithmId = static_cast<std::uint8_t>(id);
        Bytes message = encodeResult(sampleResult());
        message[kAlgorithmOffset] = static_cast<std::uint8_t>(id);
        if (isCardAlgorithmId(id)) {
            EXPECT_EQ(encodeResult(result), message) << id;
            EXPECT_EQ(parseResult(message), result) << id;
        } else {
            EXPECT_THROW(encodeResult(result), WireFormatError) << id;
            EXPECT_THROW(parseResult(message), WireFormatError) << id;
        }
    }
}

TEST(WireJson, AuthorizeRequestTakesTheCardsAlgorithmId00Or01Or04AndNoOther) {
    const AuthorizeRequest request{fromHex("5441504C494E4B31"),
                                   fromHex("00000000000000000042"),
                                   1000,
                                   7,
                                   kAlgorithmTripleDes00,
                                   1,
                                   fromHex("434800000001"),
                                   fromHex("0A0B0C0D"),
                                   fromHex("11223344")};
    for (unsigned id = 0; id <= 0xFF; ++id) {
        Json json = toJson(request);
        json["algorithmId"] = id;
        if (isCardAlgorithmId(id)) {
            EXPECT_EQ(AuthorizeRequest::fromJson(json).algorithmId, id);
        } else {
            EXPECT_THROW(AuthorizeRequest::fromJson(json), WireFormatError) << id;
        }
    }
}

TEST(WireJson, AuthorizeRequestRoundTripsAndIsStrict) {
    const AuthorizeRequest request{fromHex("5441504C494E4B31"),
                                   fromHex("00000000000000000042"),
                                   1000,
                                   7,
                                   kAlgorithmSm4,
                                   1,
                                   fromHex("434800000001"),
                                   fromHex("0A0B0C0D"),
                                   fromHex("11223344")};
    const Json json = toJson(request);
    EXPECT_EQ(json.dump(), R"({"algorithmId":4,"balance":1000,"cardSerial":"00000000000000000042",)"
                           R"("issuerId":"5441504C494E4B31","keyVersion":1,"mac1":"11223344",)"
                           R"("onlineAtc":7,"random":"0A0B0C0D","terminalId":"434800000001"})");
    EXPECT_EQ(AuthorizeRequest::fromJson(parseJson(json.dump())), request);

    auto refused = [&](const char* field, const Json& value) {
        Json changed = json;
        if (value.is_discarded()) {
            changed.erase(field);
        } else {
            changed[field] = value;
        }
        EXPECT_THROW(AuthorizeRequest::fromJson(changed), WireFormatError) << field << value;
    };
    refused("balance", -1);
    refused("balance", 1.5);
    refused("balance", "1000");
    refused("balance", 4294967296LL);
    refused("onlineAtc", 65536);
    refused("algorithmId", 2);
    refused("cardSerial", "0000000000000000004");
    refused("cardSerial", "000000000000000000GG");
    refused("terminalId", nullptr);
    refused("random", "0A0B0C");
    refused("random", Json(Json::value_t::discarded));
    refused("mac1", "1122334455");
    refused("mac1", Json(Json::value_t::discarded));
    refused("issuerId", Json(Json::value_t::discarded));
    refused("extra", true);
    EXPECT_THROW(AuthorizeRequest::fromJson(Json::array()), WireFormatError);
    EXPECT_THROW(parseJson("{\"balance\":"), WireFormatError);
}

TEST(WireJson, AuthorizeResponseCarriesTheDataScript) {
    const AuthorizeResponse response{"ORD-1",
                                     Bytes(kNonceSize, 0xAB),
                                     1800000000,
                                     "city-epurse",
                                     Bytes(kLoadAuthorizationEnvelopeSize, 0x04),
                                     Bytes(71, 0x30)};
    const Json json = toJson(response);
    EXPECT_EQ(json["dataScript"]["format"], "taplink-script/1");
    EXPECT_EQ(json["dataScript"]["kind"], "data");
    EXPECT_EQ(json["dataScript"]["target"], "chip");
    EXPECT_EQ(json["dataScript"]["items"]["loadAuthorization"].get<std::string>().size(),
              2 * kLoadAuthorizationEnvelopeSize);
    EXPECT_EQ(AuthorizeResponse::fromJson(json), response);
    Json wrongKind = json;
    wrongKind["dataScript"]["kind"] = "command";
    EXPECT_THROW(AuthorizeResponse::fromJson(wrongKind), WireFormatError);
    Json extraItem = json;
    extraItem["dataScript"]["items"]["other"] = "00";
    EXPECT_THROW(AuthorizeResponse::fromJson(extraItem), WireFormatError);
    // The allowance signature: 8 to 72 bytes of hex, and required.
    for (const Json& bad : {Json(std::string(14, '3')), Json(std::string(146, '3')), Json("30x0"),
                            Json(std::string(17, '3')), Json(7)}) {
        Json badSignature = json;
        badSignature["dataScript"]["items"]["allowanceSignature"] = bad;
        EXPECT_THROW(AuthorizeResponse::fromJson(badSignature), WireFormatError) << bad;
    }
    Json unsigned_ = json;
    unsigned_["dataScript"]["items"].erase("allowanceSignature");
    EXPECT_THROW(AuthorizeResponse::fromJson(unsigned_), WireFormatError);
    AuthorizeResponse shortSignature = response;
    shortSignature.allowanceSignature.resize(7);
    EXPECT_THROW(toJson(shortSignature), WireFormatError);
}

TEST(WireJson, ErrorBodiesWithAndWithoutAReceipt) {
    const Receipt receipt{"RCP-1",   "ORD-1",
                          5000,      maskSerial(fromHex("00000000000000000042")),
                          6000,      fromHex("A1B2C3D4"),
                          1800000000};
    EXPECT_EQ(receipt.cardSerial, "\u20260042");
    const ErrorBody replay{"already_settled", "order ORD-1 is settled", receipt, true};
    EXPECT_EQ(ErrorBody::fromJson(parseJson(toJson(replay).dump())), replay);
    const ErrorBody plain{"order_not_found", "no order", std::nullopt, std::nullopt};
    EXPECT_EQ(toJson(plain).dump(), R"({"error":{"code":"order_not_found","message":"no order"}})");
    EXPECT_EQ(ErrorBody::fromJson(toJson(plain)), plain);
    EXPECT_THROW(ErrorBody::fromJson(parseJson(R"({"error":{"code":"x"}})")), WireFormatError);
}

TEST(WireJson, OrderAndSettlementAreStrict) {
    const Order order{"ORD-1", 5000, "CNY", "city-epurse", OrderStatus::Settled};
    EXPECT_EQ(Order::fromJson(toJson(order)), order);
    Json otherCurrency = toJson(order);
    otherCurrency["currency"] = "USD";
    EXPECT_THROW(Order::fromJson(otherCurrency), WireFormatError);
    Json badStatus = toJson(order);
    badStatus["status"] = "paid";
    EXPECT_THROW(Order::fromJson(badStatus), WireFormatError);

    const Settlement settlement{
        "ORD-1", 1800000000,
        Receipt{"RCP-1", "ORD-1", 5000, "\u20260042", 6000, fromHex("A1B2C3D4"), 1800000000}};
    EXPECT_EQ(Settlement::fromJson(toJson(settlement)), settlement);
    Json notSettled = toJson(settlement);
    notSettled["status"] = "open";
    EXPECT_THROW(Settlement::fromJson(notSettled), WireFormatError);
}

TEST(WireJson, ScriptEnvelopeNeedsALowerCaseKeyId) {
    ScriptEnvelope envelope{"city-epurse", "city-load",  2,
                            {'{', '}'},    {0x30, 0x00}, std::string(64, 'a')};
    EXPECT_EQ(ScriptEnvelope::fromJson(toJson(envelope)), envelope);
    envelope.keyId = std::string(64, 'A');
    EXPECT_THROW(ScriptEnvelope::fromJson(toJson(envelope)), WireFormatError);
}

}  // namespace
}  // namespace taplink::net::wire
