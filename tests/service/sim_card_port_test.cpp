// SimCardPort behaves like a reader under pcscd: events for what is there and what changes,
// exclusive access, and the failures a real reader gives (no card, pulled card, pcscd gone).
#include <gtest/gtest.h>

#include <chrono>
#include <mutex>
#include <thread>

#include "service/reader_registry.hpp"
#include "service_bed.hpp"
#include "taplink/pcsc/errors.hpp"

namespace taplink::service::testing {
namespace {

using pcsc::ErrorKind;
using Type = pcsc::ReaderEvent::Type;

constexpr const char* kReader = "Reader A";
constexpr const char* kOther = "Reader B";

// One command any card answers (SELECT MF); its status word does not matter here.
apdu::CommandApdu selectMf() {
    return apdu::CommandApdu{0x00, 0xA4, 0x00, 0x00, {0x3F, 0x00}, std::nullopt};
}

// The kind of PcscError `fn` throws; nullopt when it throws none.
template <class Fn>
std::optional<ErrorKind> failureOf(Fn fn) {
    try {
        fn();
    } catch (const pcsc::PcscError& error) {
        return error.kind();
    }
    return std::nullopt;
}

class SimCardPortTest : public ::testing::Test {
  protected:
    // "<type> <reader>" of every event the watch saw.
    std::vector<std::string> seen() {
        const std::lock_guard lock(mutex_);
        return events_;
    }

    std::unique_ptr<CardPort::Watch> watch() {
        return port.watch([this](const pcsc::ReaderEvent& event) {
            const std::lock_guard lock(mutex_);
            events_.push_back(std::string(pcsc::toString(event.type)) + " " + event.reader);
        });
    }

    std::optional<ErrorKind> sendFails(apdu::ApduChannel& channel) {
        return failureOf([&] { channel.transmit(selectMf()); });
    }

    SimCardPort port{{kReader, kOther}};
    std::shared_ptr<sim::VirtualCard> card = ServiceBed::makeCityCard();

  private:
    std::mutex mutex_;
    std::vector<std::string> events_;
};

TEST_F(SimCardPortTest, AWatchHearsWhatIsThereThenEachChange) {
    port.insert(kReader, card);
    const auto watching = watch();
    port.swap(kReader, ServiceBed::makeCityCard());
    port.remove(kReader);
    const std::string inserted(pcsc::toString(Type::CardInserted));
    const std::string removed(pcsc::toString(Type::CardRemoved));
    const std::string added(pcsc::toString(Type::ReaderAdded));
    EXPECT_EQ(seen(), (std::vector<std::string>{added + " Reader A", inserted + " Reader A",
                                                added + " Reader B", removed + " Reader A",
                                                inserted + " Reader A", removed + " Reader A"}));
}

TEST_F(SimCardPortTest, NothingIsHeardOnceTheWatchIsGone) {
    watch().reset();
    const std::size_t before = seen().size();
    port.insert(kReader, card);
    EXPECT_EQ(seen().size(), before);
}

TEST_F(SimCardPortTest, ConnectFailsLikeAReader) {
    EXPECT_EQ(failureOf([&] { port.connect(kReader, CardAccess::Shared); }), ErrorKind::NoCard);
    EXPECT_EQ(failureOf([&] { port.connect("Reader Z", CardAccess::Shared); }),
              ErrorKind::ReaderUnavailable);
}

TEST_F(SimCardPortTest, AnExclusiveConnectionKeepsOthersOutUntilItCloses) {
    port.insert(kReader, card);
    auto exclusive = port.connect(kReader, CardAccess::Exclusive);
    EXPECT_EQ(failureOf([&] { port.connect(kReader, CardAccess::Shared); }),
              ErrorKind::SharingViolation);
    exclusive.reset();
    const auto shared = port.connect(kReader, CardAccess::Shared);
    EXPECT_EQ(failureOf([&] { port.connect(kReader, CardAccess::Exclusive); }),
              ErrorKind::SharingViolation);
}

TEST_F(SimCardPortTest, ACardPulledAfterTheNthCommandLeavesTheReader) {
    port.insert(kReader, card);
    const auto watching = watch();
    const auto connection = port.connect(kReader, CardAccess::Shared);
    port.pullCardAfter(kReader, 2);
    EXPECT_EQ(sendFails(*connection), std::nullopt);
    EXPECT_EQ(sendFails(*connection), std::nullopt) << "answered, then pulled";
    EXPECT_EQ(sendFails(*connection), ErrorKind::CardRemoved);
    EXPECT_FALSE(port.hasCard(kReader));
    EXPECT_EQ(seen().back(), std::string(pcsc::toString(Type::CardRemoved)) + " Reader A");
}

TEST_F(SimCardPortTest, AnAnswerLostWithThePulledCardIsCardRemoved) {
    port.insert(kReader, card);
    const auto connection = port.connect(kReader, CardAccess::Shared);
    port.pullCardAfter(kReader, 1, SimCardPort::LastAnswer::Lost);
    EXPECT_EQ(sendFails(*connection), ErrorKind::CardRemoved);
    EXPECT_EQ(port.commandsSent(kReader), 1U) << "the card had the command";
    EXPECT_FALSE(port.hasCard(kReader));
}

TEST_F(SimCardPortTest, AConnectionDoesNotReachTheCardThatReplacedItsCard) {
    port.insert(kReader, card);
    const auto old = port.connect(kReader, CardAccess::Exclusive);
    port.swap(kReader, ServiceBed::makeCityCard());
    EXPECT_EQ(sendFails(*old), ErrorKind::CardRemoved);
    const auto fresh = port.connect(kReader, CardAccess::Exclusive);
    EXPECT_EQ(sendFails(*fresh), std::nullopt);
}

TEST_F(SimCardPortTest, AHookRunsBeforeItsCommandAndMayPullTheCard) {
    port.insert(kReader, card);
    const auto connection = port.connect(kReader, CardAccess::Shared);
    port.beforeCommand(kReader, 2, [this] { port.remove(kReader); });
    EXPECT_EQ(sendFails(*connection), std::nullopt);
    EXPECT_EQ(sendFails(*connection), ErrorKind::CardRemoved);
    EXPECT_EQ(port.commandsSent(kReader), 1U);
}

TEST_F(SimCardPortTest, PcscdGoingAwayBreaksEverythingUntilItIsBack) {
    port.insert(kReader, card);
    const auto watching = watch();
    const auto connection = port.connect(kReader, CardAccess::Shared);
    port.setServiceDown(true);
    EXPECT_FALSE(port.available());
    EXPECT_EQ(sendFails(*connection), ErrorKind::ServiceDown);
    EXPECT_EQ(failureOf([&] { port.connect(kReader, CardAccess::Shared); }),
              ErrorKind::ServiceDown);
    EXPECT_EQ(seen().back(), std::string(pcsc::toString(Type::ServiceDown)) + " ");
    port.setServiceDown(false);
    EXPECT_TRUE(port.available());
    EXPECT_EQ(sendFails(*connection), ErrorKind::ServiceDown) << "an old handle stays dead";
    EXPECT_EQ(sendFails(*port.connect(kReader, CardAccess::Shared)), std::nullopt);
}

TEST_F(SimCardPortTest, TheRegistryFollowsCardsInsertedFromAnotherThread) {
    ReaderRegistry registry(port, {});
    registry.start();
    std::jthread presenter([this] { port.insert(kReader, card); });
    const auto found =
        registry.waitForCard("", kOther, std::chrono::seconds(10), [] { return false; });
    ASSERT_TRUE(found.has_value());
    EXPECT_EQ(found->name, kReader);
    EXPECT_EQ(found->atr, card->atr());
}

TEST_F(SimCardPortTest, TheRegistryForgetsTheReadersWhilePcscdIsDown) {
    ReaderRegistry registry(port, {});
    registry.start();
    port.setServiceDown(true);
    EXPECT_FALSE(registry.pcscAvailable());
    EXPECT_TRUE(registry.readers().empty());
    port.setServiceDown(false);
    EXPECT_TRUE(registry.pcscAvailable());
    EXPECT_EQ(registry.readers().size(), 2U);
}

}  // namespace
}  // namespace taplink::service::testing
