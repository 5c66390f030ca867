// tx.cancel: a top-up stops while nothing has been written to the card (cancelled, its
// record failed), finishes once the card is being written (too_late), and only the running
// order can be cancelled (not_found).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <future>
#include <optional>
#include <thread>

#include "service_bed.hpp"

namespace taplink::service::testing {
namespace {

using api::ErrorCode;
using journal::TopupState;

class TopupCancel : public ::testing::Test {
  protected:
    TopupCancel() { bed.addOrder("ORD-1"); }

    // What tx.cancel answers: nullopt when the cancel is taken, else the error's code.
    std::optional<ErrorCode> cancel(const std::string& orderId) {
        try {
            bed.service.cancel(orderId);
            return std::nullopt;
        } catch (const ServiceError& error) {
            return error.code();
        }
    }

    // Cancels ORD-1 just before the n-th command to the card or chip from now.
    void cancelBefore(const char* reader, std::size_t command, std::optional<ErrorCode>& answer) {
        bed.port.beforeCommand(reader, command, [this, &answer] { answer = cancel("ORD-1"); });
    }

    // Waits (at most 10 s) until the top-up reports `stage`.
    bool waitForStage(const std::string& stage) {
        const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
        while (std::chrono::steady_clock::now() < deadline) {
            const auto seen = bed.stages.lines();
            if (std::find(seen.begin(), seen.end(), stage) != seen.end()) {
                return true;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(5));
        }
        return false;
    }

    ServiceBed bed;
};

TEST_F(TopupCancel, CancelWhileWaitingForTheCardIsCancelled) {
    auto running = std::async(std::launch::async, [this] { return bed.runError("ORD-1"); });
    ASSERT_TRUE(waitForStage("waiting_for_card"));
    EXPECT_EQ(cancel("ORD-1"), std::nullopt);
    EXPECT_EQ(running.get().code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.history("ORD-1"), (std::vector{TopupState::OrderFetched, TopupState::Failed}));
}

TEST_F(TopupCancel, TheCallerLeavingWhileWaitingIsCancelled) {
    EXPECT_EQ(bed.runError("ORD-1", [] { return true; }).code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
}

TEST_F(TopupCancel, CancelBeforeTheCardIsWrittenStopsTheTopUp) {
    bed.insertCard();
    std::optional<ErrorCode> answer = ErrorCode::Internal;
    cancelBefore(ServiceBed::kCardReader, card_command::kInitializeForLoad, answer);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::Cancelled);
    EXPECT_EQ(answer, std::nullopt) << "the cancel was taken";
    EXPECT_EQ(bed.record("ORD-1").state, TopupState::Failed);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupCancel, CancelOnceAuthorizedFailsTheAuthorizedRecord) {
    bed.insertCard();
    std::optional<ErrorCode> answer = ErrorCode::Internal;
    cancelBefore(ServiceBed::kChipReader, chip_command::kSelectLoadSam, answer);
    EXPECT_EQ(bed.runError("ORD-1").code(), ErrorCode::Cancelled);
    EXPECT_EQ(answer, std::nullopt);
    EXPECT_EQ(bed.history("ORD-1"),
              (std::vector{TopupState::OrderFetched, TopupState::Authorized, TopupState::Failed}));
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

TEST_F(TopupCancel, CancelOnceTheCardIsBeingWrittenIsTooLate) {
    bed.insertCard();
    std::optional<ErrorCode> answer;
    cancelBefore(ServiceBed::kCardReader, card_command::kCreditForLoad, answer);
    EXPECT_TRUE(bed.run("ORD-1").settled);
    EXPECT_EQ(answer, ErrorCode::TooLate);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(TopupCancel, CancelOfAnOrderNotRunningIsNotFound) {
    EXPECT_EQ(cancel("ORD-1"), ErrorCode::NotFound);
    bed.insertCard();
    std::optional<ErrorCode> otherOrder;
    bed.port.beforeCommand(ServiceBed::kCardReader, card_command::kInitializeForLoad,
                           [this, &otherOrder] { otherOrder = cancel("ORD-2"); });
    EXPECT_TRUE(bed.run("ORD-1").settled);
    EXPECT_EQ(otherOrder, ErrorCode::NotFound);
    EXPECT_EQ(cancel("ORD-1"), ErrorCode::NotFound) << "finished";
}

}  // namespace
}  // namespace taplink::service::testing
