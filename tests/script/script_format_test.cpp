// The script format is checked when a script is loaded, before any APDU is sent: each test
// changes the real city e-purse script in one way, signs it properly, and asserts that it is
// refused with the right code and that neither the card nor the chip saw a single APDU
// (the offending step is put last, where a check at send time alone would come too late).
#include <gtest/gtest.h>

#include <string>

#include "script/engine.hpp"
#include "script/signed_script.hpp"
#include "script_test_support.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::LoadBed;

class ScriptFormatTest : public ::testing::Test {
  protected:
    // Signs, verifies and runs the script; returns how it was refused and checks that no
    // APDU reached the card or the chip.
    ScriptError refused(const std::string& text) {
        ScriptError error = testing::scriptErrorOf([&] {
            const Script script =
                verifySignedScript(testing::makeEnvelope(text, key.get()), trusted, limits);
            RunContext context = bed.context(bed.inputs());
            run(script, context);
        });
        EXPECT_EQ(bed.cardChannel.count(), 0U) << error.what();
        EXPECT_EQ(bed.chipChannel.count(), 0U) << error.what();
        return error;
    }
    ErrorCode refusal(const json& script) { return refused(script.dump()).code(); }

    json& step(const std::string& name) {
        for (json& candidate : real["steps"]) {
            if (candidate.value("name", "") == name) {
                return candidate;
            }
        }
        throw std::runtime_error("no step " + name);
    }

    json withLastStep(json last) const {
        json changed = real;
        changed["steps"].push_back(std::move(last));
        return changed;
    }

    json withoutStep(std::size_t index) const {
        json changed = real;
        changed["steps"].erase(index);
        return changed;
    }

    static json apduStep(const std::string& target, const std::string& cla, const std::string& ins,
                         const std::string& p1, const std::string& p2, const std::string& data) {
        json apdu = {{"type", "apdu"}, {"target", target}, {"cla", cla},
                     {"ins", ins},     {"p1", p1},         {"p2", p2}};
        if (!data.empty()) {
            apdu["data"] = data;
        }
        return apdu;
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    std::vector<TrustedKey> trusted{testing::trustedKeyOf(key.get())};
    json real = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    Limits limits;
    LoadBed bed{"city-3des"};
};

TEST_F(ScriptFormatTest, TheUnchangedScriptRuns) {
    const Script script =
        verifySignedScript(testing::makeEnvelope(real.dump(), key.get()), trusted);
    RunContext context = bed.context(bed.inputs());
    EXPECT_EQ(run(script, context).integer("balanceAfter"),
              LoadBed::kInitialBalance + LoadBed::kAmount);
}

TEST_F(ScriptFormatTest, ApdusOutsideThePolicyAreRefusedAtLoad) {
    const std::vector<std::pair<std::string, json>> outside = {
        {"PIV VERIFY", apduStep("chip", "00", "20", "00", "80", "313233343536FFFF")},
        {"PIV GENERAL AUTHENTICATE",
         apduStep("chip", "00", "87", "11", "9A", "7C0682008104DEADBEEF")},
        {"SELECT of the PIV AID",
         apduStep("chip", "00", "A4", "04", "00", "A000000308000010000100")},
        {"SELECT of the SAM AID by a variable",
         apduStep("chip", "00", "A4", "04", "00", "{cardSerial:hex}")},
        {"SET LIFECYCLE", apduStep("chip", "80", "32", "03", "00", "")},
        {"SM2 SIGN", apduStep("chip", "80", "38", "00", "00", "00")},
        {"GET BALANCE to the chip", apduStep("chip", "80", "5C", "00", "02", "")},
        {"INITIALIZE FOR PURCHASE",
         apduStep("card", "80", "50", "01", "02", "01{amount:u32}{terminalId:hex}")},
        {"INITIALIZE with a variable P1",
         apduStep("card", "80", "50", "{keyVersion:u8}", "02", "")},
        {"DEBIT FOR PURCHASE", apduStep("card", "80", "54", "01", "00", "00")},
        {"card VERIFY", apduStep("card", "00", "20", "00", "00", "123456")},
        {"READ BINARY with secure messaging", apduStep("card", "04", "B0", "95", "00", "")},
        {"READ BINARY on logical channel 1", apduStep("card", "01", "B0", "95", "00", "")},
        {"UPDATE BINARY", apduStep("card", "00", "D6", "95", "00", "00")},
    };
    for (const auto& [what, apdu] : outside) {
        const ScriptError error = refused(withLastStep(apdu).dump());
        EXPECT_EQ(error.code(), ErrorCode::ApduNotAllowed) << what << ": " << error.what();
        EXPECT_NE(error.step().find("steps[" + std::to_string(real["steps"].size()) + "]"),
                  std::string::npos)
            << what << " names its step";
    }
}

TEST_F(ScriptFormatTest, UnknownFormatKindOrStepTypeIsUnsupported) {
    json format = real;
    format["format"] = "taplink-script/2";
    EXPECT_EQ(refusal(format), ErrorCode::Unsupported);
    json dataKind = real;
    dataKind["kind"] = "data";
    EXPECT_EQ(refusal(dataKind), ErrorCode::Unsupported);
    EXPECT_EQ(refusal(withLastStep({{"type", "beep"}})), ErrorCode::Unsupported);
    json noFormat = real;
    noFormat.erase("format");
    EXPECT_EQ(refusal(noFormat), ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, UnknownFieldsAreRefusedEverywhere) {
    json top = real;
    top["colour"] = "red";
    EXPECT_EQ(refusal(top), ErrorCode::Malformed);
    step("get-balance")["timeout"] = 5;
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    step("get-balance")["extract"][0]["signed"] = true;
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    step("authorize")["response"]["nonce"]["optional"] = true;
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    real["limits"]["maxCoffee"] = 1;
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, BadHexIsRefused) {
    const json original = real;
    const std::vector<std::pair<std::string, json>> changes = {
        {"data", "A0000000038698070G"},
        {"data", "A00"},
        {"data", "A0 {x"},
        {"cla", "0"},
        {"cla", "000"},
        {"p2", "0X"},
        {"expect", json::array({"90000"})},
        {"onStatus", {{"6A8", "continue"}}},
    };
    for (const auto& [field, value] : changes) {
        real = original;
        step("select-purse")[field] = value;
        EXPECT_EQ(refusal(real), ErrorCode::Malformed) << field << " = " << value;
    }
}

TEST_F(ScriptFormatTest, UndefinedOrMistypedVariablesAreRefused) {
    const json original = real;
    for (const char* data :
         {"01 {nosuch:hex}", "01 {mac2:hex}" /* defined later */, "01 {amount:hex}",
          "01 {terminalId:u32}", "01 {amount:u31}", "01 {amount}"}) {
        real = original;
        step("initialize-for-load")["data"] = data;
        EXPECT_EQ(refusal(real), ErrorCode::Malformed) << data;
    }
    real = original;
    step("authorize")["request"]["balance"] = {{"var", "nosuch"}, {"as", "number"}};
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = original;
    step("authorize")["request"]["balance"] = {{"var", "issuerId"}, {"as", "number"}};
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = original;
    real["outputs"].push_back("nosuch");
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, DataScriptItemsGoOnlyToTheirTarget) {
    // The sealed authorization is for the chip: a script may not send it to the card, to the
    // server or into the journal.
    EXPECT_EQ(
        refusal(withLastStep(apduStep("card", "00", "B0", "95", "00", "{loadAuthorization:hex}"))),
        ErrorCode::Malformed);
    json request = real;
    for (json& candidate : request["steps"]) {
        if (candidate.value("name", "") == "authorize") {
            candidate["request"]["extra"] = {{"var", "loadAuthorization"}, {"as", "hex"}};
        }
    }
    EXPECT_EQ(refusal(request), ErrorCode::Malformed);
    json outputs = real;
    outputs["outputs"].push_back("loadAuthorization");
    EXPECT_EQ(refusal(outputs), ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, TheCreditNeedsACheckpointRightBeforeAndRightAfter) {
    std::size_t cardInitialized = 0;
    std::size_t credited = 0;
    for (std::size_t i = 0; i < real["steps"].size(); ++i) {
        if (real["steps"][i].value("name", "") == "card_initialized") {
            cardInitialized = i;
        }
        if (real["steps"][i].value("name", "") == "credited") {
            credited = i;
        }
    }
    ASSERT_NE(cardInitialized, 0U);
    ASSERT_NE(credited, 0U);
    EXPECT_EQ(refusal(withoutStep(cardInitialized)), ErrorCode::Malformed);
    EXPECT_EQ(refusal(withoutStep(credited)), ErrorCode::Malformed);

    const json original = real;
    step("credit-for-load")["when"] = {{"var", "amount"}, {"gt", 0}};
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = original;
    step("credit-for-load")["expect"] = {"9000", "6985"};
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "a money step accepts 9000 only";
    real = original;
    real["steps"][credited]["when"] = {{"var", "amount"}, {"gt", 0}};
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, CheckpointsAreKnownOnceAndInOrder) {
    const json original = real;
    for (json& candidate : real["steps"]) {
        if (candidate.value("name", "") == "authorized") {
            candidate["name"] = "credited";  // credited before card_initialized
        }
    }
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    real = original;
    EXPECT_EQ(
        refusal(withLastStep({{"type", "checkpoint"}, {"name", "paid"}, {"save", json::array()}})),
        ErrorCode::Malformed);
    EXPECT_EQ(refusal(withLastStep(
                  {{"type", "checkpoint"}, {"name", "credited"}, {"save", json::array()}})),
              ErrorCode::Malformed);
    json conditional = real;
    for (json& candidate : conditional["steps"]) {
        if (candidate.value("name", "") == "authorized") {
            candidate["when"] = {{"var", "amount"}, {"gt", 0}};
        }
    }
    EXPECT_EQ(refusal(conditional), ErrorCode::Malformed);
    EXPECT_EQ(refusal(withLastStep({{"type", "progress"}, {"stage", "celebrating"}})),
              ErrorCode::Malformed);
}

TEST_F(ScriptFormatTest, LoopsAndDeclaredLimitsOverTheCapsAreRefused) {
    const json readRecord = apduStep("card", "00", "B2", "01", "C4", "");
    EXPECT_EQ(refusal(withLastStep({{"type", "repeat"}, {"max", 1000}, {"steps", {readRecord}}})),
              ErrorCode::LimitExceeded);
    json limitsOver = real;
    limitsOver["limits"]["maxApdus"] = 100000;
    EXPECT_EQ(refusal(limitsOver), ErrorCode::LimitExceeded);
    json deep = readRecord;
    for (int i = 0; i < 4; ++i) {
        deep = {{"type", "repeat"}, {"max", 2}, {"steps", {deep}}};
    }
    EXPECT_EQ(refusal(withLastStep(deep)), ErrorCode::Malformed) << "loops nest 3 deep at most";

    limits.maxLoopIterations = 4;
    EXPECT_EQ(refusal(withLastStep({{"type", "repeat"}, {"max", 5}, {"steps", {readRecord}}})),
              ErrorCode::LimitExceeded);
}

TEST_F(ScriptFormatTest, TheValidityPeriodIsRequiredStrictAndInOrder) {
    for (const char* field : {"validFrom", "validUntil"}) {
        json missing = real;
        missing.erase(field);
        const ScriptError error = refused(missing.dump());
        EXPECT_EQ(error.code(), ErrorCode::Malformed) << field;
        EXPECT_NE(std::string(error.what()).find(field), std::string::npos) << error.what();
        for (const json& malformed :
             {json("2026-01-01"), json("2026-01-01T00:00:00+08:00"),
              json("2026-01-01T00:00:00.000Z"), json(1767225600), json("2026-02-30T00:00:00Z")}) {
            json changed = real;
            changed[field] = malformed;
            EXPECT_EQ(refusal(changed), ErrorCode::Malformed) << field << " " << malformed;
        }
    }
    json reversed = real;
    reversed["validFrom"] = "2030-12-31T23:59:59Z";
    reversed["validUntil"] = "2026-01-01T00:00:00Z";
    const ScriptError error = refused(reversed.dump());
    EXPECT_EQ(error.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(error.what()).find("before validUntil"), std::string::npos)
        << error.what();
    json empty = real;
    empty["validUntil"] = empty["validFrom"];
    EXPECT_EQ(refusal(empty), ErrorCode::Malformed) << "an empty period";
}

TEST_F(ScriptFormatTest, TheValidityPeriodIsReadAsUnixSeconds) {
    // 1767225600 and 1924991999: `date -u -d 2026-01-01T00:00:00Z +%s` and 2030-12-31T23:59:59Z.
    const Script script =
        verifySignedScript(testing::makeEnvelope(real.dump(), key.get()), trusted);
    EXPECT_EQ(script.validFrom, 1767225600);
    EXPECT_EQ(script.validUntil, 1924991999);
}

TEST_F(ScriptFormatTest, OtherStructuralErrorsAreMalformed) {
    json version = real;
    version["version"] = "1";
    EXPECT_EQ(refusal(version), ErrorCode::Malformed);
    version["version"] = 1.5;
    EXPECT_EQ(refusal(version), ErrorCode::Malformed);
    json duplicateName =
        withLastStep({{"type", "progress"}, {"name", "get-balance"}, {"stage", "writing"}});
    EXPECT_EQ(refusal(duplicateName), ErrorCode::Malformed);
    json nested = real;
    json deep = "x";
    for (int i = 0; i < 40; ++i) {
        deep = json::array({deep});
    }
    nested["description"] = deep;
    EXPECT_EQ(refusal(nested), ErrorCode::Malformed);
    EXPECT_EQ(refused("[1, 2").code(), ErrorCode::Malformed);
    EXPECT_EQ(refused("\"a script\"").code(), ErrorCode::Malformed);
}

}  // namespace
}  // namespace taplink::script
