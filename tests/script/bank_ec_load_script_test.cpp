// The real scripts/recharge/bank-ec-load.json, signed in the test, run by the engine against
// taplink-sim's bank cards (both suites, and both applications of the dual card) in process,
// with a server stand-in that plays the issuer (bank_test_support.hpp). Covers the whole EC
// load (checkpoints, outputs, the exact ecload-authorize request), the refusal over the EC
// limit, a wrong ARPC, a bad script MAC, and a card pulled at every APDU.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "bank_test_support.hpp"
#include "script/engine.hpp"
#include "script/signed_script.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::BankBed;
using testing::BankCase;
using testing::CardPulled;
using testing::scriptErrorOf;

constexpr std::uint8_t kInsGenerateAc = 0xAE;
// Card APDUs of one load: PPSE, application, GPO, 2 records, 2 GET DATA, GENERATE AC,
// GENERATE AC, PUT DATA, GET DATA.
constexpr std::size_t kApdusPerLoad = 11;
constexpr std::size_t kPutDataIndex = 10;
constexpr std::size_t kApdusBeforeGenerateAc = 7;
// DF31 05 <result> <script id 00000001> (Book 4 Annex A5): 20 succeeded, 11 failed at 1.
Bytes scriptSucceeded() {
    return {0xDF, 0x31, 0x05, 0x20, 0x00, 0x00, 0x00, 0x01};
}
Bytes scriptFailedAtCommand1() {
    return {0xDF, 0x31, 0x05, 0x11, 0x00, 0x00, 0x00, 0x01};
}

Script signedBankScript(EVP_PKEY* key) {
    return verifySignedScript(
        testing::makeEnvelope(testing::readRechargeScript("bank-ec-load.json"), key),
        {testing::trustedKeyOf(key)});
}

class BankEcLoadScriptTest : public ::testing::TestWithParam<BankCase> {
  protected:
    Variables runLoad(std::uint32_t amount = BankBed::kAmount) {
        RunContext context = bed.context(bed.inputs(amount));
        return run(script, context);
    }

    std::size_t generateAcsSent() const {
        const auto& commands = bed.cardChannel.commands();
        return static_cast<std::size_t>(
            std::count_if(commands.begin(), commands.end(),
                          [](const apdu::CommandApdu& c) { return c.ins == kInsGenerateAc; }));
    }

    crypto::PkeyPtr signingKey = testing::makeSigningKey();
    Script script = signedBankScript(signingKey.get());
    BankBed bed{GetParam()};
};

TEST_P(BankEcLoadScriptTest, LoadsTheEcBalanceWithCheckpointsAroundTheIssuerScript) {
    const Variables outputs = runLoad();

    constexpr std::uint64_t kAfter = BankBed::kInitialBalance + BankBed::kAmount;
    EXPECT_TRUE(bed.server.arqcVerified);
    EXPECT_EQ(outputs.integer("balanceBefore"), BankBed::kInitialBalance);
    EXPECT_EQ(outputs.integer("newBalance"), kAfter);
    EXPECT_EQ(outputs.integer("balanceAfter"), kAfter);
    EXPECT_EQ(bed.cardBalance(), kAfter);
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x40}) << "TC";
    EXPECT_EQ(outputs.bytes("ac2").size(), 8U);
    EXPECT_EQ(outputs.bytes("arqc").size(), 8U);
    EXPECT_EQ(outputs.bytes("atc"), fromHex("0001")) << "the card's first transaction";
    EXPECT_EQ(outputs.bytes("cdol2Data").size(), 41U);
    EXPECT_EQ(outputs.bytes("scriptResult"), scriptSucceeded());
    const std::string pan = bed.pan();
    const std::string masked =
        pan.substr(0, 6) + std::string(pan.size() - 10, '*') + pan.substr(pan.size() - 4);
    EXPECT_EQ(outputs.bytes("panMasked"), Bytes(masked.begin(), masked.end()));
    EXPECT_EQ(outputs.size(), 12U) << "exactly the declared outputs";

    EXPECT_EQ(bed.sink.names,
              (std::vector<std::string>{"arqc", "authorized", "script_sending", "loaded"}));
    EXPECT_EQ(bed.stages, (std::vector<std::string>{"authorizing", "writing", "confirming"}));
    EXPECT_EQ(bed.sink.saved.at(3).bytes("scriptResult"), scriptSucceeded());
    EXPECT_EQ(bed.cardChannel.count(), kApdusPerLoad);
    EXPECT_EQ(bed.chipChannel.count(), 0U) << "a bank script never talks to the chip";
}

TEST_P(BankEcLoadScriptTest, AuthorizeRequestHasExactlyTheContractsFields) {
    runLoad();
    ASSERT_EQ(bed.server.calls, std::vector<std::string>{"ecload-authorize"});
    const json& request = bed.server.requests.at(0);
    std::set<std::string> keys;
    for (const auto& item : request.items()) {
        keys.insert(item.key());
    }
    EXPECT_EQ(keys,
              (std::set<std::string>{"pan", "psn", "aid", "aip", "atc", "cdol1", "cdol1Data", "cid",
                                     "arqc", "iad", "ecBalance", "ecBalanceLimit", "terminalId"}));
    EXPECT_EQ(request.at("pan"), bed.pan()) << "text digits, no F padding";
    EXPECT_EQ(request.at("psn"), "01");
    EXPECT_EQ(request.at("aid"), GetParam().aid);
    EXPECT_EQ(request.at("aip"), "1C00");
    EXPECT_EQ(request.at("atc"), "0001");
    EXPECT_EQ(request.at("cid"), "80") << "an ARQC";
    EXPECT_EQ(request.at("cdol1"), "9F02069F03069F1A0295055F2A029A039C019F3704");
    // 9F02 amount n12, 9F03 0, 9F1A 0156, 95 zeros, 5F2A 0156, 9A date, 9C 62, 9F37 input.
    EXPECT_EQ(request.at("cdol1Data"),
              "000000005000000000000000015600000000000156261206621A2B3C4D");
    EXPECT_EQ(request.at("ecBalance"), BankBed::kInitialBalance);
    EXPECT_TRUE(request.at("ecBalance").is_number_unsigned());
    EXPECT_EQ(request.at("ecBalanceLimit"), BankBed::kEcLimit);
    EXPECT_EQ(request.at("terminalId"), "434800000001");
}

TEST_P(BankEcLoadScriptTest, OverTheEcLimitIsRefusedBeforeAnyGenerateAc) {
    const auto amount =
        static_cast<std::uint32_t>(BankBed::kEcLimit - BankBed::kInitialBalance + 1);
    const ScriptError error = scriptErrorOf([&] { runLoad(amount); });
    EXPECT_EQ(error.code(), ErrorCode::NotAccepted);
    EXPECT_EQ(error.outcome(), "ec_limit_exceeded");
    EXPECT_EQ(bed.cardChannel.count(), kApdusBeforeGenerateAc);
    EXPECT_EQ(generateAcsSent(), 0U);
    EXPECT_TRUE(bed.server.calls.empty());
    EXPECT_TRUE(bed.sink.names.empty());
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

TEST_P(BankEcLoadScriptTest, ExactlyToTheLimitIsLoaded) {
    const auto amount = static_cast<std::uint32_t>(BankBed::kEcLimit - BankBed::kInitialBalance);
    bed.server.amount = amount;
    EXPECT_EQ(runLoad(amount).integer("balanceAfter"), BankBed::kEcLimit);
}

TEST_P(BankEcLoadScriptTest, AWrongArpcGivesAnAacAndAFailedScriptWithTheBalanceUnchanged) {
    bed.server.spoilArpc = true;
    const Variables outputs = runLoad();
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x00}) << "AAC";
    EXPECT_EQ(outputs.bytes("scriptResult"), scriptFailedAtCommand1());
    EXPECT_EQ(outputs.integer("balanceAfter"), BankBed::kInitialBalance);
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
    EXPECT_EQ(bed.sink.names.back(), "loaded") << "the run still journals what happened";
}

TEST_P(BankEcLoadScriptTest, ABadScriptMacFailsTheScriptWithTheBalanceUnchanged) {
    bed.server.spoilScriptMac = true;
    const Variables outputs = runLoad();
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x40}) << "the issuer authenticated: TC";
    EXPECT_EQ(outputs.bytes("scriptResult"), scriptFailedAtCommand1());
    EXPECT_EQ(outputs.integer("balanceAfter"), BankBed::kInitialBalance);
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

TEST_P(BankEcLoadScriptTest, AnIssuerScriptOutsideThePolicyIsRefusedBeforeItsFirstCommand) {
    // A valid PUT DATA first, then VERIFY: the whole script is refused, nothing of it sent.
    bed.server.tamper = [](json& response) {
        response["issuerScript"] =
            "7216"
            "9F180400000001"
            "8605"
            "04DA9F7900"
            "8606"
            "0020008001AA";
    };
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::ApduNotAllowed);
    EXPECT_EQ(bed.cardChannel.count(), kPutDataIndex - 1);
    EXPECT_EQ(bed.sink.names.back(), "script_sending");
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

TEST_P(BankEcLoadScriptTest, AMalformedIssuerScriptIsTheServersFault) {
    bed.server.tamper = [](json& response) { response["issuerScript"] = "7203860100"; };
    EXPECT_EQ(scriptErrorOf([this] { runLoad(); }).code(), ErrorCode::Server);
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

TEST_P(BankEcLoadScriptTest, NoCancelBetweenTheIssuerScriptAndItsCheckpoint) {
    // Cancelled from the moment the PUT DATA has gone out: loaded is still journaled.
    RunContext context = bed.context(bed.inputs());
    context.cancelled = [this] { return bed.cardChannel.count() >= kPutDataIndex; };
    const ScriptError error = scriptErrorOf([&] { run(script, context); });
    EXPECT_EQ(error.code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.sink.names.back(), "loaded");
    EXPECT_EQ(bed.sink.saved.back().bytes("scriptResult"), scriptSucceeded());
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance + BankBed::kAmount);
}

TEST_P(BankEcLoadScriptTest, CancelIsHonouredBeforeTheIssuerScript) {
    RunContext context = bed.context(bed.inputs());
    context.cancelled = [this] { return !bed.sink.names.empty(); };  // once arqc is journaled
    EXPECT_EQ(scriptErrorOf([&] { run(script, context); }).code(), ErrorCode::Cancelled);
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"arqc"});
    EXPECT_TRUE(bed.server.calls.empty());
}

TEST_P(BankEcLoadScriptTest, ThePlainPanNeverReachesACheckpointOrAnOutput) {
    const Variables outputs = runLoad();
    const std::string pan = bed.pan();
    const Bytes panText(pan.begin(), pan.end());
    const Bytes panBcd = fromHex(pan.size() % 2 == 0 ? pan : pan + "F");
    const auto holdsPan = [&](const Variables& variables) {
        return std::any_of(variables.begin(), variables.end(), [&](const auto& entry) {
            if (!isBytes(entry.second)) {
                return false;
            }
            const Bytes& bytes = std::get<Bytes>(entry.second);
            return std::search(bytes.begin(), bytes.end(), panText.begin(), panText.end()) !=
                       bytes.end() ||
                   std::search(bytes.begin(), bytes.end(), panBcd.begin(), panBcd.end()) !=
                       bytes.end();
        });
    };
    ASSERT_EQ(bed.sink.saved.size(), 4U);
    for (const Variables& saved : bed.sink.saved) {
        EXPECT_FALSE(holdsPan(saved));
    }
    EXPECT_FALSE(holdsPan(outputs));
}

TEST_P(BankEcLoadScriptTest,
       ACardPulledAtAnyApduLeavesTheOldOrTheNewBalanceAndTheJournalSaysWhich) {
    for (std::size_t pulledAt = 1; pulledAt <= kApdusPerLoad; ++pulledAt) {
        SCOPED_TRACE("pulled at APDU " + std::to_string(pulledAt));
        BankBed fresh{GetParam()};
        fresh.cardChannel.failAt = pulledAt;
        RunContext context = fresh.context(fresh.inputs());
        EXPECT_THROW(run(script, context), CardPulled);
        const std::uint64_t balance = fresh.cardBalance();
        const bool loaded = balance == BankBed::kInitialBalance + BankBed::kAmount;
        EXPECT_TRUE(loaded || balance == BankBed::kInitialBalance) << balance;
        EXPECT_EQ(loaded, pulledAt > kPutDataIndex) << "the PUT DATA is the one write";
        const auto& names = fresh.sink.names;
        const bool sending = std::find(names.begin(), names.end(), "script_sending") != names.end();
        // Loaded only after script_sending was journaled; before it, never loaded.
        EXPECT_TRUE(!loaded || sending);
        EXPECT_EQ(sending, pulledAt >= kPutDataIndex);
        EXPECT_EQ(std::find(names.begin(), names.end(), "loaded") != names.end(),
                  pulledAt > kPutDataIndex);
    }
}

INSTANTIATE_TEST_SUITE_P(BankCards, BankEcLoadScriptTest, ::testing::ValuesIn(testing::bankCases()),
                         [](const ::testing::TestParamInfo<BankCase>& param) {
                             std::string name = param.param.profile + "_" + param.param.aid;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace taplink::script
