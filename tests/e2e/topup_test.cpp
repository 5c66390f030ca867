// A top-up end to end: the API socket of a real taplinkd, the real server, chip and card,
// and the taplink CLI the kiosks use.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "e2e_support.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

class TopupInBothSuites : public ::testing::TestWithParam<const char*> {};

TEST_P(TopupInBothSuites, ATopUpLoadsTheCardAndTheServerSettlesTheSameAmount) {
    TopupBedOptions options;
    options.cardProfile = GetParam();
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");

    const Outcome topup = e2e.topup(order);

    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_EQ(topup.result.at("orderId"), order);
    EXPECT_EQ(topup.result.at("amount"), 5000);
    EXPECT_EQ(topup.result.at("balanceBefore"), before);
    EXPECT_EQ(topup.result.at("balanceAfter"), before + 5000);
    EXPECT_TRUE(topup.result.at("settled").get<bool>());
    EXPECT_EQ(topup.result.at("receipt").at("orderId"), order);
    EXPECT_EQ(topup.stages, (std::vector<std::string>{"waiting_for_card", "authorizing", "writing",
                                                      "confirming"}));
    EXPECT_EQ(e2e.balance(), before + 5000);
    EXPECT_EQ(e2e.orderStatus(order), "settled");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5000U);
    EXPECT_EQ(e2e.journalState(order), "reported");

    // The same order again: the daemon answers from its journal, nothing is loaded twice.
    const Outcome again = e2e.topup(order);
    ASSERT_TRUE(again.ok()) << again.code;
    EXPECT_EQ(e2e.balance(), before + 5000);
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5000U);
}

// city-3des-00 answers INITIALIZE FOR LOAD with algorithm id 00 (JR/T 0025 e-purse: 00 and 01
// both mean triple DES), as most cards in the field do.
INSTANTIATE_TEST_SUITE_P(CityCards, TopupInBothSuites,
                         ::testing::Values("city-3des", "city-3des-00", "city-sm4"));

TEST(Topup, TwoOrdersLoadTwice) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    ASSERT_TRUE(e2e.topup(e2e.bed().createOrder("10.00")).ok());
    ASSERT_TRUE(e2e.topup(e2e.bed().createOrder("0.01")).ok());
    EXPECT_EQ(e2e.balance(), before + 1001);
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 1001U);

    const Outcome history = e2e.call("card.history", {{"limit", 5}});
    ASSERT_TRUE(history.ok()) << history.code << ": " << history.message;
    const json& records = history.result.at("records");
    ASSERT_EQ(records.size(), 2U) << records.dump();
    EXPECT_EQ(records[0].at("type"), "load");  // newest first
    EXPECT_EQ(records[0].at("amount"), 1);
    EXPECT_EQ(records[0].at("terminalId"), "434800000001");
    EXPECT_EQ(records[1].at("amount"), 1000);
}

TEST(Topup, ATopUpWaitsForTheCardToBeTapped) {
    TopupBedOptions options;
    options.cardProfile.clear();
    E2e e2e(options);
    const std::string order = e2e.bed().createOrder("20.00");
    auto running = e2e.topupAsync(order);
    ASSERT_TRUE(e2e.waitForState(order, "order_fetched"));
    e2e.bed().bed().sim().insert(kCardSlot, "city-3des");
    const Outcome topup = running.get();
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_EQ(topup.stages.front(), "waiting_for_card");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 2000U);
}

TEST(Topup, NoCardWithinTheWaitIsATimeoutAndNothingMoves) {
    TopupBedOptions options;
    options.cardProfile.clear();
    options.cardWaitSeconds = 1;
    E2e e2e(options);
    const std::string order = e2e.bed().createOrder("20.00");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "timeout") << topup.message;
    EXPECT_EQ(e2e.journalState(order), "failed");
    EXPECT_EQ(e2e.orderStatus(order), "open");
}

TEST(Topup, ATopUpWaitingForACardCanBeCancelled) {
    TopupBedOptions options;
    options.cardProfile.clear();
    E2e e2e(options);
    const std::string order = e2e.bed().createOrder("20.00");
    auto running = e2e.topupAsync(order);
    ASSERT_TRUE(e2e.waitForState(order, "order_fetched"));
    const Outcome cancel = e2e.call("tx.cancel", {{"orderId", order}});
    ASSERT_TRUE(cancel.ok()) << cancel.code;
    EXPECT_EQ(running.get().code, "cancelled");
    EXPECT_EQ(e2e.journalState(order), "failed");
    EXPECT_EQ(e2e.orderStatus(order), "open");
}

TEST(Topup, UnknownAndSettledOrdersAreRefusedClearly) {
    E2e e2e;
    EXPECT_EQ(e2e.topup("ORD-NOSUCHORDER").code, "order_not_found");
    EXPECT_EQ(e2e.topup("not an order!").code, "invalid_params");
    const std::string order = e2e.bed().createOrder("1.00");
    e2e.bed().serverCommand({"order", "cancel", order});
    EXPECT_EQ(e2e.topup(order).code, "declined");
}

TEST(Topup, TheCliTopsUpAndShowsTheBalance) {
    E2e e2e;
    const std::string cli = TopupBed::program("taplink");
    const std::string socket = e2e.bed().socketPath();
    const std::string order = e2e.bed().createOrder("50.00");
    const json before =
        json::parse(testsupport::runChecked({cli, "balance", "--json", "--socket", socket}));
    const json topup = json::parse(
        testsupport::runChecked({cli, "topup", "--order", order, "--json", "--socket", socket}));
    EXPECT_EQ(topup.at("balanceAfter"), before.at("balance").get<std::uint32_t>() + 5000);
    const std::string human = testsupport::runChecked({cli, "balance", "--socket", socket});
    EXPECT_NE(human.find("¥"), std::string::npos) << human;
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5000U);
}

TEST(Topup, DeviceInfoAndReadersDescribeTheKiosk) {
    E2e e2e;
    const Outcome device = e2e.call("device.info");
    ASSERT_TRUE(device.ok()) << device.code << ": " << device.message;
    EXPECT_EQ(device.result.at("chipSerial"), "544C434800000001");
    EXPECT_EQ(device.result.at("terminalId"), "434800000001");
    EXPECT_NE(device.result.at("certificate").at("issuer").get<std::string>().find("Device CA"),
              std::string::npos);
    const Outcome readers = e2e.call("readers.list");
    ASSERT_TRUE(readers.ok());
    ASSERT_EQ(readers.result.at("readers").size(), 2U);
    const Outcome diagnostics = e2e.call("diagnostics");
    ASSERT_TRUE(diagnostics.ok());
    EXPECT_TRUE(diagnostics.result.at("server").at("ok").get<bool>()) << diagnostics.result.dump();
    EXPECT_TRUE(diagnostics.result.at("chip").at("ok").get<bool>());
}

}  // namespace
}  // namespace taplink::testbed
