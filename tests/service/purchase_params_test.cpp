// The purchase's payment-parameters check (docs/daemon.md, "Tap & Pay purchase"): an order
// whose paramsVersion is newer than the chip's payment applet makes taplinkd run one TSM
// sync (ChipManagement, the real signed chip-manage script over real SCP03 to the simulated
// chip) before the card; a chip still older after it is chip_outdated before any card
// command, with nothing journaled, asked of the issuer or charged.
#include <gtest/gtest.h>

#include <string>

#include "purchase_bed.hpp"

namespace taplink::service::testing {
namespace {

constexpr const char* kOrder = "ORD-PARAMS-1";

// The bed's chip is personalised with version 1; the order asks for `version`.
class PurchaseParametersTest : public ::testing::Test {
  protected:
    void orderAsking(std::uint32_t version) {
        bed.insertBankCard();
        bed.addPurchaseOrder(kOrder);
        bed.server->setParamsVersion(kOrder, version);
    }

    // Nothing of the purchase happened: no card command, no journal record (so no sealed
    // bytes), no authorize call, no debit, the order still open.
    void expectUntouched() {
        EXPECT_EQ(bed.port.commandsSent(PurchaseBed::kCardReader), 0U)
            << "no SELECT, no GENERATE AC: the card was not touched";
        EXPECT_FALSE(bed.purchases.find(kOrder).has_value());
        EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
        EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
        EXPECT_EQ(bed.server->orderStatus(kOrder), net::wire::OrderStatus::Open);
    }

    PurchaseBed bed;
};

TEST_F(PurchaseParametersTest, ANewerVersionIsSyncedFromTheTsmBeforeTheCardThenPaid) {
    orderAsking(2);
    bed.queueParameters(2);
    ASSERT_EQ(bed.chipParametersVersion(), 1U);
    const PurchaseOutcome outcome = bed.pay(kOrder);
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(bed.tsm->reported.size(), 1U) << "one sync";
    EXPECT_EQ(bed.tsm->scriptFetches, (std::vector<std::string>{"tsm"}));
    EXPECT_EQ(bed.chipParametersVersion(), 2U) << "the update-params job ran on the chip";
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
}

TEST_F(PurchaseParametersTest, WithNoPendingJobAnOlderChipIsChipOutdatedBeforeTheCard) {
    orderAsking(2);
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::ChipOutdated) << error.what();
    EXPECT_EQ(error.details().value("required", 0U), 2U);
    EXPECT_EQ(error.details().value("applied", 0U), 1U);
    EXPECT_EQ(bed.tsm->reported.size(), 1U) << "the one sync was asked for";
    expectUntouched();
}

TEST_F(PurchaseParametersTest, ASyncThatFailsLeavesTheChipOutdatedAndSaysWhy) {
    orderAsking(2);
    bed.queueParameters(2);
    bed.tsm->failSync = true;
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::ChipOutdated);
    EXPECT_NE(std::string(error.what()).find("the chip sync failed"), std::string::npos)
        << error.what();
    EXPECT_EQ(bed.chipParametersVersion(), 1U);
    expectUntouched();
}

// The server's own check (409 params_outdated on the authorize): chip_outdated, nothing charged.
TEST_F(PurchaseParametersTest, TheServersParamsOutdatedRefusalIsChipOutdatedWithNothingCharged) {
    orderAsking(1);
    bed.server->refuse(ServerCall::Exchange, "params_outdated");
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::ChipOutdated) << error.what();
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, journal::PurchaseState::Failed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
}

TEST_F(PurchaseParametersTest, TheChipsOwnVersionOrAnOlderOneNeedsNoSync) {
    orderAsking(1);
    EXPECT_TRUE(bed.pay(kOrder).settled);
    EXPECT_TRUE(bed.tsm->reported.empty()) << "no sync when the chip is up to date";
}

TEST_F(PurchaseParametersTest, AnOrderWithoutAVersionIsNotChecked) {
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.queueParameters(2);  // pending, but the order does not ask for it
    EXPECT_TRUE(bed.pay(kOrder).settled);
    EXPECT_TRUE(bed.tsm->reported.empty());
    EXPECT_EQ(bed.chipParametersVersion(), 1U);
}

}  // namespace
}  // namespace taplink::service::testing
