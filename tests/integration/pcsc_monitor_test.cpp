// The reader/card monitor and the failure paths around it, on the real test bed.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <thread>

#include "bed_helpers.hpp"
#include "cards/profiles.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/errors.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using pcsc::ErrorKind;
using pcsc::PcscError;
using Type = pcsc::ReaderEvent::Type;
using testing::EventRecorder;

constexpr int kSlot = 0;

TEST(PcscReaders, ListsBothSlotsOfTheVirtualReader) {
    testbed::TestBed bed(testbed::oneReader());
    const auto readers = pcsc::Context::establish().listReaders();
    EXPECT_EQ(readers, (std::vector<std::string>{bed.readerName(0), bed.readerName(1)}));
}

TEST(PcscReaders, NoReaderGivesAnEmptyList) {
    testbed::TestBed bed(testbed::noReader());
    EXPECT_TRUE(pcsc::Context::establish().listReaders().empty());
}

TEST(PcscMonitor, ReportsCardInsertAndRemoveWithTheAtr) {
    testbed::TestBed bed(testbed::oneReader());
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    ASSERT_TRUE(recorder.waitFor(Type::ReaderAdded, bed.readerName(kSlot)));

    bed.sim().insert(kSlot, "iso-t1");
    const Bytes expectedAtr = sim::makeCard("iso-t1")->atr();
    ASSERT_TRUE(recorder.waitFor([&](const pcsc::ReaderEvent& event) {
        return event.type == Type::CardInserted && event.reader == bed.readerName(kSlot) &&
               event.atr == expectedAtr;
    })) << "no card_inserted with the card's ATR";

    bed.sim().remove(kSlot);
    EXPECT_TRUE(recorder.waitFor(Type::CardRemoved, bed.readerName(kSlot)));
}

TEST(PcscMonitor, ReportsCardsAlreadyPresentAtStart) {
    testbed::TestBed bed(testbed::oneReader({{1, "iso-t0"}}));
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    EXPECT_TRUE(recorder.waitFor(Type::CardInserted, bed.readerName(1)));
    EXPECT_TRUE(recorder.waitFor(Type::ReaderAdded, bed.readerName(0)));
    monitor.stop();
    for (const auto& event : recorder.events()) {
        EXPECT_FALSE(event.type == Type::CardInserted && event.reader == bed.readerName(0))
            << "reported a card in the empty slot";
    }
}

// taplinkd waits for this before its first caller is answered: once it returns, the
// readers and the card already there have been reported, without waiting on events.
TEST(PcscMonitor, WaitUntilReportedReturnsOnceWhatIsThereWasReported) {
    testbed::TestBed bed(testbed::oneReader({{1, "iso-t0"}}));
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    ASSERT_TRUE(monitor.waitUntilReported(std::chrono::seconds(10)));
    const auto events = recorder.events();
    const auto reported = [&](Type type, const std::string& reader) {
        return std::any_of(events.begin(), events.end(), [&](const pcsc::ReaderEvent& event) {
            return event.type == type && event.reader == reader;
        });
    };
    EXPECT_TRUE(reported(Type::ReaderAdded, bed.readerName(0)));
    EXPECT_TRUE(reported(Type::ReaderAdded, bed.readerName(1)));
    EXPECT_TRUE(reported(Type::CardInserted, bed.readerName(1)));
}

TEST(PcscMonitor, WaitUntilReportedReturnsWithNoReaderOrNoPcscd) {
    testbed::TestBed bed(testbed::noReader());
    {
        pcsc::Monitor monitor([](const pcsc::ReaderEvent&) {});
        monitor.start();
        EXPECT_TRUE(monitor.waitUntilReported(std::chrono::seconds(10))) << "no reader";
    }
    bed.stopPcscd();
    pcsc::Monitor monitor([](const pcsc::ReaderEvent&) {});
    monitor.start();
    EXPECT_TRUE(monitor.waitUntilReported(std::chrono::seconds(10))) << "pcscd down";
}

TEST(PcscMonitor, StopReturnsPromptlyWhileBlocked) {
    testbed::TestBed bed(testbed::oneReader());
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    ASSERT_TRUE(recorder.waitFor(Type::ReaderAdded));
    std::this_thread::sleep_for(std::chrono::milliseconds(300));  // let it block in pcsc-lite
    const auto start = std::chrono::steady_clock::now();
    monitor.stop();  // SCardCancel wakes the blocking SCardGetStatusChange
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
}

TEST(PcscMonitor, RestartedMonitorReportsWhatIsAlreadyThere) {
    testbed::TestBed bed(testbed::oneReader({{kSlot, "iso-t1"}}));
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    ASSERT_TRUE(recorder.waitFor(Type::CardInserted, bed.readerName(kSlot)));
    monitor.stop();
    recorder.clear();
    monitor.start();
    EXPECT_TRUE(recorder.waitFor(Type::ReaderAdded, bed.readerName(kSlot)));
    EXPECT_TRUE(recorder.waitFor(Type::CardInserted, bed.readerName(kSlot)));
}

// Debian 12's pcscd reads vpcd readers only at start, so here a reader comes and goes with
// a pcscd restart (the monitor sees the service drop and return with a different reader
// list). Real USB readers arrive through \\?PnP?\Notification instead, which this machine
// cannot produce.
TEST(PcscMonitor, ReaderAddedAndRemovedAcrossPcscdRestartsAreReported) {
    testbed::TestBed bed(testbed::noReader());
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();

    bed.setReaderCount(1);
    EXPECT_TRUE(recorder.waitFor(Type::ServiceUp));
    EXPECT_TRUE(recorder.waitFor(Type::ReaderAdded, bed.readerName(0)));
    EXPECT_TRUE(recorder.waitFor(Type::ReaderAdded, bed.readerName(1)));

    recorder.clear();
    bed.setReaderCount(0);
    EXPECT_TRUE(recorder.waitFor(Type::ReaderRemoved, bed.readerName(0)));
    EXPECT_TRUE(recorder.waitFor(Type::ReaderRemoved, bed.readerName(1)));
    EXPECT_TRUE(recorder.waitFor(Type::ServiceUp));
    // Back up with no reader: nothing may be reported as added.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    for (const auto& event : recorder.events()) {
        EXPECT_NE(event.type, Type::ReaderAdded) << event.reader;
    }
}

TEST(PcscService, StoppedPcscdIsServiceDownAndRecoveryFollowsItsReturn) {
    testbed::TestBed bed(testbed::oneReader({{kSlot, "iso-t1"}}));
    EventRecorder recorder;
    pcsc::Monitor monitor(std::ref(recorder));
    monitor.start();
    ASSERT_TRUE(recorder.waitFor(Type::CardInserted, bed.readerName(kSlot)));

    auto context = pcsc::Context::establish();
    auto card = pcsc::CardConnection::connect(context, bed.readerName(kSlot));
    bed.stopPcscd();

    EXPECT_TRUE(recorder.waitFor(Type::ServiceDown));
    try {
        card.transmit({0x00, 0xA4, 0x04, 0x00, fromHex("F05441504C494E4B01"), 256});
        FAIL() << "transmit worked without pcscd";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::ServiceDown) << error.what();
        EXPECT_TRUE(error.retriable());
    }
    try {
        pcsc::Context::establish();
        FAIL() << "a context was established without pcscd";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::ServiceDown) << error.what();
    }

    recorder.clear();
    bed.startPcscd();
    EXPECT_TRUE(recorder.waitFor(Type::ServiceUp));
    EXPECT_TRUE(recorder.waitFor(Type::CardInserted, bed.readerName(kSlot)));
    auto freshContext = pcsc::Context::establish();
    auto freshCard = pcsc::CardConnection::connect(freshContext, bed.readerName(kSlot));
    EXPECT_TRUE(
        freshCard.transmit({0x00, 0xA4, 0x04, 0x00, fromHex("F05441504C494E4B01"), 256}).ok());
}

class CardPulled : public ::testing::TestWithParam<bool> {};

// The card leaves the field while an APDU is in flight: before the card acted on it, or
// after (its answer lost). Either way the caller gets "card removed", and the next card works.
TEST_P(CardPulled, MidExchangeGivesCardRemovedAndTheNextCardWorks) {
    const bool afterProcessing = GetParam();
    testbed::TestBed bed(testbed::oneReader({{kSlot, "iso-t1"}}));
    auto context = pcsc::Context::establish();
    auto card = pcsc::CardConnection::connect(context, bed.readerName(kSlot));
    const apdu::CommandApdu select{0x00, 0xA4, 0x04, 0x00, fromHex("F05441504C494E4B01"), 256};
    ASSERT_TRUE(card.transmit(select).ok());

    bed.sim().pullAt(kSlot, 2, afterProcessing);
    ASSERT_TRUE(card.transmit(select).ok());  // APDU 1 goes through
    try {
        card.transmit(select);  // APDU 2: the card is pulled
        FAIL() << "transmit to a pulled card succeeded";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::CardRemoved) << error.what();
        EXPECT_TRUE(error.retriable());
    }

    ASSERT_TRUE(bed.waitForCard(kSlot, false));
    bed.sim().insert(kSlot, "iso-t0");
    ASSERT_TRUE(bed.waitForCard(kSlot, true));
    auto next = pcsc::CardConnection::connect(context, bed.readerName(kSlot));
    EXPECT_EQ(next.protocol(), pcsc::Protocol::T0);
    EXPECT_TRUE(next.transmit(select).ok());
}

INSTANTIATE_TEST_SUITE_P(BeforeOrAfterTheCardActed, CardPulled, ::testing::Bool());

TEST(PcscCardRemoved, TransmitOnAConnectionWhoseCardLeftIsCardRemoved) {
    testbed::TestBed bed(testbed::oneReader({{kSlot, "iso-t1"}}));
    auto context = pcsc::Context::establish();
    auto card = pcsc::CardConnection::connect(context, bed.readerName(kSlot));
    bed.sim().remove(kSlot);
    ASSERT_TRUE(bed.waitForCard(kSlot, false));
    bed.sim().reinsert(kSlot);
    ASSERT_TRUE(bed.waitForCard(kSlot, true));
    try {
        card.transmit({0x00, 0xA4, 0x04, 0x00, fromHex("F05441504C494E4B01"), 256});
        FAIL() << "old connection kept working after the card left";
    } catch (const PcscError& error) {
        EXPECT_EQ(error.kind(), ErrorKind::CardRemoved) << error.what();
    }
}

}  // namespace
}  // namespace taplink
