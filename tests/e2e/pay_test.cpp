// The Tap & Pay purchase on the real stack through taplinkd's pay.start: the payment applet's
// refusals come before the card makes any cryptogram and charge nothing; the card pulled at
// each of its commands, taplinkd killed in each journal state and taplink-server gone at each
// of its three calls all end with the order charged once (reported) or the account as it
// was (never charged, or refunded once by a reversal).
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <ostream>
#include <string>
#include <thread>
#include <vector>

#include "pay_support.hpp"

namespace taplink::testbed {
namespace {

using namespace std::chrono_literals;

// The ends of a purchase in taplinkd's journal.
bool isEnd(const std::string& state) {
    return state == "reported" || state == "reversed" || state == "failed";
}

// Polls tx.status until the purchase has ended; its end, or the last state after 30 s.
std::string waitForPurchaseEnd(E2e& e2e, const std::string& order) {
    const auto deadline = std::chrono::steady_clock::now() + 30s;
    std::string state = e2e.journalState(order);
    while (!isEnd(state) && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(20ms);
        state = e2e.journalState(order);
    }
    return state;
}

// --- Refusals before the ARQC: the card answers fewer commands than its first GENERATE AC,
// the account and the order do not move.

// pay.start's error `code`, then `taplink pay` of the same order: its exit code.
void expectRefusedBeforeTheArqc(PurchaseSetup& setup, const std::string& code, int exitCode) {
    E2e& e2e = setup.e2e;
    const std::string order = setup.order();
    const std::uint64_t before = setup.balance();
    const unsigned firstGenerateAc = nextPurchaseApdu(e2e, PurchaseApdu::FirstGenerateAc);
    const std::uint64_t apdusBefore = cardApdus(e2e);
    const Outcome refused = setup.pay(order);
    EXPECT_EQ(refused.code, code) << refused.message;
    EXPECT_LT(cardApdus(e2e) - apdusBefore, firstGenerateAc) << "the card made an ARQC";
    const auto cli = taplinkCli(e2e.bed(), {"pay", "--order", order});
    EXPECT_EQ(cli.exitCode, exitCode) << cli.err;
    EXPECT_EQ(setup.balance(), before) << "nothing charged";
    EXPECT_EQ(e2e.orderStatus(order), "open");
}

void expectPaid(PurchaseSetup& setup) {
    const std::uint64_t before = setup.balance();
    const std::string order = setup.order();
    const Outcome paid = setup.pay(order);
    ASSERT_TRUE(paid.ok()) << paid.code << ": " << paid.message;
    EXPECT_EQ(paid.result.at("status"), "approved");
    EXPECT_TRUE(paid.result.at("settled").get<bool>());
    EXPECT_EQ(setup.balance(), before - kPurchaseAmount);
    EXPECT_EQ(setup.e2e.orderStatus(order), "settled");
}

// The demo card taken off the reader and one with these options put on.
void swapBankCard(E2e& e2e, const nlohmann::json& cardOptions) {
    e2e.bed().bed().sim().remove(kCardSlot);
    ASSERT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, false));
    insertBankCard(e2e, "bank-3des", cardOptions);
}

TEST(PayRefusals, TheAppletsLimitsItsLockAndAnExpiredCardRefuseBeforeTheArqc) {
    PurchaseSetup setup;
    {
        SCOPED_TRACE("over the per-transaction limit");
        setup.updateParameters({"--per-transaction", "50.00"});
        expectRefusedBeforeTheArqc(setup, "limit_exceeded", 7);
        setup.updateParameters({"--per-transaction", "1000.00"});
    }
    {
        SCOPED_TRACE("over the daily limit at the second purchase");
        setup.updateParameters({"--daily", "100.00"});
        expectPaid(setup);
        expectRefusedBeforeTheArqc(setup, "limit_exceeded", 7);
        setup.updateParameters({"--daily", "5000.00"});
    }
    {
        SCOPED_TRACE("the card's AID not allowed");
        setup.updateParameters({"--aid", "A000000333010102"});  // the credit AID only
        expectRefusedBeforeTheArqc(setup, "no_application", 5);
        setup.updateParameters(
            {"--aid", "A000000333010101", "--aid", "A000000333010102"});  // both again
    }
    {
        SCOPED_TRACE("the payment applet locked by the TSM");
        applyTsmJob(setup.e2e.bed(), "lock", {"--applet", "payment"});
        expectRefusedBeforeTheArqc(setup, "chip_locked", 9);
        applyTsmJob(setup.e2e.bed(), "unlock", {"--applet", "payment"});
    }
    {
        SCOPED_TRACE("everything back: the purchase goes through");
        expectPaid(setup);
    }
    // Last: the server rightly refuses the ARQC of a fresh card with the same PAN (its ATC
    // starts again), so nothing is paid after this swap.
    SCOPED_TRACE("an expired card");
    swapBankCard(setup.e2e, {{"expiry", "200131"}});
    expectRefusedBeforeTheArqc(setup, "card_expired", 5);
}

// --- The card pulled at each of its commands, taplinkd's read and the script's: the card
// comes back and the purchase ends once, charged or not.

TEST(PayTearing, TheCardPulledAtEachCommandEndsChargedOnceOrNot) {
    PurchaseSetup setup("bank-3des", "", /*traceApdus=*/true);
    E2e& e2e = setup.e2e;
    const unsigned read = daemonReadApdus(e2e);
    std::vector<std::pair<unsigned, bool>> pulls;  // the command, pulled after the card's work
    for (unsigned apdu = 1; apdu <= read + kPurchaseCardApdus; ++apdu) {
        pulls.emplace_back(apdu, false);
    }
    pulls.emplace_back(read + static_cast<unsigned>(PurchaseApdu::SecondGenerateAc), true);
    for (const auto& [apdu, afterProcessing] : pulls) {
        SCOPED_TRACE("card pulled at its command " + std::to_string(apdu) +
                     (afterProcessing ? " after answering it" : ""));
        const std::string order = setup.order();
        const std::uint64_t before = setup.balance();
        daemonReadApdus(e2e);  // the same start for every order
        e2e.bed().bed().sim().pullAt(kCardSlot, apdu, afterProcessing);
        auto running = std::async(std::launch::async, [&] { return setup.pay(order); });
        if (running.wait_for(30s) != std::future_status::ready) {
            ADD_FAILURE() << "pay.start still runs";
        }
        const Outcome outcome = running.get();
        e2e.restoreEverything();
        const std::string ended = waitForPurchaseEnd(e2e, order);
        ASSERT_TRUE(isEnd(ended)) << ended;
        if (apdu == read + static_cast<unsigned>(PurchaseApdu::SecondGenerateAc)) {
            EXPECT_EQ(ended, "reversed") << "authorized, then the card left";
        }
        if (apdu <= read + static_cast<unsigned>(PurchaseApdu::FirstGenerateAc)) {
            EXPECT_EQ(ended, "failed") << "nothing sealed";
        }
        EXPECT_FALSE(outcome.ok()) << outcome.result.dump();
        expectChargedOnceOrNot(setup, order, before, ended == "reported");
    }
    // The journal and the logs after every kind of end, reversals included.
    expectNoCardholderData(e2e.bed(), {}, {});
}

// --- taplinkd killed (SIGKILL) in each purchase journal state, then started again: the next
// start ends the purchase by itself, charged once or refunded once.

struct PayKillPoint {
    const char* state;
    PurchaseApdu apdu;  // the card command held while the daemon is killed
    const char* ends;
    // The server paused once the held command has arrived: taplinkd is killed while it waits
    // for the server's answer (authorize after sealed, the result after completed).
    bool serverPaused;
};

// gtest prints a parameter (and ctest names the test) with this, not its bytes.
void PrintTo(const PayKillPoint& point, std::ostream* out) {
    *out << point.state;
}

class PayDaemonKilled : public ::testing::TestWithParam<PayKillPoint> {};

TEST_P(PayDaemonKilled, InEachJournalStateAndTheNextStartChargesOnceOrReverses) {
    const PayKillPoint point = GetParam();
    PurchaseSetup setup;
    E2e& e2e = setup.e2e;
    const std::string order = setup.order();
    const unsigned held = nextPurchaseApdu(e2e, point.apdu);
    const std::uint64_t apdusBefore = cardApdus(e2e);
    e2e.bed().bed().sim().delay(kCardSlot, held, 1500ms);
    auto running = std::async(std::launch::async, [&] { return setup.pay(order); });
    ASSERT_TRUE(waitForCardApdus(e2e, apdusBefore + held)) << cardApdus(e2e);
    std::optional<PausedServer> paused;
    if (point.serverPaused) {
        paused.emplace(e2e.bed());
    }
    ASSERT_TRUE(e2e.waitForState(order, point.state)) << e2e.journalState(order);
    if (point.serverPaused) {
        std::this_thread::sleep_for(300ms);  // the call goes out after the checkpoint
    }
    e2e.bed().stopDaemon(/*kill=*/true);
    EXPECT_FALSE(running.get().ok());
    if (point.serverPaused) {
        paused.reset();
    } else {
        std::this_thread::sleep_for(1600ms);  // the held command completes
    }
    e2e.bed().startDaemon();
    const std::string ended = waitForPurchaseEnd(e2e, order);
    ASSERT_EQ(ended, point.ends);
    const bool charged = ended == "reported";
    expectChargedOnceOrNot(setup, order, kAccountBefore, charged);
    EXPECT_EQ(e2e.orderStatus(order), charged ? "settled" : "reversed");
}

INSTANTIATE_TEST_SUITE_P(
    EachState, PayDaemonKilled,
    ::testing::Values(
        // Sealed, the authorization unanswered: the restart sends it again (the server
        // replays its approval) and reverses it, the card being gone from the purchase.
        PayKillPoint{"sealed", PurchaseApdu::FirstGenerateAc, "reversed", true},
        PayKillPoint{"authorized", PurchaseApdu::SecondGenerateAc, "reversed", false},
        // The card's TC kept: the restart reports it.
        PayKillPoint{"completed", PurchaseApdu::SecondGenerateAc, "reported", true}),
    [](const auto& param) { return std::string(param.param.state); });

// --- taplink-server gone at each of its purchase calls (authorize, result, reverse): stopped
// while the card holds the command before the call. The server's fault injection
// (server/src/api/faults.hpp) knows the order, script, authorize and result of top-ups only.

struct PayServerGonePoint {
    const char* call;
    PurchaseApdu apdu;  // the card command held while the server stops
    bool cardPulled;    // the card leaves at that command (a purchase to reverse)
    const char* code;   // pay.start's error; "" when it succeeds unsettled
    const char* state;  // the journal state it leaves open
    const char* ends;   // once the server is back
};

void PrintTo(const PayServerGonePoint& point, std::ostream* out) {
    *out << point.call;
}

class PayServerGone : public ::testing::TestWithParam<PayServerGonePoint> {};

TEST_P(PayServerGone, AtTheCallAndThePurchaseEndsOnceWhenTheServerIsBack) {
    const PayServerGonePoint point = GetParam();
    PurchaseSetup setup;
    E2e& e2e = setup.e2e;
    const std::string order = setup.order();
    auto& sim = e2e.bed().bed().sim();
    const unsigned held = nextPurchaseApdu(e2e, point.apdu);
    const std::uint64_t apdusBefore = cardApdus(e2e);
    sim.delay(kCardSlot, held, 1000ms);
    if (point.cardPulled) {
        sim.pullAt(kCardSlot, held);
    }
    auto running = std::async(std::launch::async, [&] { return setup.pay(order); });
    ASSERT_TRUE(waitForCardApdus(e2e, apdusBefore + held)) << cardApdus(e2e);
    e2e.bed().stopServer();

    const Outcome first = running.get();
    EXPECT_EQ(first.code, point.code) << first.message;
    if (first.ok()) {
        EXPECT_FALSE(first.result.at("settled").get<bool>());
    }
    EXPECT_EQ(e2e.journalState(order), point.state);
    e2e.bed().startServer();
    e2e.restoreEverything();
    const std::string ended = waitForPurchaseEnd(e2e, order);
    ASSERT_EQ(ended, point.ends);
    const bool charged = ended == "reported";
    expectChargedOnceOrNot(setup, order, kAccountBefore, charged);
    EXPECT_EQ(e2e.orderStatus(order), charged ? "settled" : "reversed");
}

INSTANTIATE_TEST_SUITE_P(
    EachCall, PayServerGone,
    ::testing::Values(
        // Held at GENERATE AC 1: the authorization finds no server. The resumer sends the
        // kept sealed bytes again and reverses what the server approves.
        PayServerGonePoint{"authorize", PurchaseApdu::FirstGenerateAc, false, "server_unreachable",
                           "sealed", "reversed"},
        // Held at GENERATE AC 2: the card's TC is kept, the report waits for the server.
        PayServerGonePoint{"result", PurchaseApdu::SecondGenerateAc, false, "", "completed",
                           "reported"},
        // The card leaves at GENERATE AC 2 after the authorization: the reversal is pending.
        PayServerGonePoint{"reverse", PurchaseApdu::SecondGenerateAc, true, "card_removed",
                           "authorized", "reversed"}),
    [](const auto& param) { return std::string(param.param.call); });

}  // namespace
}  // namespace taplink::testbed
