// The issuers' master keys file ("taplink-issuers/1") and city cards personalised from it,
// as taplink-sim --issuer-keys makes them.
#include <gtest/gtest.h>

#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "child_process.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/crypto/epurse_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "test_pki.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::sim {
namespace {

namespace ep = crypto::epurse;

constexpr const char* kIssuers = R"({
  "format": "taplink-issuers/1",
  "issuers": [{
    "name": "Other City", "scheme": "city-epurse", "issuerId": "4F54484552435459",
    "keyIndex": 2, "keyVersion": 3,
    "suites": {
      "3des": {"load": "11111111111111112222222222222222",
               "purchase": "33333333333333334444444444444444",
               "tac": "55555555555555556666666666666666"},
      "sm4": {"load": "77777777777777778888888888888888",
              "purchase": "9999999999999999AAAAAAAAAAAAAAAA",
              "tac": "BBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCC"}
    }
  }]
})";

Bytes terminal() {
    return fromHex("434800000001");
}

// MAC1 of INITIALIZE FOR LOAD, as the card computed it, checked with a DLK from `load`.
bool mac1VerifiesWith(const cards::epurse::LoadInitialization& init, ep::Suite suite,
                      ByteView loadMasterKey, ByteView serial, std::uint32_t amount) {
    const Bytes dlk = ep::diversify(suite, loadMasterKey, serial);
    const Bytes sessionKey = ep::loadSessionKey(suite, dlk, init.random, init.onlineAtc);
    return ep::sessionMac(suite, sessionKey,
                          cards::epurse::mac1InputForLoad(init.balance, amount, terminal())) ==
           init.mac1;
}

TEST(IssuerKeys, ParsesTheFormatMakePkiWrites) {
    const IssuerKeySet keys = parseIssuerKeys(kIssuers);
    ASSERT_EQ(keys.issuers.size(), 1U);
    const Issuer* issuer = keys.find(fromHex("4F54484552435459"));
    ASSERT_NE(issuer, nullptr);
    EXPECT_EQ(issuer->keyIndex, 2);
    EXPECT_EQ(issuer->keyVersion, 3);
    ASSERT_NE(issuer->keysFor(ep::Suite::Sm4), nullptr);
    EXPECT_EQ(issuer->keysFor(ep::Suite::Sm4)->tac, fromHex("BBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCC"));
    EXPECT_EQ(keys.firstOfScheme("city-epurse"), issuer);
    EXPECT_EQ(keys.find(testIssuerId()), nullptr);

    servertest::TempDir tmp;
    testsupport::runChecked(
        {"bash", std::string(TAPLINK_SOURCE_DIR) + "/certs/make-pki.sh", tmp.path() + "/pki"});
    const IssuerKeySet generated = loadIssuerKeys(tmp.path() + "/pki/issuers.json");
    ASSERT_NE(generated.find(testIssuerId()), nullptr);
    EXPECT_NE(generated.find(testIssuerId())->keysFor(ep::Suite::TripleDes), nullptr);
}

TEST(IssuerKeys, RefusesMalformedFiles) {
    auto without = [](const std::string& from, const std::string& to) {
        std::string text = kIssuers;
        text.replace(text.find(from), from.size(), to);
        return text;
    };
    for (const std::string& bad :
         {std::string("{}"), std::string("not json"), without("taplink-issuers/1", "other/1"),
          without("\"4F54484552435459\"", "\"4F5448\""),
          without("\"11111111111111112222222222222222\"", "\"1111\""),
          without("\"keyIndex\": 2", "\"keyIndex\": 256"), without("\"3des\"", "\"aes\""),
          without("\"tac\": \"5555", "\"mac\": \"5555"),
          without("\"scheme\": \"city-epurse\",", ""),
          without("\"keyIndex\": 2", "\"keyIndex\": 2, \"comment\": \"x\""),
          without("\"format\"", "\"spare\": 1, \"format\""),
          without("\"tac\": \"5555", "\"mac\": \"1111\", \"tac\": \"5555")}) {
        EXPECT_THROW(parseIssuerKeys(bad), IssuerKeysError) << bad;
    }
    EXPECT_THROW(loadIssuerKeys("/nonexistent/issuers.json"), IssuerKeysError);
}

class PersonalisedCard : public ::testing::TestWithParam<std::pair<const char*, ep::Suite>> {};

TEST_P(PersonalisedCard, AnswersAMac1ThatVerifiesWithTheGivenKeysOnly) {
    const auto [profile, suite] = GetParam();
    const auto issuer = std::make_shared<const Issuer>(parseIssuerKeys(kIssuers).issuers.at(0));
    CardOptions options;
    options.balance = 1000;
    options.issuer = issuer;
    testing::VirtualCardChannel channel(makeCard(profile, options));
    cards::epurse::EpurseCard purse(channel);
    const auto info = purse.select();
    ASSERT_TRUE(info);
    EXPECT_EQ(info->issuerId, issuer->issuerId);

    EXPECT_THROW(purse.initializeLoad(0x01, 500, terminal()), cards::epurse::EpurseError)
        << "key index 1 is not this issuer's";
    const auto init = purse.initializeLoad(issuer->keyIndex, 500, terminal());
    EXPECT_EQ(init.keyVersion, 3);
    EXPECT_TRUE(mac1VerifiesWith(init, suite, issuer->keysFor(suite)->load, info->serial, 500));
    EXPECT_FALSE(mac1VerifiesWith(init, suite, testIssuerKeys(suite).load, info->serial, 500));
}

INSTANTIATE_TEST_SUITE_P(BothSuites, PersonalisedCard,
                         ::testing::Values(std::pair("city-3des", ep::Suite::TripleDes),
                                           std::pair("city-sm4", ep::Suite::Sm4)),
                         [](const auto& param) {
                             return std::string(suiteName(param.param.second));
                         });

TEST(IssuerKeys, TheDefaultCityIssuerIsTheTestIssuerUntilSet) {
    EXPECT_EQ(defaultCityIssuer()->issuerId, testIssuerId());
    testing::VirtualCardChannel channel(makeCard("city-3des", CardOptions{}));
    cards::epurse::EpurseCard purse(channel);
    ASSERT_TRUE(purse.select());
    const auto init = purse.initializeLoad(0x01, 500, terminal());
    EXPECT_TRUE(mac1VerifiesWith(init, ep::Suite::TripleDes,
                                 testIssuerKeys(ep::Suite::TripleDes).load, defaultCitySerial(),
                                 500));
}

TEST(IssuerKeys, TaplinkSimRefusesAnUnreadableKeysFile) {
    const auto result =
        testsupport::run({TAPLINK_SIM_PATH, "--issuer-keys", "/nonexistent/issuers.json", "--slots",
                          "1", "--control", "/nonexistent/sim.sock"});
    EXPECT_EQ(result.exitCode, 1);
    EXPECT_NE(result.err.find("/nonexistent/issuers.json"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace taplink::sim
