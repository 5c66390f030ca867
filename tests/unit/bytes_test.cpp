#include "taplink/base/bytes.hpp"
#include "taplink/base/masking.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace taplink {
namespace {

TEST(MaskSerialTest, ShowsOnlyTheLastFourDigitsAndIsIdempotent) {
    EXPECT_EQ(maskSerial(fromHex("00000000000000000042")), "\u20260042");
    EXPECT_EQ(maskSerial(fromHex("0102")), "\u20260102");
    EXPECT_EQ(maskSerial(std::string_view("1234567890")), "\u20267890");
    EXPECT_EQ(maskSerial(std::string_view("\u20260042")), "\u20260042");
    EXPECT_EQ(maskSerial(std::string_view("42")), "\u202642");
}

TEST(BytesTest, ToHexIsUpperCaseWithoutSpacesByDefault) {
    const Bytes bytes{0x00, 0x3B, 0x8f, 0xFF};
    EXPECT_EQ(toHex(bytes), "003B8FFF");
}

TEST(BytesTest, ToHexSpacedSeparatesBytesWithSingleSpaces) {
    const Bytes bytes{0x3B, 0x8F, 0x80};
    EXPECT_EQ(toHex(bytes, true), "3B 8F 80");
}

TEST(BytesTest, ToHexOfEmptyIsEmpty) {
    EXPECT_EQ(toHex(Bytes{}), "");
    EXPECT_EQ(toHex(Bytes{}, true), "");
}

TEST(BytesTest, ToHexSingleByteSpacedHasNoSpace) {
    EXPECT_EQ(toHex(Bytes{0x0A}, true), "0A");
}

TEST(BytesTest, FromHexAcceptsUpperAndLowerCase) {
    const Bytes expected{0xAB, 0xCD, 0xEF, 0x01};
    EXPECT_EQ(fromHex("ABCDEF01"), expected);
    EXPECT_EQ(fromHex("abcdef01"), expected);
    EXPECT_EQ(fromHex("aBcDeF01"), expected);
}

TEST(BytesTest, FromHexIgnoresSpacesAndColons) {
    const Bytes expected{0x3B, 0x8F, 0x80, 0x01};
    EXPECT_EQ(fromHex("3B 8F 80 01"), expected);
    EXPECT_EQ(fromHex("3b:8f:80:01"), expected);
    EXPECT_EQ(fromHex("  3B8F  8001 "), expected);
}

TEST(BytesTest, FromHexOfEmptyIsEmpty) {
    EXPECT_TRUE(fromHex("").empty());
    EXPECT_TRUE(fromHex("   ").empty());
}

TEST(BytesTest, FromHexRejectsOddDigitCount) {
    EXPECT_THROW(fromHex("ABC"), std::invalid_argument);
    EXPECT_THROW(fromHex("A"), std::invalid_argument);
    EXPECT_THROW(fromHex("AB C"), std::invalid_argument);
}

TEST(BytesTest, FromHexRejectsNonHexCharacters) {
    EXPECT_THROW(fromHex("GG"), std::invalid_argument);
    EXPECT_THROW(fromHex("0x12"), std::invalid_argument);
    EXPECT_THROW(fromHex("12-34"), std::invalid_argument);
    EXPECT_THROW(fromHex("12\t34"), std::invalid_argument);
    EXPECT_THROW(fromHex(std::string_view("12\0"
                                          "34",
                                          5)),
                 std::invalid_argument);
}

TEST(BytesTest, HexRoundTripsEveryByteValue) {
    Bytes all;
    for (int i = 0; i < 256; ++i) {
        all.push_back(static_cast<std::uint8_t>(i));
    }
    EXPECT_EQ(fromHex(toHex(all)), all);
    EXPECT_EQ(fromHex(toHex(all, true)), all);
}

TEST(BytesTest, ConcatAppendsInOrder) {
    const Bytes a{0x01, 0x02};
    const Bytes b{0x03};
    EXPECT_EQ(concat(a, b), (Bytes{0x01, 0x02, 0x03}));
    EXPECT_EQ(concat(Bytes{}, b), b);
    EXPECT_EQ(concat(a, Bytes{}), a);
}

}  // namespace
}  // namespace taplink
