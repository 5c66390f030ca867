#include "taplink/base/byte_reader.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "taplink/base/byte_writer.hpp"

namespace taplink {
namespace {

// A protocol's own error type, as each caller brings one.
class LayoutError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

using Reader = ByteReader<LayoutError>;

template <class Call>
std::string messageOf(Call call) {
    try {
        call();
    } catch (const LayoutError& error) {
        return error.what();
    }
    ADD_FAILURE() << "no LayoutError";
    return {};
}

TEST(ByteReaderTest, ReadsBigEndianFieldsFrontToBack) {
    const Bytes bytes = fromHex("01 0203 04050607 08090A0B0C0D0E0F 102030 AABB");
    Reader in(bytes, "message");
    EXPECT_EQ(in.u8("a"), 0x01);
    EXPECT_EQ(in.u16("b"), 0x0203);
    EXPECT_EQ(in.u32("c"), 0x04050607U);
    EXPECT_EQ(in.u64("d"), 0x08090A0B0C0D0E0FULL);
    EXPECT_EQ(in.number(3, "e"), 0x102030U);
    EXPECT_EQ(in.remaining(), 2U);
    EXPECT_EQ(in.take(2, "f"), fromHex("AABB"));
    EXPECT_TRUE(in.atEnd());
}

TEST(ByteReaderTest, ViewIsThePartOfTheInput) {
    const Bytes bytes = fromHex("0102030405");
    Reader in(bytes, "message");
    in.u8("first");
    const ByteView middle = in.view(3, "middle");
    EXPECT_EQ(middle.data(), bytes.data() + 1);
    EXPECT_EQ(middle.size(), 3U);
    EXPECT_EQ(in.view(0, "nothing").size(), 0U);
}

TEST(ByteReaderTest, AShortInputThrowsTheCallersErrorNamingTheField) {
    const Bytes bytes = fromHex("010203");
    Reader in(bytes, "result message");
    in.u8("the version");
    EXPECT_EQ(messageOf([&] { in.u32("the amount"); }), "result message ends inside the amount");
    // Nothing was consumed by the refused read.
    EXPECT_EQ(in.remaining(), 2U);
    EXPECT_EQ(in.u16("the ATC"), 0x0203);
    EXPECT_EQ(messageOf([&] { in.take(1, "the nonce"); }), "result message ends inside the nonce");
}

TEST(ByteReaderTest, EveryPrefixOfALayoutIsRefusedNeverReadPast) {
    const Bytes full = fromHex("AA 00000064 0102030405060708");
    for (std::size_t length = 0; length < full.size(); ++length) {
        Reader in(ByteView(full).first(length), "record");
        EXPECT_THROW(
            {
                in.u8("type");
                in.u32("amount");
                in.take(8, "terminal");
            },
            LayoutError)
            << length;
    }
}

TEST(ByteReaderTest, ExactlyRefusesAnyOtherLength) {
    const Bytes bytes = fromHex("01020304");
    EXPECT_EQ(Reader::exactly(bytes, 4, "GET BALANCE answer").u32("balance"), 0x01020304U);
    EXPECT_EQ(messageOf([&] { Reader::exactly(bytes, 5, "GET BALANCE answer"); }),
              "GET BALANCE answer: 4 bytes, expected 5");
    EXPECT_EQ(messageOf([&] { Reader::exactly(bytes, 3, "EF 0x15"); }),
              "EF 0x15: 4 bytes, expected 3");
}

TEST(ByteReaderTest, RequireSizeNamesTheFieldAndBothSizes) {
    const Bytes key(16, 0x11);
    EXPECT_NO_THROW(requireSize<LayoutError>(key, 16, "key"));
    EXPECT_EQ(messageOf([&] { requireSize<LayoutError>(key, 32, "AES-256-GCM: key"); }),
              "AES-256-GCM: key must be 32 bytes, got 16");
    EXPECT_THROW(requireSize<std::invalid_argument>(Bytes{}, 4, "date"), std::invalid_argument);
}

TEST(ByteReaderTest, BigEndianOfUpToEightBytes) {
    EXPECT_EQ(bigEndian(Bytes{}), 0U);
    EXPECT_EQ(bigEndian(fromHex("9000")), 0x9000U);
    EXPECT_EQ(bigEndian(fromHex("FFFFFFFFFFFFFFFF")), 0xFFFFFFFFFFFFFFFFULL);
    EXPECT_THROW(bigEndian(Bytes(9, 0x00)), std::invalid_argument);
}

TEST(ByteWriterTest, WritesBigEndianFieldsInOrder) {
    const Bytes out = ByteWriter()
                          .u8(0x01)
                          .u16(0x0203)
                          .u32(0x04050607U)
                          .u64(0x08090A0B0C0D0E0FULL)
                          .number(0x102030U, 3)
                          .bytes(fromHex("AABB"))
                          .ascii("TL")
                          .take();
    EXPECT_EQ(out, fromHex("01 0203 04050607 08090A0B0C0D0E0F 102030 AABB 544C"));
}

TEST(ByteWriterTest, NumberKeepsTheLowBytesOfAWiderValue) {
    EXPECT_EQ(ByteWriter().number(0xAABBCCDDU, 3).take(), fromHex("BBCCDD"));
    EXPECT_EQ(ByteWriter().number(0, 8).take(), Bytes(8, 0x00));
    EXPECT_THROW(ByteWriter().number(1, 0), std::invalid_argument);
    EXPECT_THROW(ByteWriter().number(1, 9), std::invalid_argument);
}

TEST(ByteWriterTest, TakeEmptiesTheWriter) {
    ByteWriter writer;
    writer.u16(0x1234);
    EXPECT_EQ(writer.size(), 2U);
    EXPECT_EQ(writer.take(), fromHex("1234"));
    EXPECT_EQ(writer.size(), 0U);
    EXPECT_EQ(writer.u8(0x56).take(), fromHex("56"));
}

TEST(ByteWriterTest, WhatTheWriterWritesTheReaderReadsBack) {
    const Bytes out = ByteWriter().u32(123456).u16(7).number(0x0A0B0C, 3).take();
    Reader in(out, "round trip");
    EXPECT_EQ(in.u32("amount"), 123456U);
    EXPECT_EQ(in.u16("ATC"), 7);
    EXPECT_EQ(in.number(3, "overdraft"), 0x0A0B0CU);
    EXPECT_TRUE(in.atEnd());
}

}  // namespace
}  // namespace taplink
