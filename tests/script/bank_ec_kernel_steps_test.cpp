// The bank EC-load script's kernel steps and refusals (review findings 6, 7, 8, 11, 12, 13,
// 14), run against taplink-sim's bank card. Where the simulated card cannot answer what a
// real card may (format 1, a longer AFL, a different ATC), a channel between the engine and
// the card rewrites the real card's answers, keeping its cryptograms.
#include <gtest/gtest.h>

#include <functional>

#include "bank_test_support.hpp"
#include "script/engine.hpp"
#include "script/signed_script.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/emv/emv_tlv.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::BankBed;
using testing::scriptErrorOf;

constexpr std::uint8_t kInsGpo = 0xA8;
constexpr std::uint8_t kInsGenerateAc = 0xAE;
constexpr std::uint8_t kInsReadRecord = 0xB2;
constexpr std::uint8_t kResponseFormat1 = 0x80;  // EMV Book 3 6.5.5.4, 6.5.8.4
constexpr std::uint8_t kExtraSfi = 3;            // records the card does not have
constexpr std::uint8_t kExtraRecords = 6;        // with its own 2: the script's 8
// Card APDUs before the issuer script: PPSE, application, GPO, 2 records, 2 GET DATA and
// both GENERATE AC.
constexpr std::size_t kApdusBeforeScript = 9;
constexpr std::size_t kApdusBeforeRestrictions = 5;

// Between the engine and the card: rewrite sees each command with the card's answer and
// may change it; answer, when it returns a value, answers instead of the card.
class RewritingChannel : public apdu::ApduChannel {
  public:
    explicit RewritingChannel(apdu::ApduChannel& inner) : inner_(inner) {}

    apdu::ResponseApdu transmit(const apdu::CommandApdu& command) override {
        commands.push_back(command);
        if (answer) {
            if (auto own = answer(command)) {
                return *own;
            }
        }
        apdu::ResponseApdu response = inner_.transmit(command);
        if (rewrite && response.sw == apdu::sw::kOk) {
            rewrite(command, response);
        }
        return response;
    }

    std::function<std::optional<apdu::ResponseApdu>(const apdu::CommandApdu&)> answer;
    std::function<void(const apdu::CommandApdu&, apdu::ResponseApdu&)> rewrite;
    std::vector<apdu::CommandApdu> commands;

  private:
    apdu::ApduChannel& inner_;
};

Bytes format1(const std::vector<Bytes>& fields) {
    ByteWriter value;
    for (const Bytes& field : fields) {
        value.bytes(field);
    }
    return tlv::Tlv::primitive(kResponseFormat1, value.take()).encode();
}

// Format 2 (77) to format 1 (80), Book 3 6.5.8.4 and 6.5.5.4: the same data, in order.
void toFormat1(const apdu::CommandApdu& command, apdu::ResponseApdu& response) {
    if (command.ins == kInsGpo) {
        const auto gpo = emv::EmvTemplate::parse(response.data, 0x77, "GPO");
        response.data = format1({gpo.required(0x82), gpo.required(0x94)});
    } else if (command.ins == kInsGenerateAc) {
        const auto ac = emv::EmvTemplate::parse(response.data, 0x77, "GENERATE AC");
        response.data = format1(
            {ac.required(0x9F27), ac.required(0x9F36), ac.required(0x9F26), ac.required(0x9F10)});
    }
}

Script signedScript(const json& script, EVP_PKEY* key) {
    return verifySignedScript(testing::makeEnvelope(script.dump(), key),
                              {testing::trustedKeyOf(key)});
}

class BankKernelStepsTest : public ::testing::Test {
  protected:
    Variables runWith(apdu::ApduChannel& card, const json& script, Variables inputs) {
        RunContext context{card, bed.chipChannel, bed.server, bed.sink};
        context.inputs = std::move(inputs);
        return run(signedScript(script, key.get()), context);
    }
    Variables runWith(apdu::ApduChannel& card) { return runWith(card, real, bed.inputs()); }
    Variables runLoad() { return runWith(bed.cardChannel); }

    std::size_t generateAcsSent() const {
        std::size_t count = 0;
        for (const apdu::CommandApdu& command : bed.cardChannel.commands()) {
            count += command.ins == kInsGenerateAc ? 1U : 0U;
        }
        return count;
    }

    crypto::PkeyPtr key = testing::makeSigningKey();
    json real = json::parse(testing::readRechargeScript("bank-ec-load.json"));
    BankBed bed{testing::bankCases().front()};
};

// Finding 11: the server's decline (200, ARC 51, its ARPC, nothing else).
TEST_F(BankKernelStepsTest, AnIssuerDeclineGetsAnAacAndEndsDeclinedWithNoMoneyCheckpoint) {
    bed.server.decline = true;
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::NotAccepted) << error.what();
    EXPECT_EQ(error.outcome(), "declined");
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"arqc"});
    ASSERT_EQ(generateAcsSent(), 2U) << "the card is not left waiting with its ARQC";
    const apdu::CommandApdu& second = bed.cardChannel.commands().back();
    EXPECT_EQ(second.ins, kInsGenerateAc);
    EXPECT_EQ(second.p1, 0x00) << "an AAC asked for";
    // CDOL2 data: 91 (ARPC || ARC) then 8A (docs/cards.md, the card's CDOL2).
    ASSERT_GE(second.data.size(), 12U);
    EXPECT_EQ(Bytes(second.data.begin() + 8, second.data.begin() + 12), fromHex("35313531"))
        << "91's ARC, then 8A: 51 both";
    EXPECT_EQ(bed.cardChannel.count(), kApdusBeforeScript);
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

TEST_F(BankKernelStepsTest, AnApprovalWithoutItsNonceIsTheServersFault) {
    bed.server.tamper = [](json& response) { response.erase("nonce"); };
    EXPECT_EQ(scriptErrorOf([this] { runLoad(); }).code(), ErrorCode::Server);
    EXPECT_EQ(generateAcsSent(), 1U);
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"arqc"});
}

// Finding 12.
TEST_F(BankKernelStepsTest, AnExpiredCardIsRefusedBeforeAnyGenerateAc) {
    BankBed expired{testing::bankCases().front(), "261130"};  // the day before txDate
    RunContext context = expired.context(expired.inputs());
    const ScriptError error = scriptErrorOf([&] { run(signedScript(real, key.get()), context); });
    EXPECT_EQ(error.code(), ErrorCode::NotAccepted) << error.what();
    EXPECT_EQ(error.outcome(), "card_expired_or_not_yet_valid");
    EXPECT_EQ(expired.cardChannel.count(), kApdusBeforeRestrictions);
    EXPECT_TRUE(expired.server.calls.empty());
}

TEST_F(BankKernelStepsTest, ACardNotYetEffectiveIsRefusedBeforeAnyGenerateAc) {
    Variables inputs = bed.inputs();
    inputs.setBytes("txDate", fromHex("251231"));  // the card is effective from 260101
    const ScriptError error =
        scriptErrorOf([&] { runWith(bed.cardChannel, real, std::move(inputs)); });
    EXPECT_EQ(error.outcome(), "card_expired_or_not_yet_valid") << error.what();
    EXPECT_EQ(generateAcsSent(), 0U);
}

// Finding 13: both answer formats, the kernel's checks.
TEST_F(BankKernelStepsTest, ACardAnsweringInFormat1LoadsLikeFormat2) {
    RewritingChannel card(bed.cardChannel);
    card.rewrite = toFormat1;
    const Variables outputs = runWith(card);
    EXPECT_TRUE(bed.server.arqcVerified);
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x40});
    EXPECT_EQ(outputs.integer("balanceAfter"), BankBed::kInitialBalance + BankBed::kAmount);
    EXPECT_EQ(bed.server.requests.at(0).at("aip"), "1C00");
}

TEST_F(BankKernelStepsTest, ASecondAnswerWithAnotherAtcIsRefused) {
    RewritingChannel card(bed.cardChannel);
    card.rewrite = [](const apdu::CommandApdu& command, apdu::ResponseApdu& response) {
        if (command.ins == kInsGenerateAc && command.p1 == 0x40) {
            toFormat1(command, response);
            response.data.at(4) ^= 0x01U;  // 80 L CID ATC(2): the ATC's low byte
        }
    };
    const ScriptError error = scriptErrorOf([&] { runWith(card); });
    EXPECT_EQ(error.code(), ErrorCode::ResponseInvalid) << error.what();
    EXPECT_EQ(bed.sink.names, (std::vector<std::string>{"arqc", "authorized"}));
}

TEST_F(BankKernelStepsTest, AnUpgradedCryptogramIsRefused) {
    RewritingChannel card(bed.cardChannel);
    card.rewrite = [](const apdu::CommandApdu& command, apdu::ResponseApdu& response) {
        if (command.ins == kInsGenerateAc && command.p1 == 0x80) {
            toFormat1(command, response);
            response.data.at(2) = 0x40;  // a TC for an ARQC (Book 3 9.3)
        }
    };
    EXPECT_EQ(scriptErrorOf([&] { runWith(card); }).code(), ErrorCode::ResponseInvalid);
    EXPECT_TRUE(bed.sink.names.empty());
}

// Finding 6: the most records the script reads, and the issuer script's budget.
TEST_F(BankKernelStepsTest, AnEightRecordAflRunCompletes) {
    RewritingChannel card(bed.cardChannel);
    card.rewrite = [](const apdu::CommandApdu& command, apdu::ResponseApdu& response) {
        if (command.ins != kInsGpo) {
            return;
        }
        const auto gpo = emv::EmvTemplate::parse(response.data, 0x77, "GPO");
        Bytes afl = gpo.required(0x94);  // Book 3 10.2: SFI << 3, first, last, ODA
        ByteWriter more;
        more.bytes(afl).u8(kExtraSfi << 3U).u8(1).u8(kExtraRecords).u8(0);
        response.data =
            tlv::Tlv::constructedOf(0x77, {tlv::Tlv::primitive(0x82, gpo.required(0x82)),
                                           tlv::Tlv::primitive(0x94, more.take())})
                .encode();
    };
    card.answer = [](const apdu::CommandApdu& command) -> std::optional<apdu::ResponseApdu> {
        if (command.ins == kInsReadRecord && (command.p2 >> 3U) == kExtraSfi) {
            // Template 70 holding DF<record>, empty: a data object no record repeats.
            return apdu::ResponseApdu{Bytes{0x70, 0x03, 0xDF, command.p1, 0x00}, apdu::sw::kOk};
        }
        return std::nullopt;
    };
    const Variables outputs = runWith(card);
    EXPECT_EQ(outputs.integer("balanceAfter"), BankBed::kInitialBalance + BankBed::kAmount);
    EXPECT_EQ(card.commands.size(), 17U) << "the worst case without warnings";
}

TEST_F(BankKernelStepsTest, AnIssuerScriptThatDoesNotFitTheApduLimitIsRefusedBeforeItsFirst) {
    json tight = real;
    tight["limits"]["maxApdus"] = kApdusBeforeScript + 1;
    const std::string putData = "860F04DA9F790A" + std::string(20, '0');
    bed.server.tamper = [&putData](json& response) {
        response["issuerScript"] = "7229" + std::string("9F180400000001") + putData + putData;
    };
    const ScriptError error = scriptErrorOf([&] { runWith(bed.cardChannel, tight, bed.inputs()); });
    EXPECT_EQ(error.code(), ErrorCode::LimitExceeded) << error.what();
    EXPECT_EQ(bed.cardChannel.count(), kApdusBeforeScript) << "no command of it sent";
    EXPECT_EQ(bed.sink.names.back(), "script_sending");
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

// Finding 7.
TEST_F(BankKernelStepsTest, AnIssuerScriptWritingTheEcLimitIsRefusedBeforeAnyCommand) {
    bed.server.tamper = [](json& response) {
        response["issuerScript"] =
            "7218"
            "9F180400000001"
            "860F04DA9F770A" +
            std::string(20, '0');
    };
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::ApduNotAllowed) << error.what();
    EXPECT_EQ(bed.cardChannel.count(), kApdusBeforeScript);
    EXPECT_EQ(bed.cardBalance(), BankBed::kInitialBalance);
}

// Finding 14: Book 1 12.4, a blocked application answers SELECT 6283.
TEST_F(BankKernelStepsTest, ABlockedApplicationIsNamed) {
    bed.cardChannel.answerAt = std::make_pair(std::size_t{2}, std::uint16_t{0x6283});
    const ScriptError error = scriptErrorOf([this] { runLoad(); });
    EXPECT_EQ(error.code(), ErrorCode::StatusWord);
    EXPECT_EQ(error.outcome(), "application_blocked");
}

}  // namespace
}  // namespace taplink::script
