// The secure chip's management end to end: taplink-server's TSM queues a job, taplinkd relays
// it to taplink-sim's chip with the signed chip-manage script over SCP03, and what a user sees
// follows (taplink topup, chip sync, chip status, doctor). The lock takes effect at the
// server at once, and on the chip at the next sync; only the TSM can undo it, and a plain
// PC/SC client can no longer lock the chip.
#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "e2e_support.hpp"
#include "taplink/apdu/apdu.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/context.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

constexpr const char* kChipSerial = "544C434800000001";

testsupport::ProcessResult taplink(E2e& e2e, std::vector<std::string> args) {
    return taplinkCli(e2e.bed(), std::move(args));
}

std::string loadSamLifecycle(E2e& e2e) {
    const Outcome status = e2e.call("chip.status");
    EXPECT_TRUE(status.ok()) << status.code << ": " << status.message;
    return status.ok() ? status.result.at("applets").at(0).at("lifecycle").get<std::string>()
                       : status.code;
}

void tsm(E2e& e2e, const std::string& action) {
    e2e.bed().serverCommand({"tsm", action, "--chip-serial", kChipSerial});
}

TEST(ChipManagement, TheFreshlyEnrolledChipIsActivatedByTheTsmAndTopsUp) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const Outcome topup = e2e.topup(e2e.bed().createOrder("5.00"));
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_EQ(e2e.balance(), before + 500);
    const Outcome status = e2e.call("chip.status");
    ASSERT_TRUE(status.ok()) << status.message;
    EXPECT_EQ(status.result, (json{{"applets",
                                    {{{"applet", "load-sam"}, {"lifecycle", "operational"}},
                                     {{"applet", "payment"},
                                      {"lifecycle", "installed"},
                                      {"parametersVersion", 0},
                                      {"keys", false}}}}}));
    const auto shown = taplink(e2e, {"status"});
    EXPECT_NE(shown.out.find("chip      load-sam operational, payment installed\n"),
              std::string::npos)
        << shown.out;
}

TEST(ChipManagement, ALockedChipLoadsNothingUntilTheTsmUnlocksIt) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    ASSERT_TRUE(e2e.topup(e2e.bed().createOrder("1.00")).ok());  // activated and working
    const std::string order = e2e.bed().createOrder("50.00");

    tsm(e2e, "lock");
    // The server refuses at once, before the chip knows.
    auto refused = taplink(e2e, {"topup", "--order", order});
    EXPECT_EQ(refused.exitCode, 9) << refused.err;
    EXPECT_NE(refused.err.find("the device's secure chip is locked by its management system"),
              std::string::npos)
        << refused.err;
    EXPECT_EQ(e2e.balance(), before + 100);
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 100U) << "nothing charged";
    EXPECT_NE(e2e.orderStatus(order), "settled");

    const auto sync = taplink(e2e, {"chip", "sync"});
    EXPECT_EQ(sync.exitCode, 0) << sync.err;
    EXPECT_NE(sync.out.find("lock of the load-sam: done"), std::string::npos) << sync.out;
    EXPECT_EQ(loadSamLifecycle(e2e), "locked");
    const auto doctor = taplink(e2e, {"doctor"});
    EXPECT_EQ(doctor.exitCode, 9) << doctor.out;
    EXPECT_NE(doctor.out.find("FAIL  chip"), std::string::npos) << doctor.out;
    EXPECT_NE(doctor.out.find("load SAM locked"), std::string::npos) << doctor.out;

    // Now the chip itself refuses: taplinkd says so before it asks the server anything.
    const Outcome again = e2e.topup(order);
    EXPECT_EQ(again.code, "chip_locked") << again.message;
    EXPECT_EQ(e2e.balance(), before + 100);

    tsm(e2e, "unlock");
    EXPECT_EQ(taplink(e2e, {"chip", "sync"}).exitCode, 0);
    EXPECT_EQ(loadSamLifecycle(e2e), "operational");
    EXPECT_EQ(taplink(e2e, {"doctor"}).exitCode, 0);
    const Outcome unlocked = e2e.topup(order);
    ASSERT_TRUE(unlocked.ok()) << unlocked.code << ": " << unlocked.message;
    EXPECT_EQ(e2e.balance(), before + 100 + 5000);
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5100U) << "settled once";
}

TEST(ChipManagement, ATopUpSyncsALockedChipBackToOperationalWhenTheTsmUnlockedIt) {
    E2e e2e;
    ASSERT_TRUE(e2e.topup(e2e.bed().createOrder("1.00")).ok());
    tsm(e2e, "lock");
    ASSERT_TRUE(e2e.call("chip.sync").ok());
    ASSERT_EQ(loadSamLifecycle(e2e), "locked");
    tsm(e2e, "unlock");
    // No chip sync by hand: the top-up finds the load SAM locked, syncs once, goes on.
    const Outcome topup = e2e.topup(e2e.bed().createOrder("2.00"));
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_EQ(loadSamLifecycle(e2e), "operational");
}

TEST(ChipManagement, APlainPcscClientCannotLockTheChip) {
    E2e e2e;
    ASSERT_TRUE(e2e.topup(e2e.bed().createOrder("1.00")).ok());
    {
        const pcsc::Context context = pcsc::Context::establish();
        auto chip = pcsc::CardConnection::connect(context, e2e.bed().bed().readerName(kChipSlot));
        ASSERT_TRUE(chip.transmit(chip::sam::selectApplication()).ok());
        const auto answer = chip.transmit(apdu::CommandApdu::parse(fromHex("80320300")));
        EXPECT_EQ(answer.sw, 0x6982);  // security status not satisfied: only the TSM may
    }
    EXPECT_EQ(loadSamLifecycle(e2e), "operational");
    const Outcome topup = e2e.topup(e2e.bed().createOrder("2.00"));
    EXPECT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
}

}  // namespace
}  // namespace taplink::testbed
