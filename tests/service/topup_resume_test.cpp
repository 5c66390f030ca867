// resume() and a top-up run again finish what the journal left open: nothing was written
// before card_initialized (failed); from card_initialized the card itself says whether the
// credit happened; a credited top-up is reported until the server has it, exactly once.
#include <gtest/gtest.h>

#include "service_bed.hpp"

namespace taplink::service::testing {
namespace {

using api::ErrorCode;
using journal::TopupState;
using LastAnswer = SimCardPort::LastAnswer;

constexpr std::uint32_t kLoaded = ServiceBed::kInitialBalance + ServiceBed::kAmount;

class TopupResume : public ::testing::Test {
  protected:
    TopupResume() {
        bed.addOrder("ORD-1");
        bed.insertCard();
    }

    // Runs ORD-1 until the card is pulled after INITIALIZE FOR LOAD: the credit never
    // reaches it (Delivered) or reaches it with its answer lost (Lost).
    void interruptOnceInitialized(bool creditReachesTheCard) {
        if (creditReachesTheCard) {
            bed.port.pullCardAfter(ServiceBed::kCardReader, card_command::kCreditForLoad,
                                   LastAnswer::Lost);
        } else {
            bed.port.pullCardAfter(ServiceBed::kCardReader, card_command::kInitializeForLoad);
        }
        ASSERT_EQ(bed.runError("ORD-1").code(), ErrorCode::CardRemoved);
        ASSERT_EQ(bed.record("ORD-1").state, TopupState::CardInitialized);
    }

    ServiceBed bed;
};

TEST_F(TopupResume, FailsARecordLeftAtOrderFetched) {
    bed.journal.recordOrderFetched("ORD-2", ServiceBed::kAmount);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-2").state, TopupState::Failed);
}

TEST_F(TopupResume, FailsARecordLeftAtAuthorized) {
    bed.journal.recordOrderFetched("ORD-2", ServiceBed::kAmount);
    bed.journal.recordAuthorized("ORD-2", {Bytes(16, 0x01), 4102444800});
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-2").state, TopupState::Failed);
}

TEST_F(TopupResume, CreditsAndReportsALoadThatReachedTheCard) {
    interruptOnceInitialized(true);
    bed.insertCard();
    EXPECT_EQ(bed.service.resume(), 0U);
    using enum TopupState;
    EXPECT_EQ(bed.history("ORD-1"),
              (std::vector{OrderFetched, Authorized, CardInitialized, Credited, Reported}));
    EXPECT_EQ(bed.cardBalance(), kLoaded);
    EXPECT_EQ(bed.server->orderStatus("ORD-1"), net::wire::OrderStatus::Settled);
}

TEST_F(TopupResume, FailsALoadThatNeverReachedTheCard) {
    interruptOnceInitialized(false);
    bed.insertCard();
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
    EXPECT_EQ(bed.server->orderStatus("ORD-1"), net::wire::OrderStatus::Open);
}

TEST_F(TopupResume, WaitsForTheCardThatWasBeingWritten) {
    interruptOnceInitialized(true);
    EXPECT_EQ(bed.service.resume(), 1U) << "no card";
    bed.port.insert(ServiceBed::kCardReader,
                    ServiceBed::makeCityCard(fromHex("00000000000000000099")));
    EXPECT_EQ(bed.service.resume(), 1U) << "another card";
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::CardInitialized);
}

TEST_F(TopupResume, RunningTheOrderAgainFinishesTheInterruptedLoadOnce) {
    interruptOnceInitialized(true);
    bed.insertCard();
    const TopupOutcome outcome = bed.run("ORD-1");
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(outcome.balanceAfter, kLoaded);
    EXPECT_EQ(bed.cardBalance(), kLoaded) << "loaded once, not twice";
}

TEST_F(TopupResume, RunningTheOrderAgainAfterACreditThatNeverLandedLoadsItOnce) {
    interruptOnceInitialized(false);
    bed.insertCard();
    EXPECT_TRUE(bed.run("ORD-1").settled);
    EXPECT_EQ(bed.cardBalance(), kLoaded);
    EXPECT_EQ(bed.server->settledResults().size(), 1U);
}

TEST_F(TopupResume, RunningTheOrderAgainWithoutItsCardAsksForIt) {
    interruptOnceInitialized(true);
    const ServiceError error = bed.runError("ORD-1");
    EXPECT_EQ(error.code(), ErrorCode::CardRemoved);
    EXPECT_NE(std::string(error.what()).find("present that card"), std::string::npos);
}

TEST_F(TopupResume, ANewTopUpOfTheSameCardSettlesTheEarlierOneFirst) {
    interruptOnceInitialized(true);
    bed.insertCard();
    bed.addOrder("ORD-2");
    EXPECT_TRUE(bed.run("ORD-2").settled);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Credited);
    EXPECT_EQ(bed.cardBalance(), kLoaded + ServiceBed::kAmount);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Reported);
}

TEST_F(TopupResume, KeepsACreditedRecordWhileTheServerCannotBeReached) {
    bed.server->failUnreachable(ServerCall::ReportResult);
    EXPECT_FALSE(bed.run("ORD-1").settled);
    EXPECT_EQ(bed.service.resume(), 1U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Credited);
    bed.server->clearFault(ServerCall::ReportResult);  // the server is back
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Reported);
}

TEST_F(TopupResume, TakesTheServersEarlierSettlementOfTheSameResult) {
    bed.server->loseAnswer(ServerCall::ReportResult, 1);
    EXPECT_FALSE(bed.run("ORD-1").settled);
    EXPECT_EQ(bed.server->orderStatus("ORD-1"), net::wire::OrderStatus::Settled);
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Reported);
    EXPECT_EQ(bed.server->settledResults().size(), 1U);
}

TEST_F(TopupResume, LeavesFinishedRecordsAlone) {
    bed.run("ORD-1");
    bed.journal.recordOrderFetched("ORD-2", ServiceBed::kAmount);
    bed.journal.recordFailed("ORD-2", "test");
    EXPECT_EQ(bed.service.resume(), 0U);
    EXPECT_EQ(bed.server->calls(ServerCall::ReportResult), 1U);
    EXPECT_EQ(bed.history("ORD-2"), (std::vector{TopupState::OrderFetched, TopupState::Failed}));
}

TEST_F(TopupResume, LeavesTheRunningTopUpToItsRun) {
    std::size_t openDuringRun = 0;
    bed.port.beforeCommand(ServiceBed::kCardReader, card_command::kCreditForLoad,
                           [this, &openDuringRun] { openDuringRun = bed.service.resume(); });
    EXPECT_TRUE(bed.run("ORD-1").settled);
    EXPECT_EQ(openDuringRun, 1U);
}

}  // namespace
}  // namespace taplink::service::testing
