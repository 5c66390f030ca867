// The bank-card EC load (圈存) end to end: ecload.start on a real taplinkd's socket against
// the real taplink-server (a cardholder account paying a bank-ec order) and a simulated
// bank card behind pcscd. The account is debited once, the card's EC gains the amount, and
// the plain PAN appears in no reply, log line or journal byte.
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <future>
#include <iterator>
#include <string>
#include <thread>
#include <vector>

#include "e2e_support.hpp"

namespace taplink::testbed {
namespace {

using nlohmann::json;

constexpr std::uint32_t kEcBefore = 1000;

std::string fileText(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// The demo bank card in the card slot and an account of ¥500.00 that pays for it.
std::string bankCardAndAccount(E2e& e2e, const std::string& profile) {
    e2e.bed().bed().sim().insert(kCardSlot, profile,
                                 {{"pan", kDemoBankPan}, {"balance", kEcBefore}});
    EXPECT_TRUE(e2e.bed().bed().waitForCard(kCardSlot, true));
    return e2e.bed()
        .serverCommand({"account", "create", "--holder", "E2E Cardholder", "--pan", kDemoBankPan,
                        "--balance", "500.00"})
        .at("accountId")
        .get<std::string>();
}

std::string bankOrder(E2e& e2e, const std::string& account) {
    return e2e.bed()
        .serverCommand(
            {"order", "create", "--amount", "50.00", "--scheme", "bank-ec", "--account", account})
        .at("orderId")
        .get<std::string>();
}

std::uint64_t accountBalance(E2e& e2e, const std::string& account) {
    return e2e.bed().serverCommand({"account", "show", account}).at("balance").get<std::uint64_t>();
}

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

// --- taplinkd killed (SIGKILL) in each EC journal state, then started again: the next start
// finishes the job by itself, and the card's EC and the account agree.

struct EcKillPoint {
    const char* state;
    unsigned apdu;  // the card command held while the daemon is killed (19 in a load)
    // "reported" (the card has the money) or "reversed" (refunded); "either" where the kill
    // races the card: whether the PUT DATA held at the card still acts once its reader's
    // client is gone is pcscd's and the card's business, and both ends are right as long as
    // card and account agree.
    const char* ends;
};

// Polls tx.status until the order has ended as `ends` allows; the end reached, or "" after
// a minute.
std::string waitForEnd(E2e& e2e, const std::string& order, const std::string& ends) {
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (std::chrono::steady_clock::now() < deadline) {
        std::string state = e2e.journalState(order);
        if (state == ends || (ends == "either" && (state == "reported" || state == "reversed"))) {
            return state;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return "";
}

class EcDaemonKilled : public ::testing::TestWithParam<EcKillPoint> {};

TEST_P(EcDaemonKilled, InEveryJournalStateAndTheNextStartSettlesOrReversesOnce) {
    const EcKillPoint point = GetParam();
    TopupBedOptions options;
    options.cardProfile = "";
    E2e e2e(options);
    const std::string account = bankCardAndAccount(e2e, "bank-3des");
    const std::string order = bankOrder(e2e, account);
    e2e.bed().bed().sim().delay(kCardSlot, point.apdu, std::chrono::milliseconds(1500));
    auto running = std::async(std::launch::async, [&] {
        return e2e.call("ecload.start", {{"orderId", order}});
    });
    ASSERT_TRUE(e2e.waitForState(order, point.state)) << e2e.journalState(order);
    e2e.bed().stopDaemon(/*kill=*/true);
    EXPECT_FALSE(running.get().ok());
    std::this_thread::sleep_for(std::chrono::milliseconds(1600));  // the held APDU completes
    e2e.bed().startDaemon();
    // The first resume pass may run before the reader is seen; a card event wakes the next.
    const std::string ended = waitForEnd(e2e, order, point.ends);
    ASSERT_FALSE(ended.empty()) << e2e.journalState(order);
    const bool loaded = ended == "reported";
    const Outcome info = e2e.call("card.info");
    EXPECT_EQ(info.result.at("ecBalance"), kEcBefore + (loaded ? 5000U : 0U));
    EXPECT_EQ(accountBalance(e2e, account), loaded ? 45000U : 50000U);
    EXPECT_EQ(e2e.orderStatus(order), loaded ? "settled" : "reversed");
}

INSTANTIATE_TEST_SUITE_P(
    EachState, EcDaemonKilled,
    ::testing::Values(EcKillPoint{"authorized", 17, "reversed"},    // held at GENERATE AC 2
                      EcKillPoint{"script_sending", 18, "either"},  // held at PUT DATA 9F79
                      EcKillPoint{"loaded", 19, "reported"}),       // held at the last read
    [](const auto& param) { return std::string(param.param.state); });

}  // namespace
}  // namespace taplink::testbed
