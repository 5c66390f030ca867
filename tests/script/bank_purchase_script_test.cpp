// The real scripts/recharge/bank-purchase.json, signed in the test, run by the engine against
// taplink-sim's bank cards and the secure chip's payment applet (personalised through the
// TSM's channel) in process, with a server stand-in that opens the seal and verifies the ARQC
// (purchase_test_support.hpp). Covers the approved purchase (TC, the sealed card objects, the
// CDOL1 data the card signed), online PIN above the CVM limit and none up to it, no PIN
// entry, the issuer's decline, the chip's refusals as outcomes, the PIN never leaving the
// chip's command, and the card or chip gone at every APDU.
#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "purchase_test_support.hpp"
#include "script/engine.hpp"
#include "script/signed_script.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::script {
namespace {

using nlohmann::json;
using testing::BankCase;
using testing::PurchaseBed;
using testing::scriptErrorOf;

constexpr std::uint8_t kInsGenerateAc = 0xAE;
constexpr std::uint8_t kInsPutCardData = 0x42;
constexpr std::uint8_t kInsSeal = 0x44;
constexpr std::uint8_t kInsPutPin = 0x46;
constexpr std::uint8_t kP1Arqc = 0x80;
constexpr std::uint8_t kP1Aac = 0x00;
// The chip's APDUs of a purchase without PIN: SELECT, BEGIN PURCHASE, PUT CARD DATA, SEAL.
constexpr std::size_t kBeginIndex = 2;
constexpr std::size_t kSealIndex = 4;

Script signedPurchaseScript(EVP_PKEY* key) {
    return verifySignedScript(
        testing::makeEnvelope(testing::readRechargeScript("bank-purchase.json"), key),
        {testing::trustedKeyOf(key)});
}

std::vector<apdu::CommandApdu> withIns(const testing::CountingChannel& channel, std::uint8_t ins) {
    std::vector<apdu::CommandApdu> found;
    std::copy_if(channel.commands().begin(), channel.commands().end(), std::back_inserter(found),
                 [ins](const apdu::CommandApdu& c) { return c.ins == ins; });
    return found;
}

std::vector<std::uint32_t> tagsOf(const std::vector<tlv::Tlv>& objects) {
    std::vector<std::uint32_t> tags;
    tags.reserve(objects.size());
    for (const tlv::Tlv& object : objects) {
        tags.push_back(object.tag);
    }
    return tags;
}

Bytes bytesOf(std::string_view text) {
    return {text.begin(), text.end()};
}

bool contains(ByteView haystack, ByteView needle) {
    return std::search(haystack.begin(), haystack.end(), needle.begin(), needle.end()) !=
           haystack.end();
}

bool anyHolds(const Variables& variables, ByteView needle) {
    return std::any_of(variables.begin(), variables.end(), [needle](const auto& entry) {
        return isBytes(entry.second) && contains(std::get<Bytes>(entry.second), needle);
    });
}

class BankPurchaseScriptTest : public ::testing::TestWithParam<BankCase> {
  protected:
    Variables runPurchase(std::uint32_t amount = PurchaseBed::kAmount) {
        RunContext context = bed.context(bed.inputs(amount));
        return run(script, context);
    }
    ScriptError refusedPurchase(PurchaseBed& refusingBed, std::uint32_t amount) {
        return scriptErrorOf([&] {
            RunContext context = refusingBed.context(refusingBed.inputs(amount));
            run(script, context);
        });
    }

    crypto::PkeyPtr signingKey = testing::makeSigningKey();
    Script script = signedPurchaseScript(signingKey.get());
    PurchaseBed bed{GetParam()};
};

TEST_P(BankPurchaseScriptTest, ApprovedPurchaseEndsWithATcAfterTheThreeCheckpoints) {
    const Variables outputs = runPurchase();

    EXPECT_TRUE(bed.server.arqcVerified);
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x40}) << "TC";
    EXPECT_EQ(outputs.bytes("ac2").size(), 8U);
    EXPECT_EQ(outputs.bytes("arqc").size(), 8U);
    EXPECT_EQ(outputs.bytes("atc"), fromHex("0001"));
    EXPECT_EQ(outputs.bytes("authCode"), (Bytes{'A', '1', 'B', '2', 'C', '3'}));
    EXPECT_EQ(outputs.bytes("nonce").size(), 16U);
    EXPECT_EQ(outputs.bytes("purchaseNumber"), fromHex("00000001")) << "the applet's first";
    const std::string pan = bed.pan();
    const std::string masked =
        pan.substr(0, 6) + std::string(pan.size() - 10, '*') + pan.substr(pan.size() - 4);
    EXPECT_EQ(outputs.bytes("panMasked"), Bytes(masked.begin(), masked.end()));
    EXPECT_EQ(outputs.size(), 10U) << "exactly the declared outputs";
    EXPECT_EQ(bed.sink.names, (std::vector<std::string>{"sealed", "authorized", "completed"}));
    EXPECT_EQ(bed.stages, (std::vector<std::string>{"authorizing", "completing"}));
    EXPECT_EQ(bed.pinEntries, 0) << "50 yuan is under the CVM limit";
    EXPECT_TRUE(withIns(bed.chipChannel, kInsPutPin).empty());
    EXPECT_EQ(bed.chipChannel.count(), kSealIndex);
}

TEST_P(BankPurchaseScriptTest, TheSealHoldsExactlyTheRelayedObjectsAndTheOrder) {
    runPurchase();
    ASSERT_TRUE(bed.server.opened.has_value());
    const chip::pay::SealedPurchase& sealed = *bed.server.opened;
    EXPECT_EQ(tagsOf(sealed.cardData),
              (std::vector<std::uint32_t>{0x5A, 0x5F24, 0x5F34, 0x82, 0x8C, 0x9F36, 0x9F27, 0x9F26,
                                          0x9F10, 0x5F25}))
        << "the step's tags in order, then the optional 5F25 the sim cards have";
    const std::string pan = bed.pan();
    EXPECT_EQ(tlv::find(sealed.cardData, 0x5A)->value,
              fromHex(pan.size() % 2 == 0 ? pan : pan + "F"));
    EXPECT_EQ(tlv::find(sealed.cardData, 0x9F27)->value, Bytes{0x80}) << "the ARQC's CID";
    EXPECT_EQ(tlv::find(sealed.cardData, 0x9F26)->value,
              fromHex(toHex(bed.sink.saved.at(0).bytes("arqc"))));
    EXPECT_EQ(sealed.request.amount, PurchaseBed::kAmount);
    EXPECT_EQ(sealed.request.currency, 156);
    EXPECT_EQ(sealed.request.type, 0x00) << "goods and services";
    EXPECT_EQ(sealed.request.date, fromHex("261206"));
    EXPECT_EQ(sealed.request.aid, fromHex(GetParam().aid));
    EXPECT_EQ(sealed.request.orderReference, PurchaseBed::orderReference());
    EXPECT_FALSE(sealed.pinBlock.has_value());
    const json& request = bed.server.requests.at(0);
    EXPECT_EQ(request.size(), 2U);
    EXPECT_EQ(request.at("terminalId"), "434800000001");
    EXPECT_EQ(fromHex(request.at("sealed").get<std::string>()),
              bed.sink.saved.at(0).bytes("sealed"));
}

TEST_P(BankPurchaseScriptTest, TheCardSignedTheChipsUnpredictableNumberAndAmount) {
    runPurchase();
    const auto generateAcs = withIns(bed.cardChannel, kInsGenerateAc);
    ASSERT_EQ(generateAcs.size(), 2U);
    EXPECT_EQ(generateAcs[0].p1, kP1Arqc);
    // The sim card's CDOL1 (9F02 9F03 9F1A 95 5F2A 9A 9C 9F37): amount n12, 0, 0156, TVR 0,
    // 0156, the date, 00 (goods and services), then the chip's unpredictable number.
    EXPECT_EQ(toHex(generateAcs[0].data),
              "000000005000000000000000015600000000000156261206"
              "00" +
                  toHex(bed.server.opened->unpredictableNumber));
    EXPECT_EQ(generateAcs[0].data, bed.server.cdol1Data)
        << "the server's rebuild from the sealed values is what the card signed";
}

TEST_P(BankPurchaseScriptTest, AboveTheCvmLimitThePinIsAskedOnceAndSealedAsABlock) {
    const Variables outputs = runPurchase(PurchaseBed::kAmountWithPin);
    EXPECT_EQ(bed.pinEntries, 1);
    const auto putPins = withIns(bed.chipChannel, kInsPutPin);
    ASSERT_EQ(putPins.size(), 1U);
    EXPECT_EQ(putPins[0].data, Bytes(bed.pinToEnter.begin(), bed.pinToEnter.end()));
    EXPECT_EQ(putPins[0].p1, 0x00);
    EXPECT_EQ(putPins[0].p2, 0x00);
    ASSERT_TRUE(bed.server.opened->pinBlock.has_value());
    EXPECT_EQ(bed.server.pin, PurchaseBed::kPin);
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x40});

    EXPECT_FALSE(anyHolds(outputs, bytesOf(PurchaseBed::kPin)));
    for (const Variables& saved : bed.sink.saved) {
        EXPECT_FALSE(anyHolds(saved, bytesOf(PurchaseBed::kPin)));
    }
    for (const std::string& stage : bed.stages) {
        EXPECT_EQ(stage.find(PurchaseBed::kPin), std::string::npos);
    }
}

TEST_P(BankPurchaseScriptTest, AtTheCvmLimitNoPinIsAsked) {
    const auto atLimit = static_cast<std::uint32_t>(testing::purchaseParameters().cvmLimit);
    runPurchase(atLimit);
    EXPECT_EQ(bed.pinEntries, 0);
    EXPECT_FALSE(bed.server.opened->pinBlock.has_value());
}

TEST_P(BankPurchaseScriptTest, WithoutAPinEntryTheRunStopsBeforeTheSeal) {
    RunContext context = bed.context(bed.inputs(PurchaseBed::kAmountWithPin));
    context.pinEntry = nullptr;
    const ScriptError error = scriptErrorOf([&] { run(script, context); });
    EXPECT_EQ(error.code(), ErrorCode::NotAccepted);
    EXPECT_EQ(error.outcome(), "pin_unavailable");
    EXPECT_TRUE(withIns(bed.chipChannel, kInsSeal).empty());
    EXPECT_TRUE(bed.sink.names.empty());
    EXPECT_TRUE(bed.server.calls.empty());
}

TEST_P(BankPurchaseScriptTest, APinThatIsNotDigitsNeverReachesTheChipNorTheMessage) {
    bed.pinToEnter = "31a159";
    const ScriptError error = refusedPurchase(bed, PurchaseBed::kAmountWithPin);
    EXPECT_EQ(error.outcome(), "pin_invalid");
    EXPECT_TRUE(withIns(bed.chipChannel, kInsPutPin).empty());
    EXPECT_EQ(std::string(error.what()).find("31a159"), std::string::npos);
}

TEST_P(BankPurchaseScriptTest, TheIssuersDeclineGetsAnAacAndTheOutcomeDeclined) {
    bed.server.decline = true;
    const ScriptError error = refusedPurchase(bed, PurchaseBed::kAmountWithPin);
    EXPECT_EQ(error.code(), ErrorCode::NotAccepted);
    EXPECT_EQ(error.outcome(), "declined");
    const auto generateAcs = withIns(bed.cardChannel, kInsGenerateAc);
    ASSERT_EQ(generateAcs.size(), 2U);
    EXPECT_EQ(generateAcs[1].p1, kP1Aac);
    EXPECT_EQ(bed.sink.names, std::vector<std::string>{"sealed"});
    EXPECT_EQ(std::string(error.what()).find(PurchaseBed::kPin), std::string::npos);
}

TEST_P(BankPurchaseScriptTest, OverTheDailyLimitTheSecondPurchaseIsRefused) {
    chip::mgmt::PaymentParameters daily = testing::purchaseParameters();
    daily.dailyLimit = 2 * PurchaseBed::kAmount - 1;
    PurchaseBed dailyBed{GetParam(), daily};
    RunContext first = dailyBed.context(dailyBed.inputs(PurchaseBed::kAmount));
    run(script, first);
    const ScriptError error = refusedPurchase(dailyBed, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x9402);
    EXPECT_EQ(error.outcome(), "over_daily_limit");
}

TEST_P(BankPurchaseScriptTest, AWrongArpcEndsWithTheCardsAacJournaledAsCompleted) {
    // The daemon reverses an AAC at the second GENERATE AC: it must reach the journal.
    bed.server.tamper = [](json& answer) {
        Bytes iad = fromHex(answer.at("issuerAuthenticationData").get<std::string>());
        iad[0] ^= 0x01U;
        answer["issuerAuthenticationData"] = toHex(iad);
    };
    const Variables outputs = runPurchase();
    EXPECT_EQ(outputs.bytes("cid2"), Bytes{0x00}) << "AAC";
    EXPECT_EQ(bed.sink.names, (std::vector<std::string>{"sealed", "authorized", "completed"}));
    EXPECT_EQ(bed.sink.saved.at(2).bytes("cid2"), Bytes{0x00});
}

TEST_P(BankPurchaseScriptTest, OverThePerTransactionLimitTheChipRefusesBeforeTheCard) {
    chip::mgmt::PaymentParameters low = testing::purchaseParameters();
    low.perTransactionLimit = PurchaseBed::kAmount - 1;
    low.cvmLimit = low.perTransactionLimit;
    PurchaseBed lowBed{GetParam(), low};
    const ScriptError error = refusedPurchase(lowBed, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x9401);
    EXPECT_EQ(error.outcome(), "over_transaction_limit");
    EXPECT_TRUE(withIns(lowBed.cardChannel, kInsGenerateAc).empty()) << "no ATC spent";
}

TEST_P(BankPurchaseScriptTest, AnApplicationTheChipDoesNotAllowIsRefused) {
    chip::mgmt::PaymentParameters otherAid = testing::purchaseParameters();
    otherAid.allowedAids = {
        fromHex(GetParam().aid == "A000000333010101" ? "A000000333010102" : "A000000333010101")};
    PurchaseBed refusing{GetParam(), otherAid};
    const ScriptError error = refusedPurchase(refusing, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x9403);
    EXPECT_EQ(error.outcome(), "aid_not_allowed");
}

TEST_P(BankPurchaseScriptTest, AnAppletThatIsNotOperationalIsChipLocked) {
    PurchaseBed installedOnly{GetParam(), testing::purchaseParameters(), false};
    const ScriptError error = refusedPurchase(installedOnly, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x6985);
    EXPECT_EQ(error.outcome(), "chip_locked");
    EXPECT_TRUE(withIns(installedOnly.cardChannel, kInsGenerateAc).empty());
}

TEST_P(BankPurchaseScriptTest, AnExpiredCardAtTheSealIsItsOutcome) {
    // The script's own date check passes first; the chip's 9404 is what the SEAL may answer.
    bed.chipChannel.answerAt = {{kSealIndex, 0x9404}};
    const ScriptError error = refusedPurchase(bed, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x9404);
    EXPECT_EQ(error.outcome(), "card_expired_or_not_yet_valid");
    EXPECT_TRUE(bed.sink.names.empty());
}

TEST_P(BankPurchaseScriptTest, AnExpiredCardAtBeginPurchaseIsItsOutcome) {
    bed.chipChannel.answerAt = {{kBeginIndex, 0x9404}};
    const ScriptError error = refusedPurchase(bed, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x9404);
    EXPECT_EQ(error.outcome(), "card_expired_or_not_yet_valid");
    EXPECT_TRUE(withIns(bed.cardChannel, kInsGenerateAc).empty()) << "no ATC spent";
}

// SEAL's 6985 is the applet without the purchase it began (its context lost, or the online
// PIN the CVM asks missing, sim/src/applets/payment_purchase.cpp sealRefusal): the chip
// cannot take part, which is not a locked applet (BEGIN PURCHASE answered).
TEST_P(BankPurchaseScriptTest, ASealWithoutItsPurchaseIsTheChipNotOperational) {
    bed.chipChannel.answerAt = {{kSealIndex, 0x6985}};
    const ScriptError error = refusedPurchase(bed, PurchaseBed::kAmount);
    EXPECT_EQ(error.statusWord(), 0x6985);
    EXPECT_EQ(error.outcome(), "chip_not_operational");
    EXPECT_TRUE(bed.sink.names.empty()) << "nothing sealed, nothing journaled";
    EXPECT_TRUE(bed.server.calls.empty());
}

TEST_P(BankPurchaseScriptTest, ThePanGoesToTheChipAndNowhereElse) {
    const Variables outputs = runPurchase();
    const std::string pan = bed.pan();
    const Bytes panBcd = fromHex(pan.size() % 2 == 0 ? pan : pan + "F");
    const auto putCardData = withIns(bed.chipChannel, kInsPutCardData);
    ASSERT_EQ(putCardData.size(), 1U) << "the sim card's objects fit one command";
    EXPECT_TRUE(contains(putCardData[0].data, panBcd));
    std::vector<const Variables*> everything{&outputs};
    for (const Variables& saved : bed.sink.saved) {
        everything.push_back(&saved);
    }
    for (const Variables* variables : everything) {
        EXPECT_FALSE(anyHolds(*variables, bytesOf(pan)));
        EXPECT_FALSE(anyHolds(*variables, panBcd));
    }
    EXPECT_EQ(bed.server.requests.at(0).dump().find(pan), std::string::npos);
}

TEST_P(BankPurchaseScriptTest, ACardOrChipGoneAtAnyApduLeavesTheJournalSayingHowFar) {
    // Card: PPSE, application, GPO, 2 records, the ARQC, the TC (the 7th).
    constexpr std::size_t kCardApdus = 7;
    for (std::size_t pulledAt = 1; pulledAt <= kCardApdus; ++pulledAt) {
        SCOPED_TRACE("card pulled at APDU " + std::to_string(pulledAt));
        PurchaseBed fresh{GetParam()};
        fresh.cardChannel.failAt = pulledAt;
        RunContext context = fresh.context(fresh.inputs());
        EXPECT_THROW(run(script, context), testing::CardPulled);
        const std::vector<std::string> expected =
            pulledAt == kCardApdus ? std::vector<std::string>{"sealed", "authorized"}
                                   : std::vector<std::string>{};
        EXPECT_EQ(fresh.sink.names, expected) << "the reversal's cue: authorized, no completed";
    }
    for (std::size_t pulledAt = 1; pulledAt <= kSealIndex; ++pulledAt) {
        SCOPED_TRACE("chip gone at APDU " + std::to_string(pulledAt));
        PurchaseBed fresh{GetParam()};
        fresh.chipChannel.failAt = pulledAt;
        RunContext context = fresh.context(fresh.inputs());
        EXPECT_THROW(run(script, context), testing::CardPulled);
        EXPECT_TRUE(fresh.sink.names.empty()) << "nothing sealed, nothing to reverse";
        EXPECT_TRUE(fresh.server.calls.empty());
    }
}

INSTANTIATE_TEST_SUITE_P(BankCards, BankPurchaseScriptTest,
                         ::testing::ValuesIn(testing::bankCases()),
                         [](const ::testing::TestParamInfo<BankCase>& param) {
                             std::string name = param.param.profile + "_" + param.param.aid;
                             std::replace(name.begin(), name.end(), '-', '_');
                             return name;
                         });

}  // namespace
}  // namespace taplink::script
