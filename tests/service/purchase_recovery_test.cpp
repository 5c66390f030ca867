// The purchase journal's recovery (docs/daemon.md, "Purchase recovery") through
// TopupService::resume(), the way taplinkd resumes at start: records left in each open state
// (as a crash would leave them) are finished against the scripted server, the TLP1 results
// and TLQ1 reversals signed by the simulated chip's device key and parsed by the server side
// with the wire's own parsers. Also the journal's state machine and its PAN rule.
#include <gtest/gtest.h>

#include "journal/purchase_journal.hpp"
#include "service_bed.hpp"
#include "taplink/protocol/purchase_wire.hpp"

namespace taplink::service::testing {
namespace {

using journal::PurchaseJournal;
using journal::PurchaseState;
using nlohmann::json;
namespace wire = net::wire;

constexpr const char* kOrder = "ORD-PAY-REC-1";
constexpr std::uint32_t kAmount = 5000;
constexpr const char* kNonce = "00112233445566778899AABBCCDDEEFF";
// A ciphertext stand-in: 28 bytes.
constexpr const char* kSealed = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA";

// What a purchase has journaled when its chip sealed it (the script's and the daemon's).
json sealedDetails() {
    return {{"sealed", kSealed},
            {"purchaseNumber", "0001"},
            {"panMasked", "623456******1234"},
            {"atc", "0042"},
            {"arqc", "1122334455667788"},
            {"terminalId", "434800000001"},
            {"txDate", "261206"},
            {"txTime", "120000"},
            {"aid", "A000000333010101"},
            {"application", "PBOC DEBIT"},
            {"merchant", "Demo Shop"}};
}

json completedDetails(const std::string& cid) {
    return {{"cid2", cid},
            {"ac2", "8877665544332211"},
            {"iad2", "07010103A00000010A01000000000000"},
            {"cdol2Data", "3030"},
            {"nonce", kNonce},
            {"authCode", "A1B2C3"}};
}

class PurchaseRecoveryTest : public ::testing::Test {
  protected:
    PurchaseRecoveryTest() {
        bed.server->addOrder(kOrder, kAmount, wire::OrderStatus::Open,
                             std::string(wire::kBankPurchaseScheme));
    }

    void journalUpTo(PurchaseState state, const std::string& cid = "40") {
        purchases.recordOrderFetched(kOrder, kAmount);
        if (state == PurchaseState::OrderFetched) {
            return;
        }
        purchases.advance(kOrder, PurchaseState::Sealed, sealedDetails());
        if (state == PurchaseState::Sealed) {
            return;
        }
        purchases.save(kOrder,
                       {{"authorizeRequest", {{"sealed", kSealed}, {"terminalId", "434800000001"}}},
                        {"arc", "3030"},
                        {"nonce", kNonce}});
        purchases.advance(kOrder, PurchaseState::Authorized, {{"authCode", "A1B2C3"}});
        if (state == PurchaseState::Authorized) {
            return;
        }
        purchases.advance(kOrder, PurchaseState::Completed, completedDetails(cid));
    }

    PurchaseState state() { return purchases.find(kOrder)->state; }

    ServiceBed bed;
    PurchaseJournal purchases{bed.journal};
};

TEST_F(PurchaseRecoveryTest, ACompletedTcIsReportedOnceWithTheJournaledValues) {
    journalUpTo(PurchaseState::Completed, "40");
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Reported);
    ASSERT_EQ(bed.server->ec.purchaseResults.size(), 1U);
    const auto& result = bed.server->ec.purchaseResults.front();
    EXPECT_EQ(result.orderId, kOrder);
    EXPECT_EQ(toHex(result.nonce), kNonce);
    EXPECT_EQ(result.atc, 0x0042);
    EXPECT_EQ(result.cid, 0x40);
    EXPECT_EQ(toHex(result.cryptogram), "8877665544332211");
    EXPECT_EQ(toHex(result.cdol2Data), "3030");
    EXPECT_EQ(toHex(result.terminalId), "434800000001");
    EXPECT_TRUE(bed.server->ec.purchaseReversals.empty());
    EXPECT_EQ(bed.server->orderStatus(kOrder), wire::OrderStatus::Settled);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.server->calls(ServerCall::ReportPurchase), 1U) << "decided: never sent again";
}

TEST_F(PurchaseRecoveryTest, ACompletedAacIsReversedAsCardDeclined) {
    journalUpTo(PurchaseState::Completed, "00");
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Reversed);
    ASSERT_EQ(bed.server->ec.purchaseReversals.size(), 1U);
    EXPECT_EQ(bed.server->ec.purchaseReversals.front().reason, wire::ReversalReason::CardDeclined);
    EXPECT_TRUE(bed.server->ec.purchaseResults.empty());
}

TEST_F(PurchaseRecoveryTest, AnAuthorizedPurchaseWhoseCardLeftIsReversedAsCardGone) {
    journalUpTo(PurchaseState::Authorized);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Reversed);
    ASSERT_EQ(bed.server->ec.purchaseReversals.size(), 1U);
    const auto& reversal = bed.server->ec.purchaseReversals.front();
    EXPECT_EQ(reversal.reason, wire::ReversalReason::CardGone);
    EXPECT_EQ(toHex(reversal.nonce), kNonce);
    EXPECT_EQ(reversal.atc, 0x0042);
    EXPECT_EQ(bed.server->orderStatus(kOrder), wire::OrderStatus::Reversed);
}

TEST_F(PurchaseRecoveryTest, AReversalTheServerMissedIsSentAgainByteForByte) {
    journalUpTo(PurchaseState::Authorized);
    bed.server->failUnreachable(ServerCall::ReportPurchase, 1);
    EXPECT_EQ(bed.service.resume(), 1U);
    EXPECT_EQ(state(), PurchaseState::Authorized);
    const json kept = purchases.find(kOrder)->details.at("reversal");
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Reversed);
    EXPECT_EQ(purchases.find(kOrder)->details.at("reversal"), kept);
    EXPECT_EQ(bed.server->ec.purchaseReversals.size(), 1U);
}

TEST_F(PurchaseRecoveryTest, ASealedPurchaseWhoseAnswerWasLostIsAskedAgainThenReversed) {
    journalUpTo(PurchaseState::Sealed);
    purchases.save(kOrder,
                   {{"authorizeRequest", {{"sealed", kSealed}, {"terminalId", "434800000001"}}}});
    json asked;
    bed.server->purchaseAuthorize = [&asked](const std::string& orderId, const json& request) {
        asked = request;
        return json{{"orderId", orderId},
                    {"arc", "3030"},
                    {"issuerAuthenticationData", "01020304050607083030"},
                    {"nonce", kNonce},
                    {"authCode", "A1B2C3"}};
    };
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(asked.at("sealed"), kSealed) << "the journaled sealed bytes, byte for byte";
    EXPECT_EQ(state(), PurchaseState::Reversed);
    ASSERT_EQ(bed.server->ec.purchaseReversals.size(), 1U);
    EXPECT_EQ(bed.server->ec.purchaseReversals.front().reason, wire::ReversalReason::CardGone);
}

TEST_F(PurchaseRecoveryTest, ASealedPurchaseTheIssuerDeclinesFailsWithNothingToUndo) {
    journalUpTo(PurchaseState::Sealed);
    purchases.save(kOrder,
                   {{"authorizeRequest", {{"sealed", kSealed}, {"terminalId", "434800000001"}}}});
    bed.server->purchaseAuthorize = [](const std::string& orderId, const json&) {
        return json{{"orderId", orderId},
                    {"arc", "3531"},
                    {"issuerAuthenticationData", "01020304050607083531"}};
    };
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Failed);
    EXPECT_TRUE(bed.server->ec.purchaseReversals.empty());
}

TEST_F(PurchaseRecoveryTest, ARefusalThatMayHideADebitKeepsTheSealedRecordOpen) {
    journalUpTo(PurchaseState::Sealed);
    purchases.save(kOrder,
                   {{"authorizeRequest", {{"sealed", kSealed}, {"terminalId", "434800000001"}}}});
    bed.server->refuse(ServerCall::Exchange, "device_revoked", 1);
    EXPECT_EQ(bed.service.resume(), 1U);
    EXPECT_EQ(state(), PurchaseState::Sealed) << "not a refusal of docs/server.md's checks";
    bed.server->refuse(ServerCall::Exchange, "chip_locked", 1);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Failed) << "the server answers a stored answer first";
}

TEST_F(PurchaseRecoveryTest, ASealedPurchaseNeverSentFailsWithoutAskingTheServer) {
    journalUpTo(PurchaseState::Sealed);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Failed);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
}

TEST_F(PurchaseRecoveryTest, AnOrderFetchedRecordFails) {
    journalUpTo(PurchaseState::OrderFetched);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(state(), PurchaseState::Failed);
}

TEST_F(PurchaseRecoveryTest, TheJournalRefusesThePlainPanAndStepsOutOfOrder) {
    purchases.recordOrderFetched(kOrder, kAmount);
    EXPECT_THROW(purchases.save(kOrder, {{"pan", "6234560000001234"}}), journal::JournalError);
    EXPECT_THROW(purchases.advance(kOrder, PurchaseState::Completed, json::object()),
                 journal::JournalError);
    EXPECT_THROW(purchases.advance(kOrder, PurchaseState::Reversed, json::object()),
                 journal::JournalError)
        << "nothing was debited before sealed";
    purchases.advance(kOrder, PurchaseState::Sealed, sealedDetails());
    purchases.advance(kOrder, PurchaseState::Authorized, json::object());
    EXPECT_THROW(purchases.recordFailed(kOrder, "x"), journal::JournalError)
        << "an authorized purchase has a debit to undo";
    EXPECT_EQ(purchases.history(kOrder),
              (std::vector<PurchaseState>{PurchaseState::OrderFetched, PurchaseState::Sealed,
                                          PurchaseState::Authorized}));
}

}  // namespace
}  // namespace taplink::service::testing

namespace taplink::journal {
inline void PrintTo(PurchaseState state, std::ostream* out) {
    *out << toString(state);
}
}  // namespace taplink::journal
