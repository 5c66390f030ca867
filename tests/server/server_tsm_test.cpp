// taplink-server's TSM role (docs/server.md, "Chip management") against the real simulated
// secure chip (taplink-sim's load SAM and payment applet, in process): the test relays the
// server's SCP03 messages to the chip exactly as taplinkd's chip-manage script does, so every
// wrapped MANAGE is checked by the chip's own secure channel and every answer by the server's.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "api/pan_privacy.hpp"
#include "api/tsm_jobs.hpp"
#include "api/tsm_sessions.hpp"
#include "cards/profiles.hpp"
#include "cards/secure_chip.hpp"
#include "server_config.hpp"
#include "server_fixture.hpp"
#include "store/server_store.hpp"
#include "taplink/chip/chip_management.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "taplink/crypto/ec_keys.hpp"
#include "taplink/gp/scp03_commands.hpp"
#include "taplink/protocol/tsm_keys.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::servertest {
namespace {

namespace mgmt = chip::mgmt;
using nlohmann::json;

constexpr std::uint16_t kOk = 0x9000;
constexpr std::size_t kCardCryptogramOffset =
    21;  // Amendment D 7.1.3: after div, key info, challenge

void writeText(const std::string& path, const std::string& text) {
    std::ofstream file(path, std::ios::binary);
    file << text;
}

std::string readBytes(const std::string& path) {
    std::ifstream file(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>()};
}

// A change behind the server's back, on its database file (WAL: seen at its next read).
void runSql(const std::string& path, const std::string& sql) {
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const journal::DatabasePtr database(raw);
    ASSERT_EQ(sqlite3_exec(raw, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK)
        << sql << ": " << sqlite3_errmsg(raw);
}

// Amendment D 7.1.3: the INITIALIZE UPDATE answer's i parameter (after 10 bytes of
// diversification data, key version and SCP identifier) and sequence counter (the last 3).
constexpr std::size_t kIParameterOffset = 12;
constexpr std::size_t kSequenceCounterOffset = 29;

// The device's secure chip, simulated in process with the published test TSM master key.
class SecureChip {
  public:
    explicit SecureChip(const Bytes& serial) : card_(makeChip(serial)), channel_(card_) {}

    apdu::ResponseApdu send(const apdu::CommandApdu& command) { return channel_.transmit(command); }
    apdu::ResponseApdu select(mgmt::Applet applet) { return send(mgmt::selectApplet(applet)); }
    // The plain, unauthenticated status read (GET CHIP INFO / GET STATUS).
    mgmt::Lifecycle lifecycle(mgmt::Applet applet) {
        EXPECT_TRUE(select(applet).ok());
        const apdu::ResponseApdu answer = send(mgmt::getStatus());
        EXPECT_TRUE(answer.ok());
        return applet == mgmt::Applet::LoadSam ? chip::sam::ChipInfo::parse(answer.data).lifecycle
                                               : mgmt::AppletStatus::parse(answer.data).lifecycle;
    }
    mgmt::AppletStatus paymentStatus() {
        EXPECT_TRUE(select(mgmt::Applet::Payment).ok());
        return mgmt::AppletStatus::parse(send(mgmt::getStatus()).data);
    }

  private:
    static std::shared_ptr<sim::VirtualCard> makeChip(const Bytes& serial) {
        sim::CardOptions options;
        options.serial = serial;
        return sim::makeSecureChip("secure-chip", options);
    }
    std::shared_ptr<sim::VirtualCard> card_;
    testing::VirtualCardChannel channel_;
};

// What one run of a job went through, step by step.
struct JobRun {
    Answer open;
    apdu::ResponseApdu initializeUpdate;
    Answer authenticate;
    apdu::ResponseApdu manage;
    Answer result;
};

class TsmTest : public ServerTest {
  protected:
    void SetUp() override {
        useTestTsmKeys();
        ServerTest::SetUp();
    }

    Answer sync(const std::string& loadSam, const DeviceClient* who = nullptr) {
        const json body{{"applets",
                         {{{"applet", "load-sam"}, {"lifecycle", loadSam}},
                          {{"applet", "payment"}, {"lifecycle", "installed"}}}}};
        return (who != nullptr ? *who : *client).postJson("/v1/tsm/sync", body);
    }

    std::string queue(const std::string& operation, const json& extra = json::object()) {
        json body = extra;
        body["operation"] = operation;
        const Answer answer =
            admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs", body);
        EXPECT_EQ(answer.status, 201) << answer.body;
        return answer.json().value("jobId", "");
    }

    json job(const std::string& jobId) {
        const json jobs = admin("GET", "/admin/tsm/jobs").json();
        for (const json& line : jobs["jobs"]) {
            if (line["jobId"] == jobId) {
                return line;
            }
        }
        return nullptr;
    }

    json chipStatus() {
        return admin("GET", "/admin/tsm/chips/" + std::string(kDefaultChipSerial)).json();
    }

    std::string jobPath(const std::string& jobId, const char* step) const {
        return "/v1/tsm/jobs/" + jobId + "/" + step;
    }

    // open, SELECT, INITIALIZE UPDATE; the chip's answer.
    apdu::ResponseApdu openOnChip(const std::string& jobId, JobRun& run) {
        run.open = client->postJson(jobPath(jobId, "open"), json::object());
        EXPECT_EQ(run.open.status, 200) << run.open.body;
        const json opened = run.open.json();
        const auto applet = mgmt::appletFromNumber(opened.value("applet", 0U));
        EXPECT_TRUE(applet.has_value());
        EXPECT_TRUE(chip.select(applet.value_or(mgmt::Applet::LoadSam)).ok());
        const Bytes challenge = fromHex(opened.value("hostChallenge", ""));
        return chip.send(gp::encodeInitializeUpdate(
            {static_cast<std::uint8_t>(opened.value("keyVersion", 0U)), challenge}));
    }

    Answer authenticate(const std::string& jobId, ByteView initializeUpdate) {
        return client->postJson(jobPath(jobId, "authenticate"),
                                {{"initializeUpdate", toHex(initializeUpdate)}});
    }

    // EXTERNAL AUTHENTICATE and MANAGE with the data script's items.
    apdu::ResponseApdu relayToChip(const Answer& authenticated) {
        const json items = authenticated.json()["dataScript"]["items"];
        const apdu::ResponseApdu external =
            chip.send({0x84, 0x82, mgmt::kSecurityLevel, 0x00,
                       fromHex(items["externalAuthenticate"].get<std::string>()), std::nullopt});
        EXPECT_EQ(external.sw, kOk);
        return chip.send({0x84, mgmt::ins::kManage, 0x00, 0x00,
                          fromHex(items["manage"].get<std::string>()), std::size_t{256}});
    }

    Answer report(const std::string& jobId, const apdu::ResponseApdu& answer) {
        return client->postJson(jobPath(jobId, "result"),
                                {{"statusWord", answer.sw}, {"answer", toHex(answer.data)}});
    }

    // A whole run as the chip-manage script makes it.
    JobRun run(const std::string& jobId) {
        JobRun steps;
        steps.initializeUpdate = openOnChip(jobId, steps);
        steps.authenticate = authenticate(jobId, steps.initializeUpdate.data);
        EXPECT_EQ(steps.authenticate.status, 200) << steps.authenticate.body;
        if (steps.authenticate.status != 200) {
            return steps;
        }
        steps.manage = relayToChip(steps.authenticate);
        steps.result = report(jobId, steps.manage);
        return steps;
    }

    std::string outcomeOf(const std::string& jobId) {
        const JobRun steps = run(jobId);
        EXPECT_EQ(steps.result.status, 200) << steps.result.body;
        return steps.result.json().value("outcome", "");
    }

    // The load SAM activated by the sync's own job.
    void activate() {
        const auto jobs = sync("installed").json()["jobs"];
        ASSERT_EQ(jobs.size(), 1U);
        ASSERT_EQ(outcomeOf(jobs[0]["jobId"]), "done");
    }

    SecureChip chip{fromHex(kDefaultChipSerial)};
};

TEST_F(TsmTest, SyncQueuesOneActivateForAnInstalledLoadSamAndItsRunMakesItOperational) {
    const Answer first = sync("installed");
    ASSERT_EQ(first.status, 200) << first.body;
    const json jobs = first.json()["jobs"];
    ASSERT_EQ(jobs.size(), 1U);
    EXPECT_EQ(jobs[0]["applet"], "load-sam");
    EXPECT_EQ(jobs[0]["operation"], "activate");
    EXPECT_EQ(sync("installed").json()["jobs"], jobs);  // the same job, not a second one

    EXPECT_EQ(outcomeOf(jobs[0]["jobId"]), "done");
    EXPECT_EQ(chip.lifecycle(mgmt::Applet::LoadSam), mgmt::Lifecycle::Operational);
    EXPECT_EQ(job(jobs[0]["jobId"])["state"], "done");
    EXPECT_EQ(job(jobs[0]["jobId"])["statusWord"], "9000");
    const json applets = chipStatus()["applets"];
    ASSERT_EQ(applets.size(), 1U);
    EXPECT_EQ(applets[0]["lifecycle"], "operational");

    // An operational load SAM gets nothing, even when the device claims it is new again.
    EXPECT_EQ(sync("operational").json()["jobs"], json::array());
    EXPECT_EQ(sync("installed").json()["jobs"], json::array());
}

// The activate job's MANAGE carries this server's allowance key (C3): the chip then imports
// an envelope that key signed for it, and refuses one another key signed.
TEST_F(TsmTest, TheActivationGivesTheLoadSamThisServersAllowanceKey) {
    activate();
    ASSERT_TRUE(chip.select(mgmt::Applet::LoadSam).ok());
    const auto info = chip::sam::ChipInfo::parse(chip.send(chip::sam::getChipInfo()).data);
    chip::sam::LoadAuthorization authorization;
    authorization.cardSerial = fromHex("00000000000000000042");
    authorization.terminalId = fromHex("434800000001");
    authorization.nonce = Bytes(chip::sam::kNonceSize, 0x01);
    authorization.expiry = static_cast<std::uint64_t>(std::time(nullptr)) + 300;
    authorization.dlk = Bytes(chip::sam::kDlkSize, 0x11);
    const Bytes envelope =
        chip::sam::sealLoadAuthorization(info.samPublicKey, info.chipSerial, authorization);
    const Bytes statement = chip::sam::encodeAllowanceStatement(info.chipSerial, envelope);
    const crypto::PkeyPtr stranger = crypto::generateKey("EC", crypto::kP256Group);
    EXPECT_EQ(chip.send(chip::sam::importLoadAuthorization(envelope,
                                                           signSha256(stranger.get(), statement)))
                  .sw,
              chip::sam::sw::kAllowanceSignatureInvalid);
    const crypto::PkeyPtr serverKey = readPrivateKey(pki.file("allowance-signing.key"));
    EXPECT_EQ(chip.send(chip::sam::importLoadAuthorization(envelope,
                                                           signSha256(serverKey.get(), statement)))
                  .sw,
              chip::sam::sw::kOk);
}

TEST_F(TsmTest, LockAnswersChipLockedAtOnceAndUnlockLiftsItOnceDone) {
    activate();
    const std::string order = createOrder(1000);
    const std::string city = "/v1/orders/" + order + "/authorize";
    const std::string bank = "/v1/orders/" + order + "/ecload/authorize";
    EXPECT_NE(client->postJson(city, json::object()).errorCode(), "chip_locked");

    const std::string lock = queue("lock");
    EXPECT_EQ(client->postJson(city, json::object()).errorCode(), "chip_locked");  // pending
    EXPECT_EQ(client->postJson(bank, json::object()).status, 403);
    EXPECT_EQ(client->postJson(bank, json::object()).errorCode(), "chip_locked");
    EXPECT_EQ(sync("operational").json()["jobs"][0]["jobId"], lock);
    EXPECT_EQ(outcomeOf(lock), "done");
    EXPECT_EQ(chip.lifecycle(mgmt::Applet::LoadSam), mgmt::Lifecycle::Locked);
    EXPECT_EQ(client->postJson(city, json::object()).errorCode(), "chip_locked");
    EXPECT_TRUE(chipStatus()["loadSamLocked"].get<bool>());
    EXPECT_EQ(sync("installed").json()["jobs"], json::array());  // no activate of a locked SAM

    const std::string unlock = queue("unlock");
    EXPECT_EQ(client->postJson(city, json::object()).errorCode(), "chip_locked");
    EXPECT_EQ(outcomeOf(unlock), "done");
    EXPECT_EQ(chip.lifecycle(mgmt::Applet::LoadSam), mgmt::Lifecycle::Operational);
    EXPECT_NE(client->postJson(city, json::object()).errorCode(), "chip_locked");
    EXPECT_NE(client->postJson(bank, json::object()).errorCode(), "chip_locked");
    EXPECT_FALSE(chipStatus()["loadSamLocked"].get<bool>());
}

TEST_F(TsmTest, PersonaliseAndUpdateParamsReachThePaymentApplet) {
    const std::string personalise =
        queue("personalise", {{"parameters", {{"perTransaction", "200.00"}}}});
    EXPECT_EQ(job(personalise)["applet"], "payment");
    EXPECT_EQ(job(personalise)["parametersVersion"], 1);
    EXPECT_EQ(outcomeOf(personalise), "done");
    mgmt::AppletStatus payment = chip.paymentStatus();
    EXPECT_EQ(payment.lifecycle, mgmt::Lifecycle::Operational);
    EXPECT_EQ(payment.parametersVersion, 1U);
    EXPECT_EQ(payment.keysPresent, true);

    const std::string update = queue("update-params", {{"parameters", {{"daily", "800.00"}}}});
    EXPECT_EQ(outcomeOf(update), "done");
    EXPECT_EQ(chip.paymentStatus().parametersVersion, 2U);
    const json status = chipStatus();
    EXPECT_EQ(status["parameters"]["version"], 2);
    EXPECT_EQ(status["parameters"]["perTransaction"], "200.00");  // kept from the first
    EXPECT_EQ(status["parameters"]["daily"], "800.00");
    EXPECT_EQ(status["parameters"]["cvm"], "300.00");  // the default
    bool recorded = false;
    for (const json& applet : status["applets"]) {
        if (applet["applet"] == "payment") {
            recorded = true;
            EXPECT_EQ(applet["lifecycle"], "operational");
            EXPECT_EQ(applet["parametersVersion"], 2);
            EXPECT_EQ(applet["keysPresent"], true);
        }
    }
    EXPECT_TRUE(recorded);

    const std::string statusJob = queue("status", {{"applet", "payment"}});
    EXPECT_EQ(outcomeOf(statusJob), "done");
    EXPECT_EQ(chip.paymentStatus().parametersVersion, 2U);  // a read changes nothing
}

// The keys the chip got are in the store only sealed: neither their bytes nor their hex is
// in the database files.
TEST_F(TsmTest, PersonalisedKeysAreSealedAtRest) {
    EXPECT_EQ(outcomeOf(queue("personalise")), "done");
    server::ServerStore reader(tmp.path() + "/server.db");  // beside the server (WAL)
    const auto keys = server::openPaymentKeys(
        reader, server::paymentKeySealKey(protocol::testTsmMasterKey()), kDefaultChipSerial);
    ASSERT_TRUE(keys.has_value());
    // server.db alone does not open them: not with any of its own secrets, nor with the seal
    // key of another TSM master key.
    protocol::TsmMasterKey other = protocol::testTsmMasterKey();
    other.master[0] ^= 0x01U;
    EXPECT_FALSE(
        server::openPaymentKeys(reader, server::paymentKeySealKey(other), kDefaultChipSerial));
    const auto sealed = reader.tsmPaymentKeys(kDefaultChipSerial);
    ASSERT_TRUE(sealed.has_value());
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open((tmp.path() + "/server.db").c_str(), &raw), SQLITE_OK);
    const journal::DatabasePtr database(raw);
    journal::Statement secrets(raw, "SELECT value FROM secrets");
    int tried = 0;
    while (secrets.step()) {
        ++tried;
        EXPECT_FALSE(server::openSecret(fromHex(secrets.text(0)),
                                        "tsm-payment-keys " + std::string(kDefaultChipSerial),
                                        *sealed));
    }
    EXPECT_GT(tried, 0);
    const std::string files =
        readBytes(tmp.path() + "/server.db") + readBytes(tmp.path() + "/server.db-wal");
    ASSERT_FALSE(files.empty());
    for (const Bytes* key : {&keys->channelKey, &keys->pinKey, &keys->tokenSeed}) {
        std::string hex = toHex(*key);
        EXPECT_EQ(files.find(hex), std::string::npos);
        for (char& c : hex) {
            c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        }
        EXPECT_EQ(files.find(hex), std::string::npos);
        EXPECT_EQ(files.find(std::string(key->begin(), key->end())), std::string::npos);
    }
}

TEST_F(TsmTest, AReplayedInitializeUpdateAnswerIsRefusedAndTheJobStaysPending) {
    const std::string jobId = sync("installed").json()["jobs"][0]["jobId"];
    JobRun first;
    first.initializeUpdate = openOnChip(jobId, first);
    ASSERT_EQ(authenticate(jobId, first.initializeUpdate.data).status, 200);
    const Answer again = authenticate(jobId, first.initializeUpdate.data);
    EXPECT_EQ(again.status, 409);
    EXPECT_EQ(again.errorCode(), "replay");
    JobRun second;
    openOnChip(jobId, second);  // a new session, the old answer again
    EXPECT_EQ(authenticate(jobId, first.initializeUpdate.data).errorCode(), "replay");
    EXPECT_EQ(job(jobId)["state"], "pending");
    const json events = admin("GET", "/admin/events").json();
    const auto replays =
        std::count_if(events["events"].begin(), events["events"].end(), [](const json& event) {
            return event["kind"] == "replay" && event["code"] == "replay" &&
                   event["chipSerial"] == kDefaultChipSerial;
        });
    EXPECT_EQ(replays, 2);
    EXPECT_EQ(outcomeOf(jobId), "done");
}

TEST_F(TsmTest, AWrongCardCryptogramIsRefusedAndTheJobStaysPending) {
    const std::string jobId = sync("installed").json()["jobs"][0]["jobId"];
    JobRun steps;
    Bytes answer = openOnChip(jobId, steps).data;
    ASSERT_GT(answer.size(), kCardCryptogramOffset);
    answer[kCardCryptogramOffset] ^= 0x01U;
    const Answer refused = authenticate(jobId, answer);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.errorCode(), "bad_cryptogram");
    EXPECT_EQ(job(jobId)["state"], "pending");
    EXPECT_EQ(outcomeOf(jobId), "done");
}

TEST_F(TsmTest, ABadRMacIsRefusedAndTheJobStaysPending) {
    activate();
    const std::string jobId = queue("status");
    JobRun steps;
    steps.initializeUpdate = openOnChip(jobId, steps);
    steps.authenticate = authenticate(jobId, steps.initializeUpdate.data);
    ASSERT_EQ(steps.authenticate.status, 200) << steps.authenticate.body;
    apdu::ResponseApdu answer = relayToChip(steps.authenticate);
    ASSERT_EQ(answer.sw, kOk);
    answer.data.back() ^= 0x01U;
    const Answer refused = report(jobId, answer);
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.errorCode(), "bad_mac");
    EXPECT_EQ(job(jobId)["state"], "pending");
    EXPECT_EQ(outcomeOf(jobId), "done");
}

TEST_F(TsmTest, AResultWithARefusalStatusWordMarksTheJobRefused) {
    // The payment applet may not become operational without its keys and parameters.
    const std::string activatePayment = queue("activate", {{"applet", "payment"}});
    const JobRun steps = run(activatePayment);
    EXPECT_EQ(steps.manage.sw, 0x6985);
    EXPECT_EQ(steps.result.json()["outcome"], "refused");
    EXPECT_EQ(job(activatePayment)["state"], "refused");
    EXPECT_EQ(job(activatePayment)["statusWord"], "6985");
    EXPECT_EQ(client->postJson(jobPath(activatePayment, "open"), json::object()).errorCode(),
              "job_not_found");
    // A refused lifecycle job is followed by a status job of its applet, which records the
    // applet's authenticated state.
    const json jobs = sync("operational").json()["jobs"];
    ASSERT_EQ(jobs.size(), 1U);
    EXPECT_EQ(jobs[0]["operation"], "status");
    EXPECT_EQ(jobs[0]["applet"], "payment");
    EXPECT_EQ(outcomeOf(jobs[0]["jobId"]), "done");
    EXPECT_EQ(sync("operational").json()["jobs"], json::array());
    const json status = chipStatus();  // the range-for must not iterate a temporary
    for (const json& applet : status["applets"]) {
        if (applet["applet"] == "payment") {
            EXPECT_EQ(applet["lifecycle"], "installed");
        }
    }
}

// Review finding 1: a refusal's status word carries no R-MAC, so a device could claim one
// for a lock it never sent. The lock stays in force and a status job is queued.
TEST_F(TsmTest, AnUnauthenticatedRefusalOfALockKeepsItInForce) {
    activate();
    const std::string order = createOrder(1000);
    const std::string city = "/v1/orders/" + order + "/authorize";
    const std::string lock = queue("lock");
    JobRun steps;
    steps.initializeUpdate = openOnChip(lock, steps);
    ASSERT_EQ(authenticate(lock, steps.initializeUpdate.data).status, 200);
    const Answer refused = report(lock, apdu::ResponseApdu{{}, 0x6985});  // never sent
    ASSERT_EQ(refused.status, 200) << refused.body;
    EXPECT_EQ(refused.json()["outcome"], "refused");
    EXPECT_EQ(job(lock)["state"], "refused");

    EXPECT_EQ(client->postJson(city, json::object()).errorCode(), "chip_locked");
    EXPECT_TRUE(chipStatus()["loadSamLocked"].get<bool>());
    const json jobs = sync("installed").json()["jobs"];  // no activate either
    ASSERT_EQ(jobs.size(), 1U);
    EXPECT_EQ(jobs[0]["operation"], "status");
    EXPECT_EQ(jobs[0]["applet"], "load-sam");
    EXPECT_EQ(outcomeOf(jobs[0]["jobId"]), "done");
    EXPECT_EQ(client->postJson(city, json::object()).errorCode(), "chip_locked");

    // Only a done unlock lifts it (the chip is operational: a 9000 no-op, authenticated).
    const std::string unlock = queue("unlock");
    EXPECT_EQ(outcomeOf(unlock), "done");
    EXPECT_NE(client->postJson(city, json::object()).errorCode(), "chip_locked");
    EXPECT_FALSE(chipStatus()["loadSamLocked"].get<bool>());
}

// Review finding 2: the card cryptogram does not cover the sequence counter; the
// pseudo-random card challenge does. A rewritten counter is refused and not saved.
TEST_F(TsmTest, ARewrittenSequenceCounterIsRefusedAndNotSaved) {
    const std::string jobId = sync("installed").json()["jobs"][0]["jobId"];
    JobRun steps;
    Bytes answer = openOnChip(jobId, steps).data;
    ASSERT_EQ(answer.size(), kSequenceCounterOffset + 3);
    Bytes rewritten = answer;
    std::copy_n(Bytes{0xFF, 0xFF, 0xFE}.begin(), 3, rewritten.begin() + kSequenceCounterOffset);
    EXPECT_EQ(authenticate(jobId, rewritten).errorCode(), "bad_cryptogram");
    // A random card challenge has no counter in the answer (7.1.3): nothing binds it.
    Bytes notPseudoRandom(answer.begin(), answer.begin() + kSequenceCounterOffset);
    notPseudoRandom[kIParameterOffset] = gp::iparam::kRmac | gp::iparam::kRenc;
    EXPECT_EQ(authenticate(jobId, notPseudoRandom).errorCode(), "bad_cryptogram");
    const json status = chipStatus();  // the range-for must not iterate a temporary
    for (const json& applet : status["applets"]) {
        EXPECT_TRUE(applet["sequenceCounter"].is_null()) << applet;
    }
    EXPECT_EQ(outcomeOf(jobId), "done");  // the real counter is still above the saved one
}

// Review finding 3: a run whose session was opened again cannot keep its channel there.
TEST(TsmSessions, AStaleRunCannotKeepItsChannel) {
    server::TsmSessions sessions;
    const Bytes first(8, 0x11);
    const Bytes second(8, 0x22);
    sessions.open("TSM-1", first);
    sessions.open("TSM-1", second);  // another run of the same job
    EXPECT_FALSE(sessions.keep("TSM-1", first, gp::HostChannel({}, first)));
    EXPECT_FALSE(sessions.keep("TSM-2", first, gp::HostChannel({}, first)));
    EXPECT_TRUE(sessions.keep("TSM-1", second, gp::HostChannel({}, second)));
    EXPECT_FALSE(sessions.keep("TSM-1", second, gp::HostChannel({}, second)));  // kept once
}

TEST_F(TsmTest, TwoInterleavedRunsOfOneJobLeaveOnlyTheLatest) {
    const std::string jobId = sync("installed").json()["jobs"][0]["jobId"];
    JobRun stale;
    stale.initializeUpdate = openOnChip(jobId, stale);
    const Answer reopened = client->postJson(jobPath(jobId, "open"), json::object());
    ASSERT_EQ(reopened.status, 200);
    EXPECT_EQ(authenticate(jobId, stale.initializeUpdate.data).status, 409);
    EXPECT_EQ(job(jobId)["state"], "pending");
    EXPECT_EQ(outcomeOf(jobId), "done");
}

// Review finding 6: a MANAGE too large to wrap is refused when queued.
TEST_F(TsmTest, AManageTooLargeToWrapIsRefusedWhenQueued) {
    json aids = json::array();
    for (int i = 0; i < 8; ++i) {
        aids.push_back("A0000003330101010000000000000" + std::to_string(i) + "00");
    }
    const Answer refused =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "personalise"}, {"parameters", {{"aids", aids}}}});
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(refused.errorCode(), "malformed_request");
    EXPECT_EQ(admin("GET", "/admin/tsm/jobs").json()["jobs"], json::array());
    // Without the keys (C2) the same parameters fit, and reach the chip.
    EXPECT_EQ(outcomeOf(queue("update-params", {{"parameters", {{"aids", aids}}}})), "done");
    EXPECT_EQ(chip.paymentStatus().parametersVersion, 1U);
}

// Review finding 7: personalising a locked payment applet must not unlock it; an operational
// one is personalised again without a lifecycle change.
TEST_F(TsmTest, PersonaliseRefusesALockedAppletAndKeepsAnOperationalOne) {
    EXPECT_EQ(outcomeOf(queue("personalise")), "done");
    EXPECT_EQ(outcomeOf(queue("personalise", {{"parameters", {{"daily", "600.00"}}}})), "done");
    EXPECT_EQ(chip.paymentStatus().lifecycle, mgmt::Lifecycle::Operational);
    EXPECT_EQ(chip.paymentStatus().parametersVersion, 2U);
    const std::string lock = queue("lock", {{"applet", "payment"}});
    const std::string path = "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs";
    EXPECT_EQ(admin("POST", path, {{"operation", "personalise"}}).errorCode(), "applet_locked");
    EXPECT_EQ(outcomeOf(lock), "done");
    const Answer refused = admin("POST", path, {{"operation", "personalise"}});
    EXPECT_EQ(refused.status, 409);
    EXPECT_EQ(refused.errorCode(), "applet_locked");
    EXPECT_EQ(chip.paymentStatus().lifecycle, mgmt::Lifecycle::Locked);
}

// Review finding 8: a failure that is not a refusal names the job and is logged.
TEST_F(TsmTest, AnInternalFailureIsAnApiErrorNamingTheJob) {
    const std::string jobId = queue("status", {{"applet", "payment"}});
    runSql(tmp.path() + "/server.db",
           "UPDATE tsm_jobs SET request = 'C001' WHERE job_id = '" + jobId + "'");
    JobRun steps;
    steps.initializeUpdate = openOnChip(jobId, steps);
    const Answer failed = authenticate(jobId, steps.initializeUpdate.data);
    EXPECT_EQ(failed.status, 500);
    EXPECT_EQ(failed.errorCode(), "tsm_internal");
    EXPECT_NE(failed.body.find(jobId), std::string::npos) << failed.body;
    const json events = admin("GET", "/admin/events").json();
    EXPECT_TRUE(std::any_of(events["events"].begin(), events["events"].end(),
                            [](const json& event) { return event["code"] == "tsm_internal"; }));
}

// Review finding 12: the parameter version does not wrap to 0 (the chip's rollback check).
TEST_F(TsmTest, TheParameterVersionDoesNotWrap) {
    queue("update-params");
    runSql(tmp.path() + "/server.db", "UPDATE tsm_parameters SET version = 4294967295");
    const Answer refused =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "update-params"}});
    EXPECT_EQ(refused.status, 409) << refused.body;
    EXPECT_EQ(refused.errorCode(), "parameters_exhausted");
}

TEST_F(TsmTest, AnotherChipsJobIsNotFound) {
    const std::string jobId = sync("installed").json()["jobs"][0]["jobId"];
    const Device other = pki.makeDevice("other", DeviceOptions::forChip("544C434800000002"));
    const DeviceClient otherClient = clientFor(other);
    for (const char* step : {"open", "authenticate", "result"}) {
        const Answer answer = otherClient.postJson(jobPath(jobId, step), json::object());
        EXPECT_EQ(answer.status, 404) << step << ": " << answer.body;
        EXPECT_EQ(answer.errorCode(), "job_not_found") << step;
    }
    const Answer theirs = sync("installed", &otherClient);
    ASSERT_EQ(theirs.json()["jobs"].size(), 1U);
    EXPECT_NE(theirs.json()["jobs"][0]["jobId"], jobId);
}

TEST_F(TsmTest, ARevokedDeviceGetsNoJobs) {
    ASSERT_EQ(admin("POST", "/admin/devices/revoke", {{"chipSerial", kDefaultChipSerial}}).status,
              200);
    const Answer refused = sync("installed");
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.errorCode(), "device_revoked");
}

TEST_F(TsmTest, OperatorCommandsQueueListAndShow) {
    const std::string socket = adminSocket();
    const auto tsm = [&socket](std::vector<std::string> words) {
        words.insert(words.begin(), {kServerPath, "--admin-socket", socket, "tsm"});
        return testsupport::run(words);
    };
    const auto locked = tsm({"lock", "--chip-serial", kDefaultChipSerial});
    ASSERT_EQ(locked.exitCode, 0) << locked.err;
    ASSERT_EQ(locked.out.rfind("TSM-", 0), 0U) << locked.out;
    const std::string jobId = locked.out.substr(0, locked.out.size() - 1);
    EXPECT_EQ(job(jobId)["operation"], "lock");
    EXPECT_EQ(job(jobId)["applet"], "load-sam");

    const auto personalised =
        tsm({"personalise", "--chip-serial", kDefaultChipSerial, "--per-transaction", "50", "--aid",
             "A000000333010101", "--json"});
    ASSERT_EQ(personalised.exitCode, 0) << personalised.err;
    EXPECT_EQ(json::parse(personalised.out)["operation"], "personalise");
    EXPECT_EQ(chipStatus()["parameters"]["perTransaction"], "50.00");
    EXPECT_EQ(chipStatus()["parameters"]["aids"], json::array({"A000000333010101"}));

    const auto status = tsm({"status", "--chip-serial", kDefaultChipSerial});
    ASSERT_EQ(status.exitCode, 0) << status.err;
    EXPECT_NE(status.out.find("load SAM locked"), std::string::npos) << status.out;
    EXPECT_NE(status.out.find(jobId), std::string::npos) << status.out;
    const auto jobs = tsm({"jobs"});
    ASSERT_EQ(jobs.exitCode, 0) << jobs.err;
    EXPECT_NE(jobs.out.find("personalise"), std::string::npos) << jobs.out;

    const auto refreshed =
        tsm({"refresh", "--chip-serial", kDefaultChipSerial, "--applet", "payment"});
    ASSERT_EQ(refreshed.exitCode, 0) << refreshed.err;
    const std::string refreshJob = refreshed.out.substr(0, refreshed.out.size() - 1);
    EXPECT_EQ(job(refreshJob)["operation"], "status");
    EXPECT_EQ(job(refreshJob)["applet"], "payment");

    EXPECT_EQ(tsm({"lock"}).exitCode, 2);  // no --chip-serial
    EXPECT_EQ(tsm({"reboot", "--chip-serial", kDefaultChipSerial}).exitCode, 2);
    const auto refused =
        tsm({"update-params", "--chip-serial", kDefaultChipSerial, "--applet", "load-sam"});
    EXPECT_EQ(refused.exitCode, 1);
    EXPECT_NE(refused.err.find("malformed_request"), std::string::npos) << refused.err;
    EXPECT_EQ(tsm({"lock", "--chip-serial", "XYZ"}).exitCode, 1);
    EXPECT_EQ(
        testsupport::run({kServerPath, "--admin-socket", tmp.path() + "/none.sock", "tsm", "jobs"})
            .exitCode,
        3);
}

// Without tsm.keysFile every TSM route answers 503, and the rest of the server works.
TEST_F(ServerTest, WithoutTsmKeysTheTsmRoutesAreUnavailable) {
    const Answer synced = client->postJson("/v1/tsm/sync", {{"applets", json::array()}});
    EXPECT_EQ(synced.status, 503);
    EXPECT_EQ(synced.errorCode(), "tsm_unavailable");
    EXPECT_EQ(admin("GET", "/admin/tsm/jobs").errorCode(), "tsm_unavailable");
    const auto status = testsupport::run({kServerPath, "--admin-socket", adminSocket(), "tsm",
                                          "status", "--chip-serial", kDefaultChipSerial});
    EXPECT_EQ(status.exitCode, 1);
    EXPECT_NE(status.err.find("tsm_unavailable"), std::string::npos) << status.err;
    // No chip-manage script in this folder: scheme tsm is not found, the city one still is.
    EXPECT_EQ(client->get("/v1/scripts/tsm").errorCode(), "script_not_found");
    EXPECT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
}

// The repository's chip-manage script is served, signed, for scheme tsm beside the others.
TEST_F(TsmTest, TheChipManageScriptIsServedForSchemeTsm) {
    std::filesystem::copy_file(
        std::string(TAPLINK_SOURCE_DIR) + "/scripts/recharge/chip-manage.json",
        scriptsDir() + "/chip-manage.json");
    const Answer served = client->get("/v1/scripts/tsm");
    ASSERT_EQ(served.status, 200) << served.body;
    EXPECT_EQ(served.json()["scheme"], "tsm");
    EXPECT_EQ(served.json()["id"], "chip-manage");
    EXPECT_EQ(client->get("/v1/scripts/city-epurse").status, 200);
}

TEST(TsmConfig, IsOptionalResolvedAndStrict) {
    json config = ServerSetup().configuration();
    const server::TsmConfig none = server::parseServerConfig(config.dump(), "/srv/taplink").tsm;
    EXPECT_FALSE(none.keysFile);
    EXPECT_TRUE(none.activateEnrolledChips);
    config["tsm"] = {{"keysFile", "pki/tsm-keys.json"}, {"activateEnrolledChips", false}};
    const server::TsmConfig tsm = server::parseServerConfig(config.dump(), "/srv/taplink").tsm;
    EXPECT_EQ(tsm.keysFile, "/srv/taplink/pki/tsm-keys.json");
    EXPECT_FALSE(tsm.activateEnrolledChips);
    for (const json& bad : {json{{"keysFile", 1}}, json{{"activateEnrolledChips", "yes"}},
                            json{{"keysFile", "k.json"}, {"extra", true}}, json("k.json")}) {
        config["tsm"] = bad;
        EXPECT_THROW(server::parseServerConfig(config.dump(), "/srv"), server::ConfigError) << bad;
    }
}

TEST_F(ServerTest, AServerWithAnUnreadableTsmKeysFileDoesNotStart) {
    EXPECT_EQ(server.stop(), 0);
    writeText(tmp.path() + "/tsm-keys.json",
              R"({"format":"taplink-tsm-keys/1","keyVersion":"30"})");
    setup.tsm = {{"keysFile", "tsm-keys.json"}};
    writeText(configPath(), setup.configuration().dump());
    const auto line = server.start({kServerPath, "serve", "--config", configPath()});
    EXPECT_FALSE(line.has_value()) << line.value_or("");
    EXPECT_EQ(server.exitCode(), 1);
    EXPECT_NE(server.errors().find("tsm-keys.json"), std::string::npos) << server.errors();
}

// The host channels kept between open and result: bounded, the oldest dropped first, each
// gone after its lifetime or its result.
TEST(TsmSessions, AreBoundedAndExpire) {
    using Clock = server::TsmSessions::Clock;
    server::TsmSessions sessions;
    const Clock::time_point start = Clock::now();
    for (std::size_t i = 0; i <= server::TsmSessions::kMaxSessions; ++i) {
        sessions.open("TSM-" + std::to_string(i), Bytes(8, 0x11), start);
    }
    EXPECT_EQ(sessions.size(), server::TsmSessions::kMaxSessions);
    EXPECT_FALSE(sessions.challenge("TSM-0", start));  // the oldest went first
    EXPECT_EQ(sessions.challenge("TSM-1", start), Bytes(8, 0x11));
    EXPECT_TRUE(sessions.keep("TSM-1", Bytes(8, 0x11), gp::HostChannel({}, Bytes(8, 0x11)), start));
    EXPECT_TRUE(sessions.take("TSM-1", start));
    EXPECT_FALSE(sessions.challenge("TSM-1", start));  // taken with its result
    const Clock::time_point later = start + server::TsmSessions::kLifetime;
    EXPECT_FALSE(sessions.challenge("TSM-2", later));
    EXPECT_EQ(sessions.size(), 0U);
}

// The PAN hash is HMAC-SHA-256 in upper-case hex: RFC 4231 4.3 (test case 2).
TEST(PanPrivacy, PanHashIsHmacSha256) {
    const std::string key = "Jefe";
    EXPECT_EQ(
        server::panHash(ByteView(reinterpret_cast<const std::uint8_t*>(key.data()), key.size()),
                        "what do ya want for nothing?"),
        "5BDCC146BF60754E6A042426089575C75A003F089D2739839DEC58B964EC3843");
}

}  // namespace
}  // namespace taplink::servertest
