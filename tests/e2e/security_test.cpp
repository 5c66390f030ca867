// Trust failures end to end: every one ends with a clear error and no money moved.
#include <gtest/gtest.h>

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

}  // namespace
}  // namespace taplink::testbed
