// The daemon's e-purse driver against taplink-sim's city card, in process (no pcscd): every
// command, every refusal, and the money invariants (a refused load changes nothing).
#include <gtest/gtest.h>

#include <filesystem>

#include "cards/profiles.hpp"
#include "epurse_terminal.hpp"
#include "taplink/base/masking.hpp"
#include "taplink/cards/card_summary.hpp"
#include "taplink/cards/epurse/epurse_card.hpp"
#include "virtual_card_channel.hpp"

namespace taplink::cards::epurse {
namespace {

using crypto::epurse::Suite;
using testing::EpurseTerminal;

using testing::VirtualCardChannel;

constexpr std::uint32_t kInitialBalance = 1000;  // 10.00 yuan
constexpr std::uint32_t kAmount = 5000;          // 50.00 yuan

sim::CardOptions withBalance(std::uint32_t balance, std::string stateDir = {}) {
    sim::CardOptions options;
    options.balance = balance;
    options.stateDir = std::move(stateDir);
    return options;
}

class EpurseCardTest : public ::testing::TestWithParam<std::string> {
  protected:
    Suite suite() const { return GetParam() == "city-sm4" ? Suite::Sm4 : Suite::TripleDes; }
    // JR/T 0025 e-purse: 00 or 01 triple DES, 04 SM4 (the profiles in sim/src/cards/profiles.hpp).
    std::uint8_t algorithmId() const {
        return GetParam() == "city-3des-00" ? 0x00 : crypto::epurse::algorithmIdOf(suite());
    }

    std::shared_ptr<sim::VirtualCard> card =
        sim::makeCard(GetParam(), withBalance(kInitialBalance));
    VirtualCardChannel channel{card};
    EpurseCard purse{channel};
    EpurseTerminal terminal{suite(), sim::defaultCitySerial()};

    void SetUp() override { ASSERT_TRUE(purse.select().has_value()); }

    // A whole load, as the daemon will run it with MAC2 from the server.
    Bytes load(std::uint32_t amount) {
        const auto init = purse.initializeLoad(1, amount, EpurseTerminal::terminalId());
        return purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                terminal.mac2(init, amount));
    }

    std::uint16_t status(const apdu::CommandApdu& command) { return channel.transmit(command).sw; }
};

TEST_P(EpurseCardTest, SelectGivesThePublicInformationFromTheFci) {
    const auto info = purse.select();
    ASSERT_TRUE(info.has_value());
    EXPECT_EQ(info->serial, sim::defaultCitySerial());
    EXPECT_EQ(info->issuerId, sim::testIssuerId());
    EXPECT_EQ(toHex(info->startDate), "20260101");
    EXPECT_EQ(toHex(info->expiryDate), "20361231");
    EXPECT_EQ(purse.readPublicInfo().encode(), info->encode());  // EF 0x15 says the same
}

TEST_P(EpurseCardTest, ReadsTheBalance) {
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(EpurseCardTest, LoadWithTheRightMac2RaisesTheBalanceAndLogsIt) {
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    EXPECT_EQ(init.balance, kInitialBalance);
    EXPECT_EQ(init.onlineAtc, 0);
    EXPECT_EQ(init.algorithmId, algorithmId());
    EXPECT_EQ(init.mac1, terminal.expectedMac1(init, kAmount)) << "the card's MAC1 is wrong";

    const Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                       terminal.mac2(init, kAmount));
    EXPECT_EQ(tac, terminal.expectedLoadTac(init, kAmount));
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);

    const auto history = purse.readHistory();
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].atc, 0);
    EXPECT_EQ(history[0].amount, kAmount);
    EXPECT_EQ(history[0].type, kTypeLoad);
    EXPECT_EQ(history[0].terminalId, EpurseTerminal::terminalId());
    EXPECT_EQ(history[0].date, EpurseTerminal::date());
    EXPECT_EQ(history[0].time, EpurseTerminal::time());

    const auto next = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    EXPECT_EQ(next.onlineAtc, 1) << "a completed load counts";
}

TEST_P(EpurseCardTest, WrongMac2IsRefusedAndChangesNothing) {
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    Bytes mac2 = terminal.mac2(init, kAmount);
    mac2[0] ^= 0x01U;
    try {
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);
        FAIL() << "a wrong MAC2 was accepted";
    } catch (const EpurseError& error) {
        EXPECT_EQ(error.statusWord(), sw::kMacInvalid);
        EXPECT_NE(std::string(error.what()).find("MAC invalid"), std::string::npos);
    }
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
    EXPECT_TRUE(purse.readHistory().empty());
    EXPECT_EQ(purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId()).onlineAtc, 0);
}

TEST_P(EpurseCardTest, Mac2ForAnotherAmountIsRefused) {
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    EXPECT_THROW(purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                  terminal.mac2(init, kAmount + 1)),
                 EpurseError);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(EpurseCardTest, CreditWithoutInitializationIsRefused) {
    EXPECT_EQ(
        status(creditForLoad(EpurseTerminal::date(), EpurseTerminal::time(), fromHex("00000000"))),
        apdu::sw::kConditionsNotSatisfied);
    // Another command between the two halves ends the session as well.
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    purse.readBalance();
    EXPECT_EQ(status(creditForLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                   terminal.mac2(init, kAmount))),
              apdu::sw::kConditionsNotSatisfied);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(EpurseCardTest, AnyCommandBetweenTheTwoHalvesEndsTheLoadSession) {
    const std::vector<apdu::CommandApdu> interruptions{
        readPublicInfo(), readLogRecord(1), verifyPin(fromHex("123456")),
        apdu::CommandApdu{0x00, 0xA4, 0x02, 0x0C, fromHex("0015"), std::nullopt}};
    for (const auto& interruption : interruptions) {
        const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        channel.transmit(interruption);
        EXPECT_EQ(status(creditForLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                       terminal.mac2(init, kAmount))),
                  apdu::sw::kConditionsNotSatisfied)
            << toHex(interruption.encode());
    }
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(EpurseCardTest, UnknownKeyIndexIs9403) {
    EXPECT_EQ(status(initializeForLoad(7, kAmount, EpurseTerminal::terminalId())),
              sw::kKeyIndexUnsupported);
}

TEST_P(EpurseCardTest, LoadBeyondTheMaximumBalanceOrOfNothingIsRefused) {
    EXPECT_EQ(status(initializeForLoad(1, 100000, EpurseTerminal::terminalId())),
              apdu::sw::kWrongData);
    EXPECT_EQ(status(initializeForLoad(1, 0, EpurseTerminal::terminalId())), apdu::sw::kWrongData);
}

TEST_P(EpurseCardTest, MalformedCommandsGetWrongLength) {
    auto command = initializeForLoad(1, kAmount, EpurseTerminal::terminalId());
    command.data.pop_back();
    EXPECT_EQ(status(command), apdu::sw::kWrongLength);
    EXPECT_EQ(
        status(apdu::CommandApdu{kCla, kInsGetTransactionProve, 0, kTypeLoad, fromHex("00"), 8}),
        apdu::sw::kWrongLength);
}

TEST_P(EpurseCardTest, TransactionProveGivesTheProofOfACompletedLoadOnly) {
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    const Bytes mac2 = terminal.mac2(init, kAmount);
    const Bytes tac = purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(), mac2);

    const auto proof = purse.proveTransaction(kTypeLoad, init.onlineAtc);
    ASSERT_TRUE(proof.has_value());
    EXPECT_EQ(proof->mac2, mac2);
    EXPECT_EQ(proof->tac, tac);
    EXPECT_FALSE(purse.proveTransaction(kTypeLoad, init.onlineAtc + 1).has_value());
    EXPECT_FALSE(purse.proveTransaction(kTypePurchase, init.onlineAtc).has_value());
}

TEST_P(EpurseCardTest, InterruptedLoadHasNoProof) {
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    card->reset();  // the card left the field before CREDIT FOR LOAD
    ASSERT_TRUE(purse.select().has_value());
    EXPECT_FALSE(purse.proveTransaction(kTypeLoad, init.onlineAtc).has_value());
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
}

TEST_P(EpurseCardTest, PurchaseDebitsTheBalanceWithValidMacs) {
    const std::uint32_t price = 300;
    const Bytes sequence = fromHex("00000010");
    const auto init = purse.initializePurchase(1, price, EpurseTerminal::terminalId());
    EXPECT_EQ(init.balance, kInitialBalance);
    EXPECT_EQ(init.algorithmId, algorithmId());
    const auto proof = purse.debitPurchase(sequence, EpurseTerminal::date(), EpurseTerminal::time(),
                                           terminal.purchaseMac1(init, price, sequence));
    EXPECT_EQ(proof.tac, terminal.expectedPurchaseTac(price, sequence));
    EXPECT_EQ(proof.mac2,
              crypto::epurse::sessionMac(suite(), terminal.purchaseSessionKey(init, sequence),
                                         mac2InputForPurchase(price)));
    EXPECT_EQ(purse.readBalance(), kInitialBalance - price);
    const auto history = purse.readHistory();
    ASSERT_EQ(history.size(), 1U);
    EXPECT_EQ(history[0].type, kTypePurchase);
    EXPECT_EQ(history[0].amount, price);
    const auto proven = purse.proveTransaction(kTypePurchase, init.offlineAtc);
    ASSERT_TRUE(proven.has_value());
    EXPECT_EQ(proven->tac, proof.tac);
}

TEST_P(EpurseCardTest, PurchaseWithWrongMac1OrTooLittleMoneyIsRefused) {
    const Bytes sequence = fromHex("00000011");
    auto init = purse.initializePurchase(1, 100, EpurseTerminal::terminalId());
    Bytes mac1 = terminal.purchaseMac1(init, 100, sequence);
    mac1[3] ^= 0x80U;
    EXPECT_EQ(
        status(debitForPurchase(sequence, EpurseTerminal::date(), EpurseTerminal::time(), mac1)),
        sw::kMacInvalid);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
    EXPECT_EQ(status(initializeForPurchase(1, kInitialBalance + 1, EpurseTerminal::terminalId())),
              sw::kInsufficientFunds);
}

TEST_P(EpurseCardTest, LogKeepsTheTenNewestRecordsNewestFirst) {
    for (std::uint32_t i = 1; i <= 12; ++i) {
        load(i);
    }
    const auto history = purse.readHistory();
    ASSERT_EQ(history.size(), kLogRecords);
    EXPECT_EQ(history.front().amount, 12U);
    EXPECT_EQ(history.front().atc, 11);
    EXPECT_EQ(history.back().amount, 3U);
}

TEST_P(EpurseCardTest, VerifyPinCountsDownAndBlocks) {
    EXPECT_EQ(status(verifyPin(fromHex("123456"))), 0x9000);
    EXPECT_EQ(status(verifyPin(fromHex("654321"))), 0x63C2);
    EXPECT_EQ(status(verifyPin(fromHex("654321"))), 0x63C1);
    EXPECT_EQ(status(verifyPin(fromHex("654321"))), 0x63C0);
    EXPECT_EQ(status(verifyPin(fromHex("123456"))), 0x6983);
}

INSTANTIATE_TEST_SUITE_P(BothSuites, EpurseCardTest,
                         ::testing::Values("city-3des", "city-3des-00", "city-sm4"));

TEST(EpurseCardState, TheSameCardKeepsItsStateAcrossInsertions) {
    const std::string dir = ::testing::TempDir() + "/epurse-state-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    EpurseTerminal terminal(Suite::TripleDes, sim::defaultCitySerial());
    {
        auto card = sim::makeCard("city-3des", withBalance(kInitialBalance, dir));
        VirtualCardChannel channel(card);
        EpurseCard purse(channel);
        ASSERT_TRUE(purse.select());
        const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                         terminal.mac2(init, kAmount));
    }
    // A new card object for the same serial reads the state back (the balance option is
    // only for a card seen for the first time).
    auto again = sim::makeCard("city-3des", withBalance(0, dir));
    VirtualCardChannel channel(again);
    EpurseCard purse(channel);
    ASSERT_TRUE(purse.select());
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
    EXPECT_EQ(purse.readHistory().size(), 1U);
    EXPECT_TRUE(purse.proveTransaction(kTypeLoad, 0).has_value());
    std::filesystem::remove_all(dir);
}

// The same physical card seen through two objects (the simulator re-inserting it): the
// one built again from the state file knows what the other one did.
TEST(EpurseCardState, AReopenedCardHasTheLatestStateNotAStaleOne) {
    const std::string dir = ::testing::TempDir() + "/epurse-reopen-test";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    EpurseTerminal terminal(Suite::TripleDes, sim::defaultCitySerial());
    auto stale = sim::makeCard("city-3des", withBalance(kInitialBalance, dir));
    auto other = sim::makeCard("city-3des", withBalance(kInitialBalance, dir));
    EXPECT_EQ(stale->identity(), "city-" + toHex(sim::defaultCitySerial()));
    {
        VirtualCardChannel channel(other);
        EpurseCard purse(channel);
        ASSERT_TRUE(purse.select());
        const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
        purse.creditLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                         terminal.mac2(init, kAmount));
    }
    auto reopened = stale->reopened();
    ASSERT_NE(reopened, nullptr);
    VirtualCardChannel channel(reopened);
    EpurseCard purse(channel);
    ASSERT_TRUE(purse.select());
    EXPECT_EQ(purse.readBalance(), kInitialBalance + kAmount);
    std::filesystem::remove_all(dir);
}

// The card's storage fails during CREDIT: the card answers 6F00 and its balance is as it was.
TEST(EpurseCardState, AFailedSaveChangesNothing) {
    const std::string dir = ::testing::TempDir() + "/epurse-failing-save";
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    EpurseTerminal terminal(Suite::TripleDes, sim::defaultCitySerial());
    auto card = sim::makeCard("city-3des", withBalance(kInitialBalance, dir));
    VirtualCardChannel channel(card);
    EpurseCard purse(channel);
    ASSERT_TRUE(purse.select());
    const auto init = purse.initializeLoad(1, kAmount, EpurseTerminal::terminalId());
    std::filesystem::remove_all(dir);  // the storage is gone
    EXPECT_EQ(channel
                  .transmit(creditForLoad(EpurseTerminal::date(), EpurseTerminal::time(),
                                          terminal.mac2(init, kAmount)))
                  .sw,
              0x6F00);
    EXPECT_EQ(purse.readBalance(), kInitialBalance);
    EXPECT_TRUE(purse.readHistory().empty());
}

TEST(EpurseCardDetection, ACardWithoutTheApplicationIsNotAPurse) {
    VirtualCardChannel channel(sim::makeCard("iso-t1"));
    EpurseCard purse(channel);
    EXPECT_FALSE(purse.select().has_value());
}

TEST(EpurseProtocol, MalformedAnswersAreFormatErrors) {
    EXPECT_THROW(PublicInfo::parse(Bytes(29)), EpurseFormatError);
    EXPECT_THROW(LoadInitialization::parse(Bytes(15)), EpurseFormatError);
    EXPECT_THROW(PurchaseInitialization::parse(Bytes(16)), EpurseFormatError);
    EXPECT_THROW(LogRecord::parse(Bytes(22)), EpurseFormatError);
    EXPECT_THROW(TransactionProof::parse(Bytes(9)), EpurseFormatError);
    EXPECT_THROW(initializeForLoad(1, 1, Bytes(5)), std::invalid_argument);
}

TEST(EpurseProtocol, CommandsHaveTheirSpecifiedBytes) {
    EXPECT_EQ(toHex(getBalance().encode()), "805C000204");
    EXPECT_EQ(toHex(selectByAid().encode()), "00A4040009A0000000038698070100");
    EXPECT_EQ(toHex(selectByFid().encode()), "00A4000002100100");
    EXPECT_EQ(toHex(initializeForLoad(1, 5000, fromHex("112233445566")).encode()),
              "805000020B010000138811223344556610");
    EXPECT_EQ(
        toHex(creditForLoad(fromHex("20261121"), fromHex("195000"), fromHex("AABBCCDD")).encode()),
        "805200000B20261121195000AABBCCDD04");
    EXPECT_EQ(toHex(initializeForPurchase(1, 300, fromHex("112233445566")).encode()),
              "805001020B010000012C1122334455660F");
    EXPECT_EQ(toHex(getTransactionProve(kTypeLoad, 5).encode()),
              "805A0002020005"
              "08");
    EXPECT_EQ(toHex(readPublicInfo().encode()), "00B095001E");
    EXPECT_EQ(toHex(readLogRecord(1).encode()), "00B201C417");
}

// The MAC and TAC inputs, byte by byte as docs/cards.md gives them (written out here, not
// computed with the functions under test).
TEST(EpurseProtocol, MacAndTacInputsHaveTheSpecifiedLayout) {
    const Bytes terminal = fromHex("112233445566");
    const Bytes date = fromHex("20261121");
    const Bytes time = fromHex("195000");
    const Bytes sequence = fromHex("0000ABCD");
    // balance 000003E8 | amount 00001388 | 02 | terminal
    EXPECT_EQ(toHex(mac1InputForLoad(1000, 5000, terminal)), "000003E80000138802112233445566");
    // amount | 02 | terminal | date | time
    EXPECT_EQ(toHex(mac2InputForLoad(5000, terminal, date, time)),
              "0000138802112233445566"
              "20261121"
              "195000");
    // new balance | ATC before the load | amount | 02 | terminal | date | time
    EXPECT_EQ(toHex(tacInputForLoad(6000, 7, 5000, terminal, date, time)),
              "00001770"
              "0007"
              "0000138802112233445566"
              "20261121"
              "195000");
    // amount | 06 | terminal | date | time
    EXPECT_EQ(toHex(mac1InputForPurchase(300, terminal, date, time)),
              "0000012C06112233445566"
              "20261121"
              "195000");
    EXPECT_EQ(toHex(mac2InputForPurchase(300)), "0000012C");
    // amount | 06 | terminal | terminal sequence | date | time
    EXPECT_EQ(toHex(tacInputForPurchase(300, terminal, sequence, date, time)),
              "0000012C06112233445566"
              "0000ABCD"
              "20261121"
              "195000");
}

TEST(EpurseProtocol, FormatsYuan) {
    EXPECT_EQ(formatYuan(5000), "\u00A550.00");
    EXPECT_EQ(formatYuan(7), "\u00A50.07");
}

}  // namespace
}  // namespace taplink::cards::epurse

namespace taplink::cards {
namespace {

using testing::VirtualCardChannel;

TEST(CardSummary, DescribesACityCardForAPerson) {
    sim::CardOptions options;
    options.balance = 1234;
    VirtualCardChannel channel(sim::makeCard("city-3des", options));
    {
        epurse::EpurseCard purse(channel);
        ASSERT_TRUE(purse.select());
        testing::EpurseTerminal terminal(crypto::epurse::Suite::TripleDes,
                                         sim::defaultCitySerial());
        const auto init = purse.initializeLoad(1, 500, testing::EpurseTerminal::terminalId());
        purse.creditLoad(testing::EpurseTerminal::date(), testing::EpurseTerminal::time(),
                         terminal.mac2(init, 500));
    }
    const CardSummary summary = summarizeCard(channel);
    EXPECT_EQ(summary.scheme, Scheme::CityEpurse);
    EXPECT_EQ(toString(summary.scheme), "city-epurse");
    EXPECT_EQ(summary.maskedSerial, "\u20260042");
    EXPECT_EQ(summary.issuer, toHex(sim::testIssuerId()));
    EXPECT_EQ(summary.validFrom, "2026-01-01");
    EXPECT_EQ(summary.validUntil, "2036-12-31");
    EXPECT_EQ(summary.balance, 1734U);
    ASSERT_EQ(summary.history.size(), 1U);
    EXPECT_EQ(summary.history[0].kind, "load");
    EXPECT_EQ(summary.history[0].amount, 500U);
    EXPECT_EQ(summary.history[0].when, "2026-11-21 19:50:00");
    EXPECT_EQ(summary.history[0].terminal, "112233445566");
}

TEST(CardSummary, ACardWithNoKnownApplicationIsUnknown) {
    VirtualCardChannel channel(sim::makeCard("iso-t1"));
    const CardSummary summary = summarizeCard(channel);
    EXPECT_EQ(summary.scheme, Scheme::Unknown);
    EXPECT_FALSE(summary.balance.has_value());
}

TEST(CardSummary, FormatsBcdAndMasksSerials) {
    EXPECT_EQ(formatBcdDate(fromHex("20261121")), "2026-11-21");
    EXPECT_EQ(formatBcdTime(fromHex("235959")), "23:59:59");
    EXPECT_EQ(formatBcdDate(fromHex("2026")), "2026");  // malformed: shown as it is
    EXPECT_EQ(maskSerial(fromHex("0102")), "\u20260102");
}

}  // namespace
}  // namespace taplink::cards
