// Web pages' claims on orders (app/web_order_claims.hpp), on a real journal file: a claim is
// recorded only once the server knows the order, and one origin cannot push another origin's
// claims out, however many orders it starts.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <optional>
#include <string>

#include "app/web_order_claims.hpp"
#include "journal/topup_journal.hpp"

namespace taplink::app {
namespace {

constexpr const char* kShop = "https://shop.test";
constexpr const char* kFlood = "https://flood.test";

class WebOrderClaimsTest : public ::testing::Test {
  protected:
    std::string dir = ::testing::TempDir() + "/web-claims-test-" + std::to_string(::getpid());

    void SetUp() override {
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
        std::filesystem::permissions(dir, std::filesystem::perms::owner_all);
        journal.emplace(journal::TopupJournal::open(dir + "/journal.sqlite"));
        claims.emplace(*journal);
    }
    void TearDown() override {
        claims.reset();
        journal.reset();
        std::filesystem::remove_all(dir);
    }

    std::optional<journal::TopupJournal> journal;
    std::optional<WebOrderClaims> claims;
};

TEST_F(WebOrderClaimsTest, AClaimTakesRoomOnlyOnceRecorded) {
    EXPECT_TRUE(claims->mayClaim("ORD-1", kShop));
    EXPECT_FALSE(claims->isClaimedBy("ORD-1", kShop)) << "asking records nothing";
    EXPECT_TRUE(claims->mayClaim("ORD-1", kFlood)) << "nor keeps another origin out";
    EXPECT_TRUE(claims->record("ORD-1", kShop));
    EXPECT_TRUE(claims->isClaimedBy("ORD-1", kShop));
    EXPECT_TRUE(claims->mayClaim("ORD-1", kShop));
    EXPECT_FALSE(claims->mayClaim("ORD-1", kFlood));
    EXPECT_FALSE(claims->record("ORD-1", kFlood));
    EXPECT_TRUE(claims->isClaimedBy("ORD-1", kShop));
}

TEST_F(WebOrderClaimsTest, AnOrderTheOwnerStartedIsNoPagesToClaim) {
    journal->recordOrderFetched("ORD-OWNER", 5000);
    EXPECT_FALSE(claims->mayClaim("ORD-OWNER", kShop));
}

// The attack of issue 15 (8): one page starts more orders than the table holds to push the
// shop's claim out, after which the shop's page could no longer see its own top-up.
TEST_F(WebOrderClaimsTest, OneOriginCannotPushOutAnotherOriginsClaims) {
    ASSERT_TRUE(claims->record("ORD-SHOP", kShop));
    const std::size_t flood = WebOrderClaims::kPerOrigin + 50;
    for (std::size_t i = 0; i < flood; ++i) {
        ASSERT_TRUE(claims->record("ORD-F" + std::to_string(i), kFlood));
    }
    EXPECT_TRUE(claims->isClaimedBy("ORD-SHOP", kShop));
    EXPECT_FALSE(claims->isClaimedBy("ORD-F0", kFlood)) << "the flood forgets its own oldest";
    EXPECT_FALSE(claims->isClaimedBy("ORD-F49", kFlood));
    EXPECT_TRUE(claims->isClaimedBy("ORD-F50", kFlood));
    EXPECT_TRUE(claims->isClaimedBy("ORD-F" + std::to_string(flood - 1), kFlood));
}

}  // namespace
}  // namespace taplink::app
