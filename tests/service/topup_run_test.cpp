// TopupService::run end to end over the in-process card, chip and server: the money lands on
// the card, each step is journaled before it is taken, the server settles exactly once.
#include <gtest/gtest.h>

#include <optional>
#include <thread>

#include "service_bed.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::service::testing {
namespace {

using journal::TopupState;

class TopupRun : public ::testing::Test {
  protected:
    void SetUp() override {
        bed.addOrder("ORD-1");
        bed.insertCard();
    }

    // What the journal says of ORD-1 just before the card's n-th command.
    void recordHistoryBefore(std::size_t command, std::vector<TopupState>& into) {
        bed.port.beforeCommand(ServiceBed::kCardReader, command,
                               [this, &into] { into = bed.history("ORD-1"); });
    }

    ServiceBed bed;
};

TEST_F(TopupRun, LoadsTheCardAndSettlesTheOrder) {
    const TopupOutcome outcome = bed.run("ORD-1");
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(outcome.amount, ServiceBed::kAmount);
    EXPECT_EQ(outcome.balanceBefore, ServiceBed::kInitialBalance);
    EXPECT_EQ(outcome.balanceAfter, ServiceBed::kInitialBalance + ServiceBed::kAmount);
    EXPECT_EQ(outcome.tac.size(), 4U);
    EXPECT_EQ(outcome.receipt.at("orderId"), "ORD-1");
    EXPECT_TRUE(outcome.timings.has_value());
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
    EXPECT_EQ(bed.server->orderStatus("ORD-1"), net::wire::OrderStatus::Settled);
}

TEST_F(TopupRun, JournalsEachStepBeforeTakingIt) {
    std::vector<TopupState> beforeInitialize;
    std::vector<TopupState> beforeCredit;
    std::vector<TopupState> beforeLastRead;
    recordHistoryBefore(card_command::kInitializeForLoad, beforeInitialize);
    recordHistoryBefore(card_command::kCreditForLoad, beforeCredit);
    recordHistoryBefore(card_command::kReadBalanceAfter, beforeLastRead);
    bed.run("ORD-1");
    using enum TopupState;
    EXPECT_EQ(beforeInitialize, (std::vector{OrderFetched}));
    EXPECT_EQ(beforeCredit, (std::vector{OrderFetched, Authorized, CardInitialized}));
    EXPECT_EQ(beforeLastRead, (std::vector{OrderFetched, Authorized, CardInitialized, Credited}));
    EXPECT_EQ(bed.history("ORD-1"),
              (std::vector{OrderFetched, Authorized, CardInitialized, Credited, Reported}));
}

TEST_F(TopupRun, TheRecordHoldsWhatTheSignedResultNeeds) {
    bed.run("ORD-1");
    const journal::TopupRecord record = bed.record("ORD-1");
    const auto settled = bed.server->settledResults();
    ASSERT_EQ(settled.size(), 1U);
    const net::wire::TopupResult& result = settled.front();
    EXPECT_EQ(record.state, TopupState::Reported);
    EXPECT_EQ(record.amount, ServiceBed::kAmount);
    EXPECT_EQ(record.cardSerial, toHex(result.cardSerial));
    EXPECT_EQ(record.nonce, result.nonce);
    EXPECT_EQ(record.onlineAtc, result.onlineAtc);
    EXPECT_EQ(record.tac, result.tac);
    EXPECT_EQ(record.terminalId, result.terminalId);
    EXPECT_EQ(nlohmann::json::parse(record.receipt).at("receiptId"), "RCP-1");
}

TEST_F(TopupRun, ReportsTheProgressStagesInOrder) {
    bed.run("ORD-1");
    EXPECT_EQ(bed.stages.lines(), (std::vector<std::string>{"waiting_for_card", "authorizing",
                                                            "writing", "confirming"}));
}

TEST_F(TopupRun, ACardPresentedWhileWaitingIsLoaded) {
    bed.port.remove(ServiceBed::kCardReader);
    std::jthread presenter;
    const auto presentOnWait = [&](const std::string& stage) {
        if (stage == "waiting_for_card") {
            presenter = std::jthread([this] { bed.insertCard(); });
        }
    };
    const TopupOutcome outcome = bed.service.run("ORD-1", "", presentOnWait, [] { return false; });
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(TopupRun, ASettledTopUpRunAgainIsAnsweredFromTheJournal) {
    bed.run("ORD-1");
    const TopupOutcome again = bed.run("ORD-1");
    EXPECT_TRUE(again.settled);
    EXPECT_EQ(again.balanceAfter, ServiceBed::kInitialBalance + ServiceBed::kAmount);
    EXPECT_EQ(bed.server->calls(ServerCall::FetchOrder), 1U) << "nothing asked of the server";
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(TopupRun, TheCardIsHeldExclusivelyWhileItIsWritten) {
    std::optional<pcsc::ErrorKind> otherProgram;
    bed.port.beforeCommand(ServiceBed::kCardReader, card_command::kCreditForLoad, [&] {
        try {
            bed.port.connect(ServiceBed::kCardReader, CardAccess::Shared);
        } catch (const pcsc::PcscError& error) {
            otherProgram = error.kind();
        }
    });
    bed.run("ORD-1");
    EXPECT_EQ(otherProgram, pcsc::ErrorKind::SharingViolation);
}

TEST_F(TopupRun, ADeniedConfirmationFailsTheRecordAndLeavesTheCard) {
    const auto deny = [](const ConfirmationRequest&, const std::function<bool()>&) {
        throw ServiceError(api::ErrorCode::UserDenied, "the user said no");
    };
    EXPECT_EQ(bed.runError("ORD-1", {}, deny).code(), api::ErrorCode::UserDenied);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupRun, ACardSwappedAfterItWasConfirmedIsNotLoaded) {
    const auto other = ServiceBed::makeCityCard(fromHex("00000000000000000099"));
    const auto swapThenConfirm = [&](const ConfirmationRequest& request,
                                     const std::function<bool()>&) {
        EXPECT_EQ(request.amount, ServiceBed::kAmount);
        bed.port.swap(request.reader, other);
    };
    EXPECT_EQ(bed.runError("ORD-1", {}, swapThenConfirm).code(), api::ErrorCode::CardRemoved);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance) << "the other card";
}

}  // namespace
}  // namespace taplink::service::testing
