// The payment parameters' version end to end: taplink-server's TSM queues new parameters for
// the chip's payment applet and the next bank-purchase order names their version; taplinkd's
// pay.start syncs the chip (the signed chip-manage script over SCP03 to taplink-sim's chip)
// before it touches the card, and a chip that still cannot catch up is chip_outdated with the
// card untouched and nothing charged, through the API and `taplink pay` (exit 9).
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "pay_support.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

// The payment applet's parameter version as chip.status reads it in the clear.
std::uint32_t appliedVersion(E2e& e2e) {
    const Outcome status = e2e.call("chip.status");
    EXPECT_TRUE(status.ok()) << status.code << ": " << status.message;
    for (const json& applet : status.result.value("applets", json::array())) {
        if (applet.at("applet") == "payment") {
            return applet.at("parametersVersion").get<std::uint32_t>();
        }
    }
    ADD_FAILURE() << "no payment applet in " << status.result.dump();
    return 0;
}

// `taplink-server tsm update-params` for the bed's chip, left pending (no chip.sync).
void queueUpdate(PurchaseSetup& setup, const std::string& dailyYuan) {
    setup.e2e.bed().serverCommand({"tsm", "update-params", "--chip-serial",
                                   chipSerial(setup.e2e.bed()), "--daily", dailyYuan});
}

// The chip refused the pending jobs (6A80), as the server records a refusal: the queued
// version stays ahead of the applied one with nothing left to run. Written behind the
// server's back (SQLite WAL: seen at its next read).
void refusePendingJobs(TopupBed& bed) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((bed.dir() + "/state/server.db").c_str(), &raw), SQLITE_OK);
    const journal::DatabasePtr database(raw);
    ASSERT_EQ(sqlite3_busy_timeout(raw, 5000), SQLITE_OK);
    ASSERT_EQ(sqlite3_exec(raw,
                           "UPDATE tsm_jobs SET state = 'refused', status_word = 27264, "
                           "finished_at = 0 WHERE state = 'pending'",
                           nullptr, nullptr, nullptr),
              SQLITE_OK)
        << sqlite3_errmsg(raw);
}

TEST(PayParameters, AQueuedUpdateIsAppliedByThePurchaseBeforeTheCardThenPaid) {
    PurchaseSetup setup;
    E2e& e2e = setup.e2e;
    const std::uint32_t personalised = appliedVersion(e2e);
    ASSERT_GE(personalised, 1U);
    queueUpdate(setup, "2000.00");
    ASSERT_EQ(appliedVersion(e2e), personalised) << "pending until a sync";

    const std::uint64_t before = setup.balance();
    const std::string order = setup.order();
    const Outcome paid = setup.pay(order);
    ASSERT_TRUE(paid.ok()) << paid.code << ": " << paid.message;
    EXPECT_TRUE(paid.result.at("settled").get<bool>());
    EXPECT_EQ(appliedVersion(e2e), personalised + 1) << "pay.start ran the TSM job";
    EXPECT_EQ(setup.balance(), before - kPurchaseAmount);
    EXPECT_EQ(e2e.orderStatus(order), "settled");
}

TEST(PayParameters, AChipThatCannotCatchUpIsChipOutdatedWithTheCardUntouched) {
    PurchaseSetup setup;
    E2e& e2e = setup.e2e;
    const std::uint32_t personalised = appliedVersion(e2e);
    queueUpdate(setup, "2000.00");
    refusePendingJobs(e2e.bed());

    const std::uint64_t before = setup.balance();
    const std::string order = setup.order();
    const std::uint64_t apdusBefore = cardApdus(e2e);
    const Outcome refused = setup.pay(order);
    EXPECT_EQ(refused.code, "chip_outdated") << refused.message;
    EXPECT_NE(
        refused.message.find("version " + std::to_string(personalised) +
                             ", the server requires version " + std::to_string(personalised + 1)),
        std::string::npos)
        << refused.message;
    EXPECT_EQ(cardApdus(e2e), apdusBefore) << "no command reached the card";
    const auto cli = taplinkCli(e2e.bed(), {"pay", "--order", order});
    EXPECT_EQ(cli.exitCode, 9) << cli.err;
    EXPECT_EQ(cardApdus(e2e), apdusBefore);
    EXPECT_EQ(setup.balance(), before) << "nothing charged";
    EXPECT_EQ(e2e.orderStatus(order), "open");
    EXPECT_EQ(e2e.journalState(order), "not_found") << "nothing journaled";
}

}  // namespace
}  // namespace taplink::testbed
