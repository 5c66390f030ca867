// Faults at every step: the card pulled at each APDU, the server failing or gone at each
// endpoint, taplinkd killed in each journal state, another card presented mid-flow. Each
// ends with a clear error or a completed top-up; after the user retries, the card holds
// exactly what the server settled, once.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "e2e_support.hpp"

namespace taplink::testbed {
namespace {

constexpr std::uint32_t kAmount = 5000;
// The card APDUs of the city load script, in order (scripts/recharge/city-epurse-load.json).
constexpr unsigned kCardApdus = 6;  // select, read EF15, balance, INITIALIZE, CREDIT, balance

// --- The card pulled at each APDU, before or after the card acted on it.

class CardPulled : public ::testing::TestWithParam<std::tuple<unsigned, bool>> {};

TEST_P(CardPulled, AtEveryApduTheTopUpEndsClearlyAndARetrySettlesOnce) {
    const auto [apdu, afterProcessing] = GetParam();
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().bed().sim().pullAt(kCardSlot, apdu, afterProcessing);

    const Outcome topup = e2e.topup(order);
    if (!topup.ok()) {
        EXPECT_EQ(topup.code, "card_removed") << topup.message;
        EXPECT_EQ(e2e.orderStatus(order), "open") << "nothing settled while the card is away";
    }
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

INSTANTIATE_TEST_SUITE_P(EachApdu, CardPulled,
                         ::testing::Combine(::testing::Range(1U, kCardApdus + 1),
                                            ::testing::Bool()));

// --- The server failing at each endpoint: before doing anything, or after (the answer lost).

class ServerFails : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(ServerFails, AtEveryEndpointTheTopUpEndsClearlyAndARetrySettlesOnce) {
    const auto [endpoint, mode] = GetParam();
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().serverAdmin("POST", "/admin/faults",
                          {{"endpoint", endpoint}, {"mode", mode}, {"status", 500}, {"count", 50}});

    const Outcome topup = e2e.topup(order);
    if (std::string(endpoint) == "result" && std::string(mode) == "before") {
        // The card was written; only the report is pending, and the daemon keeps trying.
        ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
        EXPECT_FALSE(topup.result.at("settled").get<bool>());
        EXPECT_EQ(e2e.journalState(order), "credited");
    } else if (std::string(endpoint) == "result") {
        // The server settled but its answer was lost: the daemon's retry of the identical
        // result is answered already_settled, which is the settlement.
        ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
        EXPECT_TRUE(topup.result.at("settled").get<bool>());
        EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), kAmount);
    } else {
        EXPECT_EQ(topup.code, "server_error") << topup.message;
        EXPECT_EQ(e2e.balance(), before);
    }
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

INSTANTIATE_TEST_SUITE_P(EachEndpoint, ServerFails,
                         ::testing::Combine(::testing::Values("order", "script", "authorize",
                                                              "result"),
                                            ::testing::Values("before", "after")));

TEST(ServerDown, ATopUpWithTheServerDownFailsBeforeTouchingTheCard) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().stopServer();
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_unreachable") << topup.message;
    e2e.bed().startServer();
    EXPECT_EQ(e2e.balance(), before);
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

// The server goes away while the card is being written: the money is on the card, and the
// daemon reports it by itself once the server is back.
TEST(ServerDown, AResultIsReportedByItselfWhenTheServerComesBack) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().bed().sim().delay(kCardSlot, 5, std::chrono::milliseconds(1500));  // CREDIT
    auto running = e2e.topupAsync(order);
    ASSERT_TRUE(e2e.waitForState(order, "card_initialized"));
    e2e.bed().stopServer();
    const Outcome topup = running.get();
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_FALSE(topup.result.at("settled").get<bool>());
    EXPECT_EQ(e2e.balance(), before + kAmount);
    e2e.bed().startServer();
    EXPECT_TRUE(e2e.waitForState(order, "reported")) << "reported without anyone asking";
    EXPECT_EQ(e2e.orderStatus(order), "settled");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), kAmount);
}

// --- taplinkd killed (SIGKILL) in each journal state, then started again.

struct KillPoint {
    const char* state;
    int slot;  // where to hold the daemon: the APDU after the state is journaled
    unsigned apdu;
};

class DaemonKilled : public ::testing::TestWithParam<KillPoint> {};

TEST_P(DaemonKilled, InEveryJournalStateAndTheNextStartFinishesTheJob) {
    const KillPoint point = GetParam();
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().bed().sim().delay(point.slot, point.apdu, std::chrono::milliseconds(1500));
    auto running = e2e.topupAsync(order);
    ASSERT_TRUE(e2e.waitForState(order, point.state)) << e2e.journalState(order);
    e2e.bed().stopDaemon(/*kill=*/true);
    const Outcome topup = running.get();
    EXPECT_FALSE(topup.ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // the held APDU completes
    e2e.bed().startDaemon();
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

INSTANTIATE_TEST_SUITE_P(
    EachState, DaemonKilled,
    ::testing::Values(KillPoint{"order_fetched", kCardSlot, 1},     // held at SELECT
                      KillPoint{"card_initialized", kCardSlot, 5},  // held at CREDIT
                      KillPoint{"credited", kCardSlot, 6}),         // held at the last balance
    [](const auto& param) { return std::string(param.param.state); });

TEST(DaemonKilled, AfterTheReportNothingHappensTwice) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    ASSERT_TRUE(e2e.topup(order).ok());
    e2e.bed().stopDaemon(/*kill=*/true);
    e2e.bed().startDaemon();
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

// --- Another card presented while the first was being written.

TEST(AnotherCard, PresentedMidFlowIsNeverCreditedInPlaceOfTheFirst) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    auto& sim = e2e.bed().bed().sim();
    sim.pullAt(kCardSlot, 5);  // the first card leaves at CREDIT
    EXPECT_EQ(e2e.topup(order).code, "card_removed");
    sim.insert(kCardSlot, "city-3des", {{"serial", "00000000000000000099"}, {"balance", 700}});
    ASSERT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, true));

    const Outcome withOther = e2e.topup(order);
    EXPECT_EQ(withOther.code, "card_removed") << withOther.message;
    EXPECT_NE(withOther.message.find("0042"), std::string::npos) << "asks for the first card";
    EXPECT_EQ(e2e.balance(), 700U) << "the other card is untouched";
    EXPECT_EQ(e2e.journalState(order), "card_initialized");

    sim.remove(kCardSlot);
    sim.insert(kCardSlot, "city-3des");  // the first card (serial …0042), back again
    ASSERT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, true));
    e2e.retryAndCheckSettledOnce(order, before, kAmount);
}

}  // namespace
}  // namespace taplink::testbed
