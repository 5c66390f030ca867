// The bank-card EC load (圈存) against a real taplink-server over mutual TLS: the server as
// the card's issuer. The card's ARQC, second cryptogram and its checks of the ARPC and of the
// issuer script's MAC are made here with crypto::emv from the server's issuers.json (the way
// the simulated PBOC card makes them); the cardholder account is debited once, settled or
// refunded once, never both; the PAN never leaves the card's side in clear.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>

#include "ec_load_card.hpp"
#include "server_fixture.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/protocol/ecload_wire.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;
using crypto::emv::Suite;
using nlohmann::json;

constexpr const char* kPan = "6288880000001234";
constexpr const char* kOtherPan = "6288880000005678";
constexpr std::uint32_t kAmount = 5000;
constexpr std::uint32_t kEcBalance = 1000;
constexpr std::uint32_t kEcLimit = 100000;
constexpr const char* kApproved = "3030";           // 8A "00"
constexpr const char* kInsufficientFunds = "3531";  // 8A "51"

std::string readBytes(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

class EcLoadTest : public ServerTest {
  protected:
    void SetUp() override {
        ServerTest::SetUp();
        issuers = sim::loadIssuerKeys(pki.file("issuers.json"));
        accountId = createAccount("Li Lei", kPan, "100.00");
        orderId = createEcOrder(kAmount, accountId);
    }

    std::string createAccount(const std::string& holder, const std::string& pan,
                              const std::string& balance) {
        const Answer answer = admin("POST", "/admin/accounts",
                                    {{"holder", holder}, {"pan", pan}, {"balance", balance}});
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("accountId", "");
    }
    std::string createEcOrder(std::uint32_t fen, const std::string& account) {
        const Answer answer = admin(
            "POST", "/admin/orders",
            {{"amount", std::to_string(fen / 100)}, {"scheme", "bank-ec"}, {"account", account}});
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("orderId", "");
    }
    EcLoadCard card(Suite suite = Suite::TripleDes, const std::string& pan = kPan,
                    std::uint32_t ecBalance = kEcBalance) const {
        return EcLoadCard(issuers.bankIssuers.at(0), suite, pan, ecBalance, kEcLimit);
    }
    Answer keep(Answer answer) {
        bodies += answer.body;
        return answer;
    }
    Answer authorize(const std::string& order, const json& body) {
        return keep(client->postJson("/v1/orders/" + order + "/ecload/authorize", body));
    }
    Answer authorize(const std::string& order, const wire::EcAuthorizeRequest& request) {
        return authorize(order, wire::toJson(request));
    }
    Answer report(const std::string& order, ByteView message, const Device& who) {
        return keep(
            client->postJson("/v1/orders/" + order + "/ecload/result", signedReport(who, message)));
    }
    Answer report(const std::string& order, const wire::EcLoadResult& result) {
        return report(order, wire::encodeEcLoadResult(result), device);
    }
    Answer reverse(const std::string& order, const wire::EcLoadReversal& reversal) {
        return keep(client->postJson("/v1/orders/" + order + "/ecload/reverse",
                                     signedReport(device, wire::encodeEcLoadReversal(reversal))));
    }
    // An approved authorization of the order for the card.
    wire::EcAuthorizeResponse approved(EcLoadCard& ecCard, const std::string& order) {
        const Answer answer =
            authorize(order, ecCard.firstGenerateAc({kAmount}, device.terminalId()));
        EXPECT_EQ(answer.status, 200) << answer.body;
        auto response = wire::EcAuthorizeResponse::fromJson(answer.json());
        EXPECT_EQ(toHex(response.arc), kApproved);
        return response;
    }
    json account(const std::string& id) {
        const Answer answer = keep(admin("GET", "/admin/accounts/" + id));
        EXPECT_EQ(answer.status, 200) << answer.body;
        return answer.json();
    }
    std::size_t ledgerRows(const std::string& id, const std::string& kind) {
        std::size_t rows = 0;
        const json shown = account(id);
        for (const json& entry : shown["ledger"]) {
            rows += entry["kind"] == kind ? 1U : 0U;
        }
        return rows;
    }
    std::string orderStatus(const std::string& order) {
        return keep(client->get("/v1/orders/" + order)).json().value("status", "");
    }
    bool eventLogged(const std::string& kind, const std::string& code) {
        const json events = keep(admin("GET", "/admin/events")).json();
        for (const json& event : events["events"]) {
            if (event["kind"] == kind && (code.empty() || event["code"] == code)) {
                return true;
            }
        }
        return false;
    }

    sim::IssuerKeySet issuers;
    std::string accountId;
    std::string orderId;
    std::string bodies;  // every answer seen, for the PAN check
};

// --- A load, both suites

TEST_F(EcLoadTest, ApprovedLoadSettlesOnceAndDebitsOnce) {
    const std::string smAccount = createAccount("Han Meimei", kOtherPan, "100.00");
    for (const auto& [suite, order, acc, pan] :
         {std::tuple(Suite::TripleDes, orderId, accountId, std::string(kPan)),
          std::tuple(Suite::Sm4, createEcOrder(kAmount, smAccount), smAccount,
                     std::string(kOtherPan))}) {
        SCOPED_TRACE(suite == Suite::Sm4 ? "SM4" : "3DES");
        EcLoadCard ecCard = card(suite, pan);
        const wire::EcAuthorizeRequest request =
            ecCard.firstGenerateAc({kAmount}, device.terminalId());
        const Answer first = authorize(order, request);
        ASSERT_EQ(first.status, 200) << first.body;
        const auto answer = wire::EcAuthorizeResponse::fromJson(first.json());
        EXPECT_EQ(toHex(answer.arc), kApproved);
        EXPECT_TRUE(ecCard.authenticates(answer));
        ASSERT_TRUE(answer.nonce && answer.issuerScript && answer.newBalance);
        EXPECT_EQ(*answer.newBalance, kEcBalance + kAmount);
        EXPECT_EQ(account(acc)["balance"], 10000 - kAmount);

        // The lost answer: the same request answers the same, nothing is debited again.
        const Answer again = authorize(order, request);
        EXPECT_EQ(again.json(), first.json());
        EXPECT_EQ(account(acc)["balance"], 10000 - kAmount);
        EXPECT_EQ(ledgerRows(acc, "debit"), 1U);

        // Another ATC for a debited order.
        EcLoadCard later = ecCard;
        EXPECT_EQ(
            authorize(order, later.firstGenerateAc({kAmount}, device.terminalId())).errorCode(),
            "authorization_outstanding");

        // The card checks the script's MAC: a changed balance is refused, the real one runs.
        Bytes tampered = *answer.issuerScript;
        tampered.at(tampered.size() - 6) ^= 0x01U;
        EXPECT_FALSE(ecCard.runScript(tampered));
        ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
        EXPECT_EQ(ecCard.balance(), kEcBalance + kAmount);

        const wire::EcLoadResult result = ecCard.result(order, answer, true, 0x20);
        const Answer settled = report(order, result);
        ASSERT_EQ(settled.status, 200) << settled.body;
        EXPECT_EQ(settled.json()["status"], "settled");
        const auto receipt = wire::EcReceipt::fromJson(settled.json()["receipt"]);
        EXPECT_EQ(receipt.pan, "\u2026" + pan.substr(pan.size() - 4));
        EXPECT_EQ(receipt.ecBalanceAfter, kEcBalance + kAmount);
        EXPECT_EQ(receipt.amount, kAmount);

        const Answer replay = report(order, result);
        EXPECT_EQ(replay.status, 409);
        EXPECT_EQ(replay.errorCode(), "already_settled");
        EXPECT_EQ(wire::EcReceipt::fromJson(replay.json()["receipt"]), receipt);
        EXPECT_TRUE(eventLogged("replay", "already_settled"));

        wire::EcLoadResult other = result;
        other.time = fromHex("101559");
        EXPECT_EQ(report(order, other).errorCode(), "result_conflict");
        EXPECT_EQ(authorize(order, request).errorCode(), "order_settled");
        EXPECT_EQ(reverse(order, ecCard.reversal(order, answer)).errorCode(), "order_settled");
        EXPECT_EQ(orderStatus(order), "settled");
        EXPECT_EQ(ledgerRows(acc, "debit"), 1U);
        EXPECT_EQ(ledgerRows(acc, "refund"), 0U);
        EXPECT_EQ(account(acc)["balance"], 10000 - kAmount);
    }
}

TEST_F(EcLoadTest, InsufficientFundsDeclineWithTheirArpcAndDebitNothing) {
    const std::string poor = createAccount("Wei Hua", kOtherPan, "10.00");
    const std::string order = createEcOrder(kAmount, poor);
    EcLoadCard ecCard = card(Suite::Sm4, kOtherPan);
    const wire::EcAuthorizeRequest request = ecCard.firstGenerateAc({kAmount}, device.terminalId());
    const Answer declined = authorize(order, request);
    ASSERT_EQ(declined.status, 200) << declined.body;
    const auto answer = wire::EcAuthorizeResponse::fromJson(declined.json());
    EXPECT_EQ(toHex(answer.arc), kInsufficientFunds);
    EXPECT_TRUE(ecCard.authenticates(answer));
    EXPECT_FALSE(answer.issuerScript || answer.nonce || answer.newBalance);
    EXPECT_EQ(account(poor)["balance"], 1000);
    EXPECT_EQ(ledgerRows(poor, "debit"), 0U);
    EXPECT_EQ(orderStatus(order), "open");
    EXPECT_TRUE(eventLogged("ec_declined", "51"));

    // With the money there, the same card data is approved.
    ASSERT_EQ(admin("POST", "/admin/accounts/" + poor + "/credit", {{"amount", "50.00"}}).status,
              200);
    const Answer retried = authorize(order, request);
    EXPECT_EQ(toHex(wire::EcAuthorizeResponse::fromJson(retried.json()).arc), kApproved);
    EXPECT_EQ(account(poor)["balance"], 6000 - kAmount);
}

// --- The checks of authorize, in their documented order; none debits.

TEST_F(EcLoadTest, AuthorizeRefusesInTheDocumentedOrder) {
    EcLoadCard ecCard = card();
    const json good = wire::toJson(ecCard.firstGenerateAc({kAmount}, device.terminalId()));
    const auto with = [&good](const char* field, const json& value) {
        json changed = good;
        changed[field] = value;
        return changed;
    };
    const auto code = [this](const std::string& order, const json& body) {
        return authorize(order, body).errorCode();
    };
    EXPECT_EQ(code(orderId, json::object()), "malformed_request");
    EXPECT_EQ(code(orderId, with("pan", "62888800001234AB")), "malformed_request");
    EXPECT_EQ(code(orderId, with("cdol1Data", "00")), "malformed_request");
    EXPECT_EQ(code(orderId, with("cid", "40")), "malformed_request");
    EXPECT_EQ(code("ORD-AAAAAAAAAAAAAAAAAAAA", good), "order_not_found");
    EXPECT_EQ(code(createOrder(kAmount), good), "scheme_unsupported");
    EXPECT_EQ(code(orderId, with("pan", "6299990000001234")), "issuer_unknown");
    std::string iad = good["iad"];
    iad.replace(14, 2, "02");
    EXPECT_EQ(code(orderId, with("iad", iad)), "suite_unsupported");
    EXPECT_EQ(code(orderId, with("terminalId", "000000000099")), "terminal_mismatch");
    EXPECT_EQ(code(orderId, with("pan", kOtherPan)), "card_not_linked");
    for (const EcTerms& terms :
         {EcTerms{kAmount - 100}, EcTerms{kAmount, fromHex("0840")},
          EcTerms{kAmount, fromHex("0156"), 0x00}, EcTerms{kAmount, fromHex("0156"), 0x63}}) {
        EcLoadCard asked = card();
        EXPECT_EQ(code(orderId, wire::toJson(asked.firstGenerateAc(terms, device.terminalId()))),
                  "amount_mismatch");
    }
    std::string arqc = good["arqc"];
    arqc[0] = arqc[0] == 'A' ? 'B' : 'A';
    const Answer forged = authorize(orderId, with("arqc", arqc));
    EXPECT_EQ(forged.status, 422);
    EXPECT_EQ(forged.errorCode(), "arqc_invalid");
    EXPECT_TRUE(eventLogged("refused", "arqc_invalid"));
    EcLoadCard full = card(Suite::TripleDes, kPan, kEcLimit - kAmount + 1);
    EXPECT_EQ(code(orderId, wire::toJson(full.firstGenerateAc({kAmount}, device.terminalId()))),
              "ec_limit_exceeded");
    const std::string cancelled = createEcOrder(kAmount, accountId);
    ASSERT_EQ(admin("POST", "/admin/orders/" + cancelled + "/cancel").status, 200);
    EXPECT_EQ(code(cancelled, good), "order_cancelled");

    EXPECT_EQ(account(accountId)["balance"], 10000);
    EXPECT_EQ(ledgerRows(accountId, "debit"), 0U);
    EXPECT_EQ(orderStatus(orderId), "open");
    // An authorized order cannot be cancelled any more.
    approved(ecCard, orderId);
    EXPECT_EQ(admin("POST", "/admin/orders/" + orderId + "/cancel").errorCode(),
              "authorization_outstanding");
}

// --- Reversal: the card did not take the money.

TEST_F(EcLoadTest, ResultWithoutTheNewBalanceRefundsOnce) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    const wire::EcLoadResult declined = ecCard.result(orderId, answer, false, 0x00);
    const Answer reversed = report(orderId, declined);
    ASSERT_EQ(reversed.status, 200) << reversed.body;
    EXPECT_EQ(reversed.json()["status"], "reversed");
    const auto receipt = wire::EcReceipt::fromJson(reversed.json()["receipt"]);
    EXPECT_EQ(receipt.ecBalanceAfter, kEcBalance);
    EXPECT_EQ(account(accountId)["balance"], 10000);

    const Answer replay = report(orderId, declined);
    EXPECT_EQ(replay.errorCode(), "already_reversed");
    EXPECT_EQ(wire::EcReceipt::fromJson(replay.json()["receipt"]), receipt);
    ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
    EXPECT_EQ(report(orderId, ecCard.result(orderId, answer, true, 0x20)).errorCode(),
              "result_conflict");
    const Answer reverseAgain = reverse(orderId, ecCard.reversal(orderId, answer));
    EXPECT_EQ(reverseAgain.status, 200);
    EXPECT_EQ(wire::EcReceipt::fromJson(reverseAgain.json()["receipt"]), receipt);
    EXPECT_EQ(
        authorize(orderId, wire::toJson(ecCard.firstGenerateAc({kAmount}, device.terminalId())))
            .errorCode(),
        "order_reversed");
    EXPECT_EQ(orderStatus(orderId), "reversed");
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
    EXPECT_EQ(ledgerRows(accountId, "refund"), 1U);
    EXPECT_EQ(account(accountId)["balance"], 10000);
}

TEST_F(EcLoadTest, ExplicitReversalRefundsOnceAndIsIdempotent) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    const std::string undebited = createEcOrder(kAmount, accountId);
    EXPECT_EQ(reverse(undebited, ecCard.reversal(undebited, answer)).errorCode(),
              "unknown_authorization");
    EXPECT_EQ(
        reverse(createEcOrder(kAmount, accountId), ecCard.reversal(orderId, answer)).errorCode(),
        "order_mismatch");
    const Answer first = reverse(orderId, ecCard.reversal(orderId, answer));
    ASSERT_EQ(first.status, 200) << first.body;
    EXPECT_EQ(first.json()["status"], "reversed");
    const Answer second = reverse(orderId, ecCard.reversal(orderId, answer));
    EXPECT_EQ(second.status, 200);
    EXPECT_EQ(second.json()["receipt"], first.json()["receipt"]);
    EXPECT_EQ(report(orderId, ecCard.result(orderId, answer, true, 0x20)).errorCode(),
              "result_conflict");
    EXPECT_EQ(ledgerRows(accountId, "refund"), 1U);
    EXPECT_EQ(account(accountId)["balance"], 10000);
    EXPECT_TRUE(eventLogged("replay", "already_reversed"));
}

TEST_F(EcLoadTest, AnAacWithTheNewBalanceSettlesAsAnAnomaly) {
    EcLoadCard ecCard = card(Suite::Sm4);
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
    const Answer settled = report(orderId, ecCard.result(orderId, answer, false, 0x20));
    ASSERT_EQ(settled.status, 200) << settled.body;
    EXPECT_EQ(settled.json()["status"], "settled");
    EXPECT_TRUE(eventLogged("anomaly", ""));
    EXPECT_EQ(ledgerRows(accountId, "refund"), 0U);
}

// --- The result's own checks.

TEST_F(EcLoadTest, ResultsThatProveNothingAreRefused) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
    const wire::EcLoadResult good = ecCard.result(orderId, answer, true, 0x20);
    const Bytes message = wire::encodeEcLoadResult(good);

    json unsigned_ = signedReport(device, message);
    unsigned_["signature"] = signedReport(device, Bytes{0x00})["signature"];
    EXPECT_EQ(
        keep(client->postJson("/v1/orders/" + orderId + "/ecload/result", unsigned_)).errorCode(),
        "bad_signature");
    EXPECT_EQ(report(orderId, concat(message, Bytes{0x00}), device).errorCode(),
              "malformed_result");
    EXPECT_EQ(report(orderId, ByteView(message).first(message.size() - 1), device).errorCode(),
              "malformed_result");
    EXPECT_EQ(report(createEcOrder(kAmount, accountId), good).errorCode(), "order_mismatch");
    wire::EcLoadResult otherNonce = good;
    otherNonce.nonce.at(0) ^= 0x01U;
    EXPECT_EQ(report(orderId, otherNonce).errorCode(), "unknown_authorization");
    const Device stranger = pki.makeDevice("stranger", DeviceOptions::forChip("544C434800000002"));
    const Answer foreign = keep(clientFor(stranger).postJson(
        "/v1/orders/" + orderId + "/ecload/result", signedReport(stranger, message)));
    EXPECT_EQ(foreign.errorCode(), "unknown_authorization");
    wire::EcLoadResult forged = good;
    forged.cryptogram.at(0) ^= 0x01U;
    EXPECT_EQ(report(orderId, forged).errorCode(), "cryptogram_invalid");
    EXPECT_EQ(orderStatus(orderId), "open");
    EXPECT_EQ(report(orderId, good).status, 200);
}

// --- The second GENERATE AC must be one: each forgery below carries the card's real
// cryptogram over what it sends, so only the shape checks can refuse it.

TEST_F(EcLoadTest, ASecondCryptogramThatIsNotASecondGenerateAcIsRefused) {
    ASSERT_EQ(
        admin("POST", "/admin/accounts/" + accountId + "/credit", {{"amount", "300.00"}}).status,
        200);
    EcLoadCard ecCard = card();
    using Answered = wire::EcAuthorizeResponse;
    // The card's CDOL2 data: 91 (ARPC || ARC), 8A, then the CDOL1 data.
    const auto issuedThen = [&ecCard](const Answered& answer, ByteView before) {
        return concat(concat(before, concat(answer.issuerAuthenticationData, answer.arc)),
                      ecCard.cdol1Data());
    };
    const auto forgedBy = [&](const std::string& order, const Answered& answer, int forgery) {
        switch (forgery) {
            case 0:  // the ARQC itself: CDOL1 data, the first IAD's CVR, CID TC
                return ecCard.secondAc(order, answer, ecCard.cdol1Data(), fromHex("03A00000"),
                                       wire::kCidTc, 0x20);
            case 1: {  // another ARPC in the 91
                Answered other = answer;
                other.issuerAuthenticationData.at(0) ^= 0x01U;
                return ecCard.secondAc(order, answer, issuedThen(other, {}), fromHex("03600000"),
                                       wire::kCidTc, 0x20);
            }
            case 2:  // data before the 91
                return ecCard.secondAc(order, answer, issuedThen(answer, fromHex("3531")),
                                       fromHex("03600000"), wire::kCidTc, 0x20);
            case 3:  // CVR: AAC second, the CID says TC
                return ecCard.secondAc(order, answer, issuedThen(answer, {}), fromHex("03200000"),
                                       wire::kCidTc, 0x20);
            case 4:  // CVR: TC second, the CID says AAC
                return ecCard.secondAc(order, answer, issuedThen(answer, {}), fromHex("03600000"),
                                       wire::kCidAac, 0x20);
            default:  // CVR: no ARQC first
                return ecCard.secondAc(order, answer, issuedThen(answer, {}), fromHex("03400000"),
                                       wire::kCidTc, 0x20);
        }
    };
    // Each forgery carries the card's real cryptogram over what it sends, for its own order:
    // only the shape checks of the second GENERATE AC refuse it.
    for (int forgery = 0; forgery < 6; ++forgery) {
        SCOPED_TRACE(forgery);
        const std::string order = createEcOrder(kAmount, accountId);
        const Answered answer = approved(ecCard, order);
        ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
        const wire::EcLoadResult forged = forgedBy(order, answer, forgery);
        if (forgery == 0) {
            EXPECT_EQ(forged.cryptogram, ecCard.lastArqc());
        }
        const Answer answered = report(order, forged);
        EXPECT_EQ(answered.errorCode(), "cryptogram_invalid") << answered.body;
        EXPECT_EQ(orderStatus(order), "open");
        EXPECT_EQ(report(order, ecCard.result(order, answer, true, 0x20)).status, 200);
    }
}

// --- Replays of a recorded authorize body.

TEST_F(EcLoadTest, AnOldAtcOfTheCardIsRefusedForANewOrder) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeRequest recorded =
        ecCard.firstGenerateAc({kAmount}, device.terminalId());
    ASSERT_EQ(authorize(orderId, recorded).status, 200);
    const std::string next = createEcOrder(kAmount, accountId);
    const Answer replayed = authorize(next, recorded);
    EXPECT_EQ(replayed.status, 409) << replayed.body;
    EXPECT_EQ(replayed.errorCode(), "atc_replayed");
    EcLoadCard older = card();  // another ARQC of the same ATC, never sent before
    EXPECT_EQ(authorize(next, older.firstGenerateAc({kAmount}, device.terminalId())).errorCode(),
              "atc_replayed");
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
    EXPECT_EQ(account(accountId)["balance"], 10000 - kAmount);
    // The card's next ATC is fine.
    EcLoadCard later = ecCard;
    const Answer fresh = authorize(next, later.firstGenerateAc({kAmount}, device.terminalId()));
    EXPECT_EQ(fresh.status, 200) << fresh.body;
}

TEST_F(EcLoadTest, AnotherDeviceReplayingTheArqcGetsNoAnswer) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeRequest request = ecCard.firstGenerateAc({kAmount}, device.terminalId());
    ASSERT_EQ(authorize(orderId, request).status, 200);
    // Another chip with the same terminal id (the rightmost 6 bytes of its serial).
    const Device twin = pki.makeDevice("twin", DeviceOptions::forChip("544D434800000001"));
    ASSERT_EQ(twin.terminalId(), device.terminalId());
    const Answer replayed = keep(clientFor(twin).postJson(
        "/v1/orders/" + orderId + "/ecload/authorize", wire::toJson(request)));
    EXPECT_EQ(replayed.status, 409) << replayed.body;
    EXPECT_EQ(replayed.errorCode(), "authorization_outstanding");
    EXPECT_EQ(replayed.body.find("nonce"), std::string::npos);
}

TEST_F(EcLoadTest, ANonBcdPsnIsAMalformedRequest) {
    EcLoadCard ecCard = card();
    json body = wire::toJson(ecCard.firstGenerateAc({kAmount}, device.terminalId()));
    body["psn"] = "0A";
    const Answer answer = authorize(orderId, body);
    EXPECT_EQ(answer.status, 400) << answer.body;
    EXPECT_EQ(answer.errorCode(), "malformed_request");
    EXPECT_THROW(wire::EcAuthorizeRequest::fromJson(body), wire::WireFormatError);
}

// 9F36 is b2: 4 hex digits like the body's other binary fields (script version 2). The number
// the version-1 daemon sent is refused by name, as is any other width.
TEST_F(EcLoadTest, TheAtcIsFourHexDigitsAndANumberIsRefused) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeRequest request = ecCard.firstGenerateAc({kAmount}, device.terminalId());
    const json body = wire::toJson(request);
    const Bytes atc{static_cast<std::uint8_t>(request.atc >> 8U),
                    static_cast<std::uint8_t>(request.atc & 0xFFU)};
    EXPECT_EQ(body.at("atc"), toHex(atc));
    json asNumber = body;
    asNumber["atc"] = request.atc;
    const Answer refused = authorize(orderId, asNumber);
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.errorCode(), "malformed_request");
    EXPECT_NE(refused.body.find("atc must be the 2-byte ATC (9F36) as 4 hex digits"),
              std::string::npos)
        << refused.body;
    for (const char* wrong : {"011", "00011", "000011", "0x11", "00GG", ""}) {
        json other = body;
        other["atc"] = wrong;
        EXPECT_EQ(authorize(orderId, other).status, 400) << wrong;
    }
    const Answer hex = authorize(orderId, body);
    EXPECT_EQ(hex.status, 200) << hex.body;
}

TEST_F(EcLoadTest, AReversalRefundsAfterTheIssuerIsGoneFromIssuersJson) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    ASSERT_EQ(server.stop(), 0);
    json keys = json::parse(readBytes(pki.file("issuers.json")));
    json kept = json::array();
    for (const json& issuer : keys["issuers"]) {
        if (issuer["scheme"] != "bank-pboc") {
            kept.push_back(issuer);
        }
    }
    keys["issuers"] = kept;
    std::ofstream(pki.file("issuers.json"), std::ios::trunc) << keys.dump();
    ASSERT_TRUE(startServer());
    client = std::make_unique<DeviceClient>(clientFor(device));
    const Answer reversed = reverse(orderId, ecCard.reversal(orderId, answer));
    ASSERT_EQ(reversed.status, 200) << reversed.body;
    EXPECT_EQ(reversed.json()["status"], "reversed");
    EXPECT_EQ(wire::EcReceipt::fromJson(reversed.json()["receipt"]).pan, "\u20261234");
    EXPECT_EQ(ledgerRows(accountId, "refund"), 1U);
    EXPECT_EQ(account(accountId)["balance"], 10000);
}

// --- Durability and privacy.

TEST_F(EcLoadTest, AnAuthorizationSurvivesARestart) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    ASSERT_EQ(server.stop(), 0);
    ASSERT_TRUE(startServer());
    client = std::make_unique<DeviceClient>(clientFor(device));
    ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
    const Answer settled = report(orderId, ecCard.result(orderId, answer, true, 0x20));
    ASSERT_EQ(settled.status, 200) << settled.body;
    EXPECT_EQ(settled.json()["status"], "settled");
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
    EXPECT_EQ(account(accountId)["balance"], 10000 - kAmount);
}

TEST_F(EcLoadTest, ThePlainPanIsNeverStoredLoggedOrAnswered) {
    EcLoadCard ecCard = card();
    const wire::EcAuthorizeResponse answer = approved(ecCard, orderId);
    ASSERT_TRUE(ecCard.runScript(*answer.issuerScript));
    ASSERT_EQ(report(orderId, ecCard.result(orderId, answer, true, 0x20)).status, 200);
    EcLoadCard second = ecCard;  // the same card, its ATC moved on
    const std::string reversedOrder = createEcOrder(kAmount, accountId);
    const wire::EcAuthorizeResponse reversedAnswer = approved(second, reversedOrder);
    ASSERT_EQ(reverse(reversedOrder, second.reversal(reversedOrder, reversedAnswer)).status, 200);
    keep(admin("GET", "/admin/orders/" + orderId));
    keep(admin("GET", "/admin/accounts"));
    keep(admin("GET", "/admin/events"));
    const auto listed =
        testsupport::run({kServerPath, "account", "show", accountId, "--config", configPath()});
    bodies += listed.out;
    EXPECT_NE(bodies.find("1234"), std::string::npos);
    EXPECT_EQ(bodies.find(kPan), std::string::npos);

    const Bytes bcd = fromHex(kPan);
    const std::string bcdPan(bcd.begin(), bcd.end());
    std::string files;
    ASSERT_EQ(server.stop(), 0);
    for (const auto& entry : std::filesystem::directory_iterator(tmp.path())) {
        if (entry.path().filename().string().rfind("server.db", 0) == 0) {
            files += readBytes(entry.path().string());
        }
    }
    ASSERT_FALSE(files.empty());
    EXPECT_EQ(files.find(kPan), std::string::npos);
    EXPECT_EQ(files.find(bcdPan), std::string::npos);
}

// --- Operator commands

TEST_F(EcLoadTest, OperatorCommandsManageAccountsAndShowThePanMasked) {
    const auto run = [this](std::vector<std::string> words) {
        words.insert(words.begin(), kServerPath);
        words.insert(words.end(), {"--config", configPath()});
        return testsupport::run(words);
    };
    const auto created = run({"account", "create", "--holder", "Zhang San", "--pan",
                              "6288880000009876", "--balance", "20.50"});
    ASSERT_EQ(created.exitCode, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.size() - 1);
    EXPECT_EQ(id.rfind("ACC-", 0), 0U) << created.out;
    EXPECT_EQ(account(id)["balance"], 2050);

    const auto credited = run({"account", "credit", id, "--amount", "9.50"});
    ASSERT_EQ(credited.exitCode, 0) << credited.err;
    EXPECT_EQ(account(id)["balance"], 3000);
    const auto shown = run({"account", "show", id});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    EXPECT_NE(shown.out.find("\u20269876"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("credit"), std::string::npos) << shown.out;
    EXPECT_NE(shown.out.find("30.00"), std::string::npos) << shown.out;
    const auto listed = run({"account", "list"});
    ASSERT_EQ(listed.exitCode, 0) << listed.err;
    EXPECT_NE(listed.out.find(id), std::string::npos);
    EXPECT_NE(listed.out.find(accountId), std::string::npos);
    EXPECT_EQ(listed.out.find("6288880000009876"), std::string::npos) << listed.out;

    const auto order = run(
        {"order", "create", "--amount", "12.00", "--scheme", "bank-ec", "--account", id, "--json"});
    ASSERT_EQ(order.exitCode, 0) << order.err;
    const std::string orderOfAccount = json::parse(order.out)["orderId"];
    const Answer looked = keep(client->get("/v1/orders/" + orderOfAccount));
    EXPECT_EQ(wire::Order::fromJson(looked.json()),
              (wire::Order{orderOfAccount, 1200, "CNY", "bank-ec", wire::OrderStatus::Open}));
    EXPECT_EQ(showOrder(orderOfAccount)["account"], id);

    const auto refusedWith = [&run](std::vector<std::string> words, const std::string& code) {
        const auto refused = run(std::move(words));
        EXPECT_EQ(refused.exitCode, 1) << code;
        EXPECT_NE(refused.err.find(code), std::string::npos) << refused.err;
    };
    refusedWith({"order", "create", "--amount", "1", "--scheme", "bank-ec"}, "account_required");
    refusedWith({"order", "create", "--amount", "1", "--account", id}, "account_not_allowed");
    refusedWith({"order", "create", "--amount", "1", "--scheme", "bank-ec", "--account",
                 "ACC-AAAAAAAAAAAAAAAAAAAA"},
                "account_not_found");
    refusedWith({"account", "create", "--holder", "X", "--pan", "62888800"}, "invalid_pan");
    refusedWith({"account", "create", "--holder", "X", "--pan", "6288880000009876"},
                "card_already_linked");
    refusedWith({"account", "credit", id, "--amount", "0"}, "invalid_amount");
    refusedWith({"account", "show", "ACC-AAAAAAAAAAAAAAAAAAAA"}, "account_not_found");
    EXPECT_EQ(run({"account", "create", "--pan", "6288880000001111"}).exitCode, 2);
    EXPECT_EQ(run({"account", "credit", id}).exitCode, 2);
    EXPECT_EQ(account(id)["ledger"].size(), 2U);
}

// --- Wire: the result message is strict.

TEST(EcLoadWire, ResultAndReversalMessagesRoundTripAndParseStrictly) {
    const wire::EcLoadResult result{"ORD-1",
                                    Bytes(16, 0xA5),
                                    0x0102,
                                    0x40,
                                    Bytes(8, 0x11),
                                    Bytes(41, 0x22),
                                    fromHex("0701010360000001"),
                                    fromHex("2001020304"),
                                    6000,
                                    fromHex("434800000001"),
                                    fromHex("261206"),
                                    fromHex("101500")};
    const Bytes message = wire::encodeEcLoadResult(result);
    EXPECT_EQ(message.size(), 4U + 1 + 5 + 16 + 2 + 1 + 8 + 1 + 41 + 1 + 8 + 5 + 4 + 6 + 3 + 3);
    EXPECT_EQ(toHex(ByteView(message).first(10)), "544C4531054F52442D31");
    EXPECT_EQ(wire::parseEcLoadResult(message), result);
    for (std::size_t size = 0; size < message.size(); ++size) {
        EXPECT_THROW(wire::parseEcLoadResult(ByteView(message).first(size)), wire::WireFormatError)
            << size;
    }
    EXPECT_THROW(wire::parseEcLoadResult(concat(message, Bytes{0})), wire::WireFormatError);
    Bytes badDate = message;
    badDate.at(badDate.size() - 5) = 0x13;  // month 13
    EXPECT_THROW(wire::parseEcLoadResult(badDate), wire::WireFormatError);

    const wire::EcLoadReversal reversal{"ORD-1",
                                        Bytes(16, 1),
                                        7,
                                        wire::ReversalReason::CardGone,
                                        fromHex("434800000001"),
                                        fromHex("261206"),
                                        fromHex("101500")};
    const Bytes reversalMessage = wire::encodeEcLoadReversal(reversal);
    EXPECT_EQ(wire::parseEcLoadReversal(reversalMessage), reversal);
    Bytes badReason = reversalMessage;
    badReason.at(4 + 1 + 5 + 16 + 2) = 0x03;
    EXPECT_THROW(wire::parseEcLoadReversal(badReason), wire::WireFormatError);
    EXPECT_THROW(wire::parseEcLoadResult(reversalMessage), wire::WireFormatError);
}

}  // namespace
}  // namespace taplink::servertest
