// Chip management (scheme tsm): the daemon's policy for it, the city and bank policies that
// keep the management commands out of the recharge scripts, and the real
// scripts/recharge/chip-manage.json, signed in the test, run by the engine against
// taplink-sim's chip and a TSM in process (test_tsm.hpp) over a real SCP03 channel.
#include <gtest/gtest.h>

#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "chip_management.hpp"
#include "script/engine.hpp"
#include "script/scheme_rules.hpp"
#include "script/signed_script.hpp"
#include "script_test_support.hpp"
#include "taplink/chip/load_sam.hpp"
#include "taplink/chip/load_sam_protocol.hpp"
#include "test_tsm.hpp"

namespace taplink::script {
namespace {

namespace mgmt = chip::mgmt;
using chip::sam::Lifecycle;
using nlohmann::json;

bool allowed(const ApduPolicy& policy, std::string_view hex) {
    return policy.find(ApduShape::of(apdu::CommandApdu::parse(fromHex(hex)))) != nullptr;
}

// The management session's commands (docs/chip.md, "Chip management"; GP Amd D 7.1, 7.2).
constexpr std::array<std::pair<std::string_view, std::string_view>, 3> kManagementCommands{{
    {"INITIALIZE UPDATE",
     "8050300008"
     "0102030405060708"
     "00"},
    {"EXTERNAL AUTHENTICATE",
     "8482330010"
     "00112233445566778899AABBCCDDEEFF"},
    {"MANAGE",
     "84E2000008"
     "0011223344556677"
     "00"},
}};

TEST(TsmPolicyTest, TheChipGetsOnlyTheManagementSession) {
    const SchemeRules& tsm = rulesFor(kTsmScheme);
    EXPECT_TRUE(tsm.checkpoints.empty());
    EXPECT_TRUE(allowed(tsm.chip, "00A404000BF05441504C494E4B53414D00"));  // load SAM
    EXPECT_TRUE(allowed(tsm.chip, "00A404000BF05441504C494E4B50415900"));  // payment applet
    for (const auto& [what, hex] : kManagementCommands) {
        EXPECT_TRUE(allowed(tsm.chip, hex)) << what;
    }
    EXPECT_TRUE(allowed(tsm.chip, "8050FF0008010203040506070800"));  // any key version
}

TEST(TsmPolicyTest, EveryOtherCommandIsRefused) {
    const ApduPolicy& chip = rulesFor(kTsmScheme).chip;
    const std::vector<std::pair<std::string, std::string>> refused = {
        {"plain SET LIFECYCLE", "80320300"},
        {"plain MANAGE", "80E2000001C0"},
        {"MANAGE with P1 01", "84E2010008001122334455667700"},
        {"INITIALIZE UPDATE with P2 01", "8050300108010203040506070800"},
        {"GET CHIP INFO", "8030000000"},
        {"IMPORT LOAD AUTHORIZATION", "8034000001AA"},
        {"COMPUTE LOAD MAC2", "8036000001AA04"},
        {"SM2 SIGN", "8038000001AA00"},
        {"SELECT of the PIV AID", "00A4040009A0000003080000100000"},
        {"SELECT of the load SAM with P2 02", "00A404020BF05441504C494E4B53414D00"},
        {"SELECT of another AID", "00A4040007A000000333010100"},
        {"PIV VERIFY", "0020008008313233343536FFFF"},
        {"PIV GENERAL AUTHENTICATE", "0087119A047C02820000"},
        {"GET DATA", "80CA9F7900"},
    };
    for (const auto& [what, hex] : refused) {
        EXPECT_FALSE(allowed(chip, hex)) << what;
    }
}

TEST(TsmPolicyTest, TheCardGetsNothing) {
    const ApduPolicy& card = rulesFor(kTsmScheme).card;
    for (const std::string hex : {"00A4040009A0000000038698070100", "00B0950000", "805C000204",
                                  "80500002"
                                  "0B"
                                  "0100001388112233445566"
                                  "10"}) {
        EXPECT_FALSE(allowed(card, hex)) << hex;
    }
}

TEST(TsmPolicyTest, CityAndBankScriptsMayNotSendManagementCommandsToTheChip) {
    for (const std::string_view scheme : {kCityEpurseScheme, kBankEcScheme}) {
        const ApduPolicy& chip = rulesFor(scheme).chip;
        for (const auto& [what, hex] : kManagementCommands) {
            EXPECT_FALSE(allowed(chip, hex)) << scheme << ": " << what;
        }
        EXPECT_FALSE(allowed(chip, "00A404000BF05441504C494E4B50415900")) << scheme;
    }
}

class ChipManageScriptTest : public ::testing::Test {
  protected:
    Script load(const std::string& text) const {
        return verifySignedScript(testing::makeEnvelope(text, key.get()), trusted);
    }
    ErrorCode refusal(const json& script) const {
        return testing::scriptErrorOf([&] { load(script.dump()); }).code();
    }
    static json withStep(json script, std::size_t at, json step) {
        script["steps"].insert(script["steps"].begin() + static_cast<std::ptrdiff_t>(at),
                               std::move(step));
        return script;
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    std::vector<TrustedKey> trusted{testing::trustedKeyOf(key.get())};
    json real = json::parse(testing::readRechargeScript("chip-manage.json"));
    json city = json::parse(testing::readRechargeScript("city-epurse-load.json"));
    json bank = json::parse(testing::readRechargeScript("bank-ec-load.json"));
};

TEST_F(ChipManageScriptTest, TheRealSignedScriptLoads) {
    const Script script = load(testing::readRechargeScript("chip-manage.json"));
    EXPECT_EQ(script.id, "chip-manage");
    EXPECT_EQ(script.scheme, kTsmScheme);
    EXPECT_EQ(script.version, 1U);
    EXPECT_EQ(script.limits.maxApdus, 8U);
    EXPECT_EQ(script.limits.maxServerCalls, 3U);
}

TEST_F(ChipManageScriptTest, AManagementScriptCannotReachTheCardOrLoadCommands) {
    const json apdus[] = {
        {{"type", "apdu"},
         {"target", "card"},
         {"cla", "00"},
         {"ins", "B0"},
         {"p1", "95"},
         {"p2", "00"}},
        {{"type", "apdu"},
         {"target", "chip"},
         {"cla", "80"},
         {"ins", "32"},
         {"p1", "03"},
         {"p2", "00"}},
        {{"type", "apdu"},
         {"target", "chip"},
         {"cla", "80"},
         {"ins", "36"},
         {"p1", "00"},
         {"p2", "00"},
         {"data", "00"}},
    };
    for (const json& step : apdus) {
        EXPECT_EQ(refusal(withStep(real, 1, step)), ErrorCode::ApduNotAllowed) << step.dump();
    }
    const json checkpoint = {
        {"type", "checkpoint"}, {"name", "authorized"}, {"save", json::array()}};
    EXPECT_EQ(refusal(withStep(real, 1, checkpoint)), ErrorCode::Malformed);
}

TEST_F(ChipManageScriptTest, RechargeScriptsCannotSendManagementCommandsToTheChip) {
    const auto chipStep = [](const std::string& cla, const std::string& ins,
                             const std::string& p1) {
        return json{
            {"type", "apdu"}, {"target", "chip"},          {"cla", cla}, {"ins", ins}, {"p1", p1},
            {"p2", "00"},     {"data", "0011223344556677"}};
    };
    for (const json* script : {&city, &bank}) {
        for (const json& step :
             {chipStep("80", "50", "30"), chipStep("84", "82", "33"), chipStep("84", "E2", "00")}) {
            EXPECT_EQ(refusal(withStep(*script, 1, step)), ErrorCode::ApduNotAllowed)
                << (*script)["id"] << " " << step.dump();
        }
    }
}

// The real script run against taplink-sim's chip, with the TSM in process.
class ChipManageRunTest : public ChipManageScriptTest {
  protected:
    class Exchange final : public ServerExchange {
      public:
        explicit Exchange(taplink::testing::TestTsmJob& job) : job_(job) {}
        json call(std::string_view name, const json& request) override {
            calls.emplace_back(name);
            return job_.call(name, request);
        }
        std::vector<std::string> calls;

      private:
        taplink::testing::TestTsmJob& job_;
    };

    Variables runJob(taplink::testing::TestTsmJob& job) {
        Exchange exchange(job);
        RunContext context(bed.cardChannel, bed.chipChannel, exchange, bed.sink);
        Variables outputs = run(load(real.dump()), context);
        EXPECT_EQ(exchange.calls,
                  (std::vector<std::string>{"tsm-open", "tsm-authenticate", "tsm-result"}));
        return outputs;
    }

    Lifecycle samLifecycle() {
        chip::LoadSam sam(bed.chipLink);
        EXPECT_TRUE(sam.select());
        return sam.info().lifecycle;
    }

    // As the TSM sends it: the allowance key with an operational target.
    static mgmt::ManageRequest lifecycleRequest(Lifecycle target) {
        return taplink::testing::samLifecycleRequest(target);
    }

    Bytes chipSerial() {
        chip::LoadSam sam(bed.chipLink);
        EXPECT_TRUE(sam.select());
        return sam.info().chipSerial;
    }

    testing::LoadBed bed{"city-3des"};  // load SAM operational (activated by the test TSM)
    Bytes serial = chipSerial();
};

TEST_F(ChipManageRunTest, ALockJobLocksTheLoadSamAndTheCityLoadIsThenRefused) {
    taplink::testing::TestTsmJob lock(serial, mgmt::Applet::LoadSam,
                                      lifecycleRequest(Lifecycle::Locked));
    const Variables outputs = runJob(lock);
    EXPECT_EQ(outputs.integer("manageSw"), 0x9000U);
    EXPECT_EQ(outputs.integer("applet"), 1U);
    ASSERT_TRUE(lock.status.has_value());
    EXPECT_EQ(lock.status->lifecycle, Lifecycle::Locked);
    EXPECT_EQ(lock.status->chipSerial, serial);
    EXPECT_EQ(samLifecycle(), Lifecycle::Locked);
    EXPECT_EQ(bed.cardChannel.count(), 0U);

    const Script cityScript = load(testing::readRechargeScript("city-epurse-load.json"));
    RunContext context = bed.context(bed.inputs());
    const ScriptError error = testing::scriptErrorOf([&] { run(cityScript, context); });
    EXPECT_EQ(error.outcome(), "chip_not_operational") << error.what();

    taplink::testing::TestTsmJob unlock(serial, mgmt::Applet::LoadSam,
                                        lifecycleRequest(Lifecycle::Operational));
    runJob(unlock);
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
}

TEST_F(ChipManageRunTest, ARefusedManageGoesBackToTheTsmWithItsStatusWord) {
    // The payment applet has no keys yet: it may not become operational (6985).
    mgmt::ManageRequest toOperational;
    toOperational.lifecycle = Lifecycle::Operational;
    taplink::testing::TestTsmJob activate(serial, mgmt::Applet::Payment, toOperational);
    const Variables outputs = runJob(activate);
    EXPECT_EQ(outputs.integer("manageSw"), 0x6985U);
    EXPECT_EQ(outputs.integer("applet"), 2U);
    EXPECT_EQ(activate.statusWord, std::optional<std::uint16_t>(0x6985));
    EXPECT_FALSE(activate.status.has_value());
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
}

TEST_F(ChipManageRunTest, AManageTheChipDoesNotAuthenticateIsRefusedAtTheChip) {
    taplink::testing::TestTsmJob lock(serial, mgmt::Applet::LoadSam,
                                      lifecycleRequest(Lifecycle::Locked));
    class Tampering final : public ServerExchange {
      public:
        explicit Tampering(taplink::testing::TestTsmJob& job) : job_(job) {}
        json call(std::string_view name, const json& request) override {
            json answer = job_.call(name, request);
            if (name == "tsm-authenticate") {
                std::string manage = answer["dataScript"]["items"]["manage"];
                manage.back() = manage.back() == '0' ? '1' : '0';  // the C-MAC's last digit
                answer["dataScript"]["items"]["manage"] = manage;
            }
            return answer;
        }

      private:
        taplink::testing::TestTsmJob& job_;
    } exchange(lock);
    RunContext context(bed.cardChannel, bed.chipChannel, exchange, bed.sink);
    try {
        EXPECT_NE(run(load(real.dump()), context).integer("manageSw"), 0x9000U);
    } catch (const ScriptError& error) {
        EXPECT_EQ(error.code(), ErrorCode::StatusWord) << error.what();
    }
    EXPECT_FALSE(lock.status.has_value());
    EXPECT_EQ(samLifecycle(), Lifecycle::Operational);
}

}  // namespace
}  // namespace taplink::script
