// The transaction log reader (taplink/emv/transaction_log.hpp), EMV Book 3 Annex D: hand-built
// answers for the edges, and taplink-sim's bank card for a real log.
#include "taplink/emv/transaction_log.hpp"

#include <gtest/gtest.h>

#include "cards/profiles.hpp"
#include "emv_test_support.hpp"
#include "taplink/emv/emv_tags.hpp"
#include "taplink/emv/selection.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::emv {
namespace {

using apdu::ResponseApdu;
using test::expectEmvError;

// Format 9A 03 9F02 06 9F36 02: date, amount, ATC (11 bytes a record).
ResponseApdu format() {
    return ResponseApdu{fromHex("9F4F089A039F02069F3602"), 0x9000};
}

TEST(TransactionLog, TheLogEntryIsAnIssuerSfiAndACount) {
    EXPECT_EQ(parseLogEntry(fromHex("0B0A")), (LogLocation{11, 10}));
    EXPECT_EQ(parseLogEntry(fromHex("1E01")), (LogLocation{30, 1}));
    for (const char* bad : {"0A0A", "1F0A", "0B00", "0B", "0B0A00", ""}) {
        expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { parseLogEntry(fromHex(bad)); });
    }
}

TEST(TransactionLog, ReadsRecordsNewestFirstUntilRecordNotFound) {
    test::ScriptedChannel card({format(), ResponseApdu{fromHex("261205000000005000000B"), 0x9000},
                                ResponseApdu{fromHex("261204000000000100000A"), 0x9000},
                                ResponseApdu{{}, 0x6A83}});
    const auto log = readTransactionLog(card, fromHex("0B0A"));
    ASSERT_EQ(log.size(), 2U);
    EXPECT_EQ(toHex(log[0].at(tag::kAmountAuthorised)), "000000005000");
    EXPECT_EQ(toHex(log[0].at(tag::kAtc)), "000B");
    EXPECT_EQ(toHex(log[1].at(tag::kTransactionDate)), "261204");
    ASSERT_EQ(card.sent.size(), 4U);
    EXPECT_EQ(toHex(card.sent[0].encode()), "80CA9F4F00");
    EXPECT_EQ(toHex(card.sent[1].encode()), "00B2015C00");  // record 1 of SFI 11
    EXPECT_EQ(toHex(card.sent[3].encode()), "00B2035C00");
}

TEST(TransactionLog, StopsAtTheCountTheLogEntryGives) {
    test::ScriptedChannel card({format(), ResponseApdu{fromHex("261205000000005000000B"), 0x9000}});
    EXPECT_EQ(readTransactionLog(card, fromHex("0B01")).size(), 1U);
    EXPECT_EQ(card.sent.size(), 2U);
}

TEST(TransactionLog, ARecordOfAnotherLengthOrAnotherStatusIsRefused) {
    test::ScriptedChannel shortRecord({format(), ResponseApdu{fromHex("2612050000"), 0x9000}});
    expectEmvError(EmvErrorCode::CardAnsweredWrongly,
                   [&] { readTransactionLog(shortRecord, fromHex("0B0A")); });
    test::ScriptedChannel refused({format(), ResponseApdu{{}, 0x6982}});
    expectEmvError(EmvErrorCode::CardRefused,
                   [&] { readTransactionLog(refused, fromHex("0B0A")); });
    test::ScriptedChannel noFormat({ResponseApdu{{}, 0x6A88}});
    expectEmvError(EmvErrorCode::CardRefused,
                   [&] { readTransactionLog(noFormat, fromHex("0B0A")); });
}

// The simulated PBOC card names its log in the FCI (BF0C/9F4D) and starts with none.
TEST(TransactionLog, TheSimulatedBankCardHasAnEmptyLogAtFirst) {
    taplink::testing::VirtualCardChannel card(sim::makeCard("bank-3des"));
    class First final : public ApplicationChooser {
        std::optional<std::size_t> choose(const std::vector<Candidate>&) override { return 0; }
    } first;
    const SelectedApplication selected =
        selectApplication(card, {Bytes(kPbocDebitAid.begin(), kPbocDebitAid.end())}, first);
    EXPECT_EQ(parseLogEntry(selected.fci.logEntry), (LogLocation{11, 10}));
    EXPECT_TRUE(readTransactionLog(card, selected.fci.logEntry).empty());
}

}  // namespace
}  // namespace taplink::emv
