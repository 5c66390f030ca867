// taplink-sim's PBOC 3.0 bank cards (bank-3des, bank-sm4, bank-dual), in process: the test
// plays the terminal and the issuer, recomputing every cryptogram, ARPC and script MAC with
// crypto::emv from the test bank issuer's master keys; refusals are checked to change nothing.
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <thread>

#include "cards/bank_card.hpp"
#include "cards/profiles.hpp"
#include "cards/test_issuer.hpp"
#include "control_protocol.hpp"
#include "slot.hpp"
#include "taplink/apdu/tlv.hpp"
#include "taplink/base/byte_reader.hpp"
#include "taplink/base/byte_writer.hpp"
#include "taplink/base/unique_fd.hpp"
#include "taplink/crypto/emv_keys.hpp"
#include "taplink/protocol/issuer_keys.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::sim {
namespace {

namespace emv = crypto::emv;
using apdu::CommandApdu;
using apdu::ResponseApdu;
using testing::VirtualCardChannel;

constexpr std::uint8_t kArqc = 0x80;
constexpr std::uint8_t kTc = 0x40;
constexpr std::uint8_t kAac = 0x00;

Bytes ascii(std::string_view text) {
    return {text.begin(), text.end()};
}

// PDOL data: TTQ, amount 1.00, other 0, country 0156, TVR, currency 0156, 2026-12-06,
// type 00, unpredictable number.
Bytes pdolData() {
    return fromHex(
        "36000000"
        "000000000100"
        "000000000000"
        "0156"
        "0000000000"
        "0156"
        "261206"
        "00"
        "12345678");
}

// CDOL1 data for a load of `amount` (BCD n12), EC load type 60.
Bytes cdol1Data(std::string_view amount = "000000005000") {
    return concat(fromHex(amount), fromHex("000000000000"
                                           "0156"
                                           "0000000000"
                                           "0156"
                                           "261206"
                                           "60"
                                           "CAFEBABE"));
}

// CDOL2 data: 91 (ARPC || ARC), 8A, then CDOL1's objects.
Bytes cdol2Data(ByteView arpc, std::string_view arc) {
    return ByteWriter().bytes(arpc).ascii(arc).ascii(arc).bytes(cdol1Data()).take();
}

struct AcAnswer {
    std::uint8_t cid = 0xFF;
    std::uint16_t atc = 0;
    Bytes ac;
    Bytes iad;
};

Bytes valueOf(ByteView encoded, std::uint32_t tag) {
    const auto objects = tlv::parse(encoded);
    const tlv::Tlv* found = tlv::find(objects, tag);
    return found != nullptr ? found->value : Bytes{};
}

AcAnswer acAnswerOf(const ResponseApdu& response) {
    EXPECT_EQ(response.sw, 0x9000);
    const auto objects = tlv::parse(response.data);
    EXPECT_EQ(objects.size(), 1U);
    EXPECT_EQ(objects.at(0).tag, 0x77U);
    AcAnswer answer;
    answer.cid = valueOf(response.data, 0x9F27).at(0);
    answer.atc = static_cast<std::uint16_t>(bigEndian(valueOf(response.data, 0x9F36)));
    answer.ac = valueOf(response.data, 0x9F26);
    answer.iad = valueOf(response.data, 0x9F10);
    return answer;
}

CommandApdu select(std::string_view aidHex) {
    return CommandApdu{0x00, 0xA4, 0x04, 0x00, fromHex(aidHex), 256};
}

CommandApdu selectByName(std::string_view name) {
    return CommandApdu{0x00, 0xA4, 0x04, 0x00, ascii(name), 256};
}

CommandApdu gpo(ByteView data) {
    Bytes body{0x83, static_cast<std::uint8_t>(data.size())};
    body.insert(body.end(), data.begin(), data.end());
    return CommandApdu{0x80, 0xA8, 0x00, 0x00, body, 256};
}

CommandApdu readRecord(std::uint8_t record, std::uint8_t sfi) {
    return CommandApdu{0x00, 0xB2, record, static_cast<std::uint8_t>((unsigned{sfi} << 3U) | 4U),
                       {},   256};
}

CommandApdu getData(std::uint16_t tag) {
    return CommandApdu{
        0x80, 0xCA, static_cast<std::uint8_t>(tag >> 8U), static_cast<std::uint8_t>(tag & 0xFFU),
        {},   256};
}

CommandApdu generateAc(std::uint8_t p1, ByteView data) {
    return CommandApdu{0x80, 0xAE, p1, 0x00, Bytes(data.begin(), data.end()), 256};
}

CommandApdu verify(std::string_view block) {
    return CommandApdu{0x00, 0x20, 0x00, 0x80, fromHex(block), std::nullopt};
}

CommandApdu putBalance(ByteView balance, ByteView mac) {
    return CommandApdu{0x04, 0xDA, 0x9F, 0x79, concat(balance, mac), std::nullopt};
}

// What a refusal must leave as it was, as a terminal can see it.
struct Visible {
    std::vector<Bytes> objects;
    std::vector<Bytes> log;
    bool operator==(const Visible&) const = default;
};

class PbocCardTest : public ::testing::TestWithParam<std::string> {
  protected:
    emv::Suite suite() const {
        return GetParam() == "bank-sm4" ? emv::Suite::Sm4 : emv::Suite::TripleDes;
    }
    std::string pan() const { return defaultBankPan(GetParam(), testBankIssuer()); }

    CardOptions options() const {
        CardOptions options;
        options.stateDir = stateDir;
        return options;
    }

    void SetUp() override {
        stateDir = ::testing::TempDir() + "/pboc-" + GetParam() + "-" +
                   ::testing::UnitTest::GetInstance()->current_test_info()->name();
        std::filesystem::remove_all(stateDir);
        std::filesystem::create_directories(stateDir);
        insert(makeCard(GetParam(), options()));
    }
    void TearDown() override { std::filesystem::remove_all(stateDir); }

    void insert(std::shared_ptr<VirtualCard> next) {
        card = std::move(next);
        channel = std::make_unique<VirtualCardChannel>(card);
    }

    ResponseApdu send(const CommandApdu& command) { return channel->transmit(command); }
    std::uint16_t status(const CommandApdu& command) { return send(command).sw; }

    void startTransaction() {
        ASSERT_EQ(status(select("A000000333010101")), 0x9000);
        ASSERT_EQ(status(gpo(pdolData())), 0x9000);
    }

    AcAnswer firstAc(std::uint8_t p1 = kArqc) {
        return acAnswerOf(send(generateAc(p1, cdol1Data())));
    }

    // The issuer's side (EMV Book 2 A1.4.1, 8.1.2, 8.2.1, 9.2.1).
    Bytes sessionKeyAc(std::uint16_t atc) const {
        const Bytes mk = emv::iccMasterKey(suite(), testBankIssuerKeys(suite()).ac, pan(), 0x01);
        return emv::sessionKey(suite(), mk, atc);
    }
    Bytes expectedAc(ByteView cdolData, std::uint16_t atc, std::string_view cvr) const {
        const Bytes input =
            ByteWriter().bytes(cdolData).bytes(fromHex("1C00")).u16(atc).bytes(fromHex(cvr)).take();
        return emv::applicationCryptogram(suite(), sessionKeyAc(atc), input);
    }
    Bytes arpc(const AcAnswer& arqc, std::string_view arc) const {
        return emv::arpcMethod1(suite(), sessionKeyAc(arqc.atc), arqc.ac, ascii(arc));
    }
    Bytes scriptMac(const AcAnswer& arqc, ByteView balance) const {
        const Bytes mk = emv::iccMasterKey(suite(), testBankIssuerKeys(suite()).smi, pan(), 0x01);
        const Bytes input = emv::scriptMacInput(fromHex("04DA9F790A"), arqc.atc, arqc.ac, balance);
        return emv::scriptMac(suite(), emv::sessionKey(suite(), mk, arqc.atc), input);
    }
    std::string iad(std::string_view cvr) const {
        const std::string algorithm = suite() == emv::Suite::Sm4 ? "04" : "01";
        return "070101" + std::string(cvr) + algorithm + "0A01" + "000000000000000000";
    }

    // ARQC, issuer authentication in the second GENERATE AC, TC: the transaction in which
    // an issuer script may run.
    AcAnswer approvedTransaction() {
        startTransaction();
        AcAnswer arqc = firstAc();
        const AcAnswer tc = acAnswerOf(send(generateAc(kTc, cdol2Data(arpc(arqc, "00"), "00"))));
        EXPECT_EQ(tc.cid, kTc);
        return arqc;
    }

    Bytes dataObject(std::uint16_t tag) { return valueOf(send(getData(tag)).data, tag); }

    Visible visible() {
        Visible seen;
        for (const int tag : {0x9F79, 0x9F77, 0x9F78, 0x9F6D, 0x9F13, 0x9F36, 0x9F17}) {
            seen.objects.push_back(dataObject(static_cast<std::uint16_t>(tag)));
        }
        for (std::uint8_t record = 1; record <= 10; ++record) {
            const ResponseApdu answer = send(readRecord(record, 0x0B));
            if (!answer.ok()) {
                break;
            }
            seen.log.push_back(answer.data);
        }
        return seen;
    }

    std::string stateDir;
    std::shared_ptr<VirtualCard> card;
    std::unique_ptr<VirtualCardChannel> channel;
};

INSTANTIATE_TEST_SUITE_P(PbocCard, PbocCardTest, ::testing::Values("bank-3des", "bank-sm4"));

// ---------------------------------------------------------------------------------------
// Selection

TEST_P(PbocCardTest, PpseListsTheDebitApplication) {
    const ResponseApdu answer = send(selectByName("2PAY.SYS.DDF01"));
    ASSERT_EQ(answer.sw, 0x9000);
    EXPECT_EQ(toHex(answer.data),
              "6F30"
              "840E" +
                  toHex(ascii("2PAY.SYS.DDF01")) +
                  "A51E"
                  "BF0C1B"
                  "6119"
                  "4F08A000000333010101"
                  "500A" +
                  toHex(ascii("PBOC DEBIT")) + "870101");
}

// cardpeek's emv.lua selects 1PAY.SYS.DDF01 first and takes 6A82 as "a contactless card".
TEST_P(PbocCardTest, ContactPseIsAbsentSoReadersFallBackToThePpse) {
    EXPECT_EQ(status(selectByName("1PAY.SYS.DDF01")), 0x6A82);
}

TEST_P(PbocCardTest, SelectAidGivesFciWithPdolLanguageAndLogEntry) {
    const ResponseApdu answer = send(select("A000000333010101"));
    ASSERT_EQ(answer.sw, 0x9000);
    EXPECT_EQ(valueOf(answer.data, 0x84), fromHex("A000000333010101"));
    EXPECT_EQ(valueOf(answer.data, 0x50), ascii("PBOC DEBIT"));
    EXPECT_EQ(valueOf(answer.data, 0x87), fromHex("01"));
    EXPECT_EQ(valueOf(answer.data, 0x9F38),
              fromHex("9F66049F02069F03069F1A0295055F2A029A039C019F3704"));
    EXPECT_EQ(valueOf(answer.data, 0x5F2D), ascii("zh"));
    EXPECT_EQ(valueOf(answer.data, 0x9F4D), fromHex("0B0A"));
    const auto objects = tlv::parse(answer.data);
    EXPECT_NE(tlv::find(objects, 0xBF0C), nullptr);
}

// ---------------------------------------------------------------------------------------
// GET PROCESSING OPTIONS, READ RECORD, GET DATA

TEST_P(PbocCardTest, GpoAnswersFormatTwoWithAipAndAfl) {
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    const ResponseApdu answer = send(gpo(pdolData()));
    ASSERT_EQ(answer.sw, 0x9000);
    EXPECT_EQ(toHex(answer.data), "770A82021C00940408010200");
}

TEST_P(PbocCardTest, GpoRefusals) {
    EXPECT_EQ(status(gpo(pdolData())), 0x6985);  // no application selected
    EXPECT_EQ(status(generateAc(kArqc, cdol1Data())), 0x6985);
    EXPECT_EQ(status(getData(0x9F7F)), 0x6A88);
    ASSERT_EQ(status(selectByName("2PAY.SYS.DDF01")), 0x9000);
    EXPECT_EQ(status(gpo(pdolData())), 0x6985);
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(status(gpo(Bytes(32))), 0x6700);
    EXPECT_EQ(status(gpo({})), 0x6700);
    Bytes wrongLength = gpo(pdolData()).data;  // the PDOL's 33 bytes, but 83 says 32
    wrongLength[1] = 0x20;
    EXPECT_EQ(status(CommandApdu{0x80, 0xA8, 0x00, 0x00, wrongLength, 256}), 0x6700);
    EXPECT_EQ(status(CommandApdu{0x80, 0xA8, 0x00, 0x00, fromHex("83"), 256}), 0x6700);
    Bytes wrongTemplate = gpo(pdolData()).data;
    wrongTemplate[0] = 0x84;
    EXPECT_EQ(status(CommandApdu{0x80, 0xA8, 0x00, 0x00, wrongTemplate, 256}), 0x6A80);
    EXPECT_EQ(status(CommandApdu{0x80, 0xA8, 0x01, 0x00, gpo(pdolData()).data, 256}), 0x6A86);
    EXPECT_EQ(status(gpo(pdolData())), 0x9000);
    EXPECT_EQ(status(gpo(pdolData())), 0x6985);  // once per transaction
}

TEST_P(PbocCardTest, RecordsOfTheAflHoldTheCardData) {
    startTransaction();
    const ResponseApdu first = send(readRecord(1, 1));
    const ResponseApdu second = send(readRecord(2, 1));
    ASSERT_EQ(first.sw, 0x9000);
    ASSERT_EQ(second.sw, 0x9000);
    EXPECT_EQ(tlv::parse(second.data).at(0).tag, 0x70U);
    const std::string digits = pan();
    ASSERT_EQ(digits.size(), 19U);
    EXPECT_EQ(digits.substr(0, 7), "6288880");
    EXPECT_EQ(toHex(valueOf(second.data, 0x5A)), digits + "F");
    EXPECT_TRUE(toHex(valueOf(first.data, 0x57)).starts_with(digits + "D3112220"));
    EXPECT_EQ(toHex(valueOf(second.data, 0x5F24)), "311231");
    EXPECT_EQ(toHex(valueOf(second.data, 0x5F25)), "260101");
    EXPECT_EQ(toHex(valueOf(second.data, 0x5F34)), "01");
    EXPECT_EQ(toHex(valueOf(second.data, 0x9F07)), "FF00");
    EXPECT_EQ(toHex(valueOf(second.data, 0x9F08)), "0030");
    EXPECT_EQ(toHex(valueOf(second.data, 0x8C)), "9F02069F03069F1A0295055F2A029A039C019F3704");
    EXPECT_EQ(toHex(valueOf(second.data, 0x8D)),
              "910A8A029F02069F03069F1A0295055F2A029A039C019F3704");
    EXPECT_EQ(toHex(valueOf(second.data, 0x8E)), "0000000000000000420341031E031F00");
    EXPECT_EQ(toHex(valueOf(second.data, 0x5F28)), "0156");
    EXPECT_EQ(valueOf(first.data, 0x5F20), ascii("TAPLINK/TEST CARD"));
    for (const std::uint32_t tag : {0x9F0DU, 0x9F0EU, 0x9F0FU}) {
        EXPECT_EQ(valueOf(second.data, tag).size(), 5U) << std::hex << tag;
    }
    EXPECT_EQ(status(readRecord(3, 1)), 0x6A83);
    EXPECT_EQ(status(CommandApdu{0x00, 0xB2, 0x01, 0x0D, {}, 256}), 0x6A86);
}

TEST_P(PbocCardTest, GetDataGivesTheElectronicCashObjectsWithTagAndLength) {
    startTransaction();
    EXPECT_EQ(toHex(send(getData(0x9F79)).data), "9F7906000000000000");
    EXPECT_EQ(toHex(dataObject(0x9F77)), "000000100000");  // 1000.00 yuan
    EXPECT_EQ(toHex(dataObject(0x9F78)), "000000050000");  // 500.00 yuan
    EXPECT_EQ(toHex(dataObject(0x9F6D)), "000000000000");
    EXPECT_EQ(toHex(dataObject(0x9F36)), "0000");
    EXPECT_EQ(toHex(dataObject(0x9F13)), "0000");
    EXPECT_EQ(toHex(dataObject(0x9F17)), "03");
    EXPECT_EQ(toHex(dataObject(0x9F4F)), "9A039F21039F02069F03069F1A025F2A029F4E149C019F3602");
    EXPECT_EQ(status(getData(0x9F7A)), 0x6A88);
}

// ---------------------------------------------------------------------------------------
// GENERATE AC

TEST_P(PbocCardTest, FirstGenerateAcGivesAnArqcTheIssuerVerifies) {
    startTransaction();
    const AcAnswer arqc = firstAc();
    EXPECT_EQ(arqc.cid, kArqc);
    EXPECT_EQ(arqc.atc, 1);
    // CVR 03 A0 00 00: second GENERATE AC not requested, ARQC in the first.
    EXPECT_EQ(toHex(arqc.iad), iad("03A00000"));
    EXPECT_EQ(arqc.ac, expectedAc(cdol1Data(), 1, "03A00000"));
    EXPECT_EQ(toHex(dataObject(0x9F36)), "0001");
}

TEST_P(PbocCardTest, TheCardNeverApprovesOfflineNorUpgrades) {
    startTransaction();
    EXPECT_EQ(firstAc(kTc).cid, kArqc);  // a TC request goes online
    startTransaction();
    const AcAnswer aac = firstAc(kAac);
    EXPECT_EQ(aac.cid, kAac);
    EXPECT_EQ(aac.atc, 2);
    EXPECT_EQ(aac.ac, expectedAc(cdol1Data(), 2, "03800000"));
    // An AAC ends the transaction: no second GENERATE AC, no script.
    EXPECT_EQ(status(generateAc(kTc, cdol2Data(Bytes(8), "00"))), 0x6985);
}

TEST_P(PbocCardTest, GenerateAcRefusals) {
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(status(generateAc(kArqc, cdol1Data())), 0x6985);  // before GPO
    ASSERT_EQ(status(gpo(pdolData())), 0x9000);
    EXPECT_EQ(status(generateAc(kArqc, Bytes(28))), 0x6700);
    EXPECT_EQ(status(generateAc(0xC0, cdol1Data())), 0x6A86);  // RFU type
    EXPECT_EQ(status(generateAc(0x90, cdol1Data())), 0x6A86);  // CDA: not offered
    EXPECT_EQ(toHex(dataObject(0x9F36)), "0000");
    const AcAnswer arqc = firstAc();
    EXPECT_EQ(status(generateAc(kArqc, cdol2Data(arpc(arqc, "00"), "00"))), 0x6A86);
    EXPECT_EQ(status(generateAc(kTc, cdol1Data())), 0x6700);  // CDOL2 data is longer
}

TEST_P(PbocCardTest, GoodArpcAndArc00GiveATcAndSetTheLastOnlineAtc) {
    startTransaction();
    const AcAnswer arqc = firstAc();
    const Bytes cdol2 = cdol2Data(arpc(arqc, "00"), "00");
    const AcAnswer tc = acAnswerOf(send(generateAc(kTc, cdol2)));
    EXPECT_EQ(tc.cid, kTc);
    EXPECT_EQ(tc.atc, arqc.atc);
    // CVR 03 60 00 00: TC in the second GENERATE AC, ARQC in the first.
    EXPECT_EQ(toHex(tc.iad), iad("03600000"));
    EXPECT_EQ(tc.ac, expectedAc(cdol2, arqc.atc, "03600000"));
    EXPECT_EQ(toHex(dataObject(0x9F13)), "0001");
    EXPECT_EQ(status(generateAc(kTc, cdol2)), 0x6985);  // only two per transaction
}

TEST_P(PbocCardTest, ADeclinedArcOrAnAacRequestGivesAnAac) {
    startTransaction();
    AcAnswer arqc = firstAc();
    EXPECT_EQ(acAnswerOf(send(generateAc(kTc, cdol2Data(arpc(arqc, "05"), "05")))).cid, kAac);
    startTransaction();
    arqc = firstAc();
    const Bytes cdol2 = cdol2Data(arpc(arqc, "00"), "00");
    const AcAnswer aac = acAnswerOf(send(generateAc(kAac, cdol2)));
    EXPECT_EQ(aac.cid, kAac);
    EXPECT_EQ(aac.ac, expectedAc(cdol2, arqc.atc, "03200000"));
    EXPECT_EQ(toHex(dataObject(0x9F13)), "0002");  // the issuer was authenticated
}

TEST_P(PbocCardTest, AWrongArpcGivesAnAacAndThePersistedCvrFlagDeclinesTheNextTransaction) {
    startTransaction();
    const AcAnswer arqc = firstAc();
    Bytes wrong = arpc(arqc, "00");
    wrong[0] ^= 0x01U;
    const AcAnswer aac = acAnswerOf(send(generateAc(kTc, cdol2Data(wrong, "00"))));
    EXPECT_EQ(aac.cid, kAac);
    // CVR 03 28 00 00: AAC second, ARQC first, issuer authentication performed and failed.
    EXPECT_EQ(toHex(aac.iad), iad("03280000"));
    EXPECT_EQ(status(putBalance(fromHex("000000001000"), Bytes(4))), 0x6985);
    EXPECT_EQ(toHex(dataObject(0x9F13)), "0000");

    insert(card->reopened());  // the flag survives the card leaving the field
    startTransaction();
    const AcAnswer next = firstAc();
    EXPECT_EQ(next.cid, kAac);
    // CVR 03 80 08 00: AAC first; issuer authentication failed on the last online transaction.
    EXPECT_EQ(toHex(next.iad), iad("03800800"));
    EXPECT_EQ(next.ac, expectedAc(cdol1Data(), 2, "03800800"));
}

TEST_P(PbocCardTest, ExternalAuthenticateIsTheAlternativeToTag91) {
    startTransaction();
    EXPECT_EQ(status(CommandApdu{0x00, 0x82, 0x00, 0x00, Bytes(10), std::nullopt}), 0x6985);
    const AcAnswer arqc = firstAc();
    const Bytes good = concat(arpc(arqc, "00"), ascii("00"));
    EXPECT_EQ(status(CommandApdu{0x00, 0x82, 0x00, 0x00, Bytes(9), std::nullopt}), 0x6700);
    EXPECT_EQ(status(CommandApdu{0x00, 0x82, 0x00, 0x00, good, std::nullopt}), 0x9000);
    EXPECT_EQ(status(CommandApdu{0x00, 0x82, 0x00, 0x00, good, std::nullopt}), 0x6985);  // once
    // 91 in CDOL2 is not looked at again: the issuer is already authenticated.
    EXPECT_EQ(acAnswerOf(send(generateAc(kTc, cdol2Data(Bytes(8), "00")))).cid, kTc);
    const Bytes balance = fromHex("000000002000");
    EXPECT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x9000);
}

TEST_P(PbocCardTest, AFailedExternalAuthenticateAnswers6300AndBlocksTheScript) {
    startTransaction();
    const AcAnswer arqc = firstAc();
    const Bytes wrong = concat(arpc(arqc, "05"), ascii("00"));
    EXPECT_EQ(status(CommandApdu{0x00, 0x82, 0x00, 0x00, wrong, std::nullopt}), 0x6300);
    const Bytes balance = fromHex("000000002000");
    EXPECT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x6985);
    EXPECT_EQ(acAnswerOf(send(generateAc(kTc, cdol2Data(arpc(arqc, "00"), "00")))).cid, kAac);
}

// ---------------------------------------------------------------------------------------
// The issuer script: loading electronic cash

TEST_P(PbocCardTest, TheIssuerScriptLoadsElectronicCashAndLogsTheLoad) {
    const AcAnswer arqc = approvedTransaction();
    const Bytes balance = fromHex("000000005000");  // 50.00 yuan
    EXPECT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x9000);
    EXPECT_EQ(dataObject(0x9F79), balance);
    const ResponseApdu log = send(readRecord(1, 0x0B));
    ASSERT_EQ(log.sw, 0x9000);
    // 9F4F: date, time, amount, other amount, country, currency, merchant (20), type, ATC.
    EXPECT_EQ(toHex(log.data),
              "261206"
              "000000"
              "000000005000"
              "000000000000"
              "0156"
              "0156" +
                  std::string(40, '0') +
                  "60"
                  "0001");
    EXPECT_EQ(status(readRecord(2, 0x0B)), 0x6A83);
    EXPECT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x6985);  // once

    const AcAnswer second = approvedTransaction();
    const Bytes more = fromHex("000000015000");
    EXPECT_EQ(status(putBalance(more, scriptMac(second, more))), 0x9000);
    EXPECT_EQ(toHex(send(readRecord(1, 0x0B)).data).substr(12, 12), "000000010000");  // newest
    EXPECT_EQ(toHex(send(readRecord(2, 0x0B)).data).substr(12, 12), "000000005000");
}

TEST_P(PbocCardTest, RefusedScriptsChangeNothing) {
    const AcAnswer arqc = approvedTransaction();
    const Visible before = visible();
    const Bytes balance = fromHex("000000005000");
    Bytes badMac = scriptMac(arqc, balance);
    badMac[3] ^= 0x80U;
    EXPECT_EQ(status(putBalance(balance, badMac)), 0x6988);
    const Bytes overLimit = fromHex("000000100001");
    EXPECT_EQ(status(putBalance(overLimit, scriptMac(arqc, overLimit))), 0x6A80);
    const Bytes notBcd = fromHex("00000000500A");
    EXPECT_EQ(status(putBalance(notBcd, scriptMac(arqc, notBcd))), 0x6A80);
    EXPECT_EQ(status(CommandApdu{0x04, 0xDA, 0x9F, 0x79, balance, std::nullopt}), 0x6700);
    EXPECT_EQ(status(CommandApdu{0x04, 0xDA, 0x9F, 0x77, concat(balance, badMac), std::nullopt}),
              0x6A88);
    EXPECT_EQ(visible(), before);
    // The script of a past transaction is refused in the next one.
    startTransaction();
    EXPECT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x6985);
    const AcAnswer next = firstAc();
    EXPECT_EQ(status(putBalance(balance, scriptMac(next, balance))), 0x6985);  // before auth
    EXPECT_EQ(dataObject(0x9F79), fromHex("000000000000"));
}

TEST_P(PbocCardTest, ABalanceAtTheLimitIsAccepted) {
    const AcAnswer arqc = approvedTransaction();
    const Bytes limit = fromHex("000000100000");
    EXPECT_EQ(status(putBalance(limit, scriptMac(arqc, limit))), 0x9000);
    EXPECT_EQ(dataObject(0x9F79), limit);
}

// ---------------------------------------------------------------------------------------
// VERIFY

TEST_P(PbocCardTest, VerifyCountsTriesAndBlocks) {
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(status(verify("26123456FFFFFFFF")), 0x9000);
    EXPECT_EQ(status(verify("26123457FFFFFFFF")), 0x63C2);
    EXPECT_EQ(toHex(dataObject(0x9F17)), "02");
    EXPECT_EQ(status(verify("26123456FFFFFFFF")), 0x9000);  // a right PIN resets the count
    EXPECT_EQ(toHex(dataObject(0x9F17)), "03");
    const Visible before = visible();
    EXPECT_EQ(status(verify("2612345FFFFFFFFF")), 0x6A80);  // not a PIN block
    EXPECT_EQ(status(verify("26123456FFFFFF")), 0x6700);
    EXPECT_EQ(
        status(CommandApdu{0x00, 0x20, 0x00, 0x88, fromHex("26123456FFFFFFFF"), std::nullopt}),
        0x6A86);
    EXPECT_EQ(visible(), before);
    for (const int expected : {0x63C2, 0x63C1, 0x63C0}) {
        EXPECT_EQ(status(verify("241234FFFFFFFFFF")), expected);
    }
    EXPECT_EQ(toHex(dataObject(0x9F17)), "00");             // blocked: no tries left
    EXPECT_EQ(status(verify("26123456FFFFFFFF")), 0x6983);  // even the right PIN (ISO 7816-4)
    EXPECT_EQ(status(verify("241234FFFFFFFFFF")), 0x6983);
    EXPECT_EQ(toHex(dataObject(0x9F17)), "00");  // a try on a blocked PIN counts no further
    insert(card->reopened());
    startTransaction();
    EXPECT_EQ(toHex(dataObject(0x9F17)), "00");  // the state file kept it
    EXPECT_EQ(status(verify("26123456FFFFFFFF")), 0x6983);
    const AcAnswer aac = firstAc();
    EXPECT_EQ(aac.cid, kAac);  // PIN blocked: declined
    // CVR 03 80 40 00: AAC first, PIN try limit exceeded.
    EXPECT_EQ(toHex(aac.iad), iad("03804000"));
}

TEST_P(PbocCardTest, AVerifiedPinShowsInTheCvr) {
    startTransaction();
    EXPECT_EQ(status(verify("26123456FFFFFFFF")), 0x9000);
    const AcAnswer arqc = firstAc();
    // CVR 03 A4 00 00: offline PIN verification performed.
    EXPECT_EQ(toHex(arqc.iad), iad("03A40000"));
    EXPECT_EQ(arqc.ac, expectedAc(cdol1Data(), 1, "03A40000"));
}

// ---------------------------------------------------------------------------------------
// State

TEST_P(PbocCardTest, TheStatePersistsAcrossReopening) {
    const AcAnswer arqc = approvedTransaction();
    const Bytes balance = fromHex("000000005000");
    ASSERT_EQ(status(putBalance(balance, scriptMac(arqc, balance))), 0x9000);
    ASSERT_EQ(status(verify("26999999FFFFFFFF")), 0x63C2);
    const Visible before = visible();
    EXPECT_EQ(card->identity(), "bank-" + pan());
    insert(makeCard(GetParam(), options()));  // a new object for the same card
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(visible(), before);
    EXPECT_TRUE(std::filesystem::exists(stateDir + "/bank-" + pan() + "-A000000333010101.json"));
    const auto permissions =
        std::filesystem::status(stateDir + "/bank-" + pan() + "-A000000333010101.json")
            .permissions();
    EXPECT_EQ(permissions & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write);
}

TEST_P(PbocCardTest, AFailedSaveLeavesTheCardAsItWas) {
    startTransaction();
    const Visible before = visible();
    std::filesystem::remove_all(stateDir);  // the storage is gone
    EXPECT_EQ(status(generateAc(kArqc, cdol1Data())), 0x6F00);
    EXPECT_EQ(visible(), before);
    EXPECT_EQ(status(verify("26999999FFFFFFFF")), 0x6F00);
    EXPECT_EQ(visible(), before);
    std::filesystem::create_directories(stateDir);
    EXPECT_EQ(firstAc().atc, 1);  // the counter did not move
}

TEST_P(PbocCardTest, ANewCardTakesItsEcBalanceAndTheStateWinsOverTheOption) {
    CardOptions withBalance = options();
    withBalance.balance = 12345;
    std::filesystem::remove_all(stateDir);
    std::filesystem::create_directories(stateDir);
    insert(makeCard(GetParam(), withBalance));
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(toHex(dataObject(0x9F79)), "000000012345");
    withBalance.balance = 1;
    insert(makeCard(GetParam(), withBalance));
    ASSERT_EQ(status(select("A000000333010101")), 0x9000);
    EXPECT_EQ(toHex(dataObject(0x9F79)), "000000012345");
}

// ---------------------------------------------------------------------------------------
// The dual card and the options

TEST(PbocCardDual, ThePpseListsBothApplicationsWithTheCreditOneFirstByPriority) {
    VirtualCardChannel channel(makeCard("bank-dual"));
    const ResponseApdu ppse = channel.transmit(selectByName("2PAY.SYS.DDF01"));
    ASSERT_EQ(ppse.sw, 0x9000);
    const auto objects = tlv::parse(ppse.data);
    std::vector<std::pair<std::string, std::string>> entries;
    for (const tlv::Tlv& entry : tlv::find(objects, 0xBF0C)->children) {
        entries.emplace_back(toHex(valueOf(entry.value, 0x4F)), toHex(valueOf(entry.value, 0x87)));
    }
    EXPECT_EQ(entries, (std::vector<std::pair<std::string, std::string>>{
                           {"A000000333010101", "02"}, {"A000000333010102", "01"}}));
    const ResponseApdu credit = channel.transmit(select("A000000333010102"));
    ASSERT_EQ(credit.sw, 0x9000);
    EXPECT_EQ(valueOf(credit.data, 0x50), ascii("PBOC CREDIT"));
    const auto fci = tlv::parse(credit.data);
    EXPECT_EQ(tlv::find(fci, 0x9F38), nullptr);
    EXPECT_EQ(channel.transmit(gpo(pdolData())).sw, 0x6700);
    EXPECT_EQ(channel.transmit(gpo({})).sw, 0x9000);
}

TEST(PbocCardDual, EachApplicationKeepsItsOwnCounter) {
    VirtualCardChannel channel(makeCard("bank-dual"));
    ASSERT_EQ(channel.transmit(select("A000000333010102")).sw, 0x9000);
    ASSERT_EQ(channel.transmit(gpo({})).sw, 0x9000);
    EXPECT_EQ(acAnswerOf(channel.transmit(generateAc(kArqc, cdol1Data()))).atc, 1);
    ASSERT_EQ(channel.transmit(select("A000000333010101")).sw, 0x9000);
    EXPECT_EQ(valueOf(channel.transmit(getData(0x9F36)).data, 0x9F36), fromHex("0000"));
    // Selecting the other application ended the credit transaction.
    ASSERT_EQ(channel.transmit(select("A000000333010102")).sw, 0x9000);
    EXPECT_EQ(channel.transmit(generateAc(kTc, cdol2Data(Bytes(8), "00"))).sw, 0x6985);
}

TEST(PbocCardOptions, APanAndExpiryGivenAreTheCardsAndBadOnesAreRefused) {
    CardOptions options;
    options.pan = "6288880123456789015";  // Luhn-valid
    options.expiry = "290630";
    VirtualCardChannel channel(makeCard("bank-3des", options));
    ASSERT_EQ(channel.transmit(select("A000000333010101")).sw, 0x9000);
    const ResponseApdu record = channel.transmit(readRecord(2, 1));
    EXPECT_EQ(toHex(valueOf(record.data, 0x5A)), "6288880123456789015F");
    EXPECT_EQ(toHex(valueOf(record.data, 0x5F24)), "290630");

    auto refused = [](auto change) {
        CardOptions bad;
        change(bad);
        EXPECT_THROW(makeCard("bank-3des", bad), std::invalid_argument);
    };
    refused([](CardOptions& o) { o.pan = "6288880123456789014"; });  // Luhn digit wrong
    refused([](CardOptions& o) { o.pan = "6212340123456789019"; });  // not the issuer's
    refused([](CardOptions& o) { o.pan = "628888012345678"; });      // too short
    refused([](CardOptions& o) { o.pan = "62888801234567890A4"; });
    refused([](CardOptions& o) { o.expiry = "291330"; });
    refused([](CardOptions& o) { o.expiry = "2906"; });
    refused([](CardOptions& o) { o.balance = 100001; });  // over the EC limit
    refused([](CardOptions& o) { o.serial = fromHex("00000000000000000042"); });
}

TEST(PbocCardOptions, DefaultPansAreLuhnValidAndDifferPerProfile) {
    const BankIssuer issuer = testBankIssuer();
    EXPECT_EQ(defaultBankPan("bank-3des", issuer), "6288880000000000422");
    EXPECT_EQ(defaultBankPan("bank-sm4", issuer), "6288880000000000430");
    EXPECT_EQ(defaultBankPan("bank-dual", issuer), "6288880000000000448");
}

TEST(PbocCardAtr, BankCardsAnswerResetWithT1) {
    for (const char* name : {"bank-3des", "bank-sm4", "bank-dual"}) {
        const Bytes atr = makeCard(name)->atr();
        ASSERT_GT(atr.size(), 3U);
        EXPECT_EQ(atr[0], 0x3B) << name;
        EXPECT_EQ(atr[1] & 0x80U, 0x80U) << name;  // TD1 present: T=1 announced
    }
}

// ---------------------------------------------------------------------------------------
// Issuer keys: bank issuers in "taplink-issuers/1"

constexpr const char* kBankIssuers = R"({
  "format": "taplink-issuers/1",
  "issuers": [{
    "name": "City", "scheme": "city-epurse", "issuerId": "4F54484552435459",
    "keyIndex": 1, "keyVersion": 1,
    "suites": {"3des": {"load": "11111111111111112222222222222222",
                        "purchase": "33333333333333334444444444444444",
                        "tac": "55555555555555556666666666666666"}}
  }, {
    "name": "Other Bank", "scheme": "bank-pboc", "panPrefix": "621234",
    "suites": {"3des": {"ac": "00112233445566778899AABBCCDDEEFF",
                        "smi": "0123456789ABCDEFFEDCBA9876543210",
                        "smc": "F0E1D2C3B4A5968778695A4B3C2D1E0F"}}
  }, {
    "name": "Longer Bank", "scheme": "bank-pboc", "panPrefix": "6212345",
    "suites": {"sm4": {"ac": "77777777777777778888888888888888",
                       "smi": "9999999999999999AAAAAAAAAAAAAAAA",
                       "smc": "BBBBBBBBBBBBBBBBCCCCCCCCCCCCCCCC"}}
  }]
})";

std::string replaced(const std::string& from, const std::string& to) {
    std::string text = kBankIssuers;
    text.replace(text.find(from), from.size(), to);
    return text;
}

TEST(PbocCardIssuerKeys, BankIssuersAreKeptApartAndFoundByTheLongestPrefix) {
    const IssuerKeySet keys = parseIssuerKeys(kBankIssuers);
    ASSERT_EQ(keys.issuers.size(), 1U);
    ASSERT_EQ(keys.bankIssuers.size(), 2U);
    EXPECT_EQ(keys.firstOfScheme("bank-pboc"), nullptr);
    const BankIssuer* other = keys.findBankByPan("6212340000000000001");
    ASSERT_NE(other, nullptr);
    EXPECT_EQ(other->name, "Other Bank");
    ASSERT_NE(other->keysFor(emv::Suite::TripleDes), nullptr);
    EXPECT_EQ(other->keysFor(emv::Suite::TripleDes)->smi,
              fromHex("0123456789ABCDEFFEDCBA9876543210"));
    EXPECT_EQ(other->keysFor(emv::Suite::Sm4), nullptr);
    EXPECT_EQ(keys.findBankByPan("6212345000000000001")->name, "Longer Bank");
    EXPECT_EQ(keys.findBankByPan("6288880000000000422"), nullptr);
}

TEST(PbocCardIssuerKeys, MalformedBankIssuersAreRefused) {
    for (const std::string& bad :
         {replaced("\"621234\"", "\"631234\""), replaced("\"621234\"", "\"62123A\""),
          replaced("\"621234\"", "\"6\""), replaced("\"6212345\"", "\"621234\""),
          replaced("\"smc\": \"F0E1", "\"enc\": \"F0E1"),
          replaced("\"ac\": \"0011", "\"ac\": \"11"),
          replaced("\"panPrefix\": \"621234\"", "\"panPrefix\": \"621234\", \"issuerId\": \"00\""),
          replaced("\"sm4\": {\"ac\"", "\"aes\": {\"ac\""),
          replaced("\"scheme\": \"bank-pboc\", \"panPrefix\": \"621234\",",
                   "\"scheme\": \"bank-pboc\",")}) {
        EXPECT_THROW(parseIssuerKeys(bad), IssuerKeysError) << bad;
    }
}

TEST(PbocCardIssuerKeys, AnIssuerFromTheFilePersonalisesTheCard) {
    const IssuerKeySet keys = parseIssuerKeys(kBankIssuers);
    CardOptions options;
    options.bankIssuer = std::make_shared<const BankIssuer>(keys.bankIssuers.at(0));
    const std::string pan = defaultBankPan("bank-3des", keys.bankIssuers.at(0));
    EXPECT_TRUE(pan.starts_with("621234"));
    VirtualCardChannel channel(makeCard("bank-3des", options));
    ASSERT_EQ(channel.transmit(select("A000000333010101")).sw, 0x9000);
    ASSERT_EQ(channel.transmit(gpo(pdolData())).sw, 0x9000);
    const AcAnswer arqc = acAnswerOf(channel.transmit(generateAc(kArqc, cdol1Data())));
    const Bytes mk = emv::iccMasterKey(emv::Suite::TripleDes,
                                       fromHex("00112233445566778899AABBCCDDEEFF"), pan, 0x01);
    const Bytes input = ByteWriter()
                            .bytes(cdol1Data())
                            .bytes(fromHex("1C00"))
                            .u16(1)
                            .bytes(fromHex("03A00000"))
                            .take();
    EXPECT_EQ(arqc.ac,
              emv::applicationCryptogram(emv::Suite::TripleDes,
                                         emv::sessionKey(emv::Suite::TripleDes, mk, 1), input));
    options.bankIssuer = std::make_shared<const BankIssuer>(keys.bankIssuers.at(1));
    EXPECT_THROW(makeCard("bank-3des", options), std::invalid_argument);  // no 3DES keys
}

// ---------------------------------------------------------------------------------------
// Known answers from outside the code under test: tests/unit/vectors/emv_vectors.json, made
// with pycryptodome by make_emv_vectors.py from the published PBOC example keys.

TEST(PbocCardKnownAnswer, TheCardDerivesThePublishedExampleSessionKeys) {
    BankIssuer example;
    example.name = "Published example";
    example.panPrefix = "622202";
    example.suites.emplace(emv::Suite::TripleDes, testBankIssuerKeys(emv::Suite::TripleDes));
    CardOptions options;
    options.bankIssuer = std::make_shared<const BankIssuer>(example);
    options.pan = "6222021000112230";
    VirtualCardChannel channel(makeCard("bank-3des", options));
    ASSERT_EQ(channel.transmit(select("A000000333010101")).sw, 0x9000);
    ASSERT_EQ(channel.transmit(gpo(pdolData())).sw, 0x9000);
    const Bytes cdol1 = fromHex(
        "000000010000"
        "000000000000"
        "0156"
        "0000000000"
        "0156"
        "261206"
        "00"
        "12345678");
    const AcAnswer arqc = acAnswerOf(channel.transmit(generateAc(kArqc, cdol1)));
    ASSERT_EQ(arqc.atc, 1);
    // The vector's SK-AC for PAN 6222021000112230, PSN 01, ATC 0001; this card's AIP is 1C00.
    const Bytes skAc = fromHex("0C1BBFBCACBBF395ECF03850EAFE47E4");
    EXPECT_EQ(arqc.ac, emv::applicationCryptogram(emv::Suite::TripleDes, skAc,
                                                  concat(cdol1, fromHex("1C00"
                                                                        "0001"
                                                                        "03A00000"))));
    const Bytes arpc = emv::arpcMethod1(emv::Suite::TripleDes, skAc, arqc.ac, ascii("00"));
    EXPECT_EQ(
        channel
            .transmit(CommandApdu{0x00, 0x82, 0x00, 0x00, concat(arpc, ascii("00")), std::nullopt})
            .sw,
        0x9000);
    // The vector's SK-MAC (from IMK-MAC) for the same card and ATC.
    const Bytes skMac = fromHex("63BCDAB1A773BE7133983DD2386CA62C");
    const Bytes balance = fromHex("000000020000");
    const Bytes mac =
        emv::scriptMac(emv::Suite::TripleDes, skMac,
                       emv::scriptMacInput(fromHex("04DA9F790A"), 1, arqc.ac, balance));
    ASSERT_EQ(channel.transmit(generateAc(kTc, cdol2Data(arpc, "00"))).sw, 0x9000);
    EXPECT_EQ(channel.transmit(putBalance(balance, mac)).sw, 0x9000);
    EXPECT_EQ(valueOf(channel.transmit(getData(0x9F79)).data, 0x9F79), balance);
}

// ---------------------------------------------------------------------------------------
// The slots' fault injection and the control socket, with the test as the vpcd reader

// The reader side of the vpcd protocol (sim/src/vpcd_link.hpp) on a loopback port: the slot
// connects to it, and each message is a 2-byte length and its bytes.
class FakeVpcd {
  public:
    FakeVpcd() : listener_(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        socklen_t length = sizeof address;
        auto* generic = reinterpret_cast<sockaddr*>(&address);
        EXPECT_EQ(::bind(listener_.get(), generic, length), 0);
        EXPECT_EQ(::listen(listener_.get(), 1), 0);
        EXPECT_EQ(::getsockname(listener_.get(), generic, &length), 0);
        port_ = ntohs(address.sin_port);
    }

    std::uint16_t port() const { return port_; }
    void accept() { connection_ = UniqueFd(::accept(listener_.get(), nullptr, nullptr)); }

    // Sends a command APDU; nullopt when the card was pulled (the slot hung up).
    std::optional<Bytes> transmit(ByteView command) {
        const Bytes frame = concat(Bytes{0x00, static_cast<std::uint8_t>(command.size())}, command);
        if (!writeAll(connection_.get(), frame)) {
            return std::nullopt;
        }
        Bytes header(2);
        if (!readExactly(header)) {
            return std::nullopt;
        }
        Bytes body(bigEndian(header));
        return readExactly(body) ? std::optional(body) : std::nullopt;
    }

  private:
    bool readExactly(Bytes& buffer) {
        std::size_t done = 0;
        while (done < buffer.size()) {
            const ssize_t got =
                ::read(connection_.get(), buffer.data() + done, buffer.size() - done);
            if (got <= 0) {
                return false;
            }
            done += static_cast<std::size_t>(got);
        }
        return true;
    }

    UniqueFd listener_;
    UniqueFd connection_;
    std::uint16_t port_ = 0;
};

TEST(PbocCardFaults, APullAfterTheFirstGenerateAcKeepsTheCounterItSaved) {
    const std::string dir = ::testing::TempDir() + "/pboc-fault-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    FakeVpcd reader;
    std::vector<std::unique_ptr<Slot>> slots;
    slots.push_back(std::make_unique<Slot>(0, reader.port(), false));
    const nlohmann::json inserted = handleControlRequest(
        {{"cmd", "insert"}, {"slot", 0}, {"card", "bank-3des"}, {"balance", 700}}, slots,
        SimSettings{dir});
    ASSERT_TRUE(inserted.at("ok").get<bool>()) << inserted.dump();
    reader.accept();
    ASSERT_EQ(reader.transmit(select("A000000333010101").encode()).value_or(Bytes{}).size() > 2,
              true);
    ASSERT_EQ(toHex(reader.transmit(gpo(pdolData()).encode()).value_or(Bytes{})).substr(24),
              "9000");
    // A chosen status word answers without the card acting.
    ASSERT_TRUE(
        handleControlRequest({{"cmd", "fault"}, {"slot", 0}, {"status_word", "6A82"}}, slots)
            .at("ok")
            .get<bool>());
    EXPECT_EQ(reader.transmit(generateAc(kArqc, cdol1Data()).encode()), fromHex("6A82"));
    ASSERT_TRUE(
        handleControlRequest(
            {{"cmd", "fault"}, {"slot", 0}, {"pull_at", 1}, {"after_processing", true}}, slots)
            .at("ok")
            .get<bool>());
    EXPECT_FALSE(reader.transmit(generateAc(kArqc, cdol1Data()).encode()).has_value());
    EXPECT_TRUE(
        handleControlRequest({{"cmd", "status"}}, slots).at("slots")[0].at("card").is_null());

    // The slot hangs up before the card acts; it is done once the slot shows no connection.
    while (handleControlRequest({{"cmd", "status"}}, slots).at("slots")[0].at("connected")) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    // The same card, back in the field, ran its first GENERATE AC under ATC 1 (not the
    // status-word one) and kept its EC balance.
    ASSERT_TRUE(handleControlRequest({{"cmd", "insert"}, {"slot", 0}}, slots).at("ok").get<bool>());
    EXPECT_EQ(handleControlRequest({{"cmd", "status"}}, slots).at("slots")[0].at("identity"),
              "bank-6288880000000000422");
    reader.accept();
    ASSERT_TRUE(reader.transmit(select("A000000333010101").encode()).has_value());
    EXPECT_EQ(reader.transmit(getData(0x9F36).encode()), fromHex("9F360200019000"));
    EXPECT_EQ(reader.transmit(getData(0x9F79).encode()), fromHex("9F79060000000007009000"));
    slots.clear();
    std::filesystem::remove_all(dir);
}

TEST(PbocCardControl, BankCardsAreInsertedByPanAndOnePanIsInOneSlot) {
    std::vector<std::unique_ptr<Slot>> slots;
    slots.push_back(std::make_unique<Slot>(0, 1, false));  // port 1: no reader, the card waits
    slots.push_back(std::make_unique<Slot>(1, 1, false));
    const nlohmann::json card = {{"cmd", "insert"},
                                 {"card", "bank-sm4"},
                                 {"pan", "6288880123456789015"},
                                 {"expiry", "300101"}};
    nlohmann::json first = card;
    first["slot"] = 0;
    ASSERT_TRUE(handleControlRequest(first, slots).at("ok").get<bool>());
    EXPECT_EQ(handleControlRequest({{"cmd", "status"}}, slots).at("slots")[0].at("identity"),
              "bank-6288880123456789015");
    nlohmann::json second = card;
    second["slot"] = 1;
    const nlohmann::json refused = handleControlRequest(second, slots);
    EXPECT_FALSE(refused.at("ok").get<bool>());
    EXPECT_NE(refused.at("error").get<std::string>().find("already in slot 0"), std::string::npos);
    second["pan"] = "6288880123456789014";
    EXPECT_FALSE(handleControlRequest(second, slots).at("ok").get<bool>());  // Luhn
}

}  // namespace
}  // namespace taplink::sim
