// The PC/SC layer's card exchanges against taplink-sim cards through a real pcscd + vpcd.
#include <PCSC/winscard.h>
#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <thread>

#include "applets/diag_applet.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/errors.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using apdu::CommandApdu;
using pcsc::CardConnection;
using pcsc::ErrorKind;
using pcsc::PcscError;

constexpr int kT1Slot = 0;
constexpr int kT0Slot = 1;

CommandApdu selectDiag() {
    return CommandApdu{0x00, 0xA4, 0x04, 0x00, sim::diagAid(), 256};
}

CommandApdu echo(Bytes data, std::optional<std::size_t> le = 256) {
    return CommandApdu{sim::diag::kCla, sim::diag::kInsEcho, 0, 0, std::move(data), le};
}

CommandApdu pattern(std::size_t length, std::size_t le) {
    return CommandApdu{sim::diag::kCla,
                       sim::diag::kInsPattern,
                       static_cast<std::uint8_t>(length >> 8U),
                       static_cast<std::uint8_t>(length & 0xFFU),
                       {},
                       le};
}

Bytes counting(std::size_t length) {
    Bytes bytes(length);
    for (std::size_t i = 0; i < length; ++i) {
        bytes[i] = static_cast<std::uint8_t>(i & 0xFFU);
    }
    return bytes;
}

class PcscTransmit : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader({{kT1Slot, "iso-t1"}, {kT0Slot, "iso-t0"}})};
    pcsc::Context context = pcsc::Context::establish();

    CardConnection connect(int slot, pcsc::ShareMode mode = pcsc::ShareMode::Shared) {
        return CardConnection::connect(context, bed.readerName(slot), pcsc::Protocol::Any, mode);
    }
};

TEST_F(PcscTransmit, ConnectsWithTheProtocolTheAtrOffers) {
    EXPECT_EQ(connect(kT1Slot).protocol(), pcsc::Protocol::T1);
    EXPECT_EQ(connect(kT0Slot).protocol(), pcsc::Protocol::T0);
    auto t1 = connect(kT1Slot);
    EXPECT_EQ(t1.atr().front(), 0x3B);
    EXPECT_EQ(t1.reader(), bed.readerName(kT1Slot));
}

TEST_F(PcscTransmit, RoundTripSelectsAndEchoes) {
    auto card = connect(kT1Slot);
    const auto fci = card.transmit(selectDiag());
    ASSERT_EQ(fci.sw, 0x9000);
    EXPECT_EQ(fci.data, concat(Bytes{0x6F, 0x0B, 0x84, 0x09}, sim::diagAid()));
    const auto echoed = card.transmit(echo(fromHex("0102030405")));
    EXPECT_EQ(echoed.sw, 0x9000);
    EXPECT_EQ(echoed.data, fromHex("0102030405"));
}

TEST_F(PcscTransmit, T0CaseFourAnswerIsFetchedWithGetResponse) {
    auto card = connect(kT0Slot);
    ASSERT_TRUE(card.transmit(selectDiag()).ok());
    // Raw: the card only announces its data.
    const Bytes raw = card.transmitRaw(echo(fromHex("AABBCC")).encode());
    EXPECT_EQ(raw, fromHex("6103"));
    // Through transmit(): GET RESPONSE fetches it.
    const auto response = card.transmit(echo(fromHex("AABBCC")));
    EXPECT_EQ(response.sw, 0x9000);
    EXPECT_EQ(response.data, fromHex("AABBCC"));
}

TEST_F(PcscTransmit, ChainsSeveralGetResponsesForLongAnswers) {
    auto card = connect(kT0Slot);
    ASSERT_TRUE(card.transmit(selectDiag()).ok());
    // 700 bytes through T=0: 256 + 256 + 188 with 61xx in between.
    const auto response = card.transmit(pattern(700, 256));
    EXPECT_EQ(response.sw, 0x9000);
    EXPECT_EQ(response.data, counting(700));
}

TEST_F(PcscTransmit, WrongLeIsReissuedWithTheLengthFrom6Cxx) {
    auto card = connect(kT0Slot);
    // READ BINARY of the 64-byte EF (SFI 02) asking for 128 bytes.
    const CommandApdu readBinary{0x00, 0xB0, 0x82, 0x00, {}, 0x80};
    EXPECT_EQ(card.transmitRaw(readBinary.encode()), fromHex("6C40"));
    const auto response = card.transmit(readBinary);
    EXPECT_EQ(response.sw, 0x9000);
    EXPECT_EQ(response.data, counting(64));
}

TEST_F(PcscTransmit, ExtendedLengthApdusCarryLargeCommandsAndAnswers) {
    auto card = connect(kT1Slot);
    ASSERT_TRUE(card.transmit(selectDiag()).ok());
    const Bytes big = counting(1000);
    const auto command = echo(big, apdu::kMaxExtendedLe);
    ASSERT_TRUE(command.isExtended());
    const auto echoed = card.transmit(command);
    EXPECT_EQ(echoed.sw, 0x9000);
    EXPECT_EQ(echoed.data, big);

    const auto longAnswer = card.transmit(pattern(4096, apdu::kMaxExtendedLe));
    EXPECT_EQ(longAnswer.sw, 0x9000);
    EXPECT_EQ(longAnswer.data, counting(4096));
}

TEST_F(PcscTransmit, InjectedStatusWordReachesTheCaller) {
    auto card = connect(kT1Slot);
    bed.sim().answerStatusWord(kT1Slot, 1, "6A82");
    EXPECT_EQ(card.transmit(selectDiag()).sw, 0x6A82);
    EXPECT_EQ(card.transmit(selectDiag()).sw, 0x9000);
}

TEST_F(PcscTransmit, CardAnnouncingDataForeverIsAProtocolError) {
    auto card = connect(kT1Slot);
    bed.sim().answerStatusWord(kT1Slot, 0, "6110");  // every answer: "16 more bytes", none given
    try {
        card.transmit(selectDiag());
        FAIL() << "endless 61xx was accepted";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::ProtocolError) << error.what();
        EXPECT_FALSE(error.retriable());
    }
    bed.sim().clearFaults(kT1Slot);
    EXPECT_TRUE(card.transmit(selectDiag()).ok());
}

TEST_F(PcscTransmit, DelayedAnswerArrivesLate) {
    auto card = connect(kT1Slot);
    const auto delay = std::chrono::milliseconds(300);
    bed.sim().delay(kT1Slot, 1, delay);
    const auto start = std::chrono::steady_clock::now();
    EXPECT_EQ(card.transmit(selectDiag()).sw, 0x9000);
    // A lower bound only: a loaded machine can make it later, never earlier.
    EXPECT_GE(std::chrono::steady_clock::now() - start, delay);
}

TEST_F(PcscTransmit, ExclusiveConnectionGivesSharingViolationToOthers) {
    auto owner = connect(kT1Slot, pcsc::ShareMode::Exclusive);
    auto other = pcsc::Context::establish();
    try {
        CardConnection::connect(other, bed.readerName(kT1Slot));
        FAIL() << "second connection was allowed";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::SharingViolation);
        EXPECT_TRUE(error.retriable());
    }
}

TEST_F(PcscTransmit, TransactionIsReleasedAtEndOfScope) {
    auto first = connect(kT1Slot);
    {
        auto transaction = first.beginTransaction();
        EXPECT_TRUE(first.transmit(selectDiag()).ok());
    }
    // Another application's transaction would block while the first one is held: run it
    // on a thread so that a regression fails here instead of hanging the test.
    auto done = std::make_shared<std::promise<bool>>();
    auto finished = done->get_future();
    const std::string reader = bed.readerName(kT1Slot);
    std::thread([done, reader] {
        auto otherContext = pcsc::Context::establish();
        auto second = CardConnection::connect(otherContext, reader);
        auto transaction = second.beginTransaction();
        done->set_value(second.transmit(selectDiag()).ok());
    }).detach();
    ASSERT_EQ(finished.wait_for(std::chrono::seconds(5)), std::future_status::ready)
        << "the first transaction was not released";
    EXPECT_TRUE(finished.get());
}

TEST_F(PcscTransmit, TransactionBlocksAnotherApplicationWhileHeld) {
    auto first = connect(kT1Slot);
    auto transaction = first.beginTransaction();
    auto done = std::make_shared<std::promise<void>>();
    auto finished = done->get_future();
    const std::string reader = bed.readerName(kT1Slot);
    std::thread([done, reader] {
        auto otherContext = pcsc::Context::establish();
        auto second = CardConnection::connect(otherContext, reader);
        auto secondTransaction = second.beginTransaction();
        done->set_value();
    }).detach();
    EXPECT_EQ(finished.wait_for(std::chrono::milliseconds(500)), std::future_status::timeout)
        << "another application got the card during our transaction";
    { auto released = std::move(transaction); }
    EXPECT_EQ(finished.wait_for(std::chrono::seconds(5)), std::future_status::ready);
}

TEST_F(PcscTransmit, ResetByAnotherApplicationIsTypedAndRecoverable) {
    auto card = connect(kT1Slot);
    ASSERT_TRUE(card.transmit(selectDiag()).ok());
    auto otherContext = pcsc::Context::establish();
    auto other = CardConnection::connect(otherContext, bed.readerName(kT1Slot));
    other.reconnect(pcsc::Disposition::Reset);
    try {
        card.transmit(selectDiag());
        FAIL() << "transmit after a reset did not report it";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::CardReset);
        EXPECT_TRUE(error.retriable());
    }
    card.reconnect();
    EXPECT_TRUE(card.transmit(selectDiag()).ok());
}

TEST_F(PcscTransmit, EmptyReaderGivesNoCard) {
    bed.sim().remove(kT1Slot);
    ASSERT_TRUE(bed.waitForCard(kT1Slot, false));
    try {
        connect(kT1Slot);
        FAIL() << "connected to an empty reader";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::NoCard);
    }
}

TEST_F(PcscTransmit, UnknownReaderIsTyped) {
    try {
        CardConnection::connect(context, "No Such Reader 00 00");
        FAIL() << "connected to a reader that does not exist";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::ReaderUnavailable);
    }
}

}  // namespace
}  // namespace taplink
