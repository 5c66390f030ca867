// Strict template reading (taplink/emv/emv_tlv.hpp) with hand-built bytes.
#include "taplink/emv/emv_tlv.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {
namespace {

using test::expectEmvError;

void expectMalformed(const std::string& hex, std::uint32_t tag, const std::string& words) {
    const std::string message = expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] {
        EmvTemplate::parse(fromHex(hex), tag, "test answer");
    });
    EXPECT_NE(message.find(words), std::string::npos) << message;
}

TEST(EmvTemplate, ReadsTheChildrenOfTheExpectedTemplate) {
    const EmvTemplate gpo =
        EmvTemplate::parse(fromHex("770A 82021980 940408010100"), tag::kResponseFormat2, "GPO");
    EXPECT_EQ(gpo.required(tag::kAip), fromHex("1980"));
    EXPECT_EQ(gpo.required(tag::kAfl), fromHex("08010100"));
    EXPECT_EQ(gpo.optional(tag::kPan), nullptr);
}

TEST(EmvTemplate, PaddingAroundTheTemplateIsAllowed) {
    // Book 3 Annex B1: 00 bytes may occur before, between or after data objects.
    const EmvTemplate padded =
        EmvTemplate::parse(fromHex("00 7004 5F340101 0000"), tag::kRecordTemplate, "record");
    EXPECT_EQ(padded.required(tag::kPanSequenceNumber), fromHex("01"));
}

TEST(EmvTemplate, RefusesAnotherTagTrailingBytesAndBadTlv) {
    expectMalformed("7004 5F340101", tag::kResponseFormat2, "70 where 77 was expected");
    expectMalformed("7004 5F340101 9F3601", tag::kRecordTemplate, "test answer");
    expectMalformed("7004 5F340101 7000", tag::kRecordTemplate, "2 objects");
    expectMalformed("7005 5F340101", tag::kRecordTemplate, "exceeds");
    expectMalformed("", tag::kRecordTemplate, "0 objects");
    expectMalformed("5F340101", tag::kPanSequenceNumber, "not a template");
}

TEST(EmvTemplate, RefusesADataObjectTwice) {
    expectMalformed("7008 5F340101 5F340102", tag::kRecordTemplate, "5F34 appears twice in 70");
}

TEST(EmvTemplate, DirectoryEntriesAndScriptCommandsMayRepeat) {
    const EmvTemplate directory =
        EmvTemplate::parse(fromHex("BF0C14 6108 4F06A00000033301 6108 4F06A00000033302"),
                           tag::kFciIssuerDiscretionary, "directory");
    EXPECT_EQ(directory.all(tag::kDirectoryEntry).size(), 2U);
}

TEST(EmvTemplate, ChecksTheLengthOfEveryKnownDataObject) {
    expectMalformed("7703 820119", tag::kResponseFormat2, "82 of 1 bytes");
    expectMalformed("7705 9F27020000", tag::kResponseFormat2, "9F27 of 2 bytes");
    expectMalformed("700A 9F2607 01020304050607", tag::kRecordTemplate, "9F26 of 7 bytes");
    expectMalformed("7005 4F03A00000", tag::kRecordTemplate, "4F of 3 bytes");
    // A tag the kernel does not know passes with any length.
    EXPECT_NO_THROW(EmvTemplate::parse(fromHex("7004 DF7F0101"), tag::kRecordTemplate, "r"));
}

TEST(EmvTemplate, MissingMandatoryTagIsNamed) {
    const EmvTemplate gpo =
        EmvTemplate::parse(fromHex("7704 82021980"), tag::kResponseFormat2, "GPO");
    const std::string message =
        expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { gpo.required(tag::kAfl); });
    EXPECT_NE(message.find("GPO: no 94 in 77"), std::string::npos) << message;
}

TEST(EmvTemplate, NestedTemplatesAreCheckedToo) {
    const EmvTemplate fci =
        EmvTemplate::parse(fromHex("6F0E 8408A000000333010101 A502 8700"), tag::kFci, "FCI");
    expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                   [&] { fci.requiredTemplate(tag::kFciProprietary); });
}

TEST(GetDataAnswer, IsExactlyTheOneObjectAsked) {
    EXPECT_EQ(parseSingleObject(fromHex("9F7906000000010000"), tag::kEcBalance, "GET DATA"),
              fromHex("000000010000"));
    for (const char* bad : {"9F77060000000100 00", "9F7906000000010000 01", "9F7905000000010000",
                            "9F7906000000010000 9F7906000000010000", "9F79"}) {
        expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                       [&] { parseSingleObject(fromHex(bad), tag::kEcBalance, "GET DATA"); });
    }
}

TEST(TagName, WritesTheTagAsEmvDoes) {
    EXPECT_EQ(tagName(0x9F27), "9F27");
    EXPECT_EQ(tagName(0x5A), "5A");
    EXPECT_EQ(tagName(0xBF0C), "BF0C");
}

}  // namespace
}  // namespace taplink::emv
