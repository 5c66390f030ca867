// The EC-load journal's state machine and its privacy rule, on real SQLite.
#include <gtest/gtest.h>

#include "ec_bed.hpp"

namespace taplink::service::testing {
namespace {

using journal::EcLoadState;
using S = EcLoadState;

TEST(EcLoadJournal, AllowsExactlyTheDocumentedTransitions) {
    const std::vector<std::pair<S, S>> allowed{{S::OrderFetched, S::Arqc},
                                               {S::Arqc, S::Authorized},
                                               {S::Authorized, S::ScriptSending},
                                               {S::ScriptSending, S::Loaded},
                                               {S::Loaded, S::Reported},
                                               {S::Arqc, S::Reversed},
                                               {S::Authorized, S::Reversed},
                                               {S::ScriptSending, S::Reversed},
                                               {S::Loaded, S::Reversed},
                                               {S::OrderFetched, S::Failed},
                                               {S::Arqc, S::Failed},
                                               {S::Failed, S::OrderFetched}};
    const std::vector<S> all{S::OrderFetched, S::Arqc,     S::Authorized, S::ScriptSending,
                             S::Loaded,       S::Reported, S::Reversed,   S::Failed};
    for (const S from : all) {
        for (const S to : all) {
            const bool expected =
                std::find(allowed.begin(), allowed.end(), std::pair{from, to}) != allowed.end();
            EXPECT_EQ(journal::isAllowedTransition(from, to), expected)
                << journal::toString(from) << " -> " << journal::toString(to);
        }
    }
}

TEST(EcLoadJournal, NeverFailsARecordWhoseAccountWasDebited) {
    TempDir dir;
    auto topups = journal::TopupJournal::open(dir.file("j.sqlite"));
    journal::EcLoadJournal ec(topups);
    ec.recordOrderFetched("ORD-1", 5000);
    ec.advance("ORD-1", S::Arqc, {{"atc", "0001"}});
    ec.advance("ORD-1", S::Authorized, {{"nonce", "00"}});
    EXPECT_THROW(ec.recordFailed("ORD-1", "x"), journal::JournalError);
    EXPECT_THROW(ec.recordOrderFetched("ORD-1", 5000), journal::JournalError);
    EXPECT_EQ(ec.unfinished().size(), 1U);
    EXPECT_EQ(ec.find("ORD-1")->bytes("atc"), fromHex("0001")) << "details merge";
}

TEST(EcLoadJournal, RefusesThePlainPan) {
    TempDir dir;
    auto topups = journal::TopupJournal::open(dir.file("j.sqlite"));
    journal::EcLoadJournal ec(topups);
    ec.recordOrderFetched("ORD-1", 5000);
    EXPECT_THROW(ec.advance("ORD-1", S::Arqc, {{"pan", "6288880000001234"}}),
                 journal::JournalError);
    EXPECT_THROW(ec.save("ORD-1", {{"pan", "6288880000001234"}}), journal::JournalError);
    EXPECT_EQ(ec.find("ORD-1")->state, S::OrderFetched);
}

TEST(EcLoadJournal, KeepsTheCityJournalApartInTheSameFile) {
    TempDir dir;
    auto topups = journal::TopupJournal::open(dir.file("j.sqlite"));
    journal::EcLoadJournal ec(topups);
    ec.recordOrderFetched("ORD-EC", 5000);
    topups.recordOrderFetched("ORD-CITY", 100);
    EXPECT_FALSE(topups.find("ORD-EC"));
    EXPECT_FALSE(ec.find("ORD-CITY"));
}

}  // namespace
}  // namespace taplink::service::testing
