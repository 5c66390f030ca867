// The SCP03 data derivation function (Amendment D 4.1.5) against scp03_vectors.json, which
// make_scp03_vectors.py computes with pycryptodome, not with this code.

#include "taplink/gp/scp03_kdf.hpp"

#include <gtest/gtest.h>

#include "gp_test_support.hpp"
#include "taplink/gp/gp_error.hpp"

namespace taplink::gp {
namespace {

TEST(Scp03Kdf, MatchesTheIndependentVectors) {
    const auto vectors = test::loadScp03Vectors();
    ASSERT_FALSE(vectors.at("kdf").empty());
    for (const auto& v : vectors.at("kdf")) {
        const auto constant = static_cast<DerivationConstant>(test::hexField(v, "constant").at(0));
        EXPECT_EQ(toHex(deriveData(test::hexField(v, "key"), constant,
                                   v.at("bits").get<std::size_t>(), test::hexField(v, "context"))),
                  v.at("output").get<std::string>());
    }
}

TEST(Scp03Kdf, PseudoRandomCardChallengeMatchesTheVectors) {
    const auto vectors = test::loadScp03Vectors();
    for (const auto& v : vectors.at("cardChallenges")) {
        EXPECT_EQ(toHex(pseudoRandomCardChallenge(test::hexField(v, "key"),
                                                  v.at("sequenceCounter").get<std::uint32_t>(),
                                                  test::hexField(v, "aid"))),
                  v.at("cardChallenge").get<std::string>());
    }
}

TEST(Scp03Kdf, RefusesBadKeysAndLengths) {
    const Bytes key(16, 0x40);
    EXPECT_THROW(deriveData(Bytes(15, 0x40), DerivationConstant::SessionMac, 128, {}), GpError);
    EXPECT_THROW(deriveData(key, DerivationConstant::SessionMac, 0, {}), GpError);
    EXPECT_THROW(deriveData(key, DerivationConstant::SessionMac, 12, {}), GpError);
    EXPECT_THROW(deriveData(key, DerivationConstant::SessionMac, 264, {}), GpError);
    EXPECT_THROW(pseudoRandomCardChallenge(key, 0x1000000, {}), GpError);
}

}  // namespace
}  // namespace taplink::gp
