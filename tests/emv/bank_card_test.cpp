// The kernel against taplink-sim's PBOC 3.0 bank cards (sim/src/applets/pboc_*), in process:
// selection, GET PROCESSING OPTIONS, records, restrictions, EC checks, both GENERATE ACs and
// the issuer script, with the test playing the issuer (crypto::emv and the test bank
// issuer's keys, sim/src/cards/test_issuer.hpp).
#include <gtest/gtest.h>

#include <algorithm>
#include <ostream>

#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "emv_test_support.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/emv/bcd.hpp"
#include "taplink/emv/dol.hpp"
#include "taplink/emv/ec_checks.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/emv_tlv.hpp"
#include "taplink/emv/generate_ac.hpp"
#include "taplink/emv/online.hpp"
#include "taplink/emv/processing.hpp"
#include "taplink/emv/restrictions.hpp"
#include "taplink/emv/selection.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::emv {
namespace {

namespace cemv = crypto::emv;
using apdu::CommandApdu;
using apdu::ResponseApdu;
using test::expectEmvError;

Bytes debitAid() {
    return {kPbocDebitAid.begin(), kPbocDebitAid.end()};
}
Bytes creditAid() {
    return {kPbocCreditAid.begin(), kPbocCreditAid.end()};
}
std::vector<Bytes> pbocAids() {
    return {debitAid(), creditAid(), Bytes(kPbocQuasiCreditAid.begin(), kPbocQuasiCreditAid.end())};
}
constexpr std::uint8_t kInsGenerateAc = 0xAE;
Bytes approved() {
    return {0x30, 0x30};  // ARC "00"
}
Bytes scriptId() {
    return {0x00, 0x00, 0x00, 0x01};
}

// The real card behind the channel; every command it was sent is kept.
class RecordingChannel : public apdu::ApduChannel {
  public:
    explicit RecordingChannel(std::shared_ptr<sim::VirtualCard> card) : card_(std::move(card)) {}

    ResponseApdu transmit(const CommandApdu& command) override {
        sent.push_back(command);
        return card_.transmit(command);
    }
    std::size_t countOf(std::uint8_t ins) const {
        return static_cast<std::size_t>(std::count_if(
            sent.begin(), sent.end(), [ins](const CommandApdu& c) { return c.ins == ins; }));
    }

    std::vector<CommandApdu> sent;

  private:
    taplink::testing::VirtualCardChannel card_;
};

// The cardholder, as the daemon's trusted UI would be: picks a given entry, counts the asks.
class PickingChooser : public ApplicationChooser {
  public:
    explicit PickingChooser(std::optional<std::size_t> pick = 0) : pick_(pick) {}
    std::optional<std::size_t> choose(const std::vector<Candidate>& candidates) override {
        offered.push_back(candidates);
        return pick_;
    }
    std::vector<std::vector<Candidate>> offered;

  private:
    std::optional<std::size_t> pick_;
};

// A card that does not give its PIN try counter: GET DATA 9F17 answers 6A88 (EMV Book 3
// 6.5.7.5); everything else reaches the real card.
class NoPinTryCounter : public apdu::ApduChannel {
  public:
    explicit NoPinTryCounter(apdu::ApduChannel& card) : card_(card) {}
    ResponseApdu transmit(const CommandApdu& command) override {
        if (command.ins == 0xCA && command.p1 == 0x9F && command.p2 == 0x17) {
            return ResponseApdu{{}, 0x6A88};
        }
        return card_.transmit(command);
    }

  private:
    apdu::ApduChannel& card_;
};

// A card whose application of this AID is gone: its SELECT answers 6A82 (a fault the
// simulated card cannot be told to show); everything else reaches the real card.
class MissingApplication : public apdu::ApduChannel {
  public:
    MissingApplication(apdu::ApduChannel& card, Bytes aid) : card_(card), aid_(std::move(aid)) {}
    ResponseApdu transmit(const CommandApdu& command) override {
        if (command.ins == apdu::kInsSelect && command.data == aid_) {
            return ResponseApdu{{}, apdu::sw::kFileNotFound};
        }
        return card_.transmit(command);
    }

  private:
    apdu::ApduChannel& card_;
    Bytes aid_;
};

TerminalData terminalData(std::uint64_t amount) {
    return TerminalData{{tag::kTerminalTransactionQualifiers, fromHex("26000080")},
                        {tag::kAmountAuthorised, encodeAmount(amount)},
                        {tag::kAmountOther, encodeAmount(0)},
                        {tag::kTerminalCountryCode, fromHex("0156")},
                        {tag::kTvr, fromHex("0000000000")},
                        {tag::kTransactionCurrencyCode, fromHex("0156")},
                        {tag::kTransactionDate, fromHex("261206")},
                        {tag::kTransactionType, fromHex("60")},  // EC designated-account load
                        {tag::kUnpredictableNumber, fromHex("1A2B3C4D")}};
}

RestrictionsInput restrictionsInput() {
    return RestrictionsInput{fromHex("0030"), fromHex("261206"), fromHex("0156"),
                             ServiceKind::Other, false};
}

struct BankCase {
    const char* profile;
    cemv::Suite suite;
};

// gtest shows the parameter by its profile name.
[[maybe_unused]] void PrintTo(const BankCase& bank, std::ostream* out) {
    *out << bank.profile;
}

std::shared_ptr<sim::VirtualCard> bankCard(const char* profile, std::uint32_t balance,
                                           const std::string& expiry = {}) {
    sim::CardOptions options;
    options.balance = balance;
    options.expiry = expiry;
    return sim::makeCard(profile, options);
}

std::string panDigits(const Bytes& pan) {
    std::string digits = toHex(pan);
    digits.erase(digits.find_last_not_of('F') + 1);
    return digits;
}

// What the kernel knows once the card has given its data (everything before GENERATE AC).
struct Prepared {
    SelectedApplication application;
    ProcessingOptions options;
    CardData card;
    Tvr tvr;
    EcState ec;
};

Prepared prepareLoad(apdu::ApduChannel& channel, ApplicationChooser& chooser,
                     const TerminalData& terminal, std::uint64_t amount) {
    Prepared out{selectApplication(channel, pbocAids(), chooser), {}, {}, {}, {}};
    const Bytes pdolData = buildDolData(parseDol(out.application.fci.pdol), terminal);
    out.options = getProcessingOptions(channel, pdolData);
    out.card = readApplicationData(channel, out.options.afl);
    checkProcessingRestrictions(out.card, restrictionsInput(), out.tvr);
    refuseUnusableForLoad(out.tvr);
    checkPinTryCounter(readPinTryCounter(channel), out.tvr);
    refuseBlockedPinForLoad(out.tvr);
    out.ec = readEcState(channel);
    checkEcAmount(out.ec, amount, EcUse::Load);
    return out;
}

// The issuer's side (the server's role), from the test bank issuer's master keys.
struct Issuer {
    cemv::Suite suite;
    std::string pan;
    std::uint8_t psn;
    std::uint16_t atc;
    Bytes arqc;

    Bytes acSessionKey() const {
        const auto keys = sim::testBankIssuerKeys(suite);
        return cemv::sessionKey(suite, cemv::iccMasterKey(suite, keys.ac, pan, psn), atc);
    }
    Bytes arpc(ByteView arc) const { return cemv::arpcMethod1(suite, acSessionKey(), arqc, arc); }
    // 04 DA 9F 79 0A <new balance> <MAC> (docs/bank-cards.md, step 9).
    Bytes putBalance(std::uint64_t balance, bool spoilMac = false) const {
        const auto keys = sim::testBankIssuerKeys(suite);
        const Bytes macKey =
            cemv::sessionKey(suite, cemv::iccMasterKey(suite, keys.smi, pan, psn), atc);
        const Bytes header = fromHex("04DA9F790A");
        const Bytes value = encodeAmount(balance);
        Bytes mac = cemv::scriptMac(suite, macKey, cemv::scriptMacInput(header, atc, arqc, value));
        if (spoilMac) {
            mac[0] ^= 0x01U;
        }
        return ByteWriter().bytes(header).bytes(value).bytes(mac).take();
    }
    Bytes script72(ByteView command) const {
        return tlv::Tlv::constructedOf(
                   tag::kIssuerScriptAfterFinalGac,
                   {tlv::Tlv::primitive(tag::kIssuerScriptIdentifier, scriptId()),
                    tlv::Tlv::primitive(tag::kIssuerScriptCommand,
                                        Bytes(command.begin(), command.end()))})
            .encode();
    }
};

Issuer issuerFor(const BankCase& bank, const Prepared& prepared, const GenerateAcResult& arqc) {
    return Issuer{bank.suite, panDigits(prepared.card.at(tag::kPan)),
                  prepared.card.at(tag::kPanSequenceNumber).front(), arqc.atc, arqc.cryptogram};
}

// CVN 01: CDOL data || AIP || ATC || CVR, the CVR being 9F10 bytes 4-7 (emv_keys.hpp).
Bytes expectedCryptogram(const Issuer& issuer, ByteView cdolData, ByteView aip,
                         const GenerateAcResult& answer) {
    const ByteView cvr = ByteView(answer.issuerApplicationData).subspan(3, 4);
    const Bytes input = ByteWriter().bytes(cdolData).bytes(aip).u16(answer.atc).bytes(cvr).take();
    return cemv::applicationCryptogram(issuer.suite, issuer.acSessionKey(), input);
}

// A cardholder keying `tries` wrong PINs at a terminal, in a transaction of its own: SELECT,
// then VERIFY with a plaintext offline PIN block (EMV Book 3 6.5.12, ISO 9564-1 format 2:
// 24 1234 FF..., the card's PIN being 123456). The card answers 63Cx, x the tries left
// (ISO 7816-4), from the three a new card has.
void keyWrongPins(apdu::ApduChannel& channel, unsigned tries) {
    PickingChooser chooser;
    selectApplication(channel, pbocAids(), chooser);
    const CommandApdu wrongPin{0x00, 0x20, 0x00, 0x80, fromHex("241234FFFFFFFFFF"), std::nullopt};
    for (unsigned left = 3; left > 3 - tries; --left) {
        ASSERT_EQ(channel.transmit(wrongPin).sw, 0x63C0U | (left - 1U));
    }
}

class BankCardFlow : public ::testing::TestWithParam<BankCase> {};

INSTANTIATE_TEST_SUITE_P(BothSuites, BankCardFlow,
                         ::testing::Values(BankCase{"bank-3des", cemv::Suite::TripleDes},
                                           BankCase{"bank-sm4", cemv::Suite::Sm4}),
                         [](const ::testing::TestParamInfo<BankCase>& param) {
                             return param.param.suite == cemv::Suite::Sm4 ? "Sm4" : "TripleDes";
                         });

TEST_P(BankCardFlow, SelectsTheOnlyApplicationWithoutAsking) {
    RecordingChannel channel(bankCard(GetParam().profile, 0));
    PickingChooser chooser;
    const SelectedApplication app = selectApplication(channel, pbocAids(), chooser);
    EXPECT_TRUE(chooser.offered.empty());
    EXPECT_EQ(app.candidate.aid, debitAid());
    EXPECT_EQ(app.fci.dfName, debitAid());
    EXPECT_FALSE(app.fci.pdol.empty());
    EXPECT_EQ(app.fci.logEntry.size(), 2U);
    EXPECT_EQ(toHex(channel.sent.at(0).encode()), "00A404000E325041592E5359532E444446303100");
}

TEST_P(BankCardFlow, GpoWithPdolDataThenRecordsAndRestrictions) {
    RecordingChannel channel(bankCard(GetParam().profile, 0));
    PickingChooser chooser;
    const TerminalData terminal = terminalData(1000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 1000);
    const auto gpo = std::find_if(channel.sent.begin(), channel.sent.end(),
                                  [](const CommandApdu& c) { return c.ins == 0xA8; });
    ASSERT_NE(gpo, channel.sent.end());
    const auto pdol = parseDol(prepared.application.fci.pdol);
    EXPECT_EQ(gpo->data,
              concat(Bytes{0x83, static_cast<std::uint8_t>(buildDolData(pdol, terminal).size())},
                     buildDolData(pdol, terminal)));
    EXPECT_EQ(prepared.options.aip.size(), 2U);
    EXPECT_EQ(channel.countOf(apdu::kInsReadRecord), 2U);  // AFL 08 01 02 00
    for (const std::uint32_t wanted : {tag::kPan, tag::kPanSequenceNumber, tag::kCdol1, tag::kCdol2,
                                       tag::kExpirationDate, tag::kApplicationUsageControl}) {
        EXPECT_EQ(prepared.card.count(wanted), 1U) << tagName(wanted);
    }
    EXPECT_EQ(prepared.tvr.bytes(), fromHex("0000000000"));
}

TEST_P(BankCardFlow, ExpiredCardIsRefusedBeforeAnyCryptogram) {
    RecordingChannel channel(bankCard(GetParam().profile, 0, "261205"));
    PickingChooser chooser;
    expectEmvError(EmvErrorCode::NotAccepted,
                   [&] { prepareLoad(channel, chooser, terminalData(1000), 1000); });
    EXPECT_EQ(channel.countOf(kInsGenerateAc), 0U);
}

TEST_P(BankCardFlow, ABlockedPinIsRefusedBeforeAnyCryptogram) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    keyWrongPins(channel, 3);
    PickingChooser chooser;
    const std::string message = expectEmvError(
        EmvErrorCode::PinBlocked, [&] { prepareLoad(channel, chooser, terminalData(1000), 1000); });
    EXPECT_NE(message.find("PIN"), std::string::npos) << message;
    EXPECT_EQ(channel.sent.back(), getDataCommand(tag::kPinTryCounter));
    EXPECT_EQ(channel.countOf(kInsGenerateAc), 0U);
    EXPECT_EQ(readPinTryCounter(channel), 0U) << "what the card says, read again";
    Tvr tvr;
    checkPinTryCounter(readPinTryCounter(channel), tvr);
    EXPECT_TRUE(tvr.isSet(TvrBit::PinTryLimitExceeded));
}

TEST_P(BankCardFlow, APinWithTriesLeftIsNoObstacle) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    keyWrongPins(channel, 2);
    PickingChooser chooser;
    const TerminalData terminal = terminalData(1000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 1000);
    EXPECT_EQ(readPinTryCounter(channel), 1U);
    EXPECT_FALSE(prepared.tvr.isSet(TvrBit::PinTryLimitExceeded));
    const Bytes cdol1Data = buildDolData(parseDol(prepared.card.at(tag::kCdol1)), terminal);
    EXPECT_EQ(firstGenerateAc(channel, cdol1Data).type, CryptogramType::Arqc);
}

TEST_P(BankCardFlow, ACardWithoutAPinTryCounterIsNotChecked) {
    RecordingChannel card(bankCard(GetParam().profile, 6000));
    NoPinTryCounter channel(card);
    PickingChooser chooser;
    const TerminalData terminal = terminalData(1000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 1000);
    EXPECT_EQ(prepared.tvr.bytes(), fromHex("0000000000"));
    const Bytes cdol1Data = buildDolData(parseDol(prepared.card.at(tag::kCdol1)), terminal);
    EXPECT_EQ(firstGenerateAc(channel, cdol1Data).type, CryptogramType::Arqc);
}

TEST_P(BankCardFlow, LoadOverTheBalanceLimitIsRefusedBeforeAnyGenerateAc) {
    RecordingChannel channel(bankCard(GetParam().profile, 99000));
    PickingChooser chooser;
    expectEmvError(EmvErrorCode::NotAccepted,
                   [&] { prepareLoad(channel, chooser, terminalData(1001), 1001); });
    EXPECT_EQ(channel.countOf(kInsGenerateAc), 0U);
    EXPECT_EQ(channel.sent.back(), getDataCommand(tag::kEcSingleTransactionLimit));
}

TEST_P(BankCardFlow, ReadsTheEcState) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    PickingChooser chooser;
    const Prepared prepared = prepareLoad(channel, chooser, terminalData(1000), 1000);
    EXPECT_EQ(prepared.ec.balance, 6000U);
    EXPECT_EQ(prepared.ec.balanceLimit, 100000U);
    EXPECT_EQ(prepared.ec.singleTransactionLimit, 50000U);
}

TEST_P(BankCardFlow, ApprovedLoadWritesTheBalanceThroughTheIssuerScript) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    PickingChooser chooser;
    TerminalData terminal = terminalData(4000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 4000);

    const Bytes cdol1Data = buildDolData(parseDol(prepared.card.at(tag::kCdol1)), terminal);
    const GenerateAcResult arqc = firstGenerateAc(channel, cdol1Data);
    ASSERT_EQ(arqc.type, CryptogramType::Arqc);
    const Issuer issuer = issuerFor(GetParam(), prepared, arqc);
    EXPECT_EQ(arqc.cryptogram, expectedCryptogram(issuer, cdol1Data, prepared.options.aip, arqc));

    terminal[tag::kAuthorisationResponseCode] = approved();
    terminal[tag::kIssuerAuthenticationData] =
        IssuerAuthenticationData{issuer.arpc(approved()), approved()}.encode();
    const Bytes cdol2Data = buildDolData(parseDol(prepared.card.at(tag::kCdol2)), terminal);
    const GenerateAcResult tc = secondGenerateAc(channel, true, cdol2Data);
    EXPECT_EQ(tc.type, CryptogramType::Tc);
    EXPECT_EQ(tc.atc, arqc.atc);
    EXPECT_EQ(tc.cryptogram, expectedCryptogram(issuer, cdol2Data, prepared.options.aip, tc));

    const auto scripts = parseIssuerScripts(issuer.script72(issuer.putBalance(10000)));
    Tvr tvr = prepared.tvr;
    Tsi tsi;
    const auto results =
        runIssuerScripts(channel, scripts, tag::kIssuerScriptAfterFinalGac, tvr, tsi);
    EXPECT_EQ(scriptResultsObject(results, tag::kIssuerScriptResults).encode(),
              fromHex("9F5B05 20 00000001"));
    EXPECT_FALSE(tvr.isSet(TvrBit::ScriptFailedAfterFinalGac));
    EXPECT_TRUE(tsi.isSet(TsiBit::ScriptProcessingPerformed));
    EXPECT_EQ(readEcAmount(channel, tag::kEcBalance), 10000U);
}

TEST_P(BankCardFlow, WrongArpcGivesAnAacAndTheScriptIsRefused) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    PickingChooser chooser;
    TerminalData terminal = terminalData(4000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 4000);
    const GenerateAcResult arqc =
        firstGenerateAc(channel, buildDolData(parseDol(prepared.card.at(tag::kCdol1)), terminal));
    const Issuer issuer = issuerFor(GetParam(), prepared, arqc);

    Bytes wrongArpc = issuer.arpc(approved());
    wrongArpc[7] ^= 0x80U;
    terminal[tag::kAuthorisationResponseCode] = approved();
    terminal[tag::kIssuerAuthenticationData] =
        IssuerAuthenticationData{wrongArpc, approved()}.encode();
    const GenerateAcResult second = secondGenerateAc(
        channel, true, buildDolData(parseDol(prepared.card.at(tag::kCdol2)), terminal));
    EXPECT_EQ(second.type, CryptogramType::Aac);

    Tvr tvr;
    Tsi tsi;
    const auto results =
        runIssuerScripts(channel, parseIssuerScripts(issuer.script72(issuer.putBalance(10000))),
                         tag::kIssuerScriptAfterFinalGac, tvr, tsi);
    EXPECT_EQ(results.at(0).encode(), fromHex("1100000001"));
    EXPECT_TRUE(tvr.isSet(TvrBit::ScriptFailedAfterFinalGac));
    EXPECT_EQ(readEcAmount(channel, tag::kEcBalance), 6000U);
}

TEST_P(BankCardFlow, ScriptWithABadMacFailsAndTheResultsSaySo) {
    RecordingChannel channel(bankCard(GetParam().profile, 6000));
    PickingChooser chooser;
    TerminalData terminal = terminalData(4000);
    const Prepared prepared = prepareLoad(channel, chooser, terminal, 4000);
    const GenerateAcResult arqc =
        firstGenerateAc(channel, buildDolData(parseDol(prepared.card.at(tag::kCdol1)), terminal));
    const Issuer issuer = issuerFor(GetParam(), prepared, arqc);
    terminal[tag::kAuthorisationResponseCode] = approved();
    terminal[tag::kIssuerAuthenticationData] =
        IssuerAuthenticationData{issuer.arpc(approved()), approved()}.encode();
    ASSERT_EQ(secondGenerateAc(channel, true,
                               buildDolData(parseDol(prepared.card.at(tag::kCdol2)), terminal))
                  .type,
              CryptogramType::Tc);

    Tvr tvr;
    Tsi tsi;
    const auto results = runIssuerScripts(
        channel, parseIssuerScripts(issuer.script72(issuer.putBalance(10000, true))),
        tag::kIssuerScriptAfterFinalGac, tvr, tsi);
    EXPECT_EQ(scriptResultsObject(results, tag::kPbocIssuerScriptResults).encode(),
              fromHex("DF3105 11 00000001"));
    EXPECT_TRUE(tvr.isSet(TvrBit::ScriptFailedAfterFinalGac));
    EXPECT_EQ(readEcAmount(channel, tag::kEcBalance), 6000U);
}

TEST(BankCardSelection, DualCardOffersBothByPriorityAndTakesTheChoice) {
    RecordingChannel channel(bankCard("bank-dual", 0));
    PickingChooser chooser(1);
    const SelectedApplication app = selectApplication(channel, pbocAids(), chooser);
    ASSERT_EQ(chooser.offered.size(), 1U);
    ASSERT_EQ(chooser.offered[0].size(), 2U);
    EXPECT_EQ(chooser.offered[0][0].aid, creditAid());  // the higher priority first
    EXPECT_EQ(chooser.offered[0][1].aid, debitAid());
    EXPECT_EQ(app.fci.dfName, debitAid());
}

TEST(BankCardSelection, CreditApplicationWithoutPdolSendsAnEmptyTemplate) {
    RecordingChannel channel(bankCard("bank-dual", 0));
    PickingChooser chooser(0);
    const SelectedApplication app = selectApplication(channel, pbocAids(), chooser);
    EXPECT_EQ(app.fci.dfName, creditAid());
    EXPECT_TRUE(app.fci.pdol.empty());
    const ProcessingOptions options =
        getProcessingOptions(channel, buildDolData(parseDol(app.fci.pdol), terminalData(1)));
    EXPECT_EQ(toHex(channel.sent.back().encode()), "80A8000002830000");
    EXPECT_FALSE(options.afl.empty());
}

TEST(BankCardSelection, CardholderDecliningCancels) {
    RecordingChannel channel(bankCard("bank-dual", 0));
    PickingChooser chooser(std::nullopt);
    expectEmvError(EmvErrorCode::Cancelled,
                   [&] { selectApplication(channel, pbocAids(), chooser); });
}

TEST(BankCardSelection, OnlyTheTerminalsAidsAreCandidates) {
    RecordingChannel channel(bankCard("bank-dual", 0));
    PickingChooser chooser;
    const SelectedApplication app = selectApplication(channel, {debitAid()}, chooser);
    EXPECT_TRUE(chooser.offered.empty());  // one candidate left, no confirmation needed
    EXPECT_EQ(app.fci.dfName, debitAid());
    RecordingChannel unknown(bankCard("bank-3des", 0));
    expectEmvError(EmvErrorCode::NoApplication, [&] {
        selectApplication(unknown, {fromHex("A0000000031010"), creditAid()}, chooser);
    });
}

TEST(BankCardSelection, AnApplicationThatIsNotFoundLeavesTheList) {
    RecordingChannel card(bankCard("bank-dual", 0));
    MissingApplication channel(card, creditAid());
    PickingChooser chooser(0);
    const SelectedApplication app = selectApplication(channel, pbocAids(), chooser);
    EXPECT_EQ(app.fci.dfName, debitAid());
    ASSERT_EQ(chooser.offered.size(), 1U);  // asked once; the debit one was then the only one
}

TEST(BankCardSelection, ACardWithoutPpseHasNoApplication) {
    taplink::testing::VirtualCardChannel city(sim::makeCard("city-3des"));
    PickingChooser chooser;
    expectEmvError(EmvErrorCode::NoApplication,
                   [&] { selectApplication(city, pbocAids(), chooser); });
}

}  // namespace
}  // namespace taplink::emv
