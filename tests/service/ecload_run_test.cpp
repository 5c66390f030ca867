// TopupService::runEcLoad end to end over the in-process bank cards, chip and issuer: the
// money lands in the card's EC, each step is journaled before it is taken, the account is
// debited once and settled, or refunded once; refusals come before any cryptogram.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <iterator>

#include "ec_bed.hpp"

namespace taplink::service::testing {
namespace {

using journal::EcLoadState;

std::string fileText(const std::filesystem::path& path) {
    std::ifstream in(path, std::ios::binary);
    return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

// A cardholder keying `tries` wrong PINs at some terminal: VERIFY with a plaintext offline
// PIN block (EMV Book 3 6.5.12; 24 1234 FF..., the card's PIN being 123456), answered 63Cx,
// x the tries left of the three a new card has (ISO 7816-4). Three block the PIN.
void keyWrongPins(EcBed& bed, unsigned tries) {
    const auto card = bed.port.connect(ServiceBed::kCardReader, CardAccess::Shared);
    ASSERT_EQ(card->transmit(selectDebit()).sw, 0x9000);
    const apdu::CommandApdu wrongPin{0x00,        0x20, 0x00, 0x80, fromHex("241234FFFFFFFFFF"),
                                     std::nullopt};
    for (unsigned left = 3; left > 3 - tries; --left) {
        ASSERT_EQ(card->transmit(wrongPin).sw, 0x63C0U | (left - 1U));
    }
}

class EcLoadSuites : public ::testing::TestWithParam<std::string> {};

TEST_P(EcLoadSuites, LoadsTheCardAndSettlesOnce) {
    EcBed bed(GetParam());
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const std::uint64_t account = bed.server->ec.accountBalance;
    const EcLoadOutcome outcome = bed.runEc("ORD-EC1");
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(outcome.balanceBefore, EcBed::kBankBalance);
    EXPECT_EQ(outcome.balanceAfter, EcBed::kBankBalance + EcBed::kEcAmount);
    EXPECT_EQ(outcome.pan, "\u2026" + bed.plainPan().substr(bed.plainPan().size() - 4));
    EXPECT_EQ(outcome.receipt.at("status"), "settled");
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance + EcBed::kEcAmount);
    EXPECT_EQ(bed.server->ec.accountBalance, account - EcBed::kEcAmount);
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").refunds, 0U);
    using enum EcLoadState;
    EXPECT_EQ(bed.ecHistory("ORD-EC1"),
              (std::vector{OrderFetched, Arqc, Authorized, ScriptSending, Loaded, Reported}));
    EXPECT_EQ(bed.stages.lines(), (std::vector<std::string>{"waiting_for_card", "authorizing",
                                                            "writing", "confirming"}));
}

INSTANTIATE_TEST_SUITE_P(BothSuites, EcLoadSuites, ::testing::Values("bank-3des", "bank-sm4"));

TEST(EcLoad, NeverJournalsOrAnswersThePlainPan) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const EcLoadOutcome outcome = bed.runEc("ORD-EC1");
    const std::string pan = bed.plainPan();
    const std::string journalText =
        fileText(bed.dir.file("journal.sqlite")) + fileText(bed.dir.file("journal.sqlite-wal"));
    EXPECT_NE(journalText.find("ORD-EC1"), std::string::npos) << "the journal was read";
    EXPECT_EQ(journalText.find(pan), std::string::npos);
    const Bytes bcd = fromHex(pan.size() % 2 == 0 ? pan : pan + "F");  // 5A, cn
    EXPECT_EQ(journalText.find(std::string(bcd.begin(), bcd.end())), std::string::npos)
        << "the PAN as the card's BCD bytes";
    EXPECT_EQ(outcome.receipt.dump().find(pan), std::string::npos);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").details.dump().find(pan), std::string::npos);
}

TEST(EcLoad, AsksTheTrustedUiWhenSeveralApplicationsMatch) {
    EcBed bed("bank-dual");
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    std::vector<emv::Candidate> offered;
    const ApplicationChoice choice = [&](const std::string&, const auto& candidates,
                                         const auto&) -> std::optional<Bytes> {
        offered = candidates;
        return candidates.at(1).aid;
    };
    const EcLoadOutcome outcome = bed.runEc("ORD-EC1", {}, {}, choice);
    ASSERT_EQ(offered.size(), 2U);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").bytes("aid"), offered.at(1).aid) << "the chosen one ran";
    EXPECT_TRUE(outcome.settled);
    const auto stages = bed.stages.lines();
    EXPECT_NE(std::find(stages.begin(), stages.end(), "choosing_application"), stages.end());
}

TEST(EcLoad, TheCardholderDecliningTheChoiceLoadsNothing) {
    EcBed bed("bank-dual");
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const ApplicationChoice deny = [](const auto&, const auto&, const auto&) {
        return std::optional<Bytes>();
    };
    EXPECT_EQ(bed.runEcError("ORD-EC1", {}, {}, deny).code(), api::ErrorCode::UserDenied);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").state, EcLoadState::Failed);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
}

TEST(EcLoad, ASingleApplicationIsTakenWithoutAsking) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    bool asked = false;
    const ApplicationChoice choice = [&](const auto&, const auto&, const auto&) {
        asked = true;
        return std::optional<Bytes>();
    };
    EXPECT_TRUE(bed.runEc("ORD-EC1", {}, {}, choice).settled);
    EXPECT_FALSE(asked);
}

TEST(EcLoad, OverTheEcLimitIsRefusedBeforeAnyCryptogram) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1", EcBed::kEcLimit - EcBed::kBankBalance + 1);
    bed.insertBankCard();
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::EcLimitExceeded);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.ecHistory("ORD-EC1"),
              (std::vector{EcLoadState::OrderFetched, EcLoadState::Failed}));
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance);
}

TEST(EcLoad, UpToTheEcLimitLoads) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1", EcBed::kEcLimit - EcBed::kBankBalance);
    bed.insertBankCard();
    EXPECT_TRUE(bed.runEc("ORD-EC1").settled);
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kEcLimit);
}

TEST(EcLoad, AnExpiredCardIsRefusedBeforeAnyCryptogram) {
    EcBed bed;
    bed.bankCard = EcBed::makeBankCard("bank-3des", "200131");
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::CardExpired);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
}

TEST(EcLoad, ACardWhosePinIsBlockedIsRefusedBeforeAnyCryptogram) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    keyWrongPins(bed, 3);
    ASSERT_EQ(bed.cardObject(0x9F17), "9F170100");
    const std::string atc = bed.cardObject(0x9F36);
    const std::uint64_t account = bed.server->ec.accountBalance;
    const ServiceError error = bed.runEcError("ORD-EC1");
    EXPECT_EQ(error.code(), api::ErrorCode::PinBlocked) << error.what();
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.server->ec.accountBalance, account);
    EXPECT_EQ(bed.ecHistory("ORD-EC1"),
              (std::vector{EcLoadState::OrderFetched, EcLoadState::Failed}));
    EXPECT_EQ(bed.cardObject(0x9F36), atc) << "no GENERATE AC reached the card";
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance);
}

TEST(EcLoad, ACardWithPinTriesLeftLoads) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    keyWrongPins(bed, 2);
    ASSERT_EQ(bed.cardObject(0x9F17), "9F170101");
    EXPECT_TRUE(bed.runEc("ORD-EC1").settled);
}

TEST(EcLoad, ACityCardIsTheWrongScheme) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertCard();  // the city card
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::WrongScheme);
    EXPECT_EQ(bed.cardBalance(), ServiceBed::kInitialBalance);
}

// As taplink pay's no_application in tests/e2e/pay_test.cpp: refused before any cryptogram,
// the account and the order untouched, the journal record failed.
TEST(EcLoad, ACardWithNoApplicationTheDaemonSupportsIsNoApplication) {
    EcBed bed;
    bed.bankCard = EcBed::makeForeignBankCard();
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const std::uint64_t account = bed.server->ec.accountBalance;
    const ServiceError error = bed.runEcError("ORD-EC1");
    EXPECT_EQ(error.code(), api::ErrorCode::NoApplication) << error.what();
    EXPECT_EQ(bed.port.commandsSent(ServiceBed::kCardReader), 1U) << "SELECT PPSE only";
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.server->ec.accountBalance, account);
    EXPECT_EQ(bed.server->orderStatus("ORD-EC1"), net::wire::OrderStatus::Open);
    EXPECT_EQ(bed.ecHistory("ORD-EC1"),
              (std::vector{EcLoadState::OrderFetched, EcLoadState::Failed}));
}

TEST(EcLoad, ACityOrderIsTheWrongScheme) {
    EcBed bed;
    bed.addOrder("ORD-1");
    bed.insertBankCard();
    EXPECT_EQ(bed.runEcError("ORD-1").code(), api::ErrorCode::WrongScheme);
    EXPECT_FALSE(bed.ecJournal.find("ORD-1"));
}

TEST(EcLoad, AnUnknownOrderIsNotFound) {
    EcBed bed;
    bed.insertBankCard();
    EXPECT_EQ(bed.runEcError("ORD-NONE").code(), api::ErrorCode::OrderNotFound);
}

TEST(EcLoad, AWrongArpcMakesTheCardDeclineAndTheLoadIsReversedOnce) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    bed.server->ec.spoilArpc = true;
    const std::uint64_t account = bed.server->ec.accountBalance;
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::Declined);
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance);
    EXPECT_EQ(bed.server->ec.decision("ORD-EC1"), "reversed");
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").refunds, 1U);
    EXPECT_EQ(bed.server->ec.accountBalance, account);
    EXPECT_EQ(bed.server->calls(ServerCall::ReportEcLoad), 1U);
    using enum EcLoadState;
    EXPECT_EQ(bed.ecHistory("ORD-EC1"), (std::vector{OrderFetched, Arqc, Authorized, Reversed}));
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::Declined) << "not again";
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").refunds, 1U);
}

TEST(EcLoad, AnIssuerDeclineDebitsNothing) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    bed.server->ec.declineArc = true;
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::Declined);
    EXPECT_EQ(bed.server->ec.ledger("ORD-EC1").debits, 0U);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").state, EcLoadState::Failed);
    bed.server->ec.declineArc = false;  // the account was credited: the order may run again
    EXPECT_TRUE(bed.runEc("ORD-EC1").settled);
}

TEST(EcLoad, AServerRefusalAtAuthorizeDebitsNothing) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    bed.server->refuse(ServerCall::Exchange, "card_not_linked", 1);
    EXPECT_EQ(bed.runEcError("ORD-EC1").code(), api::ErrorCode::WrongScheme);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").state, EcLoadState::Failed);
}

TEST(EcLoad, TheConfirmationShowsTheMaskedCard) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    std::optional<ConfirmationRequest> asked;
    const TopupService::Confirm confirm = [&](const ConfirmationRequest& request, const auto&) {
        asked = request;
    };
    EXPECT_TRUE(bed.runEc("ORD-EC1", {}, confirm).settled);
    ASSERT_TRUE(asked && asked->card);
    EXPECT_EQ(asked->amount, EcBed::kEcAmount);
    EXPECT_EQ(asked->card->scheme, "bank-ec");
    EXPECT_EQ(asked->card->pan, "\u2026" + bed.plainPan().substr(bed.plainPan().size() - 4));
    EXPECT_FALSE(asked->card->application.empty());
}

TEST(EcLoad, ADeniedConfirmationLoadsNothing) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const TopupService::Confirm deny = [](const auto&, const auto&) {
        throw ServiceError(api::ErrorCode::UserDenied, "no");
    };
    EXPECT_EQ(bed.runEcError("ORD-EC1", {}, deny).code(), api::ErrorCode::UserDenied);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.ecRecord("ORD-EC1").state, EcLoadState::Failed);
}

TEST(EcLoad, CancelBeforeTheCryptogramStopsIt) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    const TopupService::Confirm cancelInstead = [&](const auto&, const auto&) {
        bed.service.cancel("ORD-EC1");
    };
    EXPECT_EQ(bed.runEcError("ORD-EC1", {}, cancelInstead).code(), api::ErrorCode::Cancelled);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance);
}

TEST(EcLoad, CancelOnceTheAccountMayBeDebitedIsTooLate) {
    EcBed bed;
    bed.addEcOrder("ORD-EC1");
    bed.insertBankCard();
    std::optional<api::ErrorCode> answer;
    bed.server->beforeCall([&](ServerCall call) {
        if (call == ServerCall::Exchange) {
            try {
                bed.service.cancel("ORD-EC1");
            } catch (const ServiceError& error) {
                answer = error.code();
            }
        }
    });
    EXPECT_TRUE(bed.runEc("ORD-EC1").settled);
    EXPECT_EQ(answer, api::ErrorCode::TooLate);
}

}  // namespace
}  // namespace taplink::service::testing
