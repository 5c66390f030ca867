// The issuer's answer and issuer scripts (taplink/emv/online.hpp), EMV Book 3 10.9-10.10.
#include "taplink/emv/online.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {
namespace {

using apdu::ResponseApdu;
using test::expectEmvError;

// PUT DATA 9F79 with secure messaging: 04 DA 9F 79 0A <balance 6> <MAC 4>.
constexpr const char* kPutData = "04DA9F790A000000020000AABBCCDD";
std::string script72() {
    return std::string("7218 9F180411223344 860F") + kPutData;
}

TEST(IssuerResponse, AuthorisationResponseCodeIsTwoBytes) {
    EXPECT_EQ(parseAuthorisationResponseCode(fromHex("3030")), fromHex("3030"));
    for (const char* bad : {"30", "303030", ""}) {
        expectEmvError(EmvErrorCode::IssuerDataInvalid,
                       [&] { parseAuthorisationResponseCode(fromHex(bad)); });
    }
}

TEST(IssuerResponse, AuthenticationDataIsArpcThenArc) {
    const auto data = parseIssuerAuthenticationData(fromHex("1122334455667788 3030"));
    EXPECT_EQ(data.arpc, fromHex("1122334455667788"));
    EXPECT_EQ(data.arc, fromHex("3030"));
    EXPECT_EQ(data.encode(), fromHex("11223344556677883030"));
    for (const char* bad : {"1122334455667788", "112233445566778830", "11223344556677883030AA"}) {
        expectEmvError(EmvErrorCode::IssuerDataInvalid,
                       [&] { parseIssuerAuthenticationData(fromHex(bad)); });
    }
}

TEST(IssuerScripts, ParsesTemplatesInOrder) {
    const auto scripts =
        parseIssuerScripts(fromHex(std::string("7111 860F") + kPutData + script72()));
    ASSERT_EQ(scripts.size(), 2U);
    EXPECT_EQ(scripts[0].templateTag, 0x71U);
    EXPECT_TRUE(scripts[0].id.empty());
    EXPECT_EQ(scripts[1].templateTag, 0x72U);
    EXPECT_EQ(scripts[1].id, fromHex("11223344"));
    ASSERT_EQ(scripts[1].commands.size(), 1U);
    EXPECT_EQ(scripts[1].commands[0].cla, 0x04);
    EXPECT_EQ(scripts[1].commands[0].ins, 0xDA);
    EXPECT_EQ(scripts[1].commands[0].data, fromHex("000000020000AABBCCDD"));
    EXPECT_EQ(scripts[1].commands[0].le, std::nullopt);
}

TEST(IssuerScripts, RefusesAnythingButScriptIdAndCommands) {
    const std::string command = std::string("860F") + kPutData;
    for (const std::string& bad : {
             "721F 9F180411223344 9F180411223344 " + command,  // id twice
             "7217 9F1803112233 " + command,                   // id of 3 bytes
             "7215 8A023030 " + command,                       // another data object
             std::string("7207 9F180411223344"),               // no command
             std::string("7205 860304DA9F"),                   // not a command APDU
             "7011 " + command,                                // another template
             script72() + "72",                                // trailing bytes
         }) {
        expectEmvError(EmvErrorCode::IssuerDataInvalid, [&] { parseIssuerScripts(fromHex(bad)); });
    }
}

TEST(IssuerScripts, RunStopsAtTheFirstFailingCommandAndSaysWhere) {
    const std::string commands =
        std::string("860F") + kPutData + "860F" + kPutData + "860F" + kPutData + "860F" + kPutData;
    const auto scripts = parseIssuerScripts(
        fromHex(std::string("7111 860F") + kPutData + "724B 9F180411223344 " + commands));
    // 71 is not run after the final GENERATE AC; 72: 9000, 6300 (a warning is success), 6985.
    test::ScriptedChannel card(
        {ResponseApdu{{}, 0x9000}, ResponseApdu{{}, 0x6300}, ResponseApdu{{}, 0x6985}});
    Tvr tvr;
    Tsi tsi;
    const auto results = runIssuerScripts(card, scripts, tag::kIssuerScriptAfterFinalGac, tvr, tsi);
    EXPECT_EQ(card.sent.size(), 3U);  // the fourth command is not sent
    ASSERT_EQ(results.size(), 1U);
    EXPECT_EQ(results[0].encode(), fromHex("1311223344"));
    EXPECT_TRUE(tvr.isSet(TvrBit::ScriptFailedAfterFinalGac));
    EXPECT_FALSE(tvr.isSet(TvrBit::ScriptFailedBeforeFinalGac));
    EXPECT_TRUE(tsi.isSet(TsiBit::ScriptProcessingPerformed));
    EXPECT_EQ(scriptResultsObject(results, tag::kIssuerScriptResults).encode(),
              fromHex("9F5B05 1311223344"));
    EXPECT_EQ(scriptResultsObject(results, tag::kPbocIssuerScriptResults).encode(),
              fromHex("DF3105 1311223344"));
}

TEST(IssuerScripts, SuccessAndScriptsBeforeTheFinalGenerateAc) {
    const auto scripts =
        parseIssuerScripts(fromHex(std::string("7111 860F") + kPutData + "7111 860F" + kPutData));
    test::ScriptedChannel card({ResponseApdu{{}, 0x6A80}, ResponseApdu{{}, 0x9000}});
    Tvr tvr;
    Tsi tsi;
    const auto results =
        runIssuerScripts(card, scripts, tag::kIssuerScriptBeforeFinalGac, tvr, tsi);
    ASSERT_EQ(results.size(), 2U);
    EXPECT_EQ(results[0].encode(), fromHex("1100000000"));  // failed at command 1, no id
    EXPECT_EQ(results[1].encode(), fromHex("2000000000"));  // the next script still runs
    EXPECT_TRUE(tvr.isSet(TvrBit::ScriptFailedBeforeFinalGac));
    EXPECT_FALSE(tvr.isSet(TvrBit::ScriptFailedAfterFinalGac));
}

TEST(IssuerScripts, NoScriptOfTheTemplateLeavesEverythingAlone) {
    const auto scripts = parseIssuerScripts(fromHex(script72()));
    test::ScriptedChannel card({});
    Tvr tvr;
    Tsi tsi;
    EXPECT_TRUE(runIssuerScripts(card, scripts, 0x71, tvr, tsi).empty());
    EXPECT_FALSE(tsi.isSet(TsiBit::ScriptProcessingPerformed));
    EXPECT_TRUE(card.sent.empty());
}

TEST(IssuerScripts, FifteenthCommandOrLaterIsF) {
    std::string commands;
    for (int i = 0; i < 16; ++i) {
        commands += "8605 80CA9F7900";
    }
    const Bytes body = fromHex(commands);
    std::vector<ResponseApdu> answers(15, ResponseApdu{{}, 0x9000});
    answers.push_back(ResponseApdu{{}, 0x6D00});
    test::ScriptedChannel card(answers);
    const auto parsed = parseIssuerScripts(concat(fromHex("7270"), body));
    Tvr tvr;
    Tsi tsi;
    const auto results = runIssuerScripts(card, parsed, 0x72, tvr, tsi);
    EXPECT_EQ(results.at(0).result, 0x1F);
}

}  // namespace
}  // namespace taplink::emv
