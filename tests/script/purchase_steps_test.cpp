// The purchase additions to the engine on their own: PUT CARD DATA split into whole objects
// of at most 255 bytes a command, the bank-purchase policies at load time (the commands a
// purchase script may never send, and the two commands only the engine's steps send), the
// relay of a tag the run did not read, extractTlv without a template, text answers from the
// server, and the PIN holder.
#include <gtest/gtest.h>

#include <numeric>

#include "purchase_test_support.hpp"
#include "script/purchase_steps.hpp"
#include "script/scheme_rules.hpp"
#include "script/script_parser.hpp"
#include "script/secret_string.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;

tlv::Tlv objectOfSize(std::uint32_t tag, std::size_t encodedSize) {
    // A two-byte tag and a one-byte length up to 127, 81 xx beyond (ISO/IEC 8825-1 8.1.3).
    const std::size_t header = encodedSize - 2 > 0x7F + 1 ? 4 : 3;
    return tlv::Tlv::primitive(tag, Bytes(encodedSize - header, 0xA5));
}

Bytes concatenated(const std::vector<Bytes>& parts) {
    Bytes out;
    for (const Bytes& part : parts) {
        out.insert(out.end(), part.begin(), part.end());
    }
    return out;
}

TEST(PurchaseStepsTest, CardDataIsSplitIntoWholeObjectsOfAtMost255Bytes) {
    const std::vector<tlv::Tlv> objects{objectOfSize(0x9F10, 100), objectOfSize(0x9F4B, 150),
                                        objectOfSize(0x9F4C, 10), objectOfSize(0x9F4D, 255)};
    Bytes all;
    for (const tlv::Tlv& object : objects) {
        const Bytes encoded = object.encode();
        ASSERT_EQ(encoded.size() == 100 || encoded.size() == 150 || encoded.size() == 10 ||
                      encoded.size() == 255,
                  true);
        all.insert(all.end(), encoded.begin(), encoded.end());
    }
    const std::vector<Bytes> commands = purchase_steps::cardDataCommands(objects, "test");
    // 100 + 150 fit (250); 10 more would make 260: a second command; 255 alone: a third.
    ASSERT_EQ(commands.size(), 3U);
    EXPECT_EQ(commands[0].size(), 250U);
    EXPECT_EQ(commands[1].size(), 10U);
    EXPECT_EQ(commands[2].size(), 255U);
    EXPECT_EQ(concatenated(commands), all) << "in order, nothing lost or added";
    for (const Bytes& command : commands) {
        EXPECT_NO_THROW(static_cast<void>(tlv::parse(command))) << "whole objects only";
    }
}

TEST(PurchaseStepsTest, ObjectsThatFitTogetherGoInOneCommand) {
    const std::vector<tlv::Tlv> objects{objectOfSize(0x5A, 10), objectOfSize(0x9F26, 11)};
    EXPECT_EQ(purchase_steps::cardDataCommands(objects, "test").size(), 1U);
    EXPECT_TRUE(purchase_steps::cardDataCommands({}, "test").empty());
}

TEST(PurchaseStepsTest, AnObjectLargerThanOneCommandIsRefused) {
    const ScriptError error = testing::scriptErrorOf(
        [] { purchase_steps::cardDataCommands({objectOfSize(0x9F4D, 256)}, "step"); });
    EXPECT_EQ(error.code(), ErrorCode::ResponseInvalid);
}

TEST(PurchaseStepsTest, RelayedObjectsComeInTheStepsOrderAndAMissingOneIsRefused) {
    const emv_steps::CardObjects seen{{0x5A, fromHex("6212345678901234")},
                                      {0x9F36, fromHex("0001")},
                                      {0x5F25, fromHex("200101")}};
    RelayCardDataStep relay{{0x9F36, 0x5A}, {0x5F25, 0x9F4D}};
    const std::vector<tlv::Tlv> objects = purchase_steps::relayedObjects(relay, seen, "step");
    ASSERT_EQ(objects.size(), 3U);
    EXPECT_EQ(objects[0].tag, 0x9F36U);
    EXPECT_EQ(objects[1].tag, 0x5AU);
    EXPECT_EQ(objects[2].tag, 0x5F25U) << "an optional tag the card had; 9F4D it did not";
    relay.tags.push_back(0x9F4D);
    const ScriptError error =
        testing::scriptErrorOf([&] { purchase_steps::relayedObjects(relay, seen, "step"); });
    EXPECT_EQ(error.code(), ErrorCode::ResponseInvalid);
}

TEST(PurchaseStepsTest, TheBankPurchasePoliciesRefuseEverythingElse) {
    const SchemeRules& rules = rulesFor(kBankPurchaseScheme);
    EXPECT_EQ(rules.checkpoints,
              (std::vector<std::string_view>{"sealed", "authorized", "completed"}));
    const auto chip = [&](std::uint8_t cla, std::uint8_t ins, Bytes data = {}) {
        return rules.chip.find(ApduShape{cla, ins, 0x00, 0x00, std::move(data)});
    };
    EXPECT_NE(chip(0x80, 0x40), nullptr) << "BEGIN PURCHASE";
    EXPECT_NE(chip(0x80, 0x44), nullptr) << "SEAL";
    EXPECT_NE(chip(0x00, 0xC0), nullptr) << "GET RESPONSE";
    EXPECT_TRUE(chip(0x80, 0x42)->engineStepOnly) << "PUT CARD DATA";
    EXPECT_TRUE(chip(0x80, 0x46)->engineStepOnly) << "PUT PIN";
    const auto select = [&](const std::string& aid) {
        return rules.chip.find(ApduShape{0x00, 0xA4, 0x04, 0x00, fromHex(aid)});
    };
    EXPECT_NE(select("F05441504C494E4B504159"), nullptr) << "the payment applet";
    EXPECT_EQ(select("F05441504C494E4B53414D"), nullptr) << "the load SAM";
    EXPECT_EQ(select("A000000308000010000100"), nullptr) << "PIV";
    EXPECT_EQ(chip(0x80, 0x48), nullptr) << "GENERATE TOKEN";
    EXPECT_EQ(chip(0x84, 0xE2), nullptr) << "MANAGE";
    EXPECT_EQ(chip(0x80, 0x50), nullptr) << "INITIALIZE UPDATE";
    EXPECT_EQ(rules.chip.find(ApduShape{0x80, 0x40, 0x01, 0x00, Bytes{}}), nullptr);
    EXPECT_EQ(rules.card.find(ApduShape{0x04, 0xDA, 0x9F, 0x79, Bytes(10, 0)}), nullptr)
        << "no PUT DATA of the EC balance";
    EXPECT_FALSE(rules.card.takesIssuerScripts());
    EXPECT_NE(rules.card.find(ApduShape{0x80, 0xAE, 0x80, 0x00, Bytes{}}), nullptr);
}

class PurchaseScriptLoadTest : public ::testing::Test {
  protected:
    ScriptError refused(const json& script) {
        return testing::scriptErrorOf([&] {
            const std::string text = script.dump();
            parseScript(Bytes(text.begin(), text.end()));
        });
    }
    json withStepBefore(const std::string& name, json added) const {
        json changed = real;
        json& steps = changed["steps"];
        for (auto it = steps.begin(); it != steps.end(); ++it) {
            if (it->value("name", "") == name) {
                steps.insert(it, std::move(added));
                return changed;
            }
        }
        throw std::runtime_error("no step " + name);
    }
    json& step(const std::string& name) {
        for (json& candidate : real["steps"]) {
            if (candidate.value("name", "") == name) {
                return candidate;
            }
        }
        throw std::runtime_error("no step " + name);
    }
    static json chipApdu(const std::string& cla, const std::string& ins, const std::string& data) {
        return {{"type", "apdu"}, {"target", "chip"}, {"cla", cla},  {"ins", ins},
                {"p1", "00"},     {"p2", "00"},       {"data", data}};
    }

    json real = json::parse(testing::readRechargeScript("bank-purchase.json"));
};

TEST_F(PurchaseScriptLoadTest, TheRealScriptLoads) {
    const std::string text = real.dump();
    EXPECT_NO_THROW(parseScript(Bytes(text.begin(), text.end())));
}

TEST_F(PurchaseScriptLoadTest, CommandsOutsideThePurchasePolicyAreRefusedAtLoad) {
    const std::vector<json> forbidden{
        chipApdu("80", "48", "3132333435363738"),        // GENERATE TOKEN
        chipApdu("84", "E2", "00"),                      // MANAGE
        chipApdu("80", "50", "0011223344556677"),        // INITIALIZE UPDATE
        chipApdu("00", "A4", "F05441504C494E4B53414D"),  // SELECT load SAM
        chipApdu("80", "42", "5A0862123456789012 34"),   // PUT CARD DATA, not by the engine
        chipApdu("80", "46", "31323334"),                // PUT PIN, not by the onlinePin step
        {{"type", "apdu"},
         {"target", "card"},
         {"cla", "04"},
         {"ins", "DA"},
         {"p1", "9F"},
         {"p2", "79"},
         {"data", "00000000500011223344"}},  // PUT DATA of the EC balance
    };
    for (const json& added : forbidden) {
        SCOPED_TRACE(added.dump());
        EXPECT_EQ(refused(withStepBefore("seal", added)).code(), ErrorCode::ApduNotAllowed);
    }
    const json issuerScript = {{"type", "issuerScript"},
                               {"script", "sealed"},
                               {"template", "72"},
                               {"result", "scriptResult"}};
    EXPECT_EQ(refused(withStepBefore("authorized", issuerScript)).code(),
              ErrorCode::ApduNotAllowed);
}

TEST_F(PurchaseScriptLoadTest, ThePurchaseStepsBelongToThePurchaseSchemeOnly) {
    real["scheme"] = "bank-ec";
    EXPECT_EQ(refused(real).code(), ErrorCode::ApduNotAllowed);
}

TEST_F(PurchaseScriptLoadTest, TheStepsFieldsAreChecked) {
    json& relay = step("relay-card-data");
    const json good = relay;
    relay["tags"] = json::array();
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
    relay = good;
    relay["optionalTags"] = {"5A"};
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed) << "a tag twice";
    relay = good;
    relay["tags"][0] = "GG";
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
    relay = good;
    relay["target"] = "card";
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed) << "always the chip: no target";
    relay = good;
    step("online-pin")["pin"] = "1234";
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
}

// The PAN goes to the chip by relayCardData only: no variable may hold it in the clear, so
// the server request cannot carry it (the bank-ec rule lets cardholder data go to the server).
TEST_F(PurchaseScriptLoadTest, CardholderDataInAVariableIsRefusedEvenForTheServer) {
    step("read-records")["objects"].push_back({{"var", "pan"}, {"tag", "5A"}, {"as", "digits"}});
    step("authorize")["request"]["pan"] = {{"var", "pan"}, {"as", "hex"}};
    const ScriptError error = refused(real);
    EXPECT_EQ(error.code(), ErrorCode::Malformed);
    EXPECT_NE(std::string(error.what()).find("cardholder data"), std::string::npos) << error.what();
    step("authorize")["request"].erase("pan");
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed) << "held, even if never sent";
    step("read-records")["objects"].back()["tag"] = "57";
    step("read-records")["objects"].back()["as"] = "bytes";
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed) << "track 2 too";
}

TEST_F(PurchaseScriptLoadTest, ACardsAnswerStillNeedsItsTemplate) {
    step("select-application").erase("tlvTemplate");
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
}

TEST_F(PurchaseScriptLoadTest, ACardsAnswerIsNeverReadByOffset) {
    step("select-application")["extract"] = {{{"var", "raw"}, {"offset", 0}, {"as", "bytes"}}};
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
}

TEST_F(PurchaseScriptLoadTest, ATextAnswerHasItsLength) {
    json& authCode = step("authorize")["response"]["authCode"];
    authCode.erase("length");
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
    authCode["maxLength"] = 65;
    EXPECT_EQ(refused(real).code(), ErrorCode::Malformed);
}

// A run against the real card and chip with the script changed in one way.
class PurchaseRunTest : public ::testing::Test {
  protected:
    ScriptError refusedRun(const json& script) {
        return testing::scriptErrorOf([&] {
            const std::string text = script.dump();
            const Script parsed = parseScript(Bytes(text.begin(), text.end()));
            RunContext context = bed.context(bed.inputs());
            run(parsed, context);
        });
    }
    json& step(const std::string& name) {
        for (json& candidate : real["steps"]) {
            if (candidate.value("name", "") == name) {
                return candidate;
            }
        }
        throw std::runtime_error("no step " + name);
    }

    json real = json::parse(testing::readRechargeScript("bank-purchase.json"));
    testing::PurchaseBed bed{testing::bankCases().front()};
};

TEST_F(PurchaseRunTest, RelayingATagTheCardDidNotGiveIsResponseInvalid) {
    step("relay-card-data")["tags"].push_back("9F4D");
    const ScriptError error = refusedRun(real);
    EXPECT_EQ(error.code(), ErrorCode::ResponseInvalid);
    EXPECT_NE(std::string(error.what()).find("9F4D"), std::string::npos);
    EXPECT_EQ(bed.chipChannel.count(), 2U) << "SELECT and BEGIN PURCHASE only";
    EXPECT_TRUE(bed.sink.names.empty());
}

TEST_F(PurchaseRunTest, ATextAnswerOutsideItsRuleIsTheServersFault) {
    for (const json& authCode : {json("A1B2C"), json("A1B2C\u00e9"), json(123456)}) {
        SCOPED_TRACE(authCode.dump());
        testing::PurchaseBed fresh{testing::bankCases().front()};
        fresh.server.tamper = [&authCode](json& answer) { answer["authCode"] = authCode; };
        const std::string text = real.dump();
        const Script parsed = parseScript(Bytes(text.begin(), text.end()));
        RunContext context = fresh.context(fresh.inputs());
        const ScriptError error = testing::scriptErrorOf([&] { run(parsed, context); });
        EXPECT_EQ(error.code(), ErrorCode::Server);
        EXPECT_EQ(fresh.sink.names, std::vector<std::string>{"sealed"});
    }
}

TEST(SecretStringTest, MovingHandsTheCharactersOverAndClearWipes) {
    std::string typed = "271828";
    SecretString pin(std::move(typed));
    // NOLINTNEXTLINE(bugprone-use-after-move): the constructor promises to wipe the source
    EXPECT_TRUE(typed.empty()) << "the source is taken";
    SecretString moved(std::move(pin));
    EXPECT_EQ(moved.view(), "271828");
    // NOLINTNEXTLINE(bugprone-use-after-move): what a move leaves behind is part of the contract
    EXPECT_TRUE(pin.empty());
    moved.clear();
    EXPECT_TRUE(moved.empty());
}

}  // namespace
}  // namespace taplink::script
