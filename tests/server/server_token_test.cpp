// taplink-server's dynamic token verification (docs/server.md, "Dynamic token verification"):
// codes made with the token seed the server's TSM personalised (crypto::ocra, checked against
// RFC 6287's vectors in the unit tests), verified over the counter window and accepted once,
// through POST /admin/tokens/verify and `taplink-server token verify`.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "api/tsm_jobs.hpp"
#include "server_fixture.hpp"
#include "store/server_store.hpp"
#include "taplink/crypto/ocra.hpp"
#include "taplink/protocol/tsm_keys.hpp"

namespace taplink::servertest {
namespace {

using nlohmann::json;

constexpr const char* kChallenge = "12345678";

class TokenTest : public ServerTest {
  protected:
    void SetUp() override {
        useTestTsmKeys();
        ServerTest::SetUp();
    }

    // Queuing a personalisation makes the chip's keys (the chip gets them when it runs).
    Bytes personalisedSeed() {
        const Answer queued =
            admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
                  {{"operation", "personalise"}});
        EXPECT_EQ(queued.status, 201) << queued.body;
        server::ServerStore reader(tmp.path() + "/server.db");  // beside the server (WAL)
        const auto keys = server::openPaymentKeys(
            reader, server::paymentKeySealKey(protocol::testTsmMasterKey()), kDefaultChipSerial);
        return keys ? keys->tokenSeed : Bytes{};
    }

    static std::string codeFor(ByteView seed, std::uint64_t counter,
                               const std::string& challenge = kChallenge) {
        return crypto::ocra(crypto::parseOcraSuite(crypto::kPaymentTokenSuite), seed,
                            {counter, {challenge}, {}});
    }

    Answer verify(const std::string& code, const std::string& challenge = kChallenge,
                  const std::string& chipSerial = kDefaultChipSerial) {
        return admin("POST", "/admin/tokens/verify",
                     {{"chipSerial", chipSerial}, {"challenge", challenge}, {"code", code}});
    }
};

TEST_F(TokenTest, ACodeIsAcceptedOnceAndItsCounterRecorded) {
    const Bytes seed = personalisedSeed();
    ASSERT_EQ(seed.size(), chip::mgmt::kTokenSeedSize);
    const Answer accepted = verify(codeFor(seed, 0));
    ASSERT_EQ(accepted.status, 200) << accepted.body;
    EXPECT_EQ(accepted.json(),
              (json{{"chipSerial", kDefaultChipSerial}, {"verified", true}, {"counter", 0}}));
    const Answer replayed = verify(codeFor(seed, 0));
    EXPECT_EQ(replayed.status, 403) << replayed.body;
    EXPECT_EQ(replayed.errorCode(), "token_refused");
    EXPECT_EQ(verify(codeFor(seed, 1)).json().value("counter", -1), 1);
}

// RFC 4226 7.4: codes the chip gave and nobody submitted are skipped, up to the window; an
// older code than the accepted one stays refused.
TEST_F(TokenTest, TheWindowLooksTenCountersAheadAndNeverBack) {
    const Bytes seed = personalisedSeed();
    EXPECT_EQ(verify(codeFor(seed, 10)).errorCode(), "token_refused");  // 0..9 only
    EXPECT_EQ(verify(codeFor(seed, 9)).json().value("counter", -1), 9);
    EXPECT_EQ(verify(codeFor(seed, 5)).errorCode(), "token_refused");
    EXPECT_EQ(verify(codeFor(seed, 19)).json().value("counter", -1), 19);  // 10..19
    EXPECT_EQ(verify(codeFor(seed, 30)).errorCode(), "token_refused");     // 20..29
    EXPECT_EQ(verify(codeFor(seed, 20)).json().value("counter", -1), 20);
}

TEST_F(TokenTest, AWrongChallengeOrAnotherSeedIsRefused) {
    const Bytes seed = personalisedSeed();
    EXPECT_EQ(verify(codeFor(seed, 0, "87654321")).errorCode(), "token_refused");
    EXPECT_EQ(verify(codeFor(seed, 0), "87654321").errorCode(), "token_refused");
    Bytes other = seed;
    other[0] ^= 0x01U;
    EXPECT_EQ(verify(codeFor(other, 0)).errorCode(), "token_refused");
    // Nothing was accepted: the first code is still good.
    EXPECT_EQ(verify(codeFor(seed, 0)).status, 200);
}

TEST_F(TokenTest, MalformedClaimsAndUnknownChipsAreRefused) {
    const Bytes seed = personalisedSeed();
    const std::string code = codeFor(seed, 0);
    EXPECT_EQ(verify(code, "1234567").errorCode(), "malformed_request");
    EXPECT_EQ(verify(code, "1234567a").errorCode(), "malformed_request");
    EXPECT_EQ(verify(code.substr(0, 6)).errorCode(), "malformed_request");
    EXPECT_EQ(verify(code, kChallenge, "XYZ").errorCode(), "malformed_request");
    const Answer unknown = verify(code, kChallenge, "544C434800000002");
    EXPECT_EQ(unknown.status, 404);
    EXPECT_EQ(unknown.errorCode(), "no_token_seed");
    const Answer extra = admin("POST", "/admin/tokens/verify",
                               {{"chipSerial", kDefaultChipSerial},
                                {"challenge", kChallenge},
                                {"code", code},
                                {"counter", 0}});
    EXPECT_EQ(extra.errorCode(), "malformed_request");
    EXPECT_EQ(verify(code).status, 200);  // the serial's case does not matter either way
}

// The TSM's lock (a lost device) refuses the chip's codes at once, and is in the audit trail.
TEST_F(TokenTest, ALockedPaymentAppletsCodesAreRefused) {
    const Bytes seed = personalisedSeed();
    ASSERT_EQ(verify(codeFor(seed, 0)).status, 200);
    const Answer locked =
        admin("POST", "/admin/tsm/chips/" + std::string(kDefaultChipSerial) + "/jobs",
              {{"operation", "lock"}, {"applet", "payment"}});
    ASSERT_EQ(locked.status, 201) << locked.body;
    const Answer refused = verify(codeFor(seed, 1));
    EXPECT_EQ(refused.status, 403);
    EXPECT_EQ(refused.errorCode(), "chip_locked");
    const json events = admin("GET", "/admin/events").json()["events"];
    std::vector<std::string> kinds;
    for (const json& event : events) {
        if (event["chipSerial"] == kDefaultChipSerial) {
            kinds.push_back(event["kind"].get<std::string>() + " " +
                            event["message"].get<std::string>());
        }
    }
    EXPECT_NE(std::find(kinds.begin(), kinds.end(), "token_accepted counter 0"), kinds.end())
        << events.dump();
}

TEST_F(TokenTest, TheOperatorCommandPrintsTheCounterOrIsRefused) {
    const Bytes seed = personalisedSeed();
    const auto token = [this](std::vector<std::string> words) {
        words.insert(words.begin(), {kServerPath, "--admin-socket", adminSocket(), "token"});
        return testsupport::run(words);
    };
    const std::vector<std::string> claim{"verify",        "--chip-serial", "544c434800000001",
                                         "--challenge",   kChallenge,      "--code",
                                         codeFor(seed, 0)};
    const auto accepted = token(claim);
    ASSERT_EQ(accepted.exitCode, 0) << accepted.err;
    EXPECT_EQ(accepted.out, "accepted: chip 544C434800000001, counter 0\n");
    const auto replayed = token(claim);
    EXPECT_EQ(replayed.exitCode, 1);
    EXPECT_NE(replayed.err.find("token_refused"), std::string::npos) << replayed.err;
    std::vector<std::string> next = claim;
    next.back() = codeFor(seed, 1);
    next.push_back("--json");
    const auto asJson = token(next);
    ASSERT_EQ(asJson.exitCode, 0) << asJson.err;
    EXPECT_EQ(json::parse(asJson.out)["counter"], 1);
    EXPECT_EQ(token({"verify", "--chip-serial", kDefaultChipSerial}).exitCode, 2);  // no code
    EXPECT_EQ(token({"check"}).exitCode, 2);
}

// Without tsm.keysFile there is no seed to check with.
TEST_F(ServerTest, WithoutTsmKeysTokensCannotBeVerified) {
    const Answer answer = admin(
        "POST", "/admin/tokens/verify",
        {{"chipSerial", kDefaultChipSerial}, {"challenge", kChallenge}, {"code", "12345678"}});
    EXPECT_EQ(answer.status, 503);
    EXPECT_EQ(answer.errorCode(), "tsm_unavailable");
}

}  // namespace
}  // namespace taplink::servertest
