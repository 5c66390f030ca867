// A server that serves an older, still validly signed script after a newer one (rollback),
// or a script outside its signed validity period: the top-up and the chip sync refuse it as
// script_rejected before a single APDU, with nothing journaled (docs/daemon.md, "Script
// versions").
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "journal/script_version_journal.hpp"
#include "service/chip_management.hpp"
#include "service/topup_errors.hpp"
#include "service_bed.hpp"
#include "taplink/chip/load_sam.hpp"
#include "test_tsm_server.hpp"

namespace taplink::service::testing {
namespace {

using api::ErrorCode;

// The real script file with another version (and validity period, when given): signed
// bytes of its own, as an issuer would publish them.
std::string realScriptWith(const std::string& file, std::uint64_t version,
                           const std::string& validUntil = "") {
    nlohmann::json script = nlohmann::json::parse(readRechargeScript(file));
    script["version"] = version;
    if (!validUntil.empty()) {
        script["validFrom"] = "2020-01-01T00:00:00Z";
        script["validUntil"] = validUntil;
    }
    return script.dump(2);
}

class ScriptRollback : public ::testing::Test {
  protected:
    ScriptRollback() { bed.insertCard(); }

    void serveCityScript(std::uint64_t version, const std::string& validUntil = "") {
        bed.server->setScriptEnvelope(makeEnvelope(
            realScriptWith("city-epurse-load.json", version, validUntil), bed.signingKey.get()));
    }

    ServiceBed bed;
};

TEST_F(ScriptRollback, AnOlderScriptAfterANewerOneIsRefusedBeforeAnyApdu) {
    serveCityScript(2);
    bed.addOrder("ORD-1");
    bed.run("ORD-1");
    const std::uint32_t loaded = bed.cardBalance();
    EXPECT_EQ(loaded, ServiceBed::kInitialBalance + ServiceBed::kAmount);

    serveCityScript(1);
    bed.addOrder("ORD-2");
    const std::size_t sentBefore = bed.port.commandsSent(ServiceBed::kCardReader);
    const ServiceError error = bed.runError("ORD-2");
    EXPECT_EQ(error.code(), ErrorCode::ScriptRejected);
    EXPECT_NE(std::string(error.what()).find("rolled_back"), std::string::npos) << error.what();
    EXPECT_NE(std::string(error.what()).find("version 2"), std::string::npos) << error.what();
    EXPECT_EQ(bed.port.commandsSent(ServiceBed::kCardReader), sentBefore) << "the card saw nothing";
    EXPECT_FALSE(bed.journal.find("ORD-2").has_value()) << "nothing journaled";
    EXPECT_EQ(bed.cardBalance(), loaded);
    EXPECT_EQ(journal::ScriptVersionJournal(bed.journal).highest("city-epurse"), 2U);
}

TEST_F(ScriptRollback, TheSameVersionAgainAndAHigherOneAreAccepted) {
    serveCityScript(2);
    bed.addOrder("ORD-1");
    bed.run("ORD-1");
    bed.addOrder("ORD-2");
    bed.run("ORD-2");  // the server serves the same script for every top-up
    serveCityScript(3);
    bed.addOrder("ORD-3");
    bed.run("ORD-3");
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + 3 * ServiceBed::kAmount);
    EXPECT_EQ(journal::ScriptVersionJournal(bed.journal).highest("city-epurse"), 3U);
}

TEST_F(ScriptRollback, AnExpiredScriptIsRefusedBeforeAnyApduAndRaisesNothing) {
    serveCityScript(5, "2021-01-01T00:00:00Z");
    bed.addOrder("ORD-1");
    const ServiceError error = bed.runError("ORD-1");
    EXPECT_EQ(error.code(), ErrorCode::ScriptRejected);
    EXPECT_NE(std::string(error.what()).find("expired"), std::string::npos) << error.what();
    EXPECT_EQ(bed.port.commandsSent(ServiceBed::kCardReader), 0U);
    EXPECT_FALSE(bed.journal.find("ORD-1").has_value());
    EXPECT_EQ(journal::ScriptVersionJournal(bed.journal).highest("city-epurse"), 0U);
    serveCityScript(1);  // the version 5 was never accepted: version 1 still loads
    bed.run("ORD-1");
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance + ServiceBed::kAmount);
}

TEST_F(ScriptRollback, TheChipSyncRefusesAnOlderManagementScript) {
    auto tsm = std::make_shared<TestTsmServer>(
        makeEnvelope(realScriptWith("chip-manage.json", 2), bed.signingKey.get()));
    ChipManagement management{
        bed.chip, [&tsm] { return tsm; }, {trustedKeyOf(bed.signingKey.get())}, bed.journal};
    chip::LoadSam sam(bed.chip.channel());
    ASSERT_TRUE(sam.select());
    const Bytes serial = sam.info().chipSerial;
    chip::mgmt::ManageRequest lock;
    lock.lifecycle = chip::sam::Lifecycle::Locked;
    tsm->queue("job-1", chip::mgmt::Applet::LoadSam, "lock", lock, serial);
    EXPECT_EQ(management.sync().jobs.at(0).outcome, "done");
    EXPECT_EQ(journal::ScriptVersionJournal(bed.journal).highest("tsm"), 2U);

    tsm = std::make_shared<TestTsmServer>(
        makeEnvelope(readRechargeScript("chip-manage.json"), bed.signingKey.get()));
    chip::mgmt::ManageRequest unlock;
    unlock.lifecycle = chip::sam::Lifecycle::Operational;
    tsm->queue("job-2", chip::mgmt::Applet::LoadSam, "unlock", unlock, serial);
    try {
        management.sync();
        FAIL() << "the version 1 management script ran after version 2";
    } catch (const std::exception&) {
        const ServiceError failure = describeFailure(std::current_exception(), "chip sync");
        EXPECT_EQ(failure.code(), ErrorCode::ScriptRejected);
        EXPECT_NE(std::string(failure.what()).find("rolled_back"), std::string::npos)
            << failure.what();
    }
    EXPECT_EQ(management.status().at(0).lifecycle, chip::sam::Lifecycle::Locked)
        << "the job did not run";
}

}  // namespace
}  // namespace taplink::service::testing
