// The bank additions to the script format (docs/scripts.md) are checked when a script is
// loaded: each test changes the real bank-ec-load script in one way, signs it, and asserts
// that it is refused with the right code before a single APDU reached the card. Also the
// bank card's APDU policy on its own, family by family, with the neighbours it refuses.
#include <gtest/gtest.h>

#include <string>

#include "bank_test_support.hpp"
#include "script/apdu_policy.hpp"
#include "script/byte_template.hpp"
#include "script/engine.hpp"
#include "script/scheme_rules.hpp"
#include "script/signed_script.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::BankBed;

class BankScriptFormatTest : public ::testing::Test {
  protected:
    ScriptError refused(const json& script) {
        ScriptError error = testing::scriptErrorOf([&] {
            const Script parsed =
                verifySignedScript(testing::makeEnvelope(script.dump(), key.get()),
                                   {testing::trustedKeyOf(key.get())});
            RunContext context = bed.context(bed.inputs());
            run(parsed, context);
        });
        EXPECT_EQ(bed.cardChannel.count(), 0U) << error.what();
        return error;
    }
    ErrorCode refusal(const json& script) { return refused(script).code(); }

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
    static json apduStep(const std::string& target, const std::string& cla, const std::string& ins,
                         const std::string& p1, const std::string& p2) {
        return {{"type", "apdu"}, {"target", target}, {"cla", cla},
                {"ins", ins},     {"p1", p1},         {"p2", p2}};
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    json real = json::parse(testing::readRechargeScript("bank-ec-load.json"));
    BankBed bed{testing::bankCases().front()};
};

TEST_F(BankScriptFormatTest, TheRealScriptLoads) {
    EXPECT_NO_THROW(verifySignedScript(testing::makeEnvelope(real.dump(), key.get()),
                                       {testing::trustedKeyOf(key.get())}));
}

TEST_F(BankScriptFormatTest, ExtractTlvIsChecked) {
    json& gpo = step("select-application");
    const json good = gpo;
    const auto refusedWith = [&](const std::function<void(json&)>& change) {
        gpo = good;
        change(gpo);
        return refusal(real);
    };
    EXPECT_EQ(refusedWith([](json& s) { s.erase("tlvTemplate"); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s.erase("extractTlv"); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["tlvTemplate"] = "9F"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["tlvTemplate"] = "GG"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["tlvTemplate"] = "9F3838"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"] = json::array(); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"][0]["as"] = "text"; }),
              ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"][0]["optional"] = "yes"; }),
              ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"][0]["offset"] = 0; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"][0]["var"] = "1aip"; }),
              ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["extractTlv"][0]["as"] = "amount"; }),
              ErrorCode::Malformed)
        << "pdol is bytes where it is used";
}

TEST_F(BankScriptFormatTest, TheTerminalDataStoreIsChecked) {
    json changed = real;
    changed.erase("terminalData");
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed) << "{x:dol} without a store";
    changed = real;
    changed["terminalData"]["9F1C"] = "neverSet";
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
    changed = real;
    changed["terminalData"]["XY"] = "tvr";
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
    changed = real;
    changed["terminalData"]["9F1C"] = 5;
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
    changed = real;
    changed["terminalData"]["5A"] = "pan";
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed) << "cardholder data never goes to the card";
    changed = real;
    changed["terminalData"] = json::object();
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, DolAndLvReferencesAreChecked) {
    step("cdol1-data")["bytes"] = "{amount:dol}";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "a DOL is bytes";
    step("cdol1-data")["bytes"] = "{cdol1:dl}";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    step("cdol1-data")["bytes"] = "{amount:lv}";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    step("cdol1-data")["value"] = "00";
    step("cdol1-data")["bytes"] = "{cdol1:dol}";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "value and bytes exclude each other";
}

TEST_F(BankScriptFormatTest, ReadRecordsIsChecked) {
    json& records = step("read-records");
    const json good = records;
    const auto refusedWith = [&](const std::function<void(json&)>& change) {
        records = good;
        change(records);
        return refusal(real);
    };
    EXPECT_EQ(refusedWith([](json& s) { s.erase("afl"); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["afl"] = "nowhere"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["afl"] = "amount"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["maxRecords"] = 0; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["maxRecords"] = 33; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s.erase("objects"); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["sfi"] = 1; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["objects"][0]["tag"] = "5"; }), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, GetDataAndEcCheckAreChecked) {
    json getData = {{"type", "getData"}, {"tag", "9F7900"}, {"var", "x"}};
    EXPECT_EQ(refusal(withLastStep(getData)), ErrorCode::Malformed) << "P1 P2 name the tag";
    getData["tag"] = "9F79";
    getData["as"] = "digits";
    EXPECT_EQ(refusal(withLastStep(getData)), ErrorCode::Malformed);
    getData.erase("as");
    getData["le"] = 9;
    EXPECT_EQ(refusal(withLastStep(getData)), ErrorCode::Malformed);

    json& check = step("ec-limit");
    const json good = check;
    check["balance"] = "tvr";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "an integer";
    check = good;
    check["outcome"] = "Over Limit";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    check = good;
    check.erase("amount");
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, TheIssuerScriptStepIsChecked) {
    json& issuer = step("issuer-script");
    const json good = issuer;
    const auto refusedWith = [&](const std::function<void(json&)>& change) {
        issuer = good;
        change(issuer);
        return refusal(real);
    };
    EXPECT_EQ(refusedWith([](json& s) { s["template"] = "73"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["resultTag"] = "9F5A"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["script"] = "amount"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s.erase("result"); }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) {
                  s["when"] = {{"defined", "arc"}};
              }),
              ErrorCode::Malformed)
        << "money is never conditional";
}

TEST_F(BankScriptFormatTest, TheIssuerScriptNeedsItsCheckpointsRightBeforeAndAfter) {
    for (const std::string checkpoint : {"script_sending", "loaded"}) {
        json changed = real;
        auto& steps = changed["steps"];
        for (std::size_t i = 0; i < steps.size(); ++i) {
            if (steps[i].value("name", "") == checkpoint) {
                steps.erase(i);
                break;
            }
        }
        EXPECT_EQ(refusal(changed), ErrorCode::Malformed) << checkpoint;
    }
    json changed = real;
    json issuer = step("issuer-script");
    json loop = {{"type", "repeat"}, {"max", 1}, {"steps", json::array({issuer})}};
    for (json& candidate : changed["steps"]) {
        if (candidate.value("name", "") == "issuer-script") {
            candidate = loop;
        }
    }
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed) << "never in a loop";
}

TEST_F(BankScriptFormatTest, TheBankCheckpointsAreTheSchemesInOrder) {
    json& loaded = step("loaded");
    json& arqc = step("arqc");
    json& sending = step("script_sending");
    loaded["name"] = "credited";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "a city name";
    loaded["name"] = "loaded";
    arqc["name"] = "script_sending";
    sending["name"] = "arqc";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "out of order";
}

TEST_F(BankScriptFormatTest, ThePlainPanGoesToTheServerOnly) {
    json changed = real;
    changed["outputs"].push_back("pan");
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
    changed = real;
    for (json& candidate : changed["steps"]) {
        if (candidate.value("name", "") == "arqc") {
            candidate["save"].push_back("pan");
        }
    }
    EXPECT_EQ(refusal(changed), ErrorCode::Malformed);
    EXPECT_EQ(refusal(withLastStep({{"type", "set"}, {"var", "copy"}, {"bytes", "{pan:hex}"}})),
              ErrorCode::Malformed);
    json getData = apduStep("card", "80", "CA", "9F", "79");
    getData["data"] = "{pan:hex}";
    EXPECT_EQ(refusal(withLastStep(getData)), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, CommandsOutsideTheBankPolicyAreRefusedAtLoad) {
    const std::vector<json> refusedSteps = {
        apduStep("card", "00", "20", "00", "80"),  // VERIFY: the PIN only in the trusted UI
        apduStep("card", "84", "1E", "00", "00"),  // APPLICATION BLOCK
        apduStep("card", "84", "18", "00", "00"),  // APPLICATION UNBLOCK
        apduStep("card", "84", "16", "00", "00"),  // CARD BLOCK
        apduStep("card", "84", "24", "00", "00"),  // PIN CHANGE/UNBLOCK
        apduStep("card", "80", "AE", "90", "00"),  // GENERATE AC with CDA
        apduStep("card", "80", "AE", "C0", "00"),  // RFU cryptogram type
        apduStep("card", "00", "DA", "9F", "79"),  // PUT DATA without secure messaging
        apduStep("card", "80", "50", "00", "02"),  // the city card's INITIALIZE FOR LOAD
        apduStep("card", "00", "A4", "00", "00"),  // SELECT by file id
        apduStep("chip", "00", "A4", "04", "00"),  // nothing to the chip from a bank script
    };
    for (const json& refusedStep : refusedSteps) {
        EXPECT_EQ(refusal(withLastStep(refusedStep)), ErrorCode::ApduNotAllowed)
            << refusedStep.dump();
    }
}

TEST_F(BankScriptFormatTest, ACityScriptCannotSendBankCommands) {
    json city = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    city["steps"].push_back({{"type", "getData"}, {"tag", "9F79"}, {"var", "x"}});
    EXPECT_EQ(refusal(city), ErrorCode::ApduNotAllowed);
    city = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    city["steps"].push_back(apduStep("card", "80", "AE", "80", "00"));
    EXPECT_EQ(refusal(city), ErrorCode::ApduNotAllowed);
    json bankAsCity = real;
    bankAsCity["scheme"] = "city-epurse";
    EXPECT_EQ(refusal(bankAsCity), ErrorCode::ApduNotAllowed);
}

TEST_F(BankScriptFormatTest, PutDataIsNeverAPlainApduStep) {
    json putData = apduStep("card", "04", "DA", "9F", "79");
    putData["data"] = "00000000600000000000";  // the 10 bytes the rule asks for
    EXPECT_EQ(refusal(withLastStep(putData)), ErrorCode::ApduNotAllowed);
}

// Finding 8: a bank answer is read by tag only, so the cardholder flag cannot be bypassed.
TEST_F(BankScriptFormatTest, OffsetExtractionIsRefusedForBankAnswers) {
    json readRecord = apduStep("card", "00", "B2", "01", "0C");
    readRecord["le"] = 256;
    readRecord["extract"] = json::array({{{"var", "copy"}, {"offset", 4}, {"as", "bytes"}}});
    EXPECT_EQ(refusal(withLastStep(readRecord)), ErrorCode::Malformed);
    json getPan = apduStep("card", "80", "CA", "00", "5A");
    getPan["extract"] = json::array({{{"var", "copy"}, {"offset", 2}, {"as", "bytes"}}});
    EXPECT_EQ(refusal(withLastStep(getPan)), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, TheKernelStepsAreChecked) {
    json& first = step("first-generate-ac");
    const json good = first;
    const auto refusedWith = [&](const std::function<void(json&)>& change) {
        first = good;
        change(first);
        return refusal(real);
    };
    EXPECT_EQ(refusedWith([](json& s) { s["cryptogram"] = "cda"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["firstAtc"] = "amount"; }), ErrorCode::Malformed)
        << "the first GENERATE AC has no first ATC";
    EXPECT_EQ(refusedWith([](json& s) { s["onAac"] = "Declined"; }), ErrorCode::Malformed);
    EXPECT_EQ(refusedWith([](json& s) { s["cdolData"] = "{pan:hex}"; }), ErrorCode::Malformed);
    first = good;
    step("second-generate-ac").erase("firstAtc");
    EXPECT_EQ(refusal(real), ErrorCode::Malformed) << "the second names the first's ATC";
    step("second-generate-ac")["firstAtc"] = "atc";
    step("card-dates").erase("outcome");
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
    step("card-dates")["outcome"] = "card_expired_or_not_yet_valid";
    step("gpo")["aip"] = "1aip";
    EXPECT_EQ(refusal(real), ErrorCode::Malformed);
}

// Finding 11: the approval's fields are optional only for a decline that stops the run.
TEST_F(BankScriptFormatTest, OptionalServerFieldsNeedTheDeclineThatStops) {
    json noDeclinedWhen = real;
    for (json& candidate : noDeclinedWhen["steps"]) {
        if (candidate.value("name", "") == "authorize") {
            candidate.erase("declinedWhen");
        }
    }
    EXPECT_EQ(refusal(noDeclinedWhen), ErrorCode::Malformed);
    json otherCondition = real;
    for (json& candidate : otherCondition["steps"]) {
        if (candidate.value("name", "") == "decline-generate-ac") {
            candidate["when"] = {{"var", "arc"}, {"eq", "3531"}};
        }
    }
    EXPECT_EQ(refusal(otherCondition), ErrorCode::Malformed)
        << "nonce is not set on every path to the authorized checkpoint";
    json noStop = real;
    for (json& candidate : noStop["steps"]) {
        if (candidate.value("name", "") == "decline-generate-ac") {
            candidate.erase("onAac");
        }
    }
    EXPECT_EQ(refusal(noStop), ErrorCode::Malformed);
}

TEST_F(BankScriptFormatTest, AnUnknownStepTypeIsUnsupported) {
    EXPECT_EQ(refusal(withLastStep({{"type", "putData"}})), ErrorCode::Unsupported);
}

TEST(BankTemplateTest, AmountsGoOutAsBcdAndDolsFromTheStore) {
    Variables variables;
    variables.setInteger("amount", 5000);
    variables.setBytes("dol", fromHex("9F02069A039F3702"));  // 9F37 shorter than the value
    variables.setBytes("date", fromHex("261206"));
    variables.setBytes("un", fromHex("1A2B3C4D"));
    const TerminalDataMap store{{0x9F02, "amount"}, {0x9A, "date"}, {0x9F37, "un"}};
    EXPECT_EQ(renderByteTemplate(parseByteTemplate("{amount:n6}"), variables, "t"),
              fromHex("000000005000"));
    EXPECT_EQ(renderByteTemplate(parseByteTemplate("{amount:n2}"), variables, "t"),
              fromHex("5000"));
    EXPECT_EQ(renderByteTemplate(parseByteTemplate("83 {date:lv}"), variables, "t"),
              fromHex("8303261206"));
    // Book 3 5.4: 9F37 is b, cut on the right.
    EXPECT_EQ(renderByteTemplate(parseByteTemplate("{dol:dol}"), variables, "t", store),
              fromHex("0000000050002612061A2B"));
    variables.setInteger("amount", 100000);
    EXPECT_EQ(testing::scriptErrorOf([&] {
                  renderByteTemplate(parseByteTemplate("{amount:n2}"), variables, "t");
              }).code(),
              ErrorCode::ValueInvalid);
    variables.setBytes("dol", fromHex("9F"));
    EXPECT_EQ(testing::scriptErrorOf([&] {
                  renderByteTemplate(parseByteTemplate("{dol:dol}"), variables, "t", store);
              }).code(),
              ErrorCode::ResponseInvalid)
        << "a DOL cut inside a tag is the card's fault";
    EXPECT_THROW(parseByteTemplate("{amount:n0}"), std::invalid_argument);
    EXPECT_THROW(parseByteTemplate("{amount:n10}"), std::invalid_argument);
}

ApduShape shape(std::uint8_t cla, std::uint8_t ins, std::uint8_t p1, std::uint8_t p2) {
    return ApduShape{cla, ins, p1, p2, Bytes{}};
}

// PUT DATA 04 DA 9F <tag> with dataSize bytes (JR/T 0025.13: 9F79 balance || MAC is 10).
ApduShape putDataOf(std::uint8_t tagLow, std::size_t dataSize) {
    return ApduShape{0x04, 0xDA, 0x9F, tagLow, Bytes(dataSize, 0x00)};
}

// Finding 7: the issuer script writes the balance and nothing else.
TEST(BankApduPolicyTest, PutDataIsTheEcBalanceOfTenBytesOnly) {
    const ApduPolicy& bank = ApduPolicy::bankCard();
    EXPECT_NE(bank.find(putDataOf(0x79, 10)), nullptr);
    for (const int tagLow : {0x77, 0x78, 0x6D}) {  // the EC limit, single limit, reset limit
        EXPECT_EQ(bank.find(putDataOf(static_cast<std::uint8_t>(tagLow), 10)), nullptr) << tagLow;
    }
    EXPECT_EQ(bank.find(putDataOf(0x79, 9)), nullptr);
    EXPECT_EQ(bank.find(putDataOf(0x79, 0)), nullptr);
    EXPECT_EQ(bank.find(ApduShape{0x04, 0xDA, 0x9F, 0x79, std::nullopt}), nullptr)
        << "data not known at load time: no match";
}

TEST(BankApduPolicyTest, EachFamilyIsAllowedAndItsNeighboursAreNot) {
    const ApduPolicy& bank = ApduPolicy::bankCard();
    const auto allowed = [&bank](const ApduShape& s) { return bank.find(s) != nullptr; };
    EXPECT_TRUE(allowed(shape(0x00, 0xA4, 0x04, 0x00)));   // SELECT by name
    EXPECT_FALSE(allowed(shape(0x00, 0xA4, 0x00, 0x00)));  // by file id
    EXPECT_FALSE(allowed(shape(0x00, 0xA4, 0x04, 0x02)));  // next occurrence
    EXPECT_TRUE(allowed(shape(0x80, 0xA8, 0x00, 0x00)));   // GET PROCESSING OPTIONS
    EXPECT_FALSE(allowed(shape(0x80, 0xA8, 0x01, 0x00)));
    EXPECT_TRUE(allowed(shape(0x00, 0xB2, 0x01, 0x0C)));   // READ RECORD
    EXPECT_FALSE(allowed(shape(0x00, 0xB0, 0x95, 0x00)));  // READ BINARY
    EXPECT_TRUE(allowed(shape(0x80, 0xCA, 0x9F, 0x79)));   // GET DATA
    EXPECT_FALSE(allowed(shape(0x00, 0xCA, 0x9F, 0x79)));
    for (const int p1 : {0x80, 0x40, 0x00}) {
        EXPECT_TRUE(allowed(shape(0x80, 0xAE, static_cast<std::uint8_t>(p1), 0x00)))
            << p1;  // GENERATE AC
    }
    for (const int p1 : {0x90, 0x50, 0x10, 0xC0, 0x81}) {
        EXPECT_FALSE(allowed(shape(0x80, 0xAE, static_cast<std::uint8_t>(p1), 0x00)))
            << p1;  // CDA, RFU
    }
    EXPECT_TRUE(allowed(shape(0x00, 0x82, 0x00, 0x00)));   // EXTERNAL AUTHENTICATE
    EXPECT_FALSE(allowed(shape(0x00, 0x84, 0x00, 0x00)));  // GET CHALLENGE
    const ApduRule* putData = bank.find(putDataOf(0x79, 10));
    ASSERT_NE(putData, nullptr);
    EXPECT_TRUE(putData->movesMoney);
    EXPECT_TRUE(putData->inIssuerScript);
    EXPECT_TRUE(putData->issuerScriptOnly);
    EXPECT_FALSE(allowed(shape(0x00, 0xDA, 0x9F, 0x79)));  // without secure messaging
    EXPECT_FALSE(allowed(shape(0x00, 0x20, 0x00, 0x80)));  // VERIFY
    for (const int ins : {0x16, 0x18, 0x1E, 0x24}) {
        EXPECT_FALSE(allowed(shape(0x84, static_cast<std::uint8_t>(ins), 0x00, 0x00))) << ins;
    }
    EXPECT_FALSE(allowed(shape(0x80, 0x50, 0x01, 0x02)));  // purchase
    EXPECT_FALSE(allowed(shape(0x80, 0x54, 0x01, 0x00)));
    EXPECT_TRUE(allowed(shape(0x00, 0xC0, 0x00, 0x00)));  // GET RESPONSE
    EXPECT_TRUE(bank.takesIssuerScripts());
}

TEST(BankApduPolicyTest, OnlyPutDataMayComeInAnIssuerScript) {
    const ApduPolicy& bank = ApduPolicy::bankCard();
    for (const ApduShape& s : {shape(0x00, 0xA4, 0x04, 0x00), shape(0x80, 0xAE, 0x40, 0x00),
                               shape(0x80, 0xCA, 0x9F, 0x79), shape(0x00, 0x82, 0x00, 0x00)}) {
        ASSERT_NE(bank.find(s), nullptr);
        EXPECT_FALSE(bank.find(s)->inIssuerScript) << int{s.ins};
    }
}

TEST(BankApduPolicyTest, CityAndBankPoliciesDoNotOverlapOnCommands) {
    const ApduPolicy& city = ApduPolicy::card();
    EXPECT_EQ(city.find(shape(0x80, 0xAE, 0x80, 0x00)), nullptr);
    EXPECT_EQ(city.find(shape(0x80, 0xCA, 0x9F, 0x79)), nullptr);
    EXPECT_EQ(city.find(shape(0x04, 0xDA, 0x9F, 0x79)), nullptr);
    EXPECT_EQ(city.find(shape(0x80, 0xA8, 0x00, 0x00)), nullptr);
    EXPECT_FALSE(city.takesIssuerScripts());
    EXPECT_EQ(ApduPolicy::none().find(shape(0x00, 0xA4, 0x04, 0x00)), nullptr);
}

TEST(SchemeRulesTest, EachSchemeHasItsPoliciesAndCheckpoints) {
    const SchemeRules& bank = rulesFor("bank-ec");
    EXPECT_EQ(&bank.card, &ApduPolicy::bankCard());
    EXPECT_EQ(&bank.chip, &ApduPolicy::none());
    EXPECT_EQ(bank.checkpoints,
              (std::vector<std::string_view>{"arqc", "authorized", "script_sending", "loaded"}));
    const SchemeRules& city = rulesFor("city-epurse");
    EXPECT_EQ(&city.card, &ApduPolicy::card());
    EXPECT_EQ(&city.chip, &ApduPolicy::chip());
    EXPECT_EQ(city.checkpoints,
              (std::vector<std::string_view>{"authorized", "card_initialized", "credited"}));
}

}  // namespace
}  // namespace taplink::script
