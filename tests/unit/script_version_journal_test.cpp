// The highest signed-script version per scheme on the real journal file: monotonic, per
// scheme, and still there after taplinkd reopens the journal.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "journal/script_version_journal.hpp"
#include "journal/topup_journal.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {
namespace {

class ScriptVersionJournalTest : public ::testing::Test {
  protected:
    std::string dir = ::testing::TempDir() + "/script-versions-test-" + std::to_string(::getpid());
    std::string path = dir + "/journal.sqlite";

    void SetUp() override {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
    }
    void TearDown() override { std::filesystem::remove_all(dir); }
};

TEST_F(ScriptVersionJournalTest, ASchemeNeverSeenHasNoVersion) {
    auto journal = TopupJournal::open(path);
    ScriptVersionJournal versions(journal);
    EXPECT_EQ(versions.highest("city-epurse"), 0U);
}

TEST_F(ScriptVersionJournalTest, TheHighestVersionOnlyGoesUp) {
    auto journal = TopupJournal::open(path);
    ScriptVersionJournal versions(journal);
    versions.raise("city-epurse", 3);
    EXPECT_EQ(versions.highest("city-epurse"), 3U);
    versions.raise("city-epurse", 2);
    EXPECT_EQ(versions.highest("city-epurse"), 3U) << "a lower version never lowers it";
    versions.raise("city-epurse", 3);
    EXPECT_EQ(versions.highest("city-epurse"), 3U);
    versions.raise("city-epurse", 7);
    EXPECT_EQ(versions.highest("city-epurse"), 7U);
}

TEST_F(ScriptVersionJournalTest, EachSchemeHasItsOwn) {
    auto journal = TopupJournal::open(path);
    ScriptVersionJournal versions(journal);
    versions.raise("city-epurse", 4);
    versions.raise("tsm", 1);
    EXPECT_EQ(versions.highest("city-epurse"), 4U);
    EXPECT_EQ(versions.highest("tsm"), 1U);
    EXPECT_EQ(versions.highest("bank-ec"), 0U);
}

TEST_F(ScriptVersionJournalTest, TheVersionsSurviveAReopen) {
    {
        auto journal = TopupJournal::open(path);
        ScriptVersionJournal(journal).raise("city-epurse", 5);
    }
    auto journal = TopupJournal::open(path);
    ScriptVersionJournal versions(journal);
    EXPECT_EQ(versions.highest("city-epurse"), 5U);
    versions.raise("city-epurse", 1);
    EXPECT_EQ(versions.highest("city-epurse"), 5U);
}

TEST_F(ScriptVersionJournalTest, NoSchemeOrVersionZeroIsRefused) {
    auto journal = TopupJournal::open(path);
    ScriptVersionJournal versions(journal);
    EXPECT_THROW(versions.raise("", 1), JournalError);
    EXPECT_THROW(versions.raise("city-epurse", 0), JournalError);
    EXPECT_EQ(versions.highest("city-epurse"), 0U);
}

}  // namespace
}  // namespace taplink::journal
