// City card loads through the real pcscd + vpcd test bed: the happy path, a refused MAC2,
// and the card pulled at each step of the load, settled with GET TRANSACTION PROVE.
#include <gtest/gtest.h>

#include "cards/profiles.hpp"
#include "epurse_terminal.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "taplink/pcsc/card_connection.hpp"
#include "taplink/pcsc/errors.hpp"
#include "test_bed.hpp"

namespace taplink {
namespace {

using cards::epurse::EpurseCard;
using testing::EpurseTerminal;

constexpr int kSlot = 0;
constexpr std::uint32_t kInitialBalance = 1000;
constexpr std::uint32_t kAmount = 5000;

class EpurseLoadOnTheTestBed : public ::testing::Test {
  protected:
    testbed::TestBed bed{testbed::oneReader()};
    pcsc::Context context = pcsc::Context::establish();
    EpurseTerminal terminal{crypto::epurse::Suite::TripleDes, sim::defaultCitySerial()};

    void SetUp() override {
        bed.sim().insert(kSlot, "city-3des", {{"balance", kInitialBalance}});
        ASSERT_TRUE(bed.waitForCard(kSlot, true));
    }

    pcsc::CardConnection connect() {
        return pcsc::CardConnection::connect(context, bed.readerName(kSlot));
    }

    // Puts the same card back (its state is in the test bed's state folder) and selects it.
    void reinsertSameCard() {
        ASSERT_TRUE(bed.waitForCard(kSlot, false));
        bed.sim().reinsert(kSlot);
        ASSERT_TRUE(bed.waitForCard(kSlot, true));
    }

    std::uint32_t balanceNow() {
        auto connection = connect();
        EpurseCard purse(connection);
        EXPECT_TRUE(purse.select());
        return purse.readBalance();
    }
};

TEST_F(EpurseLoadOnTheTestBed, LoadRaisesTheBalanceAndWritesALogRecord) {
    auto connection = connect();
    EpurseCard purse(connection);
    const auto info = purse.select();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->serial, sim::defaultCitySerial());
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    ASSERT_EQ(init.mac1, terminal.expectedMac1(init, kAmount));
    const Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                       terminal.mac2(init, kAmount));
    EXPECT_EQ(tac, terminal.expectedLoadTac(init, kAmount));
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
    const auto history = purse.readHistory();
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].amount, kAmount);
}

TEST_F(EpurseLoadOnTheTestBed, WrongMac2LeavesTheCardUntouched) {
    auto connection = connect();
    EpurseCard purse(connection);
    ASSERT_TRUE(purse.select());
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    Bytes mac2 = terminal.mac2(init, kAmount);
    mac2[2] ^= 0x40U;
    try {
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);
        FAIL() << "the card took a wrong MAC2";
    } catch (const cards::epurse::EpurseError& error) {
        EXPECT_EQ(error.statusWord(), 0x9302);
    }
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
    EXPECT_TRUE(purse.readHistory().empty());
}

// The card leaves the field with CREDIT FOR LOAD on its way (APDU 1 from now is the credit):
// either before it acted (no money moved) or after (money moved, answer lost). The caller
// gets "card removed"; GET TRANSACTION PROVE on the same card tells the two apart.
class EpursePulledDuringCredit : public EpurseLoadOnTheTestBed,
                                 public ::testing::WithParamInterface<bool> {};

TEST_P(EpursePulledDuringCredit, IsSettledWithGetTransactionProve) {
    const bool cardActed = GetParam();
    cards::epurse::LoadInitialization init;
    Bytes mac2;
    {
        auto connection = connect();
        EpurseCard purse(connection);
        ASSERT_TRUE(purse.select());
        init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        mac2 = terminal.mac2(init, kAmount);
        bed.sim().pullAt(kSlot, 1, cardActed);
        try {
            purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);
            FAIL() << "credit to a pulled card succeeded";
        } catch (const pcsc::PcscError& error) {
            EXPECT_EQ(error.kind(), pcsc::ErrorKind::CardRemoved) << error.what();
        }
    }
    reinsertSameCard();

    auto connection = connect();
    EpurseCard purse(connection);
    ASSERT_TRUE(purse.select());
    const auto proof = purse.proveTransaction(cards::epurse::kTypeLoad, init.onlineAtc);
    if (cardActed) {
        ASSERT_TRUE(proof.has_value()) << "the card credited but cannot prove it";
        EXPECT_EQ(proof->mac2, mac2);
        EXPECT_EQ(proof->tac, terminal.expectedLoadTac(init, kAmount));
        EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
    } else {
        EXPECT_FALSE(proof.has_value()) << "a load that never happened has a proof";
        EXPECT_EQ(purse.readBalance(), kInitialBalance);
        // Nothing happened, so the load can simply run again.
        const auto retry = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        EXPECT_EQ(retry.onlineAtc, init.onlineAtc);
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                         terminal.mac2(retry, kAmount));
        EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
    }
}

INSTANTIATE_TEST_SUITE_P(BeforeOrAfterTheCardActed, EpursePulledDuringCredit, ::testing::Bool());

// Pulled right after INITIALIZE FOR LOAD answered: nothing moved; the next tap starts over.
TEST_F(EpurseLoadOnTheTestBed, PulledAfterInitializeForLoadMovesNoMoney) {
    std::uint16_t atc = 0;
    {
        auto connection = connect();
        EpurseCard purse(connection);
        ASSERT_TRUE(purse.select());
        atc = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId()).onlineAtc;
        bed.sim().remove(kSlot);
    }
    reinsertSameCard();
    auto connection = connect();
    EpurseCard purse(connection);
    ASSERT_TRUE(purse.select());
    EXPECT_FALSE(purse.proveTransaction(cards::epurse::kTypeLoad, atc).has_value());
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
    // The old session died with the tap: a CREDIT now needs a new INITIALIZE.
    EXPECT_EQ(connection
                  .transmit(cards::epurse::creditForLoad(
                      EpurseTerminal::date(), EpurseTerminal::time(), fromHex("00000000")))
                  .sw,
              apdu::sw::kConditionsNotSatisfied);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

}  // namespace
}  // namespace taplink
