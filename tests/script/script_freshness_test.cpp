// A signed script's freshness (script_freshness.hpp): the strict UTC timestamps of its
// validity period, and the check before it runs against the highest version accepted for its
// scheme and the clock. The store is an in-memory ScriptVersionStore here; the journal's
// SQLite one has its own tests (tests/unit/script_version_journal_test.cpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>

#include "journal/script_version_store.hpp"
#include "script/script_freshness.hpp"
#include "script_test_support.hpp"
#include "taplink/base/utc_timestamp.hpp"

namespace taplink::script {
namespace {

// Unix seconds from `date -u -d <timestamp> +%s` (GNU coreutils), not from the code under test.
constexpr std::int64_t k2026Start = 1767225600;  // 2026-01-01T00:00:00Z
constexpr std::int64_t k2030End = 1924991999;    // 2030-12-31T23:59:59Z

TEST(UtcTimestamp, ReadsTheExactRfc3339UtcForm) {
    EXPECT_EQ(parseUtcTimestamp("2026-01-01T00:00:00Z"), k2026Start);
    EXPECT_EQ(parseUtcTimestamp("2030-12-31T23:59:59Z"), k2030End);
    EXPECT_EQ(parseUtcTimestamp("2024-02-29T12:34:56Z"), 1709210096);
    EXPECT_EQ(parseUtcTimestamp("2000-03-01T00:00:00Z"), 951868800);
    EXPECT_EQ(parseUtcTimestamp("1970-01-01T00:00:00Z"), 0);
}

TEST(UtcTimestamp, RefusesEveryOtherForm) {
    for (const char* text : {"",
                             "2026-01-01",
                             "2026-01-01T00:00:00",
                             "2026-01-01T00:00:00+00:00",
                             "2026-01-01T00:00:00.5Z",
                             "2026-01-01t00:00:00Z",
                             "2026-01-01T00:00:00z",
                             "2026-01-01 00:00:00Z",
                             "2026-1-01T00:00:00Z",
                             " 2026-01-01T00:00:00Z",
                             "2026-01-01T00:00:00Z ",
                             "+026-01-01T00:00:00Z",
                             "2026-13-01T00:00:00Z",
                             "2026-00-10T00:00:00Z",
                             "2026-02-29T00:00:00Z",
                             "2026-04-31T00:00:00Z",
                             "2026-01-00T00:00:00Z",
                             "2026-01-01T24:00:00Z",
                             "2026-01-01T00:60:00Z",
                             "2026-12-31T23:59:60Z"}) {
        EXPECT_EQ(parseUtcTimestamp(text), std::nullopt) << text;
    }
}

TEST(UtcTimestamp, WritesTheSameForm) {
    EXPECT_EQ(formatUtcTimestamp(k2030End), "2030-12-31T23:59:59Z");
    EXPECT_EQ(formatUtcTimestamp(1709210096), "2024-02-29T12:34:56Z");
}

class MemoryVersions final : public journal::ScriptVersionStore {
  public:
    std::uint64_t highest(std::string_view scheme) override {
        const auto found = versions.find(std::string(scheme));
        return found == versions.end() ? 0 : found->second;
    }
    void raise(std::string_view scheme, std::uint64_t version) override {
        std::uint64_t& stored = versions[std::string(scheme)];
        stored = std::max(stored, version);
    }

    std::map<std::string, std::uint64_t> versions;
};

class AcceptScriptTest : public ::testing::Test {
  protected:
    static Script script(std::uint64_t version) {
        Script made;
        made.scheme = "city-epurse";
        made.id = "city-epurse-load";
        made.version = version;
        made.validFrom = k2026Start;
        made.validUntil = k2030End;
        return made;
    }
    static WallClock::time_point at(std::int64_t unixSeconds) {
        return WallClock::time_point(std::chrono::seconds(unixSeconds));
    }
    ScriptError refusal(const Script& refused, std::int64_t when) {
        return testing::scriptErrorOf([&] { acceptScript(refused, versions, at(when)); });
    }

    MemoryVersions versions;
    std::int64_t now = k2026Start + 86400;
};

TEST_F(AcceptScriptTest, TheFirstScriptOfASchemeIsAcceptedAndRecorded) {
    acceptScript(script(2), versions, at(now));
    EXPECT_EQ(versions.highest("city-epurse"), 2U);
}

TEST_F(AcceptScriptTest, TheSameVersionAgainIsAccepted) {
    acceptScript(script(2), versions, at(now));
    acceptScript(script(2), versions, at(now));  // the server serves it for every top-up
    EXPECT_EQ(versions.highest("city-epurse"), 2U);
}

TEST_F(AcceptScriptTest, AHigherVersionRaisesTheHighest) {
    acceptScript(script(2), versions, at(now));
    acceptScript(script(5), versions, at(now));
    EXPECT_EQ(versions.highest("city-epurse"), 5U);
}

TEST_F(AcceptScriptTest, AnOlderVersionIsRefusedAsRolledBack) {
    acceptScript(script(3), versions, at(now));
    const ScriptError error = refusal(script(2), now);
    EXPECT_EQ(error.code(), ErrorCode::RolledBack);
    EXPECT_EQ(codeName(error.code()), "rolled_back");
    EXPECT_NE(std::string(error.what()).find("older than version 3"), std::string::npos)
        << error.what();
    EXPECT_EQ(versions.highest("city-epurse"), 3U);
}

TEST_F(AcceptScriptTest, VersionsOfOtherSchemesDoNotCount) {
    versions.raise("bank-ec", 9);
    acceptScript(script(1), versions, at(now));
    EXPECT_EQ(versions.highest("city-epurse"), 1U);
}

TEST_F(AcceptScriptTest, AnExpiredScriptIsRefusedAndNotRecorded) {
    acceptScript(script(1), versions, at(k2030End));  // the last second is still valid
    const ScriptError error = refusal(script(2), k2030End + 1);
    EXPECT_EQ(error.code(), ErrorCode::Expired);
    EXPECT_EQ(codeName(error.code()), "expired");
    EXPECT_NE(std::string(error.what()).find("2030-12-31T23:59:59Z"), std::string::npos)
        << error.what();
    EXPECT_EQ(versions.highest("city-epurse"), 1U) << "a refused script raises nothing";
}

TEST_F(AcceptScriptTest, AScriptNotYetValidIsRefusedAndNotRecorded) {
    const ScriptError error = refusal(script(2), k2026Start - 1);
    EXPECT_EQ(error.code(), ErrorCode::NotYetValid);
    EXPECT_EQ(codeName(error.code()), "not_yet_valid");
    EXPECT_NE(std::string(error.what()).find("2026-01-01T00:00:00Z"), std::string::npos)
        << error.what();
    EXPECT_EQ(versions.highest("city-epurse"), 0U);
    acceptScript(script(2), versions, at(k2026Start));  // the first second is valid
}

TEST_F(AcceptScriptTest, ARolledBackScriptIsRefusedEvenInsideItsPeriod) {
    acceptScript(script(4), versions, at(now));
    EXPECT_EQ(refusal(script(3), now).code(), ErrorCode::RolledBack);
}

}  // namespace
}  // namespace taplink::script
