// The EC load (圈存) with taplink-server failing or gone at each of its calls, on the real
// stack: the order and the script (the server's fault injection, before doing anything or
// with its answer lost), ecload/authorize, the result report and the reversal (the server
// stopped while the card holds the command before the call). Each load ends with the card's
// EC and the cardholder's account agreeing: loaded and settled once, or not loaded and the
// account refunded once or never debited.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <string>
#include <tuple>

#include "ecload_support.hpp"

namespace taplink::testbed {
namespace {

// A bed with a bank-3des card, its cardholder's account and a bank-ec order.
struct EcLoadSetup {
    EcLoadSetup() : e2e(noCardAtStart()) {
        account = bankCardAndAccount(e2e, "bank-3des");
        order = bankOrder(e2e, account);
    }

    static TopupBedOptions noCardAtStart() {
        TopupBedOptions options;
        options.cardProfile = "";
        return options;
    }

    Outcome load() { return e2e.call("ecload.start", {{"orderId", order}}); }

    E2e e2e;
    std::string account;
    std::string order;
};

// --- The order and the script: the server's fault injection (server/src/api/faults.hpp).

class EcServerFails : public ::testing::TestWithParam<std::tuple<const char*, const char*>> {};

TEST_P(EcServerFails, AtTheOrderAndTheScriptNothingMovesAndARetryLoadsOnce) {
    const auto [endpoint, mode] = GetParam();
    EcLoadSetup setup;
    setup.e2e.bed().serverAdmin(
        "POST", "/admin/faults",
        {{"endpoint", endpoint}, {"mode", mode}, {"status", 500}, {"count", 50}});

    const Outcome failed = setup.load();
    EXPECT_EQ(failed.code, "server_error") << failed.message;
    expectEcAgreement(setup.e2e, setup.account, setup.order, /*loaded=*/false, "open");

    setup.e2e.bed().serverAdmin("DELETE", "/admin/faults");
    const Outcome retry = setup.load();
    ASSERT_TRUE(retry.ok()) << retry.code << ": " << retry.message;
    EXPECT_TRUE(retry.result.at("settled").get<bool>());
    EXPECT_EQ(setup.e2e.journalState(setup.order), "reported");
    expectEcAgreement(setup.e2e, setup.account, setup.order, /*loaded=*/true, "settled");
}

INSTANTIATE_TEST_SUITE_P(EachCall, EcServerFails,
                         ::testing::Combine(::testing::Values("order", "script"),
                                            ::testing::Values("before", "after")),
                         [](const auto& param) {
                             return std::string(std::get<0>(param.param)) + "_" +
                                    std::get<1>(param.param);
                         });

// --- ecload/authorize, the result and the reversal: the server stopped while the card holds
// the command before the call, so that the call finds no server; started again, taplinkd's
// resumer finishes the load by itself.

struct EcServerGonePoint {
    const char* call;
    ScriptApdu apdu;    // the card command held while the server stops
    bool cardPulled;    // the card leaves at that command (a load to reverse)
    const char* code;   // ecload.start's error; "" when it succeeds unsettled
    const char* state;  // the journal state it leaves open
    const char* ends;   // reported or reversed, once the server is back
};

class EcServerGone : public ::testing::TestWithParam<EcServerGonePoint> {};

TEST_P(EcServerGone, AtTheCallAndTheLoadEndsOnceWhenTheServerIsBack) {
    const EcServerGonePoint point = GetParam();
    EcLoadSetup setup;
    E2e& e2e = setup.e2e;
    auto& sim = e2e.bed().bed().sim();
    const unsigned held = nextLoadApdu(e2e, point.apdu);
    const std::uint64_t apdusBefore = cardApdus(e2e);
    sim.delay(kCardSlot, held, std::chrono::milliseconds(1000));
    if (point.cardPulled) {
        sim.pullAt(kCardSlot, held);
    }
    auto running = std::async(std::launch::async, [&setup] { return setup.load(); });
    ASSERT_TRUE(waitForCardApdus(e2e, apdusBefore + held)) << cardApdus(e2e);
    e2e.bed().stopServer();

    const Outcome first = running.get();
    EXPECT_EQ(first.code, point.code) << first.message;
    if (first.ok()) {
        EXPECT_FALSE(first.result.at("settled").get<bool>());
    }
    EXPECT_EQ(e2e.journalState(setup.order), point.state)
        << e2e.call("tx.status", {{"orderId", setup.order}}).result.dump();
    e2e.bed().startServer();
    e2e.restoreEverything();  // the card back on the reader
    const std::string ended = waitForEnd(e2e, setup.order, point.ends);
    ASSERT_EQ(ended, point.ends) << e2e.journalState(setup.order);
    const bool loaded = ended == "reported";
    expectEcAgreement(e2e, setup.account, setup.order, loaded, loaded ? "settled" : "reversed");
}

INSTANTIATE_TEST_SUITE_P(
    EachCall, EcServerGone,
    ::testing::Values(
        // Held at GENERATE AC 1: the authorization never reaches the server. The resumer
        // sends it again with the card's PAN and reverses what it debits.
        EcServerGonePoint{"authorize", ScriptApdu::FirstGenerateAc, false, "server_unreachable",
                          "arqc", "reversed"},
        // Held at the last balance read: the card is loaded, the report waits for the server.
        EcServerGonePoint{"result", ScriptApdu::BalanceReadBack, false, "", "loaded", "reported"},
        // The card leaves at GENERATE AC 2 after the authorization: the reversal is pending.
        EcServerGonePoint{"reverse", ScriptApdu::SecondGenerateAc, true, "card_removed",
                          "authorized", "reversed"}),
    [](const auto& param) { return std::string(param.param.call); });

}  // namespace
}  // namespace taplink::testbed
