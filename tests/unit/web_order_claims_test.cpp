// Web pages' claims on orders (app/web_order_claims.hpp): an order taplinkd already holds is no
// page's to claim, a claim whose order the server never answered is released, and one origin
// cannot push another origin's claims out, however many orders it starts.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "app/web_order_claims.hpp"

namespace taplink::app {
namespace {

constexpr const char* kShop = "https://shop.test";
constexpr const char* kFlood = "https://flood.test";

class WebOrderClaimsTest : public ::testing::Test {
  protected:
    std::set<std::string> journaled;  // the orders taplinkd's journals hold
    WebOrderClaims claims{
        [this](const std::string& orderId) { return journaled.count(orderId) > 0; }};
};

TEST_F(WebOrderClaimsTest, AnOrderIsTheFirstOriginsAndNoOneElses) {
    EXPECT_TRUE(claims.claim("ORD-1", kShop));
    EXPECT_TRUE(claims.isClaimedBy("ORD-1", kShop));
    EXPECT_TRUE(claims.claim("ORD-1", kShop)) << "again, for the same origin";
    EXPECT_FALSE(claims.claim("ORD-1", kFlood));
    EXPECT_FALSE(claims.isClaimedBy("ORD-1", kFlood));
}

TEST_F(WebOrderClaimsTest, AnOrderTaplinkdAlreadyHoldsIsNoPagesToClaim) {
    journaled.insert("ORD-OWNER");  // the owner's, or from before a restart
    EXPECT_FALSE(claims.claim("ORD-OWNER", kShop));
}

// A made-up order id, or a server that never answered: the claim goes when the call ends.
TEST_F(WebOrderClaimsTest, AClaimTheServerNeverAnsweredTakesNoRoom) {
    ASSERT_TRUE(claims.claim("ORD-MADE-UP", kFlood));
    claims.releaseIfUnknown("ORD-MADE-UP", kFlood);
    EXPECT_FALSE(claims.isClaimedBy("ORD-MADE-UP", kFlood));
    EXPECT_TRUE(claims.claim("ORD-MADE-UP", kShop)) << "nobody's now";

    ASSERT_TRUE(claims.claim("ORD-REAL", kShop));
    journaled.insert("ORD-REAL");  // the server answered: the attempt is journaled
    claims.releaseIfUnknown("ORD-REAL", kShop);
    claims.releaseIfUnknown("ORD-REAL", kFlood);  // not its claim: changes nothing
    EXPECT_TRUE(claims.isClaimedBy("ORD-REAL", kShop));
}

// The attack of issue 15 (8): one page starts more orders than the table holds to push the
// shop's claim out, after which the shop's page could no longer see its own top-up.
TEST_F(WebOrderClaimsTest, OneOriginCannotPushOutAnotherOriginsClaims) {
    ASSERT_TRUE(claims.claim("ORD-SHOP", kShop));
    const std::size_t flood = WebOrderClaims::kPerOrigin + 50;
    for (std::size_t i = 0; i < flood; ++i) {
        ASSERT_TRUE(claims.claim("ORD-F" + std::to_string(i), kFlood));
    }
    EXPECT_TRUE(claims.isClaimedBy("ORD-SHOP", kShop));
    EXPECT_FALSE(claims.isClaimedBy("ORD-F0", kFlood)) << "the flood forgets its own oldest";
    EXPECT_FALSE(claims.isClaimedBy("ORD-F49", kFlood));
    EXPECT_TRUE(claims.isClaimedBy("ORD-F50", kFlood));
    EXPECT_TRUE(claims.isClaimedBy("ORD-F" + std::to_string(flood - 1), kFlood));
}

}  // namespace
}  // namespace taplink::app
