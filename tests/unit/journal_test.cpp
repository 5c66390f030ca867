// The top-up journal on a real SQLite file: the state machine, durability across reopen and
// across a process that dies mid-top-up, and refusal of every step out of order.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>

#include "journal/topup_journal.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"
#include "temp_dir.hpp"

namespace taplink::journal {
namespace {

class TopupJournalTest : public ::testing::Test {
  protected:
    testsupport::TempDir temp{"taplink-journal-test"};
    std::string dir = temp.path();
    std::string path = dir + "/journal.sqlite";

    static CardInitialization card() {
        return CardInitialization{"00000000000000000042",
                                  7,
                                  1000,
                                  fromHex("A1B2C3D4"),
                                  0x01,
                                  fromHex("434800000001"),
                                  fromHex("20261121"),
                                  fromHex("101500")};
    }

    static Authorization authorization() {
        return Authorization{fromHex("000102030405060708090A0B0C0D0E0F"), 1763720000};
    }

    // Runs every step of a top-up up to and including `last`.
    static void runUpTo(TopupJournal& journal, const std::string& order, TopupState last) {
        journal.recordOrderFetched(order, 5000);
        if (last == TopupState::OrderFetched) {
            return;
        }
        journal.recordAuthorized(order, authorization());
        if (last == TopupState::Authorized) {
            return;
        }
        journal.recordCardInitialized(order, card());
        if (last == TopupState::CardInitialized) {
            return;
        }
        journal.recordCredited(order, fromHex("0A0B0C0D"), 6000);
        if (last == TopupState::Credited) {
            return;
        }
        journal.recordReported(order, R"({"receiptId":"R-1"})");
    }
};

TEST_F(TopupJournalTest, ATopUpWalksEveryStateAndKeepsWhatEachStepLearnt) {
    auto journal = TopupJournal::open(path);
    runUpTo(journal, "order-1", TopupState::Reported);
    const auto record = journal.find("order-1");
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, TopupState::Reported);
    EXPECT_EQ(record->amount, 5000U);
    EXPECT_EQ(record->cardSerial, "00000000000000000042");
    EXPECT_EQ(record->onlineAtc, 7);
    EXPECT_EQ(record->balanceBefore, 1000U);
    EXPECT_EQ(record->balanceAfter, 6000U);
    EXPECT_EQ(toHex(record->mac1), "A1B2C3D4");
    EXPECT_EQ(toHex(record->tac), "0A0B0C0D");
    EXPECT_EQ(toHex(record->nonce), "000102030405060708090A0B0C0D0E0F");
    EXPECT_EQ(record->authorizationExpiry, 1763720000);
    EXPECT_EQ(record->algorithmId, 0x01);
    EXPECT_EQ(toHex(record->terminalId), "434800000001");
    EXPECT_EQ(toHex(record->txDate), "20261121");
    EXPECT_EQ(toHex(record->txTime), "101500");
    EXPECT_EQ(record->receipt, R"({"receiptId":"R-1"})");
    EXPECT_EQ(journal.history("order-1"),
              (std::vector<TopupState>{TopupState::OrderFetched, TopupState::Authorized,
                                       TopupState::CardInitialized, TopupState::Credited,
                                       TopupState::Reported}));
    EXPECT_TRUE(journal.unfinished().empty());
}

// PRAGMA user_version of the journal file, read beside taplinkd's own handle.
int schemaVersion(const std::string& path) {
    sqlite3* raw = nullptr;
    sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READONLY, nullptr);
    const DatabasePtr database(raw);
    Statement query(database.get(), "PRAGMA user_version");
    return query.step() ? static_cast<int>(query.integer(0)) : -1;
}

void setSchemaVersion(const std::string& path, int version) {
    sqlite3* raw = nullptr;
    sqlite3_open_v2(path.c_str(), &raw, SQLITE_OPEN_READWRITE, nullptr);
    const DatabasePtr database(raw);
    Statement(database.get(), "PRAGMA user_version = " + std::to_string(version)).step();
}

TEST_F(TopupJournalTest, AJournalFromBeforeVersioningIsUpgradedWithItsRecords) {
    {
        auto journal = TopupJournal::open(path);
        runUpTo(journal, "order-1", TopupState::Authorized);
    }
    setSchemaVersion(path, 0);  // as every journal written before versioning reads
    auto journal = TopupJournal::open(path);
    EXPECT_EQ(schemaVersion(path), 4);  // 2: purchases, 3: script versions, 4: signed answers
    const auto record = journal.find("order-1");
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, TopupState::Authorized);
}

TEST_F(TopupJournalTest, AJournalOfANewerTaplinkdIsRefusedUntouched) {
    { TopupJournal::open(path); }
    setSchemaVersion(path, 5);
    try {
        TopupJournal::open(path);
        FAIL() << "a journal of schema version 5 was opened";
    } catch (const JournalError& error) {
        EXPECT_NE(std::string(error.what()).find("newer"), std::string::npos) << error.what();
    }
    EXPECT_EQ(schemaVersion(path), 5);
}

TEST_F(TopupJournalTest, StepsOutOfOrderAreRefusedAndChangeNothing) {
    auto journal = TopupJournal::open(path);
    journal.recordOrderFetched("order-2", 5000);
    EXPECT_THROW(journal.recordCardInitialized("order-2", card()), JournalError);  // skipped one
    EXPECT_THROW(journal.recordCredited("order-2", fromHex("00000000"), 1), JournalError);
    EXPECT_THROW(journal.recordReported("order-2", "{}"), JournalError);
    journal.recordAuthorized("order-2", authorization());
    EXPECT_THROW(journal.recordAuthorized("order-2", authorization()), JournalError);  // twice
    EXPECT_EQ(journal.find("order-2")->state, TopupState::Authorized);
    EXPECT_EQ(journal.history("order-2").size(), 2U);
    EXPECT_THROW(journal.recordAuthorized("no-such-order", authorization()), JournalError);
}

TEST_F(TopupJournalTest, AnOrderIsJournaledOnceAndNeedsAnAmount) {
    auto journal = TopupJournal::open(path);
    journal.recordOrderFetched("order-3", 5000);
    EXPECT_THROW(journal.recordOrderFetched("order-3", 5000), JournalError);
    EXPECT_THROW(journal.recordOrderFetched("order-4", 0), JournalError);
    EXPECT_THROW(journal.recordOrderFetched("", 100), JournalError);
}

TEST_F(TopupJournalTest, AResultIsReportedOnlyOnce) {
    auto journal = TopupJournal::open(path);
    runUpTo(journal, "order-5", TopupState::Reported);
    EXPECT_THROW(journal.recordReported("order-5", "{}"), JournalError);
    EXPECT_THROW(journal.recordOrderFetched("order-5", 5000), JournalError) << "settled: no retry";
}

// A failed attempt (the card pulled before the credit) may be tried again; the new attempt
// starts clean and the event log keeps both.
TEST_F(TopupJournalTest, AFailedTopUpCanBeAttemptedAgain) {
    auto journal = TopupJournal::open(path);
    runUpTo(journal, "order-7", TopupState::CardInitialized);
    journal.recordFailed("order-7", "card removed");
    journal.recordOrderFetched("order-7", 5000);
    const auto record = journal.find("order-7");
    EXPECT_EQ(record->state, TopupState::OrderFetched);
    EXPECT_TRUE(record->cardSerial.empty());
    EXPECT_TRUE(record->failure.empty());
    EXPECT_EQ(journal.history("order-7").size(), 5U);
    EXPECT_THROW(journal.recordOrderFetched("order-7", 5000), JournalError) << "still running";
}

// Money on the card must reach the server: a credited top-up cannot be written off.
TEST_F(TopupJournalTest, ACreditedTopUpCannotFail) {
    auto journal = TopupJournal::open(path);
    runUpTo(journal, "order-6", TopupState::Credited);
    EXPECT_THROW(journal.recordFailed("order-6", "server down"), JournalError);
    EXPECT_EQ(journal.find("order-6")->state, TopupState::Credited);
}

TEST_F(TopupJournalTest, ATopUpCanFailBeforeTheCreditWithItsReason) {
    auto journal = TopupJournal::open(path);
    for (const TopupState last :
         {TopupState::OrderFetched, TopupState::Authorized, TopupState::CardInitialized}) {
        const std::string order = "fail-at-" + std::string(toString(last));
        runUpTo(journal, order, last);
        journal.recordFailed(order, "card removed");
        EXPECT_EQ(journal.find(order)->state, TopupState::Failed);
        EXPECT_EQ(journal.find(order)->failure, "card removed");
        EXPECT_THROW(journal.recordFailed(order, "again"), JournalError);
    }
}

TEST_F(TopupJournalTest, UnfinishedTopUpsSurviveReopeningOldestFirst) {
    {
        auto journal = TopupJournal::open(path);
        runUpTo(journal, "a", TopupState::Credited);
        runUpTo(journal, "b", TopupState::Reported);
        runUpTo(journal, "c", TopupState::CardInitialized);
    }
    auto journal = TopupJournal::open(path);
    const auto open = journal.unfinished();
    ASSERT_EQ(open.size(), 2U);
    EXPECT_EQ(open[0].orderId, "a");
    EXPECT_EQ(open[0].state, TopupState::Credited);
    EXPECT_EQ(open[1].orderId, "c");
    EXPECT_EQ(open[1].onlineAtc, 7);
}

// A daemon killed right after a step: the step is on disk, nothing later is.
TEST_F(TopupJournalTest, AStepSurvivesTheProcessDyingRightAfterIt) {
    const pid_t child = ::fork();
    ASSERT_GE(child, 0);
    if (child == 0) {
        auto journal = TopupJournal::open(path);
        runUpTo(journal, "order-7", TopupState::CardInitialized);
        ::_exit(0);  // no destructors, no close: as abrupt as a kill
    }
    int status = 0;
    ASSERT_EQ(::waitpid(child, &status, 0), child);
    ASSERT_TRUE(WIFEXITED(status));
    auto journal = TopupJournal::open(path);
    const auto record = journal.find("order-7");
    ASSERT_TRUE(record.has_value());
    EXPECT_EQ(record->state, TopupState::CardInitialized);
    EXPECT_EQ(toHex(record->mac1), "A1B2C3D4");
}

TEST_F(TopupJournalTest, TheFileIsOwnerOnlyAndInWalMode) {
    auto journal = TopupJournal::open(path);
    journal.recordOrderFetched("order-8", 100);
    struct stat info {};
    ASSERT_EQ(::stat(path.c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0600U);
    EXPECT_TRUE(std::filesystem::exists(path + "-wal"));
}

TEST_F(TopupJournalTest, RefusesAFolderOthersCanEnterAndMakesAMissingOnePrivate) {
    std::filesystem::permissions(dir, std::filesystem::perms::group_exec,
                                 std::filesystem::perm_options::add);
    EXPECT_THROW(TopupJournal::open(path), JournalError);
    const std::string fresh = dir + "/fresh/journal.sqlite";
    std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    TopupJournal::open(fresh);
    struct stat info {};
    ASSERT_EQ(::stat((dir + "/fresh").c_str(), &info), 0);
    EXPECT_EQ(info.st_mode & 0777U, 0700U);
}

TEST(TopupStateMachine, AllowsExactlyTheDocumentedTransitions) {
    using S = TopupState;
    const std::vector<S> all{S::OrderFetched, S::Authorized, S::CardInitialized,
                             S::Credited,     S::Reported,   S::Failed};
    const std::vector<std::pair<S, S>> allowed{
        {S::OrderFetched, S::Authorized},  {S::Authorized, S::CardInitialized},
        {S::CardInitialized, S::Credited}, {S::Credited, S::Reported},
        {S::OrderFetched, S::Failed},      {S::Authorized, S::Failed},
        {S::CardInitialized, S::Failed},   {S::Failed, S::OrderFetched}};
    for (const S from : all) {
        for (const S to : all) {
            const bool expected =
                std::find(allowed.begin(), allowed.end(), std::pair{from, to}) != allowed.end();
            EXPECT_EQ(isAllowedTransition(from, to), expected)
                << toString(from) << " -> " << toString(to);
        }
    }
    for (const S state : all) {
        EXPECT_EQ(topupStateFromString(toString(state)), state);
    }
    EXPECT_THROW(topupStateFromString("teleported"), JournalError);
}

}  // namespace
}  // namespace taplink::journal
