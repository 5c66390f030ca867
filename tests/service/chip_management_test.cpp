// taplinkd's TSM runner (service/chip_management.hpp) over the service bed's chip
// (taplink-sim's, behind SimCardPort) and a TSM in process that speaks the device routes'
// JSON (test_tsm.hpp): the real signed chip-manage script relays real SCP03 sessions. The
// top-up's chip check runs in a TopupService wired as taplinkd wires it.
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "cards/profiles.hpp"
#include "chip_management.hpp"
#include "service/chip_management.hpp"
#include "service/topup_errors.hpp"
#include "service_bed.hpp"
#include "taplink/chip/load_sam.hpp"
#include "test_tsm_server.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::service::testing {
namespace {

namespace mgmt = chip::mgmt;
using chip::sam::Lifecycle;
using nlohmann::json;

// As the TSM sends it: with the allowance key when the target is operational.
mgmt::ManageRequest lifecycleRequest(Lifecycle target) {
    return ::taplink::testing::samLifecycleRequest(target);
}

class ChipManagementTest : public ::testing::Test {
  protected:
    ChipManagementTest() {
        chip::LoadSam sam(bed.chip.channel());
        EXPECT_TRUE(sam.select());
        serial = sam.info().chipSerial;
    }

    void queueLifecycle(const std::string& jobId, Lifecycle target, const std::string& operation) {
        tsm->queue(jobId, mgmt::Applet::LoadSam, operation, lifecycleRequest(target), serial);
    }

    ServiceBed bed;
    std::shared_ptr<TestTsmServer> tsm = std::make_shared<TestTsmServer>(
        makeEnvelope(readRechargeScript("chip-manage.json"), bed.signingKey.get()));
    ChipManagement management{
        bed.chip, [this] { return tsm; }, {trustedKeyOf(bed.signingKey.get())}, bed.journal};
    Bytes serial;
};

TEST_F(ChipManagementTest, StatusReadsBothAppletsInTheClear) {
    const auto applets = management.status();
    ASSERT_EQ(applets.size(), 2U);
    EXPECT_EQ(applets[0].applet, mgmt::Applet::LoadSam);
    EXPECT_EQ(applets[0].lifecycle, Lifecycle::Operational);
    EXPECT_EQ(applets[1].applet, mgmt::Applet::Payment);
    EXPECT_EQ(applets[1].lifecycle, Lifecycle::Installed);
    EXPECT_EQ(applets[1].parametersVersion, std::optional<std::uint32_t>(0));
    EXPECT_EQ(applets[1].keysPresent, std::optional<bool>(false));
}

TEST_F(ChipManagementTest, SyncReportsTheAppletsAndRunsEachJobWithTheSignedScript) {
    queueLifecycle("job-lock", Lifecycle::Locked, "lock");
    // The payment applet has no keys: the chip refuses to make it operational (6985).
    mgmt::ManageRequest activatePayment;
    activatePayment.lifecycle = Lifecycle::Operational;
    tsm->queue("job-pay", mgmt::Applet::Payment, "activate", activatePayment, serial);
    const SyncReport report = management.sync();

    ASSERT_EQ(tsm->reported.size(), 1U);
    ASSERT_EQ(tsm->reported[0].size(), 2U);
    EXPECT_EQ(tsm->reported[0][0].applet, "load-sam");
    EXPECT_EQ(tsm->reported[0][0].lifecycle, "operational");
    EXPECT_EQ(tsm->reported[0][1].applet, "payment");
    EXPECT_EQ(tsm->reported[0][1].lifecycle, "installed");
    EXPECT_EQ(tsm->scriptFetches, std::vector<std::string>{"tsm"});

    ASSERT_EQ(report.jobs.size(), 2U);
    EXPECT_EQ(report.jobs[0].job.jobId, "job-lock");
    EXPECT_EQ(report.jobs[0].outcome, "done");
    EXPECT_EQ(report.jobs[0].statusWord, std::optional<std::uint16_t>(0x9000));
    EXPECT_EQ(report.jobs[1].outcome, "refused");
    EXPECT_EQ(report.jobs[1].statusWord, std::optional<std::uint16_t>(0x6985));
    ASSERT_EQ(report.applets.size(), 2U);
    EXPECT_EQ(report.applets[0].lifecycle, Lifecycle::Locked);
    EXPECT_EQ(report.applets[1].lifecycle, Lifecycle::Installed);
}

TEST_F(ChipManagementTest, ASyncWithoutJobsFetchesNoScript) {
    const SyncReport report = management.sync();
    EXPECT_TRUE(report.jobs.empty());
    EXPECT_TRUE(tsm->scriptFetches.empty());
    EXPECT_EQ(report.applets.at(0).lifecycle, Lifecycle::Operational);
}

TEST_F(ChipManagementTest, AScriptSignedByAnotherKeyRunsNoJob) {
    const auto otherKey = makeSigningKey();
    tsm = std::make_shared<TestTsmServer>(
        makeEnvelope(readRechargeScript("chip-manage.json"), otherKey.get()));
    queueLifecycle("job-lock", Lifecycle::Locked, "lock");
    EXPECT_ANY_THROW(management.sync());
    EXPECT_EQ(management.status().at(0).lifecycle, Lifecycle::Operational);
}

TEST_F(ChipManagementTest, AnOperationalLoadSamAsksTheServerNothing) {
    management.requireLoadSamOperational();
    EXPECT_TRUE(tsm->reported.empty());
}

TEST_F(ChipManagementTest, ALockedLoadSamSyncsOnceAndThenRefusesAsChipLocked) {
    queueLifecycle("job-lock", Lifecycle::Locked, "lock");
    management.sync();
    try {
        management.requireLoadSamOperational();
        FAIL() << "a locked load SAM was accepted";
    } catch (const ServiceError& error) {
        EXPECT_EQ(error.code(), api::ErrorCode::ChipLocked) << error.what();
    }
    EXPECT_EQ(tsm->reported.size(), 2U);  // the sync above, and the one before refusing

    tsm->failSync = true;  // a failed sync is only logged: still locked
    EXPECT_THROW(management.requireLoadSamOperational(), ServiceError);

    tsm->failSync = false;
    queueLifecycle("job-unlock", Lifecycle::Operational, "unlock");
    management.requireLoadSamOperational();  // the sync unlocks it
    EXPECT_EQ(management.status().at(0).lifecycle, Lifecycle::Operational);
}

TEST_F(ChipManagementTest, AnInstalledLoadSamIsActivatedByTheSyncOrSaysWhyNot) {
    // A chip as enrollment leaves it: the load SAM installed.
    bed.port.swap(ServiceBed::kChipReader, sim::makeCard("secure-chip"));
    bed.chip.reset();
    serial = [this] {
        chip::LoadSam sam(bed.chip.channel());
        EXPECT_TRUE(sam.select());
        return sam.info().chipSerial;
    }();
    ASSERT_EQ(management.status().at(0).lifecycle, Lifecycle::Installed);

    tsm->failSync = true;  // the cause is the server, and the error says so
    try {
        management.requireLoadSamOperational();
        FAIL() << "an installed load SAM was accepted";
    } catch (const ServiceError& error) {
        EXPECT_EQ(error.code(), api::ErrorCode::ServerUnreachable) << error.what();
    }
    tsm->failSync = false;  // the TSM answers, with nothing to do: not activated
    try {
        management.requireLoadSamOperational();
        FAIL() << "an installed load SAM was accepted";
    } catch (const ServiceError& error) {
        EXPECT_EQ(error.code(), api::ErrorCode::ChipUnavailable) << error.what();
        EXPECT_NE(std::string(error.what()).find("not activated"), std::string::npos);
    }
    queueLifecycle("job-activate", Lifecycle::Operational, "activate");
    management.requireLoadSamOperational();
    EXPECT_EQ(management.status().at(0).lifecycle, Lifecycle::Operational);
}

TEST_F(ChipManagementTest, ATopUpOnALockedChipIsRefusedBeforeAnythingIsCharged) {
    TopupService topups(
        bed.port, bed.readers, bed.chip, bed.journal, [this] { return bed.server; },
        {trustedKeyOf(bed.signingKey.get())}, TopupSettings{"", std::chrono::seconds(10)},
        [this] { management.requireLoadSamOperational(); });
    queueLifecycle("job-lock", Lifecycle::Locked, "lock");
    management.sync();
    bed.insertCard();
    bed.addOrder("order-locked");
    try {
        topups.run("order-locked", "", [](const std::string&) {}, {});
        FAIL() << "the top-up ran on a locked chip";
    } catch (const ServiceError& error) {
        EXPECT_EQ(error.code(), api::ErrorCode::ChipLocked) << error.what();
    }
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
    EXPECT_FALSE(bed.journal.find("order-locked").has_value());

    queueLifecycle("job-unlock", Lifecycle::Operational, "unlock");
    const TopupOutcome outcome = topups.run("order-locked", "", [](const std::string&) {}, {});
    EXPECT_EQ(outcome.balanceAfter, ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

}  // namespace
}  // namespace taplink::service::testing
