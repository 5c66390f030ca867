// Data object lists (taplink/emv/dol.hpp), EMV Book 3 5.4, with hand-built lists.
#include "taplink/emv/dol.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {
namespace {

TEST(Dol, ParsesTagsAndLengths) {
    // A PBOC PDOL: 9F66 (4) 9F02 (6) 9F03 (6) 9F1A (2) 95 (5) 5F2A (2) 9A (3) 9C (1) 9F37 (4).
    const auto dol = parseDol(fromHex("9F66049F02069F03069F1A0295055F2A029A039C019F3704"));
    const std::vector<DolEntry> expected{{0x9F66, 4}, {0x9F02, 6}, {0x9F03, 6},
                                         {0x9F1A, 2}, {0x95, 5},   {0x5F2A, 2},
                                         {0x9A, 3},   {0x9C, 1},   {0x9F37, 4}};
    EXPECT_EQ(dol, expected);
    EXPECT_TRUE(parseDol({}).empty());
}

TEST(Dol, RefusesATruncatedEntry) {
    for (const char* bad : {"9F02", "9F", "9F0206 9F", "9F8080808001"}) {
        test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { parseDol(fromHex(bad)); });
    }
}

TEST(Dol, BuildsTheDataInOrderWithExactLengths) {
    const TerminalData data{{tag::kAmountAuthorised, fromHex("000000010000")},
                            {tag::kUnpredictableNumber, fromHex("11223344")},
                            {tag::kTransactionType, fromHex("60")}};
    const auto dol = parseDol(fromHex("9F02069C019F3704"));
    EXPECT_EQ(buildDolData(dol, data), fromHex("000000010000 60 11223344"));
}

TEST(Dol, NumericValuesArePaddedAndCutOnTheLeft) {
    const TerminalData data{{tag::kAmountAuthorised, fromHex("000000012345")}};
    EXPECT_EQ(buildDolData({{0x9F02, 8}}, data), fromHex("0000000000012345"));
    EXPECT_EQ(buildDolData({{0x9F02, 4}}, data), fromHex("00012345"));
}

// Book 3 Annex A1 gives these format n; Book 3 5.4 pads n on the left, so 0x02 asked for in
// two bytes is 00 02 (a b field would be 02 00).
TEST(Dol, EveryNumericTagOfAnnexA1IsPaddedOnTheLeft) {
    for (const std::uint32_t numeric :
         {0x9F01U, 0x9F02U, 0x9F03U, 0x9F1AU, 0x5F2AU, 0x5F36U, 0x9F3CU,
          0x9F3DU, 0x9AU,   0x9F21U, 0x9CU,   0x9F35U, 0x9F41U, 0x9F15U,
          0x5F28U, 0x9F42U, 0x9F44U, 0x5F24U, 0x5F25U, 0x5F34U}) {
        const TerminalData data{{numeric, fromHex("02")}};
        EXPECT_EQ(buildDolData({{numeric, 2}}, data), fromHex("0002")) << std::hex << numeric;
    }
}

TEST(Dol, OtherValuesArePaddedAndCutOnTheRight) {
    const TerminalData data{{tag::kTerminalTransactionQualifiers, fromHex("A6004000")}};
    EXPECT_EQ(buildDolData({{0x9F66, 6}}, data), fromHex("A60040000000"));
    EXPECT_EQ(buildDolData({{0x9F66, 2}}, data), fromHex("A600"));
}

TEST(Dol, CompressedNumericIsPaddedWithF) {
    const TerminalData data{{tag::kPan, fromHex("6288880000000042")}};
    EXPECT_EQ(buildDolData({{0x5A, 10}}, data), fromHex("6288880000000042FFFF"));
}

TEST(Dol, UnknownAndConstructedTagsGiveZeros) {
    const TerminalData data{{0x70, fromHex("0102")}};
    EXPECT_EQ(buildDolData({{0xDF01, 3}, {0x70, 2}}, data), fromHex("000000 0000"));
}

TEST(Dol, CardSideConcatenationCheck) {
    const auto dol = parseDol(fromHex("9F02069C01"));
    EXPECT_TRUE(dolDataFits(dol, Bytes(7)));
    EXPECT_FALSE(dolDataFits(dol, Bytes(6)));
    EXPECT_FALSE(dolDataFits(dol, Bytes(8)));
    EXPECT_TRUE(dolDataFits({}, {}));
}

TEST(Dol, CardSideReadsEachValueByTag) {
    // CDOL2 of a PBOC card: 91 (10) 8A (2) 9F02 (6), as a terminal sends it.
    const auto dol = parseDol(fromHex("910A8A029F0206"));
    const TerminalData values =
        readDolData(dol, fromHex("1122334455667788 3030  3030 000000010000"));
    const TerminalData expected{{tag::kIssuerAuthenticationData, fromHex("11223344556677883030")},
                                {tag::kAuthorisationResponseCode, fromHex("3030")},
                                {tag::kAmountAuthorised, fromHex("000000010000")}};
    EXPECT_EQ(values, expected);
    EXPECT_TRUE(readDolData({}, {}).empty());
}

TEST(Dol, CardSideKeepsTheFirstOfARepeatedTag) {
    const auto values = readDolData(parseDol(fromHex("9C019C01")), fromHex("2060"));
    EXPECT_EQ(values.at(tag::kTransactionType), fromHex("20"));
}

TEST(Dol, CardSideRefusesDataOfTheWrongLength) {
    const auto dol = parseDol(fromHex("9F02069C01"));
    for (const char* bad : {"", "000000010000", "00000001000060FF"}) {
        test::expectEmvError(EmvErrorCode::TerminalDataInvalid,
                             [&] { readDolData(dol, fromHex(bad)); });
    }
}

}  // namespace
}  // namespace taplink::emv
