// The Tap & Pay purchase against a real taplink-server over mutual TLS: the server as acquirer
// and as the card's issuer. The chip's sealed purchase is made with chip::pay::sealPurchase
// under the payment keys the server's TSM personalised for the device's chip (read back from
// its store with the TSM master key); the card's cryptograms with crypto::emv from the
// server's issuers.json, over CDOL1 data laid out byte by byte here. The account is found by
// the PAN, debited once with the approval, settled or refunded once, never both.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <map>

#include "api/tsm_jobs.hpp"
#include "child_process.hpp"
#include "ec_load_card.hpp"
#include "purchase_card.hpp"
#include "server_fixture.hpp"
#include "store/server_store.hpp"
#include "taplink/protocol/purchase_wire.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::servertest {
namespace {

namespace wire = net::wire;
using nlohmann::json;

constexpr const char* kPan = "6288880000001234";
constexpr const char* kPoorPan = "6288880000005678";
constexpr const char* kUnknownPan = "6288880000009999";
constexpr const char* kPin = "1234";
constexpr std::uint32_t kAmount = 5000;      // 50 yuan, under the CVM limit
constexpr std::uint32_t kPinAmount = 40000;  // 400 yuan, over the CVM limit of 300
constexpr std::uint32_t kOverLimit = 60000;  // 600 yuan, over the per-transaction 500
constexpr const char* kMerchant = "TapLink 演示商店 Demo Shop";

class PurchaseTest : public ServerTest {
  protected:
    void SetUp() override {
        useTestTsmKeys();
        ServerTest::SetUp();
        issuers = sim::loadIssuerKeys(pki.file("issuers.json"));
        personalise(kDefaultChipSerial);
        accountId = createAccount("Li Lei", kPan, "1000.00", kPin);
        orderId = createOrder(kAmount, kMerchant);
    }

    // The TSM's personalisation of the chip's payment applet: per transaction 500 yuan, CVM
    // limit 300; the keys it keeps for the chip, opened as the server opens them.
    chip::mgmt::PaymentKeys personalise(const std::string& chipSerial) {
        const Answer queued =
            admin("POST", "/admin/tsm/chips/" + chipSerial + "/jobs",
                  {{"operation", "personalise"},
                   {"parameters", {{"perTransaction", "500.00"}, {"cvm", "300.00"}}}});
        EXPECT_EQ(queued.status, 201) << queued.body;
        server::ServerStore reader(tmp.path() + "/server.db");  // beside the server (WAL)
        const auto keys = server::openPaymentKeys(
            reader, server::paymentKeySealKey(protocol::testTsmMasterKey()), chipSerial);
        EXPECT_TRUE(keys.has_value());
        return keys.value_or(chip::mgmt::PaymentKeys{});
    }
    std::string createAccount(const std::string& holder, const std::string& pan,
                              const std::string& balance,
                              const std::optional<std::string>& pin = std::nullopt) {
        json body{{"holder", holder}, {"pan", pan}, {"balance", balance}};
        if (pin) {
            body["pin"] = *pin;
        }
        const Answer answer = admin("POST", "/admin/accounts", body);
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("accountId", "");
    }
    std::string createOrder(std::uint32_t fen, const std::string& merchant) {
        const Answer answer = admin("POST", "/admin/orders",
                                    {{"amount", std::to_string(fen / 100)},
                                     {"scheme", "bank-purchase"},
                                     {"merchant", merchant}});
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("orderId", "");
    }
    PurchaseCard card(const std::string& pan = kPan) {
        return PurchaseCard(issuers.bankIssuers.at(0), pan, chipKeys(), device.chipSerial);
    }
    chip::mgmt::PaymentKeys chipKeys() {
        server::ServerStore reader(tmp.path() + "/server.db");
        return *server::openPaymentKeys(
            reader, server::paymentKeySealKey(protocol::testTsmMasterKey()), kDefaultChipSerial);
    }
    Answer authorize(const std::string& order, ByteView sealed, const DeviceClient* who = nullptr) {
        const json body = wire::toJson(wire::PurchaseAuthorizeRequest{
            Bytes(sealed.begin(), sealed.end()), device.terminalId()});
        return (who != nullptr ? *who : *client)
            .postJson("/v1/orders/" + order + "/purchase/authorize", body);
    }
    wire::PurchaseAuthorizeResponse answerOf(const Answer& answer) {
        EXPECT_EQ(answer.status, 200) << answer.body;
        return wire::PurchaseAuthorizeResponse::fromJson(answer.json());
    }
    // An approved authorization of the order for the card.
    wire::PurchaseAuthorizeResponse approved(PurchaseCard& purchaseCard, const std::string& order,
                                             const PurchaseTerms& terms) {
        auto response = answerOf(authorize(order, purchaseCard.sealedPurchase(order, terms)));
        EXPECT_EQ(toHex(response.arc), "3030");
        return response;
    }
    Answer report(const std::string& order, const wire::PurchaseResult& result) {
        return client->postJson("/v1/orders/" + order + "/purchase/result",
                                signedReport(device, wire::encodePurchaseResult(result)));
    }
    Answer reverse(const std::string& order, const wire::PurchaseReversal& reversal) {
        return client->postJson("/v1/orders/" + order + "/purchase/reverse",
                                signedReport(device, wire::encodePurchaseReversal(reversal)));
    }
    json account(const std::string& id) {
        const Answer answer = admin("GET", "/admin/accounts/" + id);
        EXPECT_EQ(answer.status, 200) << answer.body;
        return answer.json();
    }
    std::uint64_t balance(const std::string& id) { return account(id)["balance"]; }
    std::size_t ledgerRows(const std::string& id, const std::string& kind) {
        std::size_t rows = 0;
        const json shown = account(id);  // the loop iterates a held value
        for (const json& entry : shown["ledger"]) {
            rows += entry["kind"] == kind ? 1U : 0U;
        }
        return rows;
    }
    std::string orderStatus(const std::string& order) {
        return client->get("/v1/orders/" + order).json().value("status", "");
    }

    sim::IssuerKeySet issuers;
    std::string accountId;
    std::string orderId;
};

// --- Approval, settlement, replays

TEST_F(PurchaseTest, ApprovedPurchaseSettlesOnceAndDebitsOnce) {
    PurchaseCard purchaseCard = card();
    const Bytes sealed = purchaseCard.sealedPurchase(orderId, {kAmount});
    const Answer first = authorize(orderId, sealed);
    const auto answer = answerOf(first);
    EXPECT_EQ(toHex(answer.arc), "3030");
    EXPECT_TRUE(purchaseCard.authenticates(answer));
    ASSERT_TRUE(answer.nonce && answer.authCode);
    EXPECT_EQ(answer.authCode->size(), 6U);
    EXPECT_FALSE(answer.pinTriesLeft);
    EXPECT_EQ(balance(accountId), 100000U - kAmount);

    // The same sealed bytes again (a lost answer): the same answer, no second debit.
    const Answer again = authorize(orderId, sealed);
    EXPECT_EQ(again.status, 200);
    EXPECT_EQ(again.body, first.body);
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);

    // Another sealed purchase for the approved order (the card's next ATC): 409.
    PurchaseCard sameCardLater = purchaseCard;
    EXPECT_EQ(authorize(orderId, sameCardLater.sealedPurchase(orderId, {kAmount})).errorCode(),
              "authorization_outstanding");

    const auto result = purchaseCard.result(orderId, answer, true);
    const Answer settled = report(orderId, result);
    ASSERT_EQ(settled.status, 200) << settled.body;
    const auto receipt = wire::PurchaseReceipt::fromJson(settled.json());
    EXPECT_EQ(receipt.status, "settled");
    EXPECT_EQ(receipt.amount, kAmount);
    EXPECT_EQ(receipt.merchant, kMerchant);
    EXPECT_EQ(receipt.pan, "…1234");
    EXPECT_EQ(receipt.authCode, *answer.authCode);
    EXPECT_EQ(orderStatus(orderId), "settled");

    // The same result again is a replay with the receipt; a reversal after it is refused.
    const Answer replay = report(orderId, result);
    EXPECT_EQ(replay.status, 409);
    EXPECT_EQ(replay.errorCode(), "already_settled");
    EXPECT_EQ(replay.json()["receipt"]["receiptId"], receipt.receiptId);
    EXPECT_TRUE(replay.json()["sameResult"].get<bool>());
    const Answer lateReversal =
        reverse(orderId, purchaseCard.reversal(orderId, answer, wire::ReversalReason::CardGone));
    EXPECT_EQ(lateReversal.status, 409);
    EXPECT_EQ(lateReversal.errorCode(), "order_settled");
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
    EXPECT_EQ(ledgerRows(accountId, "refund"), 0U);
    EXPECT_EQ(balance(accountId), 100000U - kAmount);
}

// A lost approval asked again must get its answer whatever changed since (the chip locked,
// the order settled): the device would otherwise think nothing was debited.
TEST_F(PurchaseTest, ALostApprovalIsAnsweredAgainBeforeTheLockAndTheClosedOrder) {
    PurchaseCard purchaseCard = card();
    const Bytes sealed = purchaseCard.sealedPurchase(orderId, {kAmount});
    const Answer first = authorize(orderId, sealed);
    const auto answer = answerOf(first);
    ASSERT_EQ(toHex(answer.arc), "3030");

    const Answer lock =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "lock"}, {"applet", "payment"}});
    ASSERT_EQ(lock.status, 201) << lock.body;
    const Answer whileLocked = authorize(orderId, sealed);
    EXPECT_EQ(whileLocked.status, 200) << whileLocked.body;
    EXPECT_EQ(whileLocked.body, first.body);

    ASSERT_EQ(report(orderId, purchaseCard.result(orderId, answer, true)).status, 200);
    const Answer afterSettled = authorize(orderId, sealed);
    EXPECT_EQ(afterSettled.status, 200) << afterSettled.body;
    EXPECT_EQ(afterSettled.body, first.body);

    // Another chip sending the same bytes never gets this chip's answer.
    const Device stranger = pki.makeDevice("stranger", DeviceOptions::forChip("544C434800000009"));
    const DeviceClient strangerClient = clientFor(stranger);
    const Answer strangers = authorize(orderId, sealed, &strangerClient);
    EXPECT_NE(strangers.status, 200);
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
}

// Without its copy of the chip's parameters the server cannot apply the PIN rule or the
// per-transaction limit: it authorizes nothing.
TEST_F(PurchaseTest, WithoutTheChipsParametersNothingIsAuthorized) {
    changeDatabase("DELETE FROM tsm_parameters");
    const std::string pinOrder = createOrder(kPinAmount, kMerchant);
    PurchaseCard purchaseCard = card();
    const Answer noPin = authorize(pinOrder, purchaseCard.sealedPurchase(pinOrder, {kPinAmount}));
    EXPECT_EQ(noPin.status, 422) << noPin.body;
    EXPECT_EQ(noPin.errorCode(), "params_missing");
    EXPECT_EQ(balance(accountId), 100000U);
}

TEST_F(PurchaseTest, TheOrderShowsItsMerchantAndOnlyAPurchaseHasOne) {
    const json order = client->get("/v1/orders/" + orderId).json();
    EXPECT_EQ(order["scheme"], "bank-purchase");
    EXPECT_EQ(order["merchant"], kMerchant);
    EXPECT_EQ(wire::Order::fromJson(order).merchant, std::optional<std::string>(kMerchant));
    EXPECT_EQ(admin("POST", "/admin/orders", {{"amount", "5.00"}, {"scheme", "bank-purchase"}})
                  .errorCode(),
              "merchant_required");
    EXPECT_EQ(admin("POST", "/admin/orders",
                    {{"amount", "5.00"}, {"scheme", kCityScheme}, {"merchant", kMerchant}})
                  .errorCode(),
              "merchant_not_allowed");
    EXPECT_EQ(admin("POST", "/admin/orders",
                    {{"amount", "5.00"}, {"scheme", "bank-purchase"}, {"merchant", "a\nb"}})
                  .errorCode(),
              "invalid_merchant");
}

// --- The payment parameters' version (docs/server.md, "TSM")

// The order's paramsVersion is the newest the TSM queued for the caller's chip, applied or not.
TEST_F(PurchaseTest, TheOrderNamesTheNewestParametersQueuedForTheCallersChip) {
    EXPECT_EQ(client->get("/v1/orders/" + orderId).json()["paramsVersion"], 1);
    const Answer update =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "update-params"}, {"parameters", {{"daily", "2000.00"}}}});
    ASSERT_EQ(update.status, 201) << update.body;
    const json order = client->get("/v1/orders/" + orderId).json();
    EXPECT_EQ(order["paramsVersion"], 2) << "queued, not applied yet: still the version to ask";
    EXPECT_EQ(wire::Order::fromJson(order).paramsVersion, std::optional<std::uint32_t>(2));

    // Another chip the TSM never gave parameters: none; an e-purse order: never.
    const Device stranger = pki.makeDevice("stranger", DeviceOptions::forChip("544C434800000009"));
    const json strangers = clientFor(stranger).get("/v1/orders/" + orderId).json();
    EXPECT_EQ(strangers["scheme"], "bank-purchase");
    EXPECT_FALSE(strangers.contains("paramsVersion")) << strangers.dump();
    const Answer city =
        admin("POST", "/admin/orders", {{"amount", "5.00"}, {"scheme", kCityScheme}});
    ASSERT_EQ(city.status, 201) << city.body;
    const std::string cityOrder = city.json().value("orderId", "");
    EXPECT_FALSE(client->get("/v1/orders/" + cityOrder).json().contains("paramsVersion"));
}

// A chip known to run older parameters than the TSM queued is refused before the issuer;
// its answer to sealed bytes approved earlier stands; applied, it pays.
TEST_F(PurchaseTest, AChipBehindTheQueuedParametersIsRefusedUntilItAppliesThem) {
    // The store's last authenticated answer of the chip's payment applet (what a done job
    // records), set behind the server's back.
    const auto appliedParameters = [this](std::uint32_t version) {
        changeDatabase(
            "INSERT INTO tsm_applets (chip_serial, applet, lifecycle, "
            "parameters_version, keys_present, sequence_counter, updated_at) VALUES ('" +
            std::string(kDefaultChipSerial) + "', 'payment', 'operational', " +
            std::to_string(version) +
            ", 1, NULL, 0) ON CONFLICT(chip_serial, applet) DO UPDATE SET "
            "parameters_version = " +
            std::to_string(version));
    };
    appliedParameters(1);
    PurchaseCard purchaseCard = card();
    const Bytes sealedBefore = purchaseCard.sealedPurchase(orderId, {kAmount});
    const Answer approvedBefore = authorize(orderId, sealedBefore);
    ASSERT_EQ(approvedBefore.status, 200) << approvedBefore.body;
    ASSERT_EQ(admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
                    {{"operation", "update-params"}, {"parameters", {{"cvm", "200.00"}}}})
                  .status,
              201);
    EXPECT_EQ(authorize(orderId, sealedBefore).body, approvedBefore.body) << "a replay stands";

    const std::string next = createOrder(kAmount, kMerchant);
    const Answer refused = authorize(next, purchaseCard.sealedPurchase(next, {kAmount}));
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.errorCode(), "params_outdated");
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);

    appliedParameters(2);
    const Answer paid = authorize(next, purchaseCard.sealedPurchase(next, {kAmount}));
    EXPECT_EQ(paid.status, 200) << paid.body;
    EXPECT_EQ(ledgerRows(accountId, "debit"), 2U);
}

// --- Declines: 200 with the ARC and its ARPC, nothing debited

TEST_F(PurchaseTest, DeclinesAnswerTheirArcWithAnArpcAndDebitNothing) {
    const std::string poor = createAccount("Han Meimei", kPoorPan, "10.00");
    const std::string noPin = createAccount("Wang Wu", "6288880000004321", "1000.00");
    struct Case {
        const char* name;
        std::string pan;
        PurchaseTerms terms;
        const char* arc;
    };
    const std::vector<Case> cases{
        {"51 insufficient funds", kPoorPan, {kAmount}, "3531"},
        {"14 no account", kUnknownPan, {kAmount}, "3134"},
        {"54 expired", kPan, {.amount = kAmount, .expiry = "201231"}, "3534"},
        {"61 over the chip's limit", kPan, {kOverLimit}, "3631"},
        {"05 no PIN above the CVM limit", kPan, {kPinAmount}, "3035"},
        {"05 a PIN for an account without one",
         "6288880000004321",
         {.amount = kPinAmount, .pin = kPin},
         "3035"},
    };
    std::map<std::string, PurchaseCard> cards;  // one per PAN: its ATC only moves on
    for (const Case& c : cases) {
        SCOPED_TRACE(c.name);
        const std::string order = createOrder(c.terms.amount, kMerchant);
        PurchaseCard& purchaseCard = cards.try_emplace(c.pan, card(c.pan)).first->second;
        const auto answer = answerOf(authorize(order, purchaseCard.sealedPurchase(order, c.terms)));
        EXPECT_EQ(toHex(answer.arc), c.arc);
        EXPECT_TRUE(purchaseCard.authenticates(answer));
        EXPECT_FALSE(answer.nonce || answer.authCode || answer.pinTriesLeft);
        EXPECT_EQ(orderStatus(order), "open");
    }
    EXPECT_EQ(balance(poor), 1000U);
    EXPECT_EQ(balance(noPin), 100000U);
    EXPECT_EQ(balance(accountId), 100000U);
    EXPECT_EQ(ledgerRows(accountId, "debit"), 0U);
}

TEST_F(PurchaseTest, AWrongPinCountsDownPersistsAndBlocksUntilReset) {
    const std::string order = createOrder(kPinAmount, kMerchant);
    PurchaseCard purchaseCard = card();
    const Bytes wrong = purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = "9999"});
    const Answer first = authorize(order, wrong);
    auto answer = answerOf(first);
    EXPECT_EQ(toHex(answer.arc), "3535");
    EXPECT_EQ(answer.pinTriesLeft, std::optional<std::uint32_t>(2));
    EXPECT_TRUE(purchaseCard.authenticates(answer));
    EXPECT_EQ(account(accountId)["pinTriesLeft"], 2);
    // The same sealed bytes again count once.
    EXPECT_EQ(authorize(order, wrong).body, first.body);
    EXPECT_EQ(account(accountId)["pinTriesLeft"], 2);

    answer = answerOf(authorize(
        order, purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = "12345"})));
    EXPECT_EQ(toHex(answer.arc), "3535");
    EXPECT_EQ(answer.pinTriesLeft, std::optional<std::uint32_t>(1));
    answer = answerOf(authorize(
        order, purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = "0000"})));
    EXPECT_EQ(toHex(answer.arc), "3735");  // the third wrong PIN blocks it
    EXPECT_FALSE(answer.pinTriesLeft);
    EXPECT_EQ(account(accountId)["pinTriesLeft"], 0);

    // Blocked: "75" for every purchase, the right PIN or none, until the operator resets it.
    for (const PurchaseTerms& terms :
         {PurchaseTerms{.amount = kPinAmount, .pin = kPin}, PurchaseTerms{.amount = kAmount}}) {
        const std::string next = createOrder(terms.amount, kMerchant);
        EXPECT_EQ(toHex(answerOf(authorize(next, purchaseCard.sealedPurchase(next, terms))).arc),
                  "3735");
    }
    EXPECT_EQ(admin("POST", "/admin/accounts/" + accountId + "/pin", {{"pin", "12"}}).errorCode(),
              "invalid_pin");
    const Answer reset = admin("POST", "/admin/accounts/" + accountId + "/pin", {{"pin", "2468"}});
    ASSERT_EQ(reset.status, 200) << reset.body;
    EXPECT_EQ(reset.json()["pinTriesLeft"], 3);
    answer = answerOf(authorize(
        order, purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = "2468"})));
    EXPECT_EQ(toHex(answer.arc), "3030");
    EXPECT_EQ(balance(accountId), 100000U - kPinAmount);
    EXPECT_EQ(ledgerRows(accountId, "debit"), 1U);
}

TEST_F(PurchaseTest, TheRightPinRestoresTheTries) {
    const std::string order = createOrder(kPinAmount, kMerchant);
    PurchaseCard purchaseCard = card();
    answerOf(authorize(order,
                       purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = "9999"})));
    EXPECT_EQ(account(accountId)["pinTriesLeft"], 2);
    const auto answer = answerOf(
        authorize(order, purchaseCard.sealedPurchase(order, {.amount = kPinAmount, .pin = kPin})));
    EXPECT_EQ(toHex(answer.arc), "3030");
    EXPECT_EQ(account(accountId)["pinTriesLeft"], 3);
}

// --- Refusals: 4xx without an ARPC, nothing recorded

TEST_F(PurchaseTest, ASealThatIsNotThisChipsIsRefused) {
    PurchaseCard purchaseCard = card();
    Bytes tampered = purchaseCard.sealedPurchase(orderId, {kAmount});
    tampered[tampered.size() / 2] ^= 0x01U;
    EXPECT_EQ(authorize(orderId, tampered).errorCode(), "seal_invalid");

    // Sealed for another chip serial (the AAD): it does not open for this device.
    PurchaseCard otherChip(issuers.bankIssuers.at(0), kPan, chipKeys(),
                           fromHex("544C434800000002"));
    EXPECT_EQ(authorize(orderId, otherChip.sealedPurchase(orderId, {kAmount})).errorCode(),
              "seal_invalid");
    // Under a key that is not the chip's.
    chip::mgmt::PaymentKeys otherKeys = chipKeys();
    otherKeys.channelKey[0] ^= 0x01U;
    PurchaseCard otherKey(issuers.bankIssuers.at(0), kPan, otherKeys, device.chipSerial);
    EXPECT_EQ(authorize(orderId, otherKey.sealedPurchase(orderId, {kAmount})).errorCode(),
              "seal_invalid");
    // Too short to be a seal: refused by the wire.
    const json shortSeal{{"sealed", std::string(54, '0')},
                         {"terminalId", toHex(device.terminalId())}};
    EXPECT_EQ(
        client->postJson("/v1/orders/" + orderId + "/purchase/authorize", shortSeal).errorCode(),
        "malformed_request");
    EXPECT_EQ(balance(accountId), 100000U);
}

TEST_F(PurchaseTest, AnAmountTheCardDidNotSignFailsTheArqc) {
    PurchaseCard purchaseCard = card();
    // The chip sealed the order's amount, the card signed another one.
    const Answer answer = authorize(
        orderId, purchaseCard.sealedPurchase(orderId, {.amount = kAmount, .cardAmount = 100}));
    EXPECT_EQ(answer.status, 422);
    EXPECT_EQ(answer.errorCode(), "arqc_invalid");
    EXPECT_EQ(balance(accountId), 100000U);
}

TEST_F(PurchaseTest, SealedTermsThatAreNotTheOrdersAreAMismatch) {
    const Bytes threeDaysAgo = yymmddOf(std::chrono::system_clock::now() - std::chrono::hours(72));
    // Another currency or type is not even a sealed purchase chip::pay reads (the chip seals
    // CNY goods only): seal_invalid before the terms are compared.
    const std::vector<std::tuple<const char*, PurchaseTerms, const char*>> cases{
        {"another amount", {kAmount + 100}, "purchase_mismatch"},
        {"another order",
         {.amount = kAmount, .orderReference = sha256("ORD-OTHER")},
         "purchase_mismatch"},
        {"three days ago", {.amount = kAmount, .date = threeDaysAgo}, "purchase_mismatch"},
        {"another currency", {.amount = kAmount, .currency = 840}, "seal_invalid"},
        {"another type", {.amount = kAmount, .type = 0x01}, "seal_invalid"},
    };
    for (const auto& [name, terms, code] : cases) {
        SCOPED_TRACE(name);
        PurchaseCard purchaseCard = card();
        const Answer answer = authorize(orderId, purchaseCard.sealedPurchase(orderId, terms));
        EXPECT_EQ(answer.status, 422);
        EXPECT_EQ(answer.errorCode(), code);
    }
    EXPECT_EQ(balance(accountId), 100000U);
}

TEST_F(PurchaseTest, OrdersChipsAndKeysThatCannotPayAreRefused) {
    PurchaseCard purchaseCard = card();
    const std::string city = ServerTest::createOrder(kAmount);
    EXPECT_EQ(authorize(city, purchaseCard.sealedPurchase(city, {kAmount})).status, 409);
    EXPECT_EQ(authorize("ORD-NONE", purchaseCard.sealedPurchase("ORD-NONE", {kAmount})).status,
              404);

    // A chip the TSM never personalised: the server has no keys to open its seal.
    const Device stranger = pki.makeDevice("stranger", DeviceOptions::forChip("544C434800000009"));
    const DeviceClient strangerClient = clientFor(stranger);
    const json body = wire::toJson(wire::PurchaseAuthorizeRequest{
        purchaseCard.sealedPurchase(orderId, {kAmount}), stranger.terminalId()});
    EXPECT_EQ(
        strangerClient.postJson("/v1/orders/" + orderId + "/purchase/authorize", body).errorCode(),
        "payment_keys_missing");

    // The payment applet ordered locked: refused at once.
    const Answer lock =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "lock"}, {"applet", "payment"}});
    ASSERT_EQ(lock.status, 201) << lock.body;
    const Answer locked = authorize(orderId, purchaseCard.sealedPurchase(orderId, {kAmount}));
    EXPECT_EQ(locked.status, 403);
    EXPECT_EQ(locked.errorCode(), "chip_locked");
}

// --- Reversals

TEST_F(PurchaseTest, AnAacResultReversesAndRefundsExactlyOnce) {
    PurchaseCard purchaseCard = card();
    const auto answer = approved(purchaseCard, orderId, {kAmount});
    EXPECT_EQ(balance(accountId), 100000U - kAmount);
    const auto aac = purchaseCard.result(orderId, answer, false);
    const Answer reversed = report(orderId, aac);
    ASSERT_EQ(reversed.status, 200) << reversed.body;
    const auto receipt = wire::PurchaseReceipt::fromJson(reversed.json());
    EXPECT_EQ(receipt.status, "reversed");
    EXPECT_EQ(orderStatus(orderId), "reversed");
    EXPECT_EQ(balance(accountId), 100000U);

    const Answer replay = report(orderId, aac);
    EXPECT_EQ(replay.errorCode(), "already_reversed");
    const Answer explicitReversal = reverse(
        orderId, purchaseCard.reversal(orderId, answer, wire::ReversalReason::CardDeclined));
    ASSERT_EQ(explicitReversal.status, 200) << explicitReversal.body;
    EXPECT_EQ(wire::PurchaseReceipt::fromJson(explicitReversal.json()), receipt);
    EXPECT_EQ(ledgerRows(accountId, "refund"), 1U);
    EXPECT_EQ(balance(accountId), 100000U);
}

TEST_F(PurchaseTest, AReversalTwiceGivesTheSameReceiptAndRefundsOnce) {
    PurchaseCard purchaseCard = card();
    const auto answer = approved(purchaseCard, orderId, {kAmount});
    const auto reversal = purchaseCard.reversal(orderId, answer, wire::ReversalReason::CardGone);
    const Answer first = reverse(orderId, reversal);
    ASSERT_EQ(first.status, 200) << first.body;
    const Answer second = reverse(orderId, reversal);
    ASSERT_EQ(second.status, 200) << second.body;
    EXPECT_EQ(first.json(), second.json());
    EXPECT_EQ(first.json()["status"], "reversed");
    EXPECT_EQ(ledgerRows(accountId, "refund"), 1U);
    EXPECT_EQ(balance(accountId), 100000U);
    // A TC reported after it cannot settle the reversed order.
    EXPECT_EQ(report(orderId, purchaseCard.result(orderId, answer, true)).status, 409);
}

TEST_F(PurchaseTest, AReversedOrdersReceiptIsOnlyForItsChip) {
    PurchaseCard purchaseCard = card();
    const auto answer = approved(purchaseCard, orderId, {kAmount});
    const auto reversal = purchaseCard.reversal(orderId, answer, wire::ReversalReason::CardGone);
    ASSERT_EQ(reverse(orderId, reversal).status, 200);
    const Device stranger = pki.makeDevice("stranger", DeviceOptions::forChip("544C434800000009"));
    const Answer strangers = clientFor(stranger).postJson(
        "/v1/orders/" + orderId + "/purchase/reverse",
        signedReport(stranger, wire::encodePurchaseReversal(reversal)));
    EXPECT_EQ(strangers.status, 409) << strangers.body;
    EXPECT_EQ(strangers.body.find("receipt"), std::string::npos) << strangers.body;
}

TEST_F(PurchaseTest, AForgedSecondCryptogramIsRefused) {
    PurchaseCard purchaseCard = card();
    const auto answer = approved(purchaseCard, orderId, {kAmount});
    auto forged = purchaseCard.result(orderId, answer, true);
    forged.cryptogram[0] ^= 0x01U;
    EXPECT_EQ(report(orderId, forged).errorCode(), "cryptogram_invalid");
    auto otherNonce = purchaseCard.result(orderId, answer, true);
    otherNonce.nonce[0] ^= 0x01U;
    EXPECT_EQ(report(orderId, otherNonce).errorCode(), "unknown_authorization");
    EXPECT_EQ(orderStatus(orderId), "open");
}

// --- The script and the operator

TEST_F(PurchaseTest, TheRepositorysBankPurchaseScriptIsServedForItsScheme) {
    std::filesystem::copy_file(
        std::string(TAPLINK_SOURCE_DIR) + "/scripts/recharge/bank-purchase.json",
        scriptsDir() + "/bank-purchase.json");
    const Answer served = client->get("/v1/scripts/bank-purchase");
    ASSERT_EQ(served.status, 200) << served.body;
    const auto envelope = wire::ScriptEnvelope::fromJson(served.json());
    EXPECT_EQ(envelope.scheme, "bank-purchase");
    EXPECT_EQ(envelope.id, "bank-purchase");
}

TEST_F(PurchaseTest, OperatorCommandsMakePurchaseOrdersAndSetPins) {
    const auto run = [this](std::vector<std::string> words) {
        words.insert(words.begin(), kServerPath);
        words.insert(words.end(), {"--config", configPath()});
        return testsupport::run(words);
    };
    const auto created = run({"account", "create", "--holder", "Zhao Liu", "--pan",
                              "6288880000002222", "--balance", "10.00", "--pin", "4321"});
    ASSERT_EQ(created.exitCode, 0) << created.err;
    const std::string id = created.out.substr(0, created.out.find('\n'));
    EXPECT_TRUE(account(id)["pinSet"].get<bool>());
    EXPECT_EQ(
        run({"account", "create", "--holder", "Q", "--pan", "6288880000003333", "--pin", "12"})
            .exitCode,
        1);
    const auto reset = run({"account", "set-pin", id, "--pin", "87654321"});
    EXPECT_EQ(reset.exitCode, 0) << reset.err;
    EXPECT_EQ(account(id)["pinTriesLeft"], 3);

    const auto order = run({"order", "create", "--amount", "12.50", "--scheme", "bank-purchase",
                            "--merchant", "小店 Little Shop"});
    ASSERT_EQ(order.exitCode, 0) << order.err;
    const std::string madeOrder = order.out.substr(0, order.out.find('\n'));
    const auto shown = run({"order", "show", madeOrder, "--json"});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    const json view = json::parse(shown.out);
    EXPECT_EQ(view["merchant"], "小店 Little Shop");
    EXPECT_EQ(view["amount"], 1250);
    EXPECT_TRUE(view["purchaseAuthorization"].is_null());
    // The PIN is in no answer, log line or event.
    EXPECT_EQ(shown.out.find("87654321"), std::string::npos);
    EXPECT_EQ(admin("GET", "/admin/events").body.find("87654321"), std::string::npos);
    EXPECT_EQ(server.errors().find("87654321"), std::string::npos);
}

}  // namespace
}  // namespace taplink::servertest
