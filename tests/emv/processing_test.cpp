// GET PROCESSING OPTIONS, the AFL and records (taplink/emv/processing.hpp), hand-built.
#include "taplink/emv/processing.hpp"

#include <gtest/gtest.h>

#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"

namespace taplink::emv {
namespace {

using test::expectEmvError;

TEST(GpoCommand, CarriesThePdolDataInTemplate83) {
    EXPECT_EQ(toHex(getProcessingOptionsCommand(fromHex("A600400000000001000000")).encode()),
              "80A800000D830BA60040000000000100000000");
    EXPECT_EQ(toHex(getProcessingOptionsCommand({}).encode()),
              "80A80000028300"
              "00");
}

TEST(GpoAnswer, Format1AndFormat2GiveTheSameOptions) {
    const std::vector<AflEntry> afl{{1, 1, 1, 0}, {2, 1, 3, 1}, {3, 1, 2, 1}};
    const ProcessingOptions one =
        parseProcessingOptions(fromHex("800E 1980 08010100 10010301 18010201"));
    EXPECT_EQ(one.aip, fromHex("1980"));
    EXPECT_EQ(one.afl, afl);
    const ProcessingOptions two =
        parseProcessingOptions(fromHex("7712 82021980 940C 08010100 10010301 18010201"));
    EXPECT_EQ(two.aip, fromHex("1980"));
    EXPECT_EQ(two.afl, afl);
}

TEST(GpoAnswer, RefusesMalformedAnswers) {
    for (const char* bad : {
             "770E 940C080101001001030118010201",  // no AIP
             "7704 82021980",                      // no AFL
             "7708 82021980 82021980",             // AIP twice
             "7709 82021980 9403080101",           // AFL not 4n
             "7706 8202198094 00",                 // AFL empty
             "8001 19",                            // format 1 without a whole AIP
             "8005 1980 080101",                   // AFL not 4n
             "8002 1980",                          // no AFL
             "8006 1980 08010100 01",              // something after the 80 object
             "7006 82021980 9400",                 // another template
             "",
         }) {
        expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                       [&] { parseProcessingOptions(fromHex(bad)); });
    }
}

TEST(Afl, EntriesAreCheckedOneByOne) {
    EXPECT_EQ(parseAfl(fromHex("F0010100")).front().sfi, 30);
    EXPECT_EQ(parseAfl(fromHex("08FEFF02")).front().lastRecord, 0xFF);
    for (const char* bad : {
             "00010100",  // SFI 0
             "F8010100",  // SFI 31
             "09010100",  // low three bits not zero
             "08000100",  // first record 0
             "08020100",  // last before first
             "08010203",  // three ODA records out of two
             "0801010008",
             "",
         }) {
        const std::string message =
            expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { parseAfl(fromHex(bad)); });
        EXPECT_FALSE(message.empty());
    }
}

TEST(ReadRecord, CommandNamesRecordAndSfi) {
    EXPECT_EQ(toHex(readRecordCommand(1, 1).encode()), "00B2010C00");
    EXPECT_EQ(toHex(readRecordCommand(3, 2).encode()), "00B2021C00");
}

TEST(Records, DataObjectsAreCollectedOnce) {
    CardData data;
    collectRecord(fromHex("700E 5A086288880000000042 5F340101"), 1, data);
    collectRecord(fromHex("7006 5F2403311231"), 2, data);
    EXPECT_EQ(data.at(tag::kPan), fromHex("6288880000000042"));
    EXPECT_EQ(data.at(tag::kExpirationDate), fromHex("311231"));
    const std::string message = expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] {
        collectRecord(fromHex("7004 5F340102"), 3, data);
    });
    EXPECT_NE(message.find("5F34 was already in an earlier record"), std::string::npos);
}

TEST(Records, MustBeTemplate70WithValidObjects) {
    CardData data;
    for (const char* bad :
         {"7704 5F340101", "7005 5F340101", "7005 5F24023112", "7004 5F340101 00 01"}) {
        expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                       [&] { collectRecord(fromHex(bad), 1, data); });
    }
}

TEST(Records, ProprietaryFilesAreNotParsed) {
    CardData data;
    collectRecord(fromHex("0102030405"), 11, data);
    EXPECT_TRUE(data.empty());
}

}  // namespace
}  // namespace taplink::emv
