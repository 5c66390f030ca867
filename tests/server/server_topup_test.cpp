// The money path against a real taplink-server: load authorizations sealed to the device's
// SAM key and bound to card, amount, terminal and online ATC; a city card (personalised from
// the server's issuers.json) credited with them; the signed result settled exactly once.
#include <gtest/gtest.h>

#include <chrono>

#include "load_device.hpp"
#include "server_fixture.hpp"
#include "taplink/protocol/topup_wire.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;
namespace ep = cards::epurse;
using nlohmann::json;

constexpr std::uint32_t kBalance = 1000;
constexpr std::uint32_t kAmount = 5000;

class TopupTest : public ServerTest {
  protected:
    void SetUp() override {
        ServerTest::SetUp();
        orderId = createOrder(kAmount);
        card = std::make_unique<LoadDevice>(device, pki.file("issuers.json"), profile(), kBalance);
    }
    // The simulated card's profile.
    virtual const char* profile() const { return "city-3des"; }

    Answer authorize(const wire::AuthorizeRequest& request) const {
        return client->postJson("/v1/orders/" + orderId + "/authorize", wire::toJson(request));
    }
    Answer report(const json& body) const {
        return client->postJson("/v1/orders/" + orderId + "/result", body);
    }
    // INITIALIZE FOR LOAD, then the server's authorization for it.
    wire::AuthorizeResponse authorizeLoad(ep::LoadInitialization& init) {
        init = card->initialize(kAmount);
        const Answer answer = authorize(card->authorizeRequest(init));
        EXPECT_EQ(answer.status, 200) << answer.body;
        return wire::AuthorizeResponse::fromJson(answer.json());
    }
    // A whole load on the card; the signed result, not yet reported.
    wire::TopupResult loadTheCard() {
        ep::LoadInitialization init;
        const wire::AuthorizeResponse authorization = authorizeLoad(init);
        return card->credit(orderId, init, kAmount, authorization);
    }

    std::string orderId;
    std::unique_ptr<LoadDevice> card;
};

TEST_F(TopupTest, AuthorizationOpensOnlyWithTheCertificatesSamKeyAndBindsTheLoad) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    const std::int64_t before = unixNow();
    const Answer answer = authorize(card->authorizeRequest(init));
    ASSERT_EQ(answer.status, 200) << answer.body;
    const auto response = wire::AuthorizeResponse::fromJson(answer.json());
    EXPECT_EQ(response.orderId, orderId);
    EXPECT_EQ(response.scheme, kCityScheme);
    EXPECT_GE(response.expiresAt, before + 300);
    EXPECT_LE(response.expiresAt, unixNow() + 300);

    const auto authorization =
        openEnvelope(device.samKey.get(), device.chipSerial, response.loadAuthorization);
    EXPECT_EQ(authorization.algorithmId, init.algorithmId);
    EXPECT_EQ(authorization.suite(), crypto::epurse::Suite::TripleDes);
    EXPECT_EQ(authorization.cardSerial, card->card().serial);
    EXPECT_EQ(authorization.amount, kAmount);
    EXPECT_EQ(authorization.terminalId, device.terminalId());
    EXPECT_EQ(authorization.onlineAtc, init.onlineAtc);
    EXPECT_EQ(authorization.nonce, response.nonce);
    EXPECT_EQ(authorization.expiry, static_cast<std::uint64_t>(response.expiresAt));
    EXPECT_EQ(authorization.keyIndex, card->issuer().keyIndex);
    EXPECT_EQ(authorization.keyVersion, card->issuer().keyVersion);
    EXPECT_EQ(authorization.dlk, crypto::epurse::diversify(
                                     crypto::epurse::Suite::TripleDes,
                                     card->issuer().keysFor(crypto::epurse::Suite::TripleDes)->load,
                                     card->card().serial));

    // Sealed to the certificate's SAM key and chip serial: no other key or serial opens it.
    const Device other = pki.makeDevice("other");
    EXPECT_THROW(openEnvelope(other.samKey.get(), device.chipSerial, response.loadAuthorization),
                 std::runtime_error);
    EXPECT_THROW(
        openEnvelope(device.samKey.get(), fromHex("544C434800000002"), response.loadAuthorization),
        std::runtime_error);

    const json shown = showOrder(orderId);
    ASSERT_EQ(shown["authorizations"].size(), 1U);
    EXPECT_EQ(shown["authorizations"][0]["nonce"], toHex(response.nonce));
    EXPECT_EQ(shown["authorizations"][0]["chipSerial"], kDefaultChipSerial);
    EXPECT_EQ(shown["authorizations"][0].count("dlk"), 0U);
}

TEST_F(TopupTest, OneOnlineAtcPerOrder) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    const wire::AuthorizeRequest request = card->authorizeRequest(init);
    const Answer first = authorize(request);
    ASSERT_EQ(first.status, 200) << first.body;
    const Answer retry = authorize(request);  // the same ATC: a failed attempt, retried
    ASSERT_EQ(retry.status, 200) << retry.body;
    EXPECT_NE(retry.json()["nonce"], first.json()["nonce"]);

    // The card moves its online ATC on with a load for another order.
    const std::string otherOrder = createOrder(kAmount);
    const ep::LoadInitialization forOther = card->initialize(kAmount);
    const Answer otherAnswer = client->postJson("/v1/orders/" + otherOrder + "/authorize",
                                                wire::toJson(card->authorizeRequest(forOther)));
    ASSERT_EQ(otherAnswer.status, 200) << otherAnswer.body;
    card->credit(otherOrder, forOther, kAmount,
                 wire::AuthorizeResponse::fromJson(otherAnswer.json()));
    const Answer otherAtc = authorize(card->authorizeRequest(card->initialize(kAmount)));
    EXPECT_EQ(otherAtc.status, 409);
    EXPECT_EQ(otherAtc.errorCode(), "authorization_outstanding") << otherAtc.body;

    LoadDevice otherCard(device, pki.file("issuers.json"), profile(), kBalance,
                         fromHex("00000000000000000043"));
    EXPECT_EQ(authorize(otherCard.authorizeRequest(otherCard.initialize(kAmount))).errorCode(),
              "authorization_outstanding");
    EXPECT_EQ(showOrder(orderId)["authorizations"].size(), 2U);

    // An authorized order cannot be cancelled: the card may have been loaded.
    EXPECT_EQ(admin("POST", "/admin/orders/" + orderId + "/cancel").errorCode(),
              "authorization_outstanding");
}

TEST_F(TopupTest, RefusesAuthorizationsItMustNotGive) {
    const ep::LoadInitialization init = card->initialize(kAmount);
    auto refusal = [&](auto change) {
        wire::AuthorizeRequest request = card->authorizeRequest(init);
        change(request);
        const Answer answer = authorize(request);
        return std::pair(answer.status, answer.errorCode());
    };
    EXPECT_EQ(refusal([&](auto& r) { r.terminalId = fromHex("434800000002"); }),
              std::pair(403L, std::string("terminal_mismatch")));
    EXPECT_EQ(refusal([&](auto& r) { r.issuerId = fromHex("0000000000000001"); }),
              std::pair(422L, std::string("issuer_unknown")));
    EXPECT_EQ(refusal([&](auto& r) { r.keyVersion = 9; }),
              std::pair(422L, std::string("key_version_unsupported")));
    // MAC1 covers the balance, the online ATC, the terminal and (through the DLK) the card.
    const std::pair mac1Invalid(422L, std::string("mac1_invalid"));
    EXPECT_EQ(refusal([&](auto& r) { r.balance = 0; }), mac1Invalid);
    EXPECT_EQ(refusal([&](auto& r) { ++r.onlineAtc; }), mac1Invalid);
    EXPECT_EQ(refusal([&](auto& r) { r.mac1.at(3) ^= 0x01U; }), mac1Invalid);
    EXPECT_EQ(refusal([&](auto& r) { r.random.at(0) ^= 0x01U; }), mac1Invalid);
    EXPECT_EQ(refusal([&](auto& r) { r.cardSerial = fromHex("00000000000000000043"); }),
              mac1Invalid);
    EXPECT_EQ(client->post("/v1/orders/" + orderId + "/authorize", std::string("{\"balance\":1}"))
                  .errorCode(),
              "malformed_request");
    EXPECT_EQ(client
                  ->postJson("/v1/orders/ORD-AAAAAAAAAAAAAAAAAAAA/authorize",
                             wire::toJson(card->authorizeRequest(init)))
                  .errorCode(),
              "order_not_found");
    EXPECT_TRUE(showOrder(orderId)["authorizations"].empty());

    const json events = admin("GET", "/admin/events").json()["events"];
    const auto refused = std::count_if(
        events.begin(), events.end(), [](const json& event) { return event["kind"] == "refused"; });
    EXPECT_EQ(refused, 10);
}

// The balance limit is checked against the balance the card vouched for with its MAC1: a card
// that really holds too much is refused, and one that claims less than it holds is not
// believed.
class BalanceLimitTest : public TopupTest {
  protected:
    static constexpr std::uint32_t kLimit = 10000;  // below the card's own maximum
    void SetUp() override {
        setup.maxCardBalance = kLimit;
        TopupTest::SetUp();
    }
};

TEST_F(BalanceLimitTest, IsCheckedAgainstTheBalanceTheCardVouchedForWithMac1) {
    LoadDevice full(device, pki.file("issuers.json"), "city-3des", kLimit - kAmount + 1);
    const ep::LoadInitialization init = full.initialize(kAmount);
    const Answer over = authorize(full.authorizeRequest(init));
    EXPECT_EQ(over.status, 422);
    EXPECT_EQ(over.errorCode(), "balance_limit_exceeded") << over.body;
    wire::AuthorizeRequest claimed = full.authorizeRequest(init);
    claimed.balance = kBalance;
    EXPECT_EQ(authorize(claimed).errorCode(), "mac1_invalid");
    EXPECT_TRUE(showOrder(orderId)["authorizations"].empty());
}

class SettlementTest : public TopupTest, public ::testing::WithParamInterface<const char*> {
  protected:
    const char* profile() const override { return GetParam(); }
};

// The authorization and the result carry the card's own algorithm id (00 and 01 both triple
// DES), and the server checks the TAC in the suite it names.
TEST_P(SettlementTest, TheCardsOwnAlgorithmIdIsAuthorizedAndSettled) {
    ep::LoadInitialization init;
    const wire::AuthorizeResponse response = authorizeLoad(init);
    const auto authorization =
        openEnvelope(device.samKey.get(), device.chipSerial, response.loadAuthorization);
    EXPECT_EQ(authorization.algorithmId, init.algorithmId);
    const wire::TopupResult result = card->credit(orderId, init, kAmount, response);
    EXPECT_EQ(result.algorithmId, init.algorithmId);
    const Answer settled = report(card->report(result));
    EXPECT_EQ(settled.status, 200) << settled.body;
}

TEST_P(SettlementTest, ACreditedCardSettlesItsOrderOnce) {
    const wire::TopupResult result = loadTheCard();
    EXPECT_EQ(card->balance(), kBalance + kAmount);
    const json body = card->report(result);
    const Answer settled = report(body);
    ASSERT_EQ(settled.status, 200) << settled.body;
    const auto settlement = wire::Settlement::fromJson(settled.json());
    EXPECT_EQ(settlement.orderId, orderId);
    EXPECT_EQ(settlement.receipt.orderId, orderId);
    EXPECT_EQ(settlement.receipt.amount, kAmount);
    EXPECT_EQ(settlement.receipt.cardSerial, "\u20260042");
    EXPECT_EQ(settlement.receipt.balanceAfter, kBalance + kAmount);
    EXPECT_EQ(settlement.receipt.tac, result.tac);
    EXPECT_EQ(client->get("/v1/orders/" + orderId).json()["status"], "settled");

    // The identical result again: a replay, answered with the same receipt.
    const Answer replay = report(body);
    EXPECT_EQ(replay.status, 409);
    const auto replayBody = wire::ErrorBody::fromJson(replay.json());
    EXPECT_EQ(replayBody.code, "already_settled");
    EXPECT_EQ(replayBody.sameResult, true);
    EXPECT_EQ(replayBody.receipt, settlement.receipt);

    // Another result for the settled order: a conflict, no receipt.
    wire::TopupResult other = result;
    other.time = fromHex("221501");
    const Answer conflict = report(card->report(other));
    EXPECT_EQ(conflict.status, 409);
    EXPECT_EQ(conflict.errorCode(), "result_conflict");
    EXPECT_FALSE(conflict.json().contains("receipt"));

    // No second authorization for a settled order.
    EXPECT_EQ(authorize(card->authorizeRequest(card->initialize(kAmount))).errorCode(),
              "order_settled");

    // The ledger and the card agree.
    const json ledger = admin("GET", "/admin/ledger").json();
    EXPECT_EQ(ledger["total"], kAmount);
    ASSERT_EQ(ledger["cards"].size(), 1U);
    EXPECT_EQ(ledger["cards"][0]["cardSerial"], toHex(card->card().serial));
    EXPECT_EQ(ledger["settled"][0]["balanceAfter"], card->balance());

    const json events = admin("GET", "/admin/events").json()["events"];
    const auto replays = std::count_if(events.begin(), events.end(), [](const json& event) {
        return event["kind"] == "replay" && event["code"] == "already_settled";
    });
    EXPECT_EQ(replays, 1);
}

// city-3des-00 answers INITIALIZE FOR LOAD with algorithm id 00, as most cards in the field do.
INSTANTIATE_TEST_SUITE_P(BothSuites, SettlementTest,
                         ::testing::Values("city-3des", "city-3des-00", "city-sm4"),
                         [](const auto& param) {
                             const std::string name = param.param;
                             if (name == "city-sm4") {
                                 return std::string("Sm4");
                             }
                             return name == "city-3des-00" ? std::string("TripleDes00")
                                                           : std::string("TripleDes");
                         });

TEST_F(TopupTest, AResultSignedByAnotherKeyIsRefused) {
    const wire::TopupResult result = loadTheCard();
    const Bytes message = wire::encodeResult(result);
    const crypto::PkeyPtr stranger = readPrivateKey(pki.file("server.key"));
    const Answer answer =
        report(wire::toJson(wire::ResultReport{message, signSha256(stranger.get(), message)}));
    EXPECT_EQ(answer.status, 403);
    EXPECT_EQ(answer.errorCode(), "bad_signature");
    EXPECT_EQ(showOrder(orderId)["status"], "open");
    EXPECT_EQ(report(card->report(result)).status, 200);
}

TEST_F(TopupTest, AWrongTacIsRefusedAndTheRightOneStillSettles) {
    const wire::TopupResult result = loadTheCard();
    wire::TopupResult forged = result;
    forged.tac[0] ^= 0x01;
    const Answer answer = report(card->report(forged));
    EXPECT_EQ(answer.status, 422);
    EXPECT_EQ(answer.errorCode(), "tac_invalid");
    EXPECT_EQ(showOrder(orderId)["status"], "open");
    EXPECT_EQ(report(card->report(result)).status, 200);
}

TEST_F(TopupTest, AResultMustMatchAnAuthorizationOfThisDevice) {
    const wire::TopupResult result = loadTheCard();
    auto refusal = [&](auto change) {
        wire::TopupResult changed = result;
        change(changed);
        return report(card->report(changed)).errorCode();
    };
    EXPECT_EQ(refusal([](auto& r) { r.nonce[0] ^= 0x01; }), "unknown_authorization");
    EXPECT_EQ(refusal([](auto& r) { r.onlineAtc += 1; }), "unknown_authorization");
    EXPECT_EQ(refusal([](auto& r) {
                  r.amount += 1;
                  r.balanceAfter += 1;
              }),
              "amount_mismatch");
    EXPECT_EQ(refusal([](auto& r) { r.balanceAfter += 1; }), "balance_mismatch");
    EXPECT_EQ(refusal([&](auto& r) { r.orderId = createOrder(kAmount); }), "order_mismatch");
    EXPECT_EQ(report({{"result", "not base64!"}, {"signature", ""}}).errorCode(),
              "malformed_request");

    const Bytes garbage = fromHex("544C5231FF");
    EXPECT_EQ(report(wire::toJson(
                         wire::ResultReport{garbage, signSha256(device.deviceKey.get(), garbage)}))
                  .errorCode(),
              "malformed_result");

    // The same card, terminal and nonce from another device: not its authorization.
    const Device other = pki.makeDevice("other", DeviceOptions::forChip("544C434800000002"));
    const Bytes message = wire::encodeResult(result);
    const Answer stranger = clientFor(other).postJson(
        "/v1/orders/" + orderId + "/result",
        wire::toJson(wire::ResultReport{message, signSha256(other.deviceKey.get(), message)}));
    EXPECT_EQ(stranger.errorCode(), "unknown_authorization");

    EXPECT_EQ(showOrder(orderId)["status"], "open");
    EXPECT_EQ(report(card->report(result)).status, 200);
}

TEST_F(TopupTest, AFaultBeforeChangesNothing) {
    ASSERT_EQ(admin("POST", "/admin/faults",
                    {{"endpoint", "authorize"}, {"mode", "before"}, {"status", 503}, {"count", 1}})
                  .status,
              201);
    const ep::LoadInitialization init = card->initialize(kAmount);
    const Answer failed = authorize(card->authorizeRequest(init));
    EXPECT_EQ(failed.status, 503);
    EXPECT_EQ(failed.errorCode(), "injected_fault");
    EXPECT_TRUE(showOrder(orderId)["authorizations"].empty());
    EXPECT_EQ(authorize(card->authorizeRequest(init)).status, 200);  // used up

    ASSERT_EQ(admin("POST", "/admin/faults",
                    {{"endpoint", "order"}, {"mode", "before"}, {"status", 500}, {"count", 2}})
                  .status,
              201);
    EXPECT_EQ(admin("DELETE", "/admin/faults").status, 200);
    EXPECT_EQ(client->get("/v1/orders/" + orderId).status, 200);
    EXPECT_EQ(
        admin("POST", "/admin/faults", {{"endpoint", "pay"}, {"mode", "before"}, {"status", 500}})
            .errorCode(),
        "malformed_request");
}

TEST_F(TopupTest, AFaultAfterLosesTheAnswerButNotTheSettlement) {
    const wire::TopupResult result = loadTheCard();
    ASSERT_EQ(admin("POST", "/admin/faults",
                    {{"endpoint", "result"}, {"mode", "after"}, {"status", 500}, {"count", 1}})
                  .status,
              201);
    const json body = card->report(result);
    const Answer lost = report(body);
    EXPECT_EQ(lost.status, 500);
    EXPECT_EQ(lost.errorCode(), "injected_fault");
    const json shown = showOrder(orderId);
    EXPECT_EQ(shown["status"], "settled");
    ASSERT_TRUE(shown["settlement"].is_object());

    // The device reports again: the replay answer carries the receipt it missed.
    const Answer again = report(body);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.errorCode(), "already_settled");
    EXPECT_EQ(again.json()["receipt"], shown["settlement"]["receipt"]);
}

TEST_F(TopupTest, AuthorizeFaultAfterStoresTheAuthorization) {
    ASSERT_EQ(admin("POST", "/admin/faults",
                    {{"endpoint", "authorize"}, {"mode", "after"}, {"status", 502}})
                  .status,
              201);
    const ep::LoadInitialization init = card->initialize(kAmount);
    EXPECT_EQ(authorize(card->authorizeRequest(init)).status, 502);
    EXPECT_EQ(showOrder(orderId)["authorizations"].size(), 1U);
    // The retry for the same ATC gets a fresh authorization that completes the load.
    const Answer retry = authorize(card->authorizeRequest(init));
    ASSERT_EQ(retry.status, 200) << retry.body;
    const wire::TopupResult result =
        card->credit(orderId, init, kAmount, wire::AuthorizeResponse::fromJson(retry.json()));
    EXPECT_EQ(report(card->report(result)).status, 200);
}

}  // namespace
}  // namespace taplink::servertest
