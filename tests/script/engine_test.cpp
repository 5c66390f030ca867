// The engine on small scripts written for the test, against the simulated city card and
// chip in process: loops and their caps, the step, APDU, server-call and time limits (with
// an injected clock), cancellation, conditions, values that do not fit, answers that are too
// short, and the APDU policy and data templates on their own.
#include <gtest/gtest.h>

#include <chrono>

#include "script/apdu_policy.hpp"
#include "script/byte_template.hpp"
#include "script/engine.hpp"
#include "script/signed_script.hpp"
#include "script_test_support.hpp"
#include "taplink/cards/epurse/epurse_protocol.hpp"
#include "taplink/chip/load_sam_protocol.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::LoadBed;
using testing::scriptErrorOf;

json selectPurse() {
    return {{"type", "apdu"},
            {"target", "card"},
            {"cla", "00"},
            {"ins", "A4"},
            {"p1", "04"},
            {"p2", "00"},
            {"data", "A00000000386980701"},
            {"le", 256}};
}

json getBalance() {
    return {{"type", "apdu"},
            {"target", "card"},
            {"cla", "80"},
            {"ins", "5C"},
            {"p1", "00"},
            {"p2", "02"},
            {"le", 4},
            {"responseLength", 4},
            {"extract", {{{"var", "balance"}, {"offset", 0}, {"length", 4}, {"as", "uint"}}}}};
}

// An echoing server: answers every call with {"echo": request, "value": 7}.
class EchoServer : public ServerExchange {
  public:
    json call(std::string_view name, const json& request) override {
        calls.emplace_back(name);
        requests.push_back(request);
        return {{"echo", request}, {"value", 7}};
    }
    std::vector<std::string> calls;
    std::vector<json> requests;
};

class EngineTest : public ::testing::Test {
  protected:
    static json script(json steps, json outputs = json::array(), json inputs = json::array()) {
        return {{"format", "taplink-script/1"},
                {"kind", "command"},
                {"id", "engine-test"},
                {"scheme", "city-epurse"},
                {"version", 1},
                {"validFrom", "2026-01-01T00:00:00Z"},
                {"validUntil", "2030-12-31T23:59:59Z"},
                {"inputs", std::move(inputs)},
                {"outputs", std::move(outputs)},
                {"steps", std::move(steps)}};
    }

    Script load(const json& text) {
        return verifySignedScript(testing::makeEnvelope(text.dump(), key.get()), trusted, limits);
    }

    Variables runScript(const json& text, Variables inputs = {}) {
        const Script loaded = load(text);
        RunContext context(bed.cardChannel, bed.chipChannel, server, bed.sink);
        context.inputs = std::move(inputs);
        context.cancelled = cancelled;
        context.clock = clock;
        return run(loaded, context);
    }

    ScriptError failure(const json& text, Variables inputs = {}) {
        return scriptErrorOf([&] { runScript(text, std::move(inputs)); });
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    std::vector<TrustedKey> trusted{testing::trustedKeyOf(key.get())};
    Limits limits;
    LoadBed bed{"city-3des"};
    EchoServer server;
    std::function<bool()> cancelled;
    Clock clock;
};

TEST_F(EngineTest, ARepeatWithoutUntilRunsItsMaxAndCountsIterations) {
    const json text =
        script({selectPurse(),
                {{"type", "repeat"}, {"max", 3}, {"counter", "i"}, {"steps", {getBalance()}}}},
               {"i", "balance"});
    const Variables outputs = runScript(text);
    EXPECT_EQ(outputs.integer("i"), 3U);
    EXPECT_EQ(outputs.integer("balance"), LoadBed::kInitialBalance);
    EXPECT_EQ(bed.cardChannel.count(), 4U);
}

TEST_F(EngineTest, ARepeatStopsWhenItsUntilHolds) {
    // Reads the transaction log until the card says there are no more records (6A83): a
    // fresh card has none, so one READ RECORD.
    const json readRecord = {{"type", "apdu"},
                             {"target", "card"},
                             {"cla", "00"},
                             {"ins", "B2"},
                             {"p1", "{i:u8}"},
                             {"p2", "C4"},
                             {"le", 23},
                             {"saveSw", "sw"},
                             {"onStatus", {{"6A83", "continue"}}},
                             {"extract", {{{"var", "record"}, {"offset", 0}, {"as", "bytes"}}}}};
    const json text = script({selectPurse(),
                              {{"type", "repeat"},
                               {"max", 10},
                               {"counter", "i"},
                               {"until", {{"var", "sw"}, {"eq", "6A83"}}},
                               {"steps", {readRecord}}}},
                             {"i", "sw"});
    const Variables outputs = runScript(text);
    EXPECT_EQ(outputs.integer("i"), 1U);
    EXPECT_EQ(outputs.integer("sw"), 0x6A83U);
    EXPECT_EQ(bed.cardChannel.commands().back().p1, 1U);
}

TEST_F(EngineTest, AnUntilThatNeverHoldsStopsAtTheDeclaredMax) {
    const json text = script({selectPurse(),
                              {{"type", "repeat"},
                               {"name", "wait-for-money"},
                               {"max", 3},
                               {"until", {{"var", "balance"}, {"ge", 1000000}}},
                               {"steps", {getBalance()}}}});
    const ScriptError error = failure(text);
    EXPECT_EQ(error.code(), ErrorCode::LimitExceeded);
    EXPECT_NE(error.step().find("wait-for-money"), std::string::npos);
    EXPECT_EQ(bed.cardChannel.count(), 4U);
}

TEST_F(EngineTest, TheStepLimitStopsTheRunBeforeTheStepOverIt) {
    json text = script({selectPurse(), getBalance(), getBalance(), getBalance(), getBalance()});
    text["limits"] = {{"maxSteps", 3}};
    const ScriptError error = failure(text);
    EXPECT_EQ(error.code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(error.step(), "steps[3]");
    EXPECT_EQ(bed.cardChannel.count(), 3U);
}

TEST_F(EngineTest, TheApduLimitCountsApdusInLoopsToo) {
    limits.maxApdus = 3;
    const json text =
        script({selectPurse(), {{"type", "repeat"}, {"max", 5}, {"steps", {getBalance()}}}});
    EXPECT_EQ(failure(text).code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(bed.cardChannel.count(), 3U);
}

TEST_F(EngineTest, TheServerCallLimitHolds) {
    const json call = {{"type", "server"},
                       {"call", "ping"},
                       {"request", json::object()},
                       {"response", json::object()}};
    json text = script({call, call});
    text["limits"] = {{"maxServerCalls", 1}};
    EXPECT_EQ(failure(text).code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(server.calls.size(), 1U);
}

TEST_F(EngineTest, TheRunTimeLimitUsesTheInjectedClock) {
    // Every reading of the clock is 10 s later than the one before.
    auto ticks = std::make_shared<int>(0);
    const auto start = std::chrono::steady_clock::time_point{};
    clock = [ticks, start] { return start + std::chrono::seconds(10 * (*ticks)++); };
    json text = script({selectPurse(), getBalance(), getBalance(), getBalance(), getBalance()});
    text["limits"] = {{"maxSeconds", 25}};
    const ScriptError error = failure(text);
    EXPECT_EQ(error.code(), ErrorCode::LimitExceeded);
    EXPECT_EQ(error.step(), "steps[2]");  // at 30 s
    EXPECT_EQ(bed.cardChannel.count(), 2U);
}

TEST_F(EngineTest, CancelIsPolledBetweenSteps) {
    cancelled = [this] { return bed.cardChannel.count() >= 2; };
    const ScriptError error = failure(script({selectPurse(), getBalance(), getBalance()}));
    EXPECT_EQ(error.code(), ErrorCode::Cancelled);
    EXPECT_EQ(error.step(), "steps[2]");
    EXPECT_EQ(bed.cardChannel.count(), 2U);
}

TEST_F(EngineTest, ConditionsSkipSteps) {
    const auto setTo = [](const char* var, json value) {
        return json{{"type", "set"}, {"var", var}, {"value", std::move(value)}};
    };
    const auto markIf = [](const char* var, json when) {
        return json{{"type", "set"}, {"var", var}, {"value", 1}, {"when", std::move(when)}};
    };
    const json text = script(
        {setTo("flag", 2), setTo("tag", "CAFE"), markIf("eqHit", {{"var", "flag"}, {"eq", 2}}),
         markIf("neHit", {{"var", "flag"}, {"ne", 2}}),
         markIf("allHit",
                {{"all", {{{"var", "flag"}, {"gt", 1}}, {{"var", "tag"}, {"eq", "cafe"}}}}}),
         markIf("anyHit",
                {{"any", {{{"var", "flag"}, {"lt", 1}}, {{"var", "tag"}, {"ne", "CAFE"}}}}}),
         markIf("notHit", {{"not", {{"defined", "neHit"}}}}),
         markIf("leHit", {{"var", "flag"}, {"le", "02"}})},
        json::array());
    // What was set is read back through a server call's request, which may use variables
    // that are only possibly set (outputs may not: they must be set on every path).
    json notAnOutput = text;
    notAnOutput["outputs"].push_back("neHit");
    EXPECT_EQ(failure(notAnOutput).code(), ErrorCode::Malformed);

    json probe = text;
    json request = json::object();
    for (const char* hit : {"eqHit", "allHit", "notHit", "leHit"}) {
        request[hit] = {{"var", hit}, {"as", "number"}};
    }
    probe["steps"].push_back({{"type", "server"},
                              {"call", "probe"},
                              {"request", request},
                              {"response", json::object()}});
    runScript(probe);
    ASSERT_EQ(server.requests.size(), 1U);
    EXPECT_EQ(server.requests[0], (json{{"eqHit", 1}, {"allHit", 1}, {"notHit", 1}, {"leHit", 1}}));

    json missHit = text;
    missHit["steps"].push_back({{"type", "server"},
                                {"call", "probe"},
                                {"request", {{"neHit", {{"var", "neHit"}, {"as", "number"}}}}},
                                {"response", json::object()}});
    EXPECT_EQ(failure(missHit).code(), ErrorCode::ValueInvalid) << "neHit was never set";
}

TEST_F(EngineTest, ServerRequestsAndResponsesMapToVariables) {
    const json inputs = json::array({{{"name", "orderId"}, {"type", "bytes"}, {"maxLength", 64}},
                                     {{"name", "serial"}, {"type", "bytes"}}});
    const json call = {
        {"type", "server"},
        {"call", "lookup"},
        {"request",
         {{"order", {{"var", "orderId"}, {"as", "text"}}},
          {"serial", {{"var", "serial"}, {"as", "hex"}}}}},
        {"response", {{"value", {{"var", "value"}, {"as", "number"}, {"max", 10}}}}}};
    Variables variables;
    const std::string orderId = "ORD-42";
    variables.setBytes("orderId", Bytes(orderId.begin(), orderId.end()));
    variables.setBytes("serial", fromHex("00ab"));
    const Variables outputs = runScript(script({call}, {"value"}, inputs), variables);
    EXPECT_EQ(outputs.integer("value"), 7U);
    EXPECT_EQ(server.requests.at(0), (json{{"order", "ORD-42"}, {"serial", "00AB"}}));

    variables.setBytes("orderId", fromHex("4F0A"));  // not printable
    EXPECT_EQ(failure(script({call}, {"value"}, inputs), variables).code(),
              ErrorCode::ValueInvalid);

    json tooLarge = call;
    tooLarge["response"]["value"]["max"] = 6;
    variables.setBytes("orderId", Bytes(orderId.begin(), orderId.end()));
    EXPECT_EQ(failure(script({tooLarge}, {"value"}, inputs), variables).code(), ErrorCode::Server);
}

TEST_F(EngineTest, AValueThatDoesNotFitItsEncodingIsRefusedBeforeSending) {
    const json inputs = json::array({{{"name", "p"}, {"type", "uint"}, {"bits", 16}}});
    json balanceWithP1 = getBalance();
    balanceWithP1["p1"] = "{p:u8}";
    Variables variables;
    variables.setInteger("p", 300);
    const ScriptError error = failure(script({balanceWithP1}, json::array(), inputs), variables);
    EXPECT_EQ(error.code(), ErrorCode::ValueInvalid);
    EXPECT_EQ(bed.cardChannel.count(), 0U);

    const json overflow =
        script({{{"type", "set"}, {"var", "x"}, {"value", 18446744073709551615ULL}},
                {{"type", "set"}, {"var", "y"}, {"add", {"x", 1}}}});
    EXPECT_EQ(failure(overflow).code(), ErrorCode::ValueInvalid);
}

TEST_F(EngineTest, AnAnswerTooShortForTheStepIsRefused) {
    json wrongLength = getBalance();
    wrongLength["responseLength"] = 5;
    wrongLength["extract"] = json::array();
    EXPECT_EQ(failure(script({selectPurse(), wrongLength})).code(), ErrorCode::ResponseInvalid);

    json beyond = getBalance();
    beyond.erase("responseLength");
    beyond["extract"] = {{{"var", "far"}, {"offset", 2}, {"length", 4}, {"as", "bytes"}}};
    EXPECT_EQ(failure(script({selectPurse(), beyond})).code(), ErrorCode::ResponseInvalid);
}

TEST_F(EngineTest, AChannelExceptionPropagatesUnchanged) {
    bed.cardChannel.failAt = 2;
    EXPECT_THROW(runScript(script({selectPurse(), getBalance()})), testing::CardPulled);
}

TEST(ApduPolicyTest, TheCardMayOnlyReadAndLoad) {
    const ApduPolicy& card = ApduPolicy::card();
    const auto allowed = [&card](const char* hex) {
        return card.find(ApduShape::of(apdu::CommandApdu::parse(fromHex(hex)))) != nullptr;
    };
    EXPECT_TRUE(allowed("00A4040009A0000000038698070100"));
    EXPECT_TRUE(allowed("00B095001E"));
    EXPECT_TRUE(allowed("00B201C417"));
    EXPECT_TRUE(allowed("805C000204"));
    EXPECT_TRUE(
        allowed("805000020B0100001388112233445566"
                "10"));
    EXPECT_TRUE(
        allowed("805200000B2026112119500011223344"
                "04"));
    EXPECT_TRUE(
        allowed("805A00020200010"
                "8"));
    EXPECT_FALSE(
        allowed("805001020B0100001388112233445566"
                "0F"))
        << "purchase";
    EXPECT_FALSE(
        allowed("805401000F"
                "000000012026112119500011223344"
                "08"));
    EXPECT_FALSE(allowed("0020000003123456"));
    EXPECT_FALSE(allowed("84B095001E")) << "another class";
    const ApduRule* credit = card.find(ApduShape::of(
        cards::epurse::creditForLoad(fromHex("20261121"), fromHex("195000"), fromHex("11223344"))));
    ASSERT_NE(credit, nullptr);
    EXPECT_TRUE(credit->movesMoney);
    const ApduRule* balance = card.find(ApduShape::of(cards::epurse::getBalance()));
    ASSERT_NE(balance, nullptr);
    EXPECT_FALSE(balance->movesMoney);
}

TEST(ApduPolicyTest, TheChipMayOnlyDoTheLoadSam) {
    const ApduPolicy& chip = ApduPolicy::chip();
    const auto allowed = [&chip](const apdu::CommandApdu& command) {
        return chip.find(ApduShape::of(command)) != nullptr;
    };
    EXPECT_TRUE(allowed(chip::sam::selectApplication()));
    EXPECT_TRUE(allowed(chip::sam::getChipInfo()));
    EXPECT_TRUE(allowed(chip::sam::importLoadAuthorization(Bytes(147, 0x04), Bytes(70, 0x30))));
    EXPECT_FALSE(allowed(chip::sam::setLifecycle(chip::sam::Lifecycle::Locked)));
    EXPECT_FALSE(allowed(chip::sam::sm2Sign(fromHex("00"))));
    EXPECT_FALSE(allowed(apdu::CommandApdu::parse(fromHex("00A4040009A00000030800001000"))));
    EXPECT_FALSE(allowed(apdu::CommandApdu::parse(fromHex("0020008008313233343536FFFF"))));
    EXPECT_FALSE(allowed(apdu::CommandApdu::parse(fromHex("0087119A047C02820000"))));
    // The SAM's AID with another P2, or a longer AID: not the load SAM's SELECT.
    auto select = chip::sam::selectApplication();
    select.p2 = 0x02;
    EXPECT_FALSE(allowed(select));
    select = chip::sam::selectApplication();
    select.data.push_back(0x00);
    EXPECT_FALSE(allowed(select));
}

TEST(ByteTemplateTest, LiteralsAndEncodedVariables) {
    const ByteTemplate parsed = parseByteTemplate("01 {amount:u32} {terminalId:hex} 80 {small:u8}");
    ASSERT_EQ(parsed.parts.size(), 5U);
    EXPECT_FALSE(parsed.literal().has_value());
    Variables variables;
    variables.setInteger("amount", 5000);
    variables.setBytes("terminalId", fromHex("112233445566"));
    variables.setInteger("small", 255);
    EXPECT_EQ(renderByteTemplate(parsed, variables, "t"),
              fromHex("01 00001388 112233445566 80 FF"));
    variables.setInteger("small", 256);
    EXPECT_EQ(scriptErrorOf([&] { renderByteTemplate(parsed, variables, "t"); }).code(),
              ErrorCode::ValueInvalid);
    EXPECT_EQ(parseByteTemplate(" a0 00 ").literal(), fromHex("A000"));
    EXPECT_EQ(parseByteTemplate("").literal(), Bytes{});
    for (const char* bad : {"0", "0G", "{x}", "{:u8}", "{x:u9}", "{x:u8", "01}"}) {
        EXPECT_THROW(parseByteTemplate(bad), std::invalid_argument) << bad;
    }
}

}  // namespace
}  // namespace taplink::script
