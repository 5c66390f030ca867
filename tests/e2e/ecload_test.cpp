// The bank-card EC load (圈存) end to end: ecload.start on a real taplinkd's socket against
// the real taplink-server (a cardholder account paying a bank-ec order) and a simulated
// bank card behind pcscd. The account is debited once, the card's EC gains the amount, and
// the plain PAN appears in no reply, log line or journal byte.
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ecload_support.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

class EcLoadInBothSuites : public ::testing::TestWithParam<const char*> {};

TEST_P(EcLoadInBothSuites, LoadsTheCardAndDebitsTheAccountOnce) {
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    const std::string account = bankCardAndAccount(e2e, GetParam());
    const std::string order = bankOrder(e2e, account);
    std::vector<json> replies;

    const Outcome info = e2e.call("card.info");
    ASSERT_TRUE(info.ok()) << info.code << ": " << info.message;
    replies.push_back(info.result);
    EXPECT_EQ(info.result.at("scheme"), "bank-ec");
    EXPECT_EQ(info.result.at("ecBalance"), kEcBefore);
    EXPECT_EQ(info.result.at("pan"), "\u20268883");
    const Outcome readers = e2e.call("readers.list");
    ASSERT_TRUE(readers.ok()) << readers.code;
    replies.push_back(readers.result);
    const json expectedCard{{"scheme", "bank-ec"}, {"maskedSerial", "\u20268883"}};
    EXPECT_NE(readers.result.dump().find(expectedCard.dump()), std::string::npos)
        << readers.result.dump();

    const Outcome load = e2e.call("ecload.start", {{"orderId", order}});
    ASSERT_TRUE(load.ok()) << load.code << ": " << load.message;
    replies.push_back(load.result);
    EXPECT_EQ(load.result.at("amount"), 5000);
    EXPECT_EQ(load.result.at("balanceBefore"), kEcBefore);
    EXPECT_EQ(load.result.at("balanceAfter"), kEcBefore + 5000);
    EXPECT_TRUE(load.result.at("settled").get<bool>());
    EXPECT_EQ(load.result.at("card").at("pan"), "\u20268883");
    EXPECT_EQ(load.result.at("receipt").at("status"), "settled");
    EXPECT_EQ(load.stages, (std::vector<std::string>{"waiting_for_card", "authorizing", "writing",
                                                     "confirming"}));
    const Outcome after = e2e.call("card.info");
    replies.push_back(after.result);
    EXPECT_EQ(after.result.at("ecBalance"), kEcBefore + 5000);
    const Outcome history = e2e.call("card.history");  // the card's EC log (9F4D, 9F4F)
    ASSERT_TRUE(history.ok()) << history.code << ": " << history.message;
    replies.push_back(history.result);
    ASSERT_EQ(history.result.at("records").size(), 1U) << history.result.dump();
    const json& logged = history.result.at("records").at(0);
    EXPECT_EQ(logged.at("type"), "load");
    EXPECT_EQ(logged.at("amount"), 5000);
    EXPECT_FALSE(logged.contains("terminalId"));
    EXPECT_EQ(logged.at("date").get<std::string>().size(), 10U) << logged.dump();
    EXPECT_EQ(accountBalance(e2e, account), 50000U - 5000U) << "debited once";
    EXPECT_EQ(e2e.orderStatus(order), "settled");
    EXPECT_EQ(e2e.journalState(order), "reported");

    const Outcome again = e2e.call("ecload.start", {{"orderId", order}});
    replies.push_back(again.result);
    EXPECT_TRUE(again.ok()) << again.code;
    EXPECT_EQ(accountBalance(e2e, account), 50000U - 5000U) << "not debited twice";

    // Privacy: the PAN's digits (also its BCD hex, the same digits) and its BCD bytes.
    const std::string pan = kDemoBankPan;
    const Bytes bcd = fromHex(pan);
    const std::string journal =
        fileText(e2e.bed().journalPath()) + fileText(e2e.bed().journalPath() + "-wal");
    for (const std::string& text :
         {fileText(e2e.bed().daemonLog()), journal, json(replies).dump()}) {
        EXPECT_EQ(text.find(pan), std::string::npos);
        EXPECT_EQ(text.find(std::string(bcd.begin(), bcd.end())), std::string::npos);
    }
    EXPECT_NE(journal.find(order), std::string::npos) << "the journal was read";
}

INSTANTIATE_TEST_SUITE_P(Suites, EcLoadInBothSuites, ::testing::Values("bank-3des", "bank-sm4"));

TEST(EcLoadE2e, ACityOrderOnTheBankPathIsTheWrongScheme) {
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    bankCardAndAccount(e2e, "bank-3des");
    const std::string order = e2e.bed().createOrder("50.00");
    EXPECT_EQ(e2e.call("ecload.start", {{"orderId", order}}).code, "wrong_scheme");
}

// Several callers read the bank card at once (the GUI's card watcher after a load, the CLI, a
// page): each card.info must see the card as it is. Each read is one PC/SC transaction
// (CardAccess::SharedAtomic); without it two reads interleave their SELECT / GPO / READ
// RECORD and one answers unsupported_card.
TEST(EcLoadE2e, ConcurrentCardInfoCallsAllReadTheBankCard) {
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    bankCardAndAccount(e2e, "bank-3des");
    for (int round = 0; round < 5; ++round) {
        std::vector<std::future<Outcome>> reads;
        reads.reserve(4);
        for (int caller = 0; caller < 4; ++caller) {
            reads.push_back(
                std::async(std::launch::async, [&e2e] { return e2e.call("card.info"); }));
        }
        for (auto& read : reads) {
            const Outcome info = read.get();
            EXPECT_TRUE(info.ok())
                << "round " << round << ": " << info.code << ": " << info.message;
        }
    }
}

// --- taplinkd killed (SIGKILL) in each EC journal state, then started again: the next start
// finishes the job by itself, and the card's EC and the account agree.

struct EcKillPoint {
    const char* state;
    ScriptApdu apdu;  // the card command held while the daemon is killed
    // "reported" (the card has the money), "reversed" (refunded) or "failed" (never
    // debited; a retry loads it); "either" where the kill races the card: whether the PUT
    // DATA held at the card still acts once its reader's client is gone is pcscd's and the
    // card's business, and both ends are right as long as card and account agree.
    const char* ends;
    // The server paused once the held command has arrived: taplinkd is killed while it waits
    // for the server's answer to the call that follows (ecload/authorize after the ARQC).
    bool serverPaused = false;
};

// After a failed load nothing was debited: the user's retry loads the card, once.
void retryAndExpectLoadedOnce(E2e& e2e, const std::string& account, const std::string& order) {
    expectEcAgreement(e2e, account, order, /*loaded=*/false, "open");
    const Outcome retry = e2e.call("ecload.start", {{"orderId", order}});
    ASSERT_TRUE(retry.ok()) << retry.code << ": " << retry.message;
    EXPECT_TRUE(e2e.waitForState(order, "reported")) << e2e.journalState(order);
    expectEcAgreement(e2e, account, order, /*loaded=*/true, "settled");
}

class EcDaemonKilled : public ::testing::TestWithParam<EcKillPoint> {};

TEST_P(EcDaemonKilled, InEveryJournalStateAndTheNextStartSettlesOrReversesOnce) {
    const EcKillPoint point = GetParam();
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    const std::string account = bankCardAndAccount(e2e, "bank-3des");
    const std::string order = bankOrder(e2e, account);
    const unsigned held = nextLoadApdu(e2e, point.apdu);
    const std::uint64_t apdusBefore = cardApdus(e2e);
    e2e.bed().bed().sim().delay(kCardSlot, held, std::chrono::milliseconds(1500));
    auto running = std::async(std::launch::async, [&] {
        return e2e.call("ecload.start", {{"orderId", order}});
    });
    ASSERT_TRUE(waitForCardApdus(e2e, apdusBefore + held)) << cardApdus(e2e);
    std::optional<PausedServer> paused;
    if (point.serverPaused) {
        paused.emplace(e2e.bed());
    }
    ASSERT_TRUE(e2e.waitForState(order, point.state)) << e2e.journalState(order);
    if (point.serverPaused) {
        // The authorization request is journaled right after arqc, then sent: let it go out.
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
    }
    e2e.bed().stopDaemon(/*kill=*/true);
    EXPECT_FALSE(running.get().ok());
    if (point.serverPaused) {
        paused.reset();
    } else {
        std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // the held APDU completes
    }
    e2e.bed().startDaemon();
    // The first resume pass may run before the reader is seen; a card event wakes the next.
    const std::string ended = waitForEnd(e2e, order, point.ends);
    ASSERT_FALSE(ended.empty()) << e2e.journalState(order);
    if (ended == "failed") {
        retryAndExpectLoadedOnce(e2e, account, order);
        return;
    }
    const bool loaded = ended == "reported";
    expectEcAgreement(e2e, account, order, loaded, loaded ? "settled" : "reversed");
}

INSTANTIATE_TEST_SUITE_P(
    EachState, EcDaemonKilled,
    ::testing::Values(EcKillPoint{"order_fetched", ScriptApdu::FirstGenerateAc, "failed"},
                      EcKillPoint{"arqc", ScriptApdu::FirstGenerateAc, "reversed", true},
                      EcKillPoint{"authorized", ScriptApdu::SecondGenerateAc, "reversed"},
                      EcKillPoint{"script_sending", ScriptApdu::PutData, "either"},
                      EcKillPoint{"loaded", ScriptApdu::BalanceReadBack, "reported"}),
    [](const auto& param) { return std::string(param.param.state); });

}  // namespace
}  // namespace taplink::testbed
