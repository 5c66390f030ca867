// Every way a top-up fails, through TopupService::run: the API error code the caller gets and
// what the journal holds afterwards (nothing before the order is known; failed before the
// card is written; card_initialized or credited once money may be on the card).
#include <gtest/gtest.h>

#include "service_bed.hpp"
#include "taplink/base/base64.hpp"

namespace taplink::service::testing {
namespace {

using api::ErrorCode;
using journal::TopupState;

class TopupFailure : public ::testing::Test {
  protected:
    TopupFailure() { bed.addOrder("ORD-1"); }

    bool hasRecord(const std::string& orderId) { return bed.journal.find(orderId).has_value(); }

    ServiceBed bed;
};

TEST_F(TopupFailure, AnInvalidOrderIdIsInvalidParams) {
    EXPECT_EQ(bed.runError("ORD 1/..").code(), ErrorCode::InvalidParams);
}

TEST_F(TopupFailure, AnUnreachableServerIsServerUnreachableAndJournalsNothing) {
    bed.server->failUnreachable(ServerCall::FetchOrder);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ServerUnreachable);
    EXPECT_FALSE(hasRecord("ORD-1"));
}

TEST_F(TopupFailure, AnUnknownOrderIsOrderNotFound) {
    EXPECT_EQ(bed.runError("ORD-404").code(), ErrorCode::OrderNotFound);
    EXPECT_FALSE(hasRecord("ORD-404"));
}

TEST_F(TopupFailure, ASettledOrderIsOrderSettled) {
    bed.server->addOrder("ORD-2", ServiceBed::kAmount, net::wire::OrderStatus::Settled);
    EXPECT_EQ(bed.runError("ORD-2").code(), ErrorCode::OrderSettled);
    EXPECT_FALSE(hasRecord("ORD-2"));
}

TEST_F(TopupFailure, ACancelledOrderIsDeclined) {
    bed.server->addOrder("ORD-2", ServiceBed::kAmount, net::wire::OrderStatus::Cancelled);
    EXPECT_EQ(bed.runError("ORD-2").code(), ErrorCode::Declined);
    EXPECT_FALSE(hasRecord("ORD-2"));
}

TEST_F(TopupFailure, AnOrderOfAnotherSchemeIsUnsupportedCard) {
    bed.server->addOrder("ORD-2", ServiceBed::kAmount, net::wire::OrderStatus::Open, "metro-x");
    EXPECT_EQ(bed.runError("ORD-2").code(), ErrorCode::UnsupportedCard);
}

TEST_F(TopupFailure, AScriptSignedByAnUnknownKeyIsRejected) {
    const auto stranger = makeSigningKey();
    bed.server->setScriptEnvelope(
        makeEnvelope(readRechargeScript("city-epurse-load.json"), stranger.get()));
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ScriptRejected);
    EXPECT_FALSE(hasRecord("ORD-1"));
}

TEST_F(TopupFailure, AScriptChangedAfterSigningIsRejected) {
    const std::string script = readRechargeScript("city-epurse-load.json");
    auto envelope = makeEnvelope(script, bed.signingKey.get());
    const std::string changed = script + " ";
    envelope["script"] = base64Encode(Bytes(changed.begin(), changed.end()));
    bed.server->setScriptEnvelope(envelope);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ScriptRejected);
}

TEST_F(TopupFailure, NoCardInTimeIsTimeoutAndFailsTheRecord) {
    ServiceBed impatient(ServiceBed::Options{.cardWait = std::chrono::seconds(0)});
    impatient.addOrder("ORD-1");
    EXPECT_EQ(impatient.runError("ORD-1").code(), ErrorCode::Timeout);
    EXPECT_EQ(impatient.history("ORD-1"),
              (std::vector{TopupState::OrderFetched, TopupState::Failed}));
}

TEST_F(TopupFailure, AMissingChipIsChipUnavailableAndFailsTheRecord) {
    ServiceBed chipless(ServiceBed::Options{.chipInserted = false});
    chipless.addOrder("ORD-1");
    chipless.insertCard();
    EXPECT_EQ(chipless.runError("ORD-1").code(), ErrorCode::ChipUnavailable);
    EXPECT_EQ(chipless.record("ORD-1").state, TopupState::Failed);
    EXPECT_EQ(chipless.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupFailure, ACardPulledBeforeInitializeForLoadFailsTheRecord) {
    bed.insertCard();
    bed.port.pullCardAfter(ServiceBed::kCardReader, card_command::kGetBalance);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::CardRemoved);
    EXPECT_EQ(bed.history("ORD-1"), (std::vector{TopupState::OrderFetched, TopupState::Failed}));
    EXPECT_FALSE(bed.port.hasCard(ServiceBed::kCardReader));
    bed.insertCard();
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupFailure, ACardPulledOnceInitializedIsCardRemovedAndStaysOpen) {
    bed.insertCard();
    bed.port.pullCardAfter(ServiceBed::kCardReader, card_command::kInitializeForLoad);
    const ServiceError error = bed.runError("ORD-1");
    EXPECT_EQ(error.code(), ErrorCode::CardRemoved);
    EXPECT_NE(std::string(error.what()).find("0042"), std::string::npos) << "names the card";
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::CardInitialized);
}

TEST_F(TopupFailure, ACardPulledRightAfterTheCreditStillSettles) {
    bed.insertCard();
    bed.port.pullCardAfter(ServiceBed::kCardReader, card_command::kCreditForLoad);
    const TopupOutcome outcome = bed.run("ORD-1");
    EXPECT_TRUE(outcome.settled);
    EXPECT_TRUE(outcome.timings.has_value()) << "it ran now";
    bed.insertCard();
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(TopupFailure, ACardHeldByAnotherProgramIsBusyAndFailsTheRecord) {
    bed.insertCard();
    const auto otherProgram = bed.port.connect(ServiceBed::kCardReader, CardAccess::Shared);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::Busy);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
}

TEST_F(TopupFailure, PcscdGoingAwayMidRunIsPcscUnavailable) {
    bed.insertCard();
    bed.port.beforeCommand(ServiceBed::kCardReader, card_command::kInitializeForLoad,
                           [this] { bed.port.setServiceDown(true); });
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::PcscUnavailable);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
}

TEST_F(TopupFailure, ARefusedAuthorizationIsDeclinedAndFailsTheRecord) {
    bed.insertCard();
    bed.server->refuse(ServerCall::Exchange, "balance_limit_exceeded");
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::Declined);
    EXPECT_EQ(bed.history("ORD-1"), (std::vector{TopupState::OrderFetched, TopupState::Failed}));
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupFailure, AServerLostAtAuthorizationIsServerUnreachable) {
    bed.insertCard();
    bed.server->loseAnswer(ServerCall::Exchange);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ServerUnreachable);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
}

TEST_F(TopupFailure, AFailedReportLeavesTheTopUpCreditedUntilResumeReportsIt) {
    bed.insertCard();
    bed.server->failUnreachable(ServerCall::ReportResult, 1);
    const TopupOutcome outcome = bed.run("ORD-1");
    EXPECT_FALSE(outcome.settled);
    EXPECT_EQ(outcome.balanceAfter, ServiceBed::kInitialBalance + ServiceBed::kAmount);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Credited);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Reported);
    EXPECT_EQ(bed.server->orderStatus("ORD-1"), net::wire::OrderStatus::Settled);
}

TEST_F(TopupFailure, ARevokedDeviceCannotSettleButTheCreditIsKept) {
    bed.insertCard();
    bed.server->refuse(ServerCall::ReportResult, "device_revoked");
    EXPECT_FALSE(bed.run("ORD-1").settled);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Credited);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(TopupFailure, AFailedAttemptCanBeStartedAgain) {
    bed.insertCard();
    bed.server->failUnreachable(ServerCall::Exchange, 1);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::ServerUnreachable);
    EXPECT_TRUE(bed.run("ORD-1").settled);
    using enum TopupState;
    EXPECT_EQ(bed.history("ORD-1"), (std::vector{OrderFetched, Failed, OrderFetched, Authorized,
                                                 CardInitialized, Credited, Reported}));
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

}  // namespace
}  // namespace taplink::service::testing
