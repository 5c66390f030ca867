// An EC load's "timings" and "cardApdus" (docs/api.md, ecload.start): the parts add up to
// the total, the cardholder's and the user's time is in none of them, the count is what the
// card received; and the authorize request goes to the server as the script wrote it.
#include <gtest/gtest.h>

#include <chrono>
#include <thread>

#include "ec_bed.hpp"

namespace taplink::service::testing {
namespace {

using std::chrono::milliseconds;

constexpr milliseconds kPersonThinks{200};

double elapsedMs(std::chrono::steady_clock::time_point start) {
    return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
        .count();
}

TEST(EcLoadTimings, ThePartsAddUpAndTheApduCountIsTheCards) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const std::size_t before = bed.port.commandsSent(ServiceBed::kCardReader);
    const EcLoadOutcome outcome = bed.runEc("ORD-EC1");
    const std::size_t received = bed.port.commandsSent(ServiceBed::kCardReader) - before;
    ASSERT_TRUE(outcome.timings.has_value());
    const TopupTimings& parts = *outcome.timings;
    EXPECT_GT(parts.card, 0.0);
    EXPECT_GT(parts.chip, 0.0) << "the chip signs the result";
    EXPECT_GT(parts.server, 0.0);
    EXPECT_GE(parts.daemon, 0.0);
    EXPECT_LE(parts.card + parts.chip + parts.server, parts.total);
    EXPECT_NEAR(parts.card + parts.chip + parts.server + parts.daemon, parts.total, 1e-6);
    // PPSE, application, GPO, records, GET DATA, 2 GENERATE AC, PUT DATA, GET DATA at least.
    EXPECT_GE(received, 10U);
    EXPECT_EQ(outcome.cardApdus, received);
}

TEST(EcLoadTimings, ThePersonsTimeIsNotTheDaemons) {
    EcBed bed("bank-dual");
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const ApplicationChoice slowChoice = [](const auto&, const auto& candidates, const auto&) {
        std::this_thread::sleep_for(kPersonThinks);
        return std::optional<Bytes>(candidates.at(0).aid);
    };
    const TopupService::Confirm slowConfirm = [](const auto&, const auto&) {
        std::this_thread::sleep_for(kPersonThinks);
    };
    const auto start = std::chrono::steady_clock::now();
    const EcLoadOutcome outcome = bed.runEc("ORD-EC1", {}, slowConfirm, slowChoice);
    const double wallMs = elapsedMs(start);
    ASSERT_TRUE(outcome.timings.has_value());
    const double waitedMs = 2.0 * static_cast<double>(kPersonThinks.count());
    EXPECT_LE(outcome.timings->total, wallMs - waitedMs)
        << "the choice and the confirmation are waiting, not the daemon's total";
}

TEST(EcLoadTimings, AnOutcomeFromTheJournalHasNone) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    ASSERT_TRUE(bed.runEc("ORD-EC1").timings.has_value());
    const EcLoadOutcome again = bed.runEc("ORD-EC1");
    EXPECT_TRUE(again.settled);
    EXPECT_FALSE(again.timings.has_value());
    EXPECT_EQ(again.cardApdus, 0U);
}

TEST(EcLoadTimings, TheServerGetsTheAtcAsTheScriptWroteIt) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    ASSERT_TRUE(bed.runEc("ORD-EC1").settled);
    const nlohmann::json& sent = bed.server->ec.requests().at(0);
    // 9F36 as the card gave it (journaled at the arqc checkpoint), in hex: no daemon rewrite.
    EXPECT_EQ(sent.at("atc"), toHex(bed.ecRecord("ORD-EC1").bytes("atc")));
    EXPECT_EQ(sent.at("atc").get<std::string>().size(), 4U);
}

}  // namespace
}  // namespace taplink::service::testing
