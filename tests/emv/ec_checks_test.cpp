// Electronic-cash checks (taplink/emv/ec_checks.hpp), JR/T 0025.13.
#include "taplink/emv/ec_checks.hpp"

#include <gtest/gtest.h>

#include <array>

#include "emv_test_support.hpp"

namespace taplink::emv {
namespace {

using apdu::ResponseApdu;
using test::expectEmvError;

TEST(EcChecks, GetDataCommand) {
    EXPECT_EQ(toHex(getDataCommand(0x9F79).encode()), "80CA9F7900");
}

TEST(EcChecks, LoadUpToTheLimitIsAccepted) {
    const EcState state{60000, 100000, std::nullopt};
    EXPECT_NO_THROW(checkEcAmount(state, 40000, EcUse::Load));
    expectEmvError(EmvErrorCode::NotAccepted, [&] { checkEcAmount(state, 40001, EcUse::Load); });
    expectEmvError(EmvErrorCode::NotAccepted, [&] { checkEcAmount(state, 0, EcUse::Load); });
    // No overflow past the largest amounts.
    const EcState full{999'999'999'999, 999'999'999'999, std::nullopt};
    expectEmvError(EmvErrorCode::NotAccepted, [&] { checkEcAmount(full, 1, EcUse::Load); });
}

TEST(EcChecks, SingleTransactionLimitBoundsPurchasesOnly) {
    const EcState state{60000, 100000, 20000};
    EXPECT_NO_THROW(checkEcAmount(state, 30000, EcUse::Load));
    EXPECT_NO_THROW(checkEcAmount(state, 20000, EcUse::Purchase));
    expectEmvError(EmvErrorCode::NotAccepted,
                   [&] { checkEcAmount(state, 20001, EcUse::Purchase); });
    const EcState poor{100, 100000, std::nullopt};
    expectEmvError(EmvErrorCode::NotAccepted, [&] { checkEcAmount(poor, 101, EcUse::Purchase); });
}

TEST(EcChecks, ReadsBalanceLimitsAndAnAbsentSingleLimit) {
    test::ScriptedChannel card({ResponseApdu{fromHex("9F7906000000006000"), 0x9000},
                                ResponseApdu{fromHex("9F7706000000100000"), 0x9000},
                                ResponseApdu{{}, 0x6A88}});
    const EcState state = readEcState(card);
    EXPECT_EQ(state.balance, 6000U);
    EXPECT_EQ(state.balanceLimit, 100000U);
    EXPECT_EQ(state.singleTransactionLimit, std::nullopt);
    ASSERT_EQ(card.sent.size(), 3U);
    EXPECT_EQ(toHex(card.sent[2].encode()), "80CA9F7800");
}

TEST(EcChecks, MalformedOrRefusedAmounts) {
    const std::vector<ResponseApdu> bad{
        {fromHex("9F79060000000060A0"), 0x9000},  // not BCD
        {fromHex("9F7905000000600000"), 0x9000},  // 5 bytes (and a trailing padding byte)
        {fromHex("9F7706000000006000"), 0x9000},  // another tag
        {fromHex("000000006000"), 0x9000},        // no TLV
    };
    for (const ResponseApdu& answer : bad) {
        test::ScriptedChannel card({answer});
        expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { readEcAmount(card, 0x9F79); });
    }
    test::ScriptedChannel refusing({ResponseApdu{{}, 0x6985}});
    expectEmvError(EmvErrorCode::CardRefused, [&] { readEcAmount(refusing, 0x9F79); });
}

// PIN Try Counter 9F17 (Book 3 Annex A1: b, 1 byte), read with GET DATA.
TEST(EcChecks, ReadsThePinTryCounter) {
    test::ScriptedChannel card({ResponseApdu{fromHex("9F170102"), 0x9000}});
    EXPECT_EQ(readPinTryCounter(card), 2U);
    ASSERT_EQ(card.sent.size(), 1U);
    EXPECT_EQ(toHex(card.sent[0].encode()), "80CA9F1700");
}

TEST(EcChecks, ACardWithoutThePinTryCounterSkipsTheCheck) {
    for (const std::uint16_t absent : std::array<std::uint16_t, 2>{0x6A88, 0x6A81}) {
        test::ScriptedChannel card({ResponseApdu{{}, absent}});
        const std::optional<std::uint8_t> counter = readPinTryCounter(card);
        EXPECT_EQ(counter, std::nullopt) << absent;
        Tvr tvr;
        checkPinTryCounter(counter, tvr);
        EXPECT_EQ(tvr.bytes(), fromHex("0000000000"));
        EXPECT_NO_THROW(refuseBlockedPinForLoad(tvr));
    }
}

TEST(EcChecks, AMalformedOrRefusedPinTryCounter) {
    for (const char* answer : {"9F17020003", "9F1700", "9F79010000", "03"}) {
        test::ScriptedChannel card({ResponseApdu{fromHex(answer), 0x9000}});
        expectEmvError(EmvErrorCode::CardAnsweredWrongly, [&] { readPinTryCounter(card); });
    }
    test::ScriptedChannel refusing({ResponseApdu{{}, 0x6985}});
    expectEmvError(EmvErrorCode::CardRefused, [&] { readPinTryCounter(refusing); });
}

// TVR byte 3 b6 "PIN Try Limit exceeded" (Book 3 Annex C5) is 00 00 20 00 00.
TEST(EcChecks, NoTriesLeftSetsThePinTryLimitBitAndRefusesALoad) {
    Tvr blocked;
    checkPinTryCounter(0, blocked);
    EXPECT_EQ(blocked.bytes(), fromHex("0000200000"));
    const std::string message =
        expectEmvError(EmvErrorCode::PinBlocked, [&] { refuseBlockedPinForLoad(blocked); });
    EXPECT_NE(message.find("9F17"), std::string::npos) << message;
    for (const std::uint8_t left : std::array<std::uint8_t, 3>{1, 3, 15}) {
        Tvr tvr;
        checkPinTryCounter(left, tvr);
        EXPECT_EQ(tvr.bytes(), fromHex("0000000000")) << int{left};
        EXPECT_NO_THROW(refuseBlockedPinForLoad(tvr));
    }
}

}  // namespace
}  // namespace taplink::emv
