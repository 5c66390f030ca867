// Selection's byte layouts (taplink/emv/selection.hpp) with hand-built FCIs.
#include "taplink/emv/selection.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/apdu/tlv.hpp"

namespace taplink::emv {
namespace {

using tlv::Tlv;

Bytes debitAid() {
    return {kPbocDebitAid.begin(), kPbocDebitAid.end()};
}
Bytes creditAid() {
    return {kPbocCreditAid.begin(), kPbocCreditAid.end()};
}
Bytes quasiAid() {
    return {kPbocQuasiCreditAid.begin(), kPbocQuasiCreditAid.end()};
}
std::vector<Bytes> pbocAids() {
    return {debitAid(), creditAid(), quasiAid()};
}

Tlv entry(const Bytes& aid, std::optional<std::uint8_t> indicator) {
    std::vector<Tlv> fields{Tlv::primitive(0x4F, aid)};
    if (indicator) {
        fields.push_back(Tlv::primitive(0x87, Bytes{*indicator}));
    }
    return Tlv::constructedOf(0x61, fields);
}

Bytes ppseWith(const std::vector<Tlv>& entries) {
    return Tlv::constructedOf(0x6F,
                              {Tlv::primitive(0x84, fromHex("325041592E5359532E4444463031")),
                               Tlv::constructedOf(0xA5, {Tlv::constructedOf(0xBF0C, entries)})})
        .encode();
}

TEST(SelectCommand, IsSelectByNameWithLe) {
    EXPECT_EQ(toHex(selectByName(Bytes(kPpseName.begin(), kPpseName.end())).encode()),
              "00A404000E325041592E5359532E444446303100");
}

TEST(PpseFci, ReadsEveryDirectoryEntry) {
    // Hand-built: one entry with AID, label "PBOC DEBIT" and priority 1.
    const Bytes fci = fromHex(
        "6F30 840E325041592E5359532E4444463031"
        "A51E BF0C1B 6119 4F08A000000333010101 500A50424F43204445424954 870101");
    const std::vector<Candidate> expected{{debitAid(), "PBOC DEBIT", 1, false}};
    EXPECT_EQ(parsePpseFci(fci), expected);
}

TEST(PpseFci, PriorityIndicatorBits) {
    const auto candidates = parsePpseFci(ppseWith(
        {entry(debitAid(), 0x81), entry(creditAid(), 0x00), entry(quasiAid(), std::nullopt)}));
    ASSERT_EQ(candidates.size(), 3U);
    EXPECT_EQ(candidates[0].priority, 1);
    EXPECT_TRUE(candidates[0].needsConfirmation);
    EXPECT_EQ(candidates[1].priority, std::nullopt);  // 0: no priority
    EXPECT_FALSE(candidates[1].needsConfirmation);
    EXPECT_EQ(candidates[2].priority, std::nullopt);
}

TEST(PpseFci, RefusesMalformedDirectories) {
    const Tlv noAid = Tlv::constructedOf(0x61, {Tlv::primitive(0x50, fromHex("41"))});
    const Tlv shortAid = Tlv::constructedOf(0x61, {Tlv::primitive(0x4F, fromHex("A000"))});
    const Tlv twice = Tlv::constructedOf(
        0x61, {Tlv::primitive(0x4F, debitAid()), Tlv::primitive(0x4F, creditAid())});
    const Tlv wideIndicator = Tlv::constructedOf(
        0x61, {Tlv::primitive(0x4F, debitAid()), Tlv::primitive(0x87, fromHex("0101"))});
    for (const Tlv& bad : {noAid, shortAid, twice, wideIndicator}) {
        test::expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                             [&] { parsePpseFci(ppseWith({bad})); });
    }
    // No A5, no BF0C, no 84, something after the FCI.
    for (const char* bad :
         {"6F10 840E325041592E5359532E4444463031", "6F12 840E325041592E5359532E4444463031 A500",
          "6F05 A503BF0C00", "6F15 840E325041592E5359532E4444463031 A503BF0C00 01"}) {
        test::expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                             [&] { parsePpseFci(fromHex(bad)); });
    }
}

TEST(CandidateList, OrdersByPriorityWithTheUnprioritisedLast) {
    const Bytes other = fromHex("A0000000031010");
    const auto list = candidateList(
        parsePpseFci(ppseWith({entry(quasiAid(), std::nullopt), entry(debitAid(), 0x02),
                               entry(other, 0x01), entry(creditAid(), 0x01)})),
        pbocAids());
    ASSERT_EQ(list.size(), 3U);  // the Visa AID is not supported
    EXPECT_EQ(list[0].aid, creditAid());
    EXPECT_EQ(list[1].aid, debitAid());
    EXPECT_EQ(list[2].aid, quasiAid());
}

TEST(CandidateList, EqualPrioritiesKeepDirectoryOrder) {
    const auto list = candidateList(
        parsePpseFci(ppseWith({entry(quasiAid(), 0x03), entry(debitAid(), 0x03)})), pbocAids());
    ASSERT_EQ(list.size(), 2U);
    EXPECT_EQ(list[0].aid, quasiAid());
}

TEST(CandidateList, PartialMatchOnlyForLongerCardAids) {
    const Bytes longer = concat(debitAid(), fromHex("01"));
    const auto list = candidateList(
        parsePpseFci(ppseWith({entry(longer, 0x01), entry(fromHex("A0000003330101"), 0x01)})),
        pbocAids());
    ASSERT_EQ(list.size(), 1U);
    EXPECT_EQ(list[0].aid, longer);
}

TEST(ApplicationFci, ReadsLabelPriorityPdolAndLogEntry) {
    const Bytes fci = fromHex(
        "6F31 8408A000000333010101"
        "A525 500A50424F43204445424954 870101 9F380B9F66049F02069C019F3704"
        "BF0C05 9F4D020B0A");
    const ApplicationFci parsed = parseApplicationFci(fci, debitAid());
    EXPECT_EQ(parsed.dfName, debitAid());
    EXPECT_EQ(parsed.label, "PBOC DEBIT");
    EXPECT_EQ(parsed.priority, 1);
    EXPECT_EQ(parsed.pdol, fromHex("9F66049F02069C019F3704"));
    EXPECT_EQ(parsed.logEntry, fromHex("0B0A"));
}

TEST(ApplicationFci, WithoutPdolOrLog) {
    const ApplicationFci parsed =
        parseApplicationFci(fromHex("6F0C 8408A000000333010102 A500"), creditAid());
    EXPECT_TRUE(parsed.pdol.empty());
    EXPECT_TRUE(parsed.logEntry.empty());
    EXPECT_EQ(parsed.priority, std::nullopt);
}

TEST(ApplicationFci, RefusesAnotherDfNameAndMissingParts) {
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] {
        parseApplicationFci(fromHex("6F0C 8408A000000333010102 A500"), debitAid());
    });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] {
        parseApplicationFci(fromHex("6F0A 8408A000000333010101"), debitAid());
    });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                         [&] { parseApplicationFci(fromHex("6F02 A500"), debitAid()); });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] {  // 9F4D of 3 bytes
        parseApplicationFci(fromHex("6F15 8408A000000333010101 A509 BF0C06 9F4D030B0A00"),
                            debitAid());
    });
}

class CountingChooser : public ApplicationChooser {
  public:
    std::optional<std::size_t> choose(const std::vector<Candidate>& candidates) override {
        ++asked;
        return candidates.empty() ? std::nullopt : std::optional<std::size_t>(0);
    }
    int asked = 0;
};

// The one candidate's 87 has b8 set: the cardholder confirms it (Book 1 12.4).
TEST(SelectApplication, ConfirmationRequiredAlwaysAsks) {
    const Bytes fci = concat(fromHex("6F0C 8408"), concat(debitAid(), fromHex("A500")));
    test::ScriptedChannel card({apdu::ResponseApdu{ppseWith({entry(debitAid(), 0x81)}), 0x9000},
                                apdu::ResponseApdu{fci, 0x9000}});
    CountingChooser chooser;
    EXPECT_EQ(selectApplication(card, pbocAids(), chooser).fci.dfName, debitAid());
    EXPECT_EQ(chooser.asked, 1);
    test::ScriptedChannel plain({apdu::ResponseApdu{ppseWith({entry(debitAid(), 0x01)}), 0x9000},
                                 apdu::ResponseApdu{fci, 0x9000}});
    selectApplication(plain, pbocAids(), chooser);
    EXPECT_EQ(chooser.asked, 1);  // not asked again
}

TEST(SelectApplication, BlockedCandidateLeavesTheListAndOtherRefusalsStop) {
    const Bytes fci = concat(fromHex("6F0C 8408"), concat(debitAid(), fromHex("A500")));
    const Bytes ppse = ppseWith({entry(creditAid(), 0x01), entry(debitAid(), 0x02)});
    test::ScriptedChannel card({apdu::ResponseApdu{ppse, 0x9000}, apdu::ResponseApdu{{}, 0x6283},
                                apdu::ResponseApdu{{}, 0x6985}, apdu::ResponseApdu{fci, 0x9000}});
    // 6985 answers the GET RESPONSE that follows a warning without data (Book 1 Annex A7).
    CountingChooser chooser;
    EXPECT_EQ(selectApplication(card, pbocAids(), chooser).fci.dfName, debitAid());
    EXPECT_EQ(chooser.asked, 1);  // then only the debit application was left
    EXPECT_EQ(card.sent.size(), 4U);
    test::ScriptedChannel refusing(
        {apdu::ResponseApdu{ppse, 0x9000}, apdu::ResponseApdu{{}, 0x6985}});
    test::expectEmvError(EmvErrorCode::CardRefused,
                         [&] { selectApplication(refusing, pbocAids(), chooser); });
}

}  // namespace
}  // namespace taplink::emv
