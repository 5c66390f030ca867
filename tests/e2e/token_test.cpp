// The dynamic token end to end: taplink-server's TSM personalises the payment applet of
// taplink-sim's chip (taplinkd relays the job at chip.sync), `taplink token` shows
// the chip's code for the bank's challenge, and `taplink-server token verify` accepts it once.
#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "e2e_support.hpp"
#include "payment_applet.hpp"

namespace taplink::testbed {
namespace {

constexpr const char* kChipSerial = "544C434800000001";
constexpr const char* kChallenge = "12345678";

struct Token {
    std::string code;
    std::string counter;
};

// "code 40217735 (counter 3)\n", as the CLI prints it for a person.
Token shownToken(const std::string& out) {
    std::smatch match;
    if (!std::regex_match(out, match, std::regex("code ([0-9]{8}) \\(counter ([0-9]+)\\)\n"))) {
        ADD_FAILURE() << "not a token line: " << out;
        return {};
    }
    return {match[1], match[2]};
}

testsupport::ProcessResult verify(E2e& e2e, const std::string& challenge, const std::string& code) {
    return testsupport::run({TopupBed::program("taplink-server"), "token", "verify",
                             "--chip-serial", kChipSerial, "--challenge", challenge, "--code", code,
                             "--config", e2e.bed().serverConfig()});
}

TEST(DynamicToken, TheChipsCodeIsAcceptedByTheBankOnce) {
    E2e e2e;
    // Installed, not personalised: the applet gives no code.
    const auto early = taplinkCli(e2e.bed(), {"token", "--challenge", kChallenge});
    EXPECT_EQ(early.exitCode, 9) << early.out << early.err;
    EXPECT_EQ(e2e.call("token.generate", {{"challenge", kChallenge}}).code, "chip_locked");

    personalisePaymentApplet(e2e.bed());  // the TSM's job, applied by chip.sync
    ASSERT_EQ(chipSerial(e2e.bed()), kChipSerial);

    const auto shown = taplinkCli(e2e.bed(), {"token", "--challenge", kChallenge});
    ASSERT_EQ(shown.exitCode, 0) << shown.err;
    const Token token = shownToken(shown.out);
    const auto accepted = verify(e2e, kChallenge, token.code);
    ASSERT_EQ(accepted.exitCode, 0) << accepted.err;
    EXPECT_EQ(accepted.out,
              "accepted: chip " + std::string(kChipSerial) + ", counter " + token.counter + "\n");
    const auto replayed = verify(e2e, kChallenge, token.code);
    EXPECT_EQ(replayed.exitCode, 1) << replayed.out;
    EXPECT_NE(replayed.err.find("token_refused"), std::string::npos) << replayed.err;

    // The next code is for its own challenge only, and moved the counter on.
    const auto next = taplinkCli(e2e.bed(), {"token", "--challenge", "00000042", "--json"});
    ASSERT_EQ(next.exitCode, 0) << next.err;
    const nlohmann::json answer = nlohmann::json::parse(next.out);
    EXPECT_EQ(answer.at("counter").get<std::uint64_t>(), std::stoull(token.counter) + 1);
    const std::string code = answer.at("code").get<std::string>();
    EXPECT_EQ(verify(e2e, kChallenge, code).exitCode, 1);
    EXPECT_EQ(verify(e2e, "00000042", code).exitCode, 0);
}

}  // namespace
}  // namespace taplink::testbed
