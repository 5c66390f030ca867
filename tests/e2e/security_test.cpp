// Trust failures end to end: every one ends with a clear error and no money moved.
#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <string>

#include "e2e_support.hpp"

namespace taplink::testbed {
namespace {

// A second PKI, made once per test process: "another" server, device CA and script key.
const std::string& otherPki() {
    static const std::string dir = [] {
        std::string path = "/tmp/taplink-other-pki-" + std::to_string(::getpid());
        testsupport::runChecked(
            {"/bin/bash", std::string(TAPLINK_SOURCE_DIR) + "/certs/make-pki.sh", path});
        std::atexit([] {
            std::error_code ignored;
            std::filesystem::remove_all("/tmp/taplink-other-pki-" + std::to_string(::getpid()),
                                        ignored);
        });
        return path;
    }();
    return dir;
}

// The server's scripts folder as a copy of scripts/recharge the test may change; the server
// reads it at each request, so a change needs no restart.
class ScriptsFolder {
  public:
    ScriptsFolder() {
        static std::atomic<int> made{0};
        path_ = "/tmp/taplink-scripts-" + std::to_string(::getpid()) + "-" + std::to_string(made++);
        std::filesystem::remove_all(path_);
        std::filesystem::create_directories(path_);
        for (const auto& entry : std::filesystem::directory_iterator(
                 std::string(TAPLINK_SOURCE_DIR) + "/scripts/recharge")) {
            std::filesystem::copy_file(entry.path(), path_ / entry.path().filename());
        }
    }
    ~ScriptsFolder() {
        std::error_code ignored;
        std::filesystem::remove_all(path_, ignored);
    }
    ScriptsFolder(const ScriptsFolder&) = delete;
    ScriptsFolder& operator=(const ScriptsFolder&) = delete;

    std::string path() const { return path_.string(); }

    // The city script as another file, with this version and, when given, validity period.
    void addCityScript(const std::string& name, int version, const std::string& validFrom = "",
                       const std::string& validUntil = "") const {
        std::ifstream in(path_ / "city-epurse-load.json");
        nlohmann::json script = nlohmann::json::parse(in);
        script["version"] = version;
        if (!validFrom.empty()) {
            script["validFrom"] = validFrom;
            script["validUntil"] = validUntil;
        }
        std::ofstream(path_ / name) << script.dump(2) << "\n";
    }
    void remove(const std::string& name) const { std::filesystem::remove(path_ / name); }

  private:
    std::filesystem::path path_;
};

// Nothing was loaded, nothing settled.
void expectNoMoneyMoved(E2e& e2e, const std::string& order, std::uint32_t before) {
    EXPECT_EQ(e2e.balance(), before);
    EXPECT_EQ(e2e.orderStatus(order), "open");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 0U);
}

TEST(Security, AServerKeyThatIsNotThePinnedOneIsRefused) {
    TopupBedOptions options;
    options.daemonPinSha256 = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_unreachable");
    EXPECT_NE(topup.message.find("pinned"), std::string::npos) << topup.message;
    EXPECT_EQ(e2e.journalState(order), "not_found") << "refused before anything was journaled";
    expectNoMoneyMoved(e2e, order, before);
}

TEST(Security, AServerChainFromAnotherRootIsRefused) {
    TopupBedOptions options;
    options.daemonCaFile = otherPki() + "/root-ca.crt";
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_unreachable");
    EXPECT_NE(topup.message.find("not trusted"), std::string::npos) << topup.message;
    expectNoMoneyMoved(e2e, order, before);
}

TEST(Security, AnUnknownDeviceCertificateIsRefusedByTheServer) {
    TopupBedOptions options;
    options.serverDeviceCa = otherPki() + "/device-ca.crt";
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_unreachable") << topup.message;
    EXPECT_NE(topup.message.find("TLS"), std::string::npos) << topup.message;
    expectNoMoneyMoved(e2e, order, before);
}

TEST(Security, ARevokedDeviceIsRefused) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    e2e.bed().serverCommand({"device", "revoke", "--chip-serial", "544C434800000001"});
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "server_error") << topup.message;
    EXPECT_NE(topup.message.find("revoked"), std::string::npos) << topup.message;
    expectNoMoneyMoved(e2e, order, before);
}

TEST(Security, AScriptSignedByAnotherKeyIsRefusedBeforeAnyApdu) {
    TopupBedOptions options;
    options.serverScriptSigningKey = otherPki() + "/script-signing.key";
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const auto apdusBefore = e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "script_rejected") << topup.message;
    EXPECT_EQ(e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus"), apdusBefore)
        << "the card saw nothing";
    expectNoMoneyMoved(e2e, order, before);
}

TEST(Security, ATamperedScriptIsRefusedBeforeAnyApdu) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    e2e.bed().serverAdmin("POST", "/admin/faults", {{"endpoint", "script"}, {"mode", "corrupt"}});
    const auto apdusBefore = e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "script_rejected") << topup.message;
    EXPECT_NE(topup.message.find("signature"), std::string::npos) << topup.message;
    EXPECT_EQ(e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus"), apdusBefore);
    expectNoMoneyMoved(e2e, order, before);
    e2e.retryAndCheckSettledOnce(order, before, 5000);
}

TEST(Security, AnExpiredAuthorizationIsRefusedByTheChip) {
    TopupBedOptions options;
    options.authorizationLifetimeSeconds = 1;
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    // Hold the run at the card's SELECT, then make the chip slow enough (every APDU) that
    // the authorization has expired when it reaches the chip.
    e2e.bed().bed().sim().delay(kCardSlot, 1, std::chrono::milliseconds(500));
    auto running = e2e.topupAsync(order);
    ASSERT_TRUE(e2e.waitForState(order, "order_fetched"));
    e2e.bed().bed().sim().delay(kChipSlot, 0, std::chrono::milliseconds(1100));
    const Outcome topup = running.get();
    e2e.bed().bed().sim().clearFaults(kChipSlot);
    EXPECT_EQ(topup.code, "declined") << topup.message;
    EXPECT_NE(topup.message.find("expired"), std::string::npos) << topup.message;
    EXPECT_EQ(e2e.journalState(order), "failed");
    expectNoMoneyMoved(e2e, order, before);
}

// The server (or someone in between) sends an authorization the chip already used: the chip
// refuses it and the card is not written.
TEST(Security, AReusedAuthorizationIsRefusedByTheChip) {
    E2e e2e;
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    // First attempt: the chip produces MAC2 (using the authorization up), then the card is
    // pulled before CREDIT acts.
    e2e.bed().bed().sim().pullAt(kCardSlot, 5);
    EXPECT_EQ(e2e.topup(order).code, "card_removed");
    e2e.restoreEverything();
    ASSERT_TRUE(e2e.waitForState(order, "failed")) << e2e.journalState(order);
    e2e.bed().serverAdmin("POST", "/admin/faults", {{"endpoint", "authorize"}, {"mode", "replay"}});
    const Outcome replayed = e2e.topup(order);
    EXPECT_EQ(replayed.code, "declined") << replayed.message;
    EXPECT_NE(replayed.message.find("6983"), std::string::npos) << replayed.message;
    expectNoMoneyMoved(e2e, order, before);
    e2e.retryAndCheckSettledOnce(order, before, 5000);
}

// A server that goes back to an older script (still validly signed) after serving a newer
// one: taplinkd remembers the newer version, also across its own restart, and refuses.
TEST(Security, AnOlderScriptAfterANewerOneIsRefusedBeforeAnyApdu) {
    const ScriptsFolder scripts;
    scripts.addCityScript("city-epurse-load-v4.json", 4);
    TopupBedOptions options;
    options.serverScriptsDir = scripts.path();
    E2e e2e(options);
    const std::string first = e2e.bed().createOrder("50.00");
    const Outcome loaded = e2e.topup(first);
    ASSERT_TRUE(loaded.ok()) << loaded.code << ": " << loaded.message;
    const std::uint64_t settled = e2e.bed().settledTotal(kCitySerial);

    scripts.remove("city-epurse-load-v4.json");  // the server serves version 3 again
    e2e.bed().stopDaemon();
    e2e.bed().startDaemon();
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const auto apdusBefore = e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus");
    const Outcome topup = e2e.topup(order);
    EXPECT_EQ(topup.code, "script_rejected") << topup.message;
    EXPECT_NE(topup.message.find("older than version 4"), std::string::npos) << topup.message;
    EXPECT_EQ(e2e.bed().bed().sim().slotStatus(kCardSlot).at("apdus"), apdusBefore)
        << "the card saw nothing";
    EXPECT_EQ(e2e.journalState(order), "not_found") << "refused before anything was journaled";
    EXPECT_EQ(e2e.balance(), before);
    EXPECT_EQ(e2e.orderStatus(order), "open");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), settled);
}

// The server passes over a script outside its validity (a higher version that expired) and
// serves the valid one. taplinkd's own refusal of an expired script, which only a server gone
// wrong would send, is tested in process (tests/service/script_rollback_test.cpp).
TEST(Security, AnExpiredScriptIsNotServedAndTheValidOneLoads) {
    const ScriptsFolder scripts;
    scripts.addCityScript("city-epurse-load-v9.json", 9, "2020-01-01T00:00:00Z",
                          "2021-01-01T00:00:00Z");
    TopupBedOptions options;
    options.serverScriptsDir = scripts.path();
    E2e e2e(options);
    const std::uint32_t before = e2e.balance();
    const std::string order = e2e.bed().createOrder("50.00");
    const Outcome topup = e2e.topup(order);
    ASSERT_TRUE(topup.ok()) << topup.code << ": " << topup.message;
    EXPECT_EQ(e2e.balance(), before + 5000);
    EXPECT_EQ(e2e.orderStatus(order), "settled");
    EXPECT_EQ(e2e.bed().settledTotal(kCitySerial), 5000U);
}

}  // namespace
}  // namespace taplink::testbed
