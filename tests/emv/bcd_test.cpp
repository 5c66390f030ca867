// Numeric (n) fields (taplink/emv/bcd.hpp), EMV Book 3 4.3.
#include "taplink/emv/bcd.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"

namespace taplink::emv {
namespace {

TEST(Bcd, AmountsAreTwelveDigitsRightJustified) {
    EXPECT_EQ(encodeAmount(0), fromHex("000000000000"));
    EXPECT_EQ(encodeAmount(10000), fromHex("000000010000"));  // 100.00 yuan
    EXPECT_EQ(encodeAmount(123456789012), fromHex("123456789012"));
    EXPECT_EQ(encodeAmount(kMaxAmount), fromHex("999999999999"));
    EXPECT_EQ(decodeAmount(fromHex("000000010000"), "9F79"), 10000U);
    EXPECT_EQ(decodeAmount(fromHex("999999999999"), "9F79"), kMaxAmount);
}

TEST(Bcd, OtherWidths) {
    EXPECT_EQ(encodeNumeric(156, 2), fromHex("0156"));  // 9F1A China
    EXPECT_EQ(encodeNumeric(261231, 3), fromHex("261231"));
    EXPECT_EQ(decodeNumeric(fromHex("0156"), "5F2A"), 156U);
}

TEST(Bcd, TooManyDigitsIsTerminalDataInvalid) {
    test::expectEmvError(EmvErrorCode::TerminalDataInvalid, [] { encodeAmount(kMaxAmount + 1); });
    test::expectEmvError(EmvErrorCode::TerminalDataInvalid, [] { encodeNumeric(1000, 1); });
}

TEST(Bcd, DecodingIsStrict) {
    for (const char* bad :
         {"00000001000A", "0000000100A0", "F00000010000", "0000000100", "", "00000000010000"}) {
        test::expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                             [&] { decodeAmount(fromHex(bad), "9F79"); });
    }
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                         [] { decodeNumeric(fromHex("00112233445566778899"), "ten bytes"); });
    test::expectEmvError(EmvErrorCode::CardAnsweredWrongly, [] { decodeNumeric({}, "nothing"); });
}

TEST(Bcd, CardSideValueIsNulloptWhereDecodingThrows) {
    EXPECT_EQ(numericValue(fromHex("000000010000")), 10000U);
    EXPECT_EQ(numericValue(fromHex("999999999999999999")), 999'999'999'999'999'999U);
    for (const char* bad : {"00000001000A", "A0", "0F", "", "00112233445566778899"}) {
        EXPECT_EQ(numericValue(fromHex(bad)), std::nullopt) << bad;
    }
}

TEST(Bcd, Dates) {
    for (const char* good : {"311231", "260101", "000229", "991130"}) {
        EXPECT_TRUE(isDate(fromHex(good))) << good;
    }
    // Month 00 or 13, day 00 or 32, a hex digit, 2 or 4 bytes.
    for (const char* bad : {"310001", "311301", "311200", "311232", "3112A1", "3112", "20311231"}) {
        EXPECT_FALSE(isDate(fromHex(bad))) << bad;
    }
}

// EMV Book 4 6.7.3: YY 00-49 is 20YY, 50-99 is 19YY.
TEST(Bcd, DateOrderKnowsTheCentury) {
    EXPECT_EQ(dateOrder(fromHex("491231")), 20491231U);
    EXPECT_EQ(dateOrder(fromHex("500101")), 19500101U);
    EXPECT_LT(*dateOrder(fromHex("991231")), *dateOrder(fromHex("000101")));
    EXPECT_LT(*dateOrder(fromHex("261205")), *dateOrder(fromHex("261206")));
    EXPECT_EQ(dateOrder(fromHex("261301")), std::nullopt) << "not a date: no order at all";
    EXPECT_EQ(dateOrder(fromHex("2612")), std::nullopt);
}

}  // namespace
}  // namespace taplink::emv
