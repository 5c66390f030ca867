// EC loads interrupted in every journal state (the card pulled at every APDU, the server
// gone at every call, the daemon restarted) end with the issuer's ledger and the card's EC
// agreeing: loaded and settled once, or not loaded and the debit refunded once (or never
// made).
#include <gtest/gtest.h>

#include <chrono>

#include "cards/profiles.hpp"
#include "ec_bed.hpp"
#include "signed_scripts.hpp"

namespace taplink::service::testing {
namespace {

using journal::EcLoadState;
constexpr const char* kOrder = "ORD-EC1";

// taplinkd started again over the same journal, chip and readers.
std::unique_ptr<TopupService> restart(EcBed& bed) {
    return std::make_unique<TopupService>(
        bed.port, bed.readers, bed.chip, bed.journal, [&bed] { return bed.server; },
        std::vector<script::TrustedKey>{trustedKeyOf(bed.signingKey.get())},
        TopupSettings{"", std::chrono::seconds(5)});
}

void putCardBack(EcBed& bed) {
    if (!bed.port.hasCard(ServiceBed::kCardReader)) {
        bed.port.insert(ServiceBed::kCardReader, bed.bankCard);
    }
}

// The final agreement: the card's EC and the issuer's ledger tell the same story.
void expectAgreement(EcBed& bed, const std::string& context) {
    SCOPED_TRACE(context);
    const std::uint64_t balance = bed.readCard().ecBalance;
    const auto ledger = bed.server->ec.ledger(kOrder);
    const auto record = bed.ecJournal.find(kOrder);
    if (record) {
        EXPECT_TRUE(journal::isFinal(record->state)) << journal::toString(record->state);
    }
    if (balance == EcBed::kBankBalance + EcBed::kEcAmount) {
        EXPECT_EQ(bed.server->ec.decision(kOrder), "settled");
        EXPECT_EQ(ledger.debits, 1U);
        EXPECT_EQ(ledger.refunds, 0U);
        EXPECT_EQ(record->state, EcLoadState::Reported);
        return;
    }
    EXPECT_EQ(balance, EcBed::kBankBalance);
    EXPECT_EQ(ledger.debits, ledger.refunds) << "a debit the card never took is refunded";
    EXPECT_LE(ledger.refunds, 1U);
    EXPECT_NE(bed.server->ec.decision(kOrder), "settled");
}

std::size_t commandsOfALoad() {
    EcBed probe;
    probe.addEcOrder(kOrder);
    probe.insertBankCard();
    probe.runEc(kOrder);
    return probe.port.commandsSent(ServiceBed::kCardReader);
}

class PulledAtEveryApdu : public ::testing::TestWithParam<SimCardPort::LastAnswer> {};

TEST_P(PulledAtEveryApdu, LedgerAndCardAgreeAfterResuming) {
    const std::size_t total = commandsOfALoad();
    ASSERT_GT(total, 10U);
    RecordProperty("commandsOfALoad", static_cast<int>(total));
    for (std::size_t command = 1; command <= total; ++command) {
        EcBed bed;
        bed.addEcOrder(kOrder);
        bed.insertBankCard();
        bed.port.pullCardAfter(ServiceBed::kCardReader, command, GetParam());
        try {
            bed.runEc(kOrder);
        } catch (const ServiceError&) {  // NOLINT(bugprone-empty-catch): resumed below
        }
        putCardBack(bed);
        restart(bed)->resume();
        expectAgreement(bed, "pulled after command " + std::to_string(command));
    }
}

INSTANTIATE_TEST_SUITE_P(BothWays, PulledAtEveryApdu,
                         ::testing::Values(SimCardPort::LastAnswer::Delivered,
                                           SimCardPort::LastAnswer::Lost));

struct ServerFault {
    ServerCall call;
    bool answerLost;  // the server did it; else it was never reached
};

class ServerGoneAtEveryCall : public ::testing::TestWithParam<ServerFault> {};

TEST_P(ServerGoneAtEveryCall, LedgerAndCardAgreeAfterResuming) {
    EcBed bed;
    bed.addEcOrder(kOrder);
    bed.insertBankCard();
    if (GetParam().answerLost) {
        bed.server->loseAnswer(GetParam().call, 1);
    } else {
        bed.server->failUnreachable(GetParam().call, 1);
    }
    try {
        bed.runEc(kOrder);
    } catch (const ServiceError& error) {
        EXPECT_NE(error.code(), api::ErrorCode::Internal) << error.what();
    }
    restart(bed)->resume();
    expectAgreement(bed, "after the server came back");
}

INSTANTIATE_TEST_SUITE_P(EachCall, ServerGoneAtEveryCall,
                         ::testing::Values(ServerFault{ServerCall::FetchOrder, false},
                                           ServerFault{ServerCall::FetchScript, false},
                                           ServerFault{ServerCall::Exchange, false},
                                           ServerFault{ServerCall::Exchange, true},
                                           ServerFault{ServerCall::ReportEcLoad, false},
                                           ServerFault{ServerCall::ReportEcLoad, true}));

TEST(EcLoadRecovery, AnAuthorizationAnswerLostIsFoundAgainWithTheCardAndReversed) {
    EcBed bed;
    bed.addEcOrder(kOrder);
    bed.insertBankCard();
    bed.server->loseAnswer(ServerCall::Exchange, 1);
    EXPECT_EQ(bed.runEcError(kOrder).code(), api::ErrorCode::ServerUnreachable);
    EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::Arqc);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U) << "the server did debit";
    const auto card = bed.port.remove(ServiceBed::kCardReader);
    EXPECT_EQ(restart(bed)->resume(), 1U) << "the card must be presented to find the nonce";
    bed.port.insert(ServiceBed::kCardReader, card);
    EXPECT_EQ(restart(bed)->resume(), 0U);
    using enum EcLoadState;
    EXPECT_EQ(bed.ecHistory(kOrder), (std::vector{OrderFetched, Arqc, Reversed}));
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U) << "the replay debited nothing more";
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 1U);
}

TEST(EcLoadRecovery, AScriptInterruptedIsSettledByTheBalanceTheCardHolds) {
    for (const auto last : {SimCardPort::LastAnswer::Lost, SimCardPort::LastAnswer::Delivered}) {
        EcBed bed;
        bed.addEcOrder(kOrder);
        bed.insertBankCard();
        // The issuer script's PUT DATA is the command before the last balance read: done with
        // its answer lost, or the card gone just before it.
        const bool written = last == SimCardPort::LastAnswer::Lost;
        bed.port.pullCardAfter(ServiceBed::kCardReader, commandsOfALoad() - (written ? 1 : 2),
                               last);
        EXPECT_EQ(bed.runEcError(kOrder).code(), api::ErrorCode::CardRemoved);
        EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::ScriptSending);
        putCardBack(bed);
        EXPECT_EQ(restart(bed)->resume(), 0U);
        EXPECT_EQ(bed.ecRecord(kOrder).state,
                  written ? EcLoadState::Reported : EcLoadState::Reversed);
        expectAgreement(bed, written ? "written" : "not written");
    }
}

TEST(EcLoadRecovery, AnotherCardDoesNotSettleAnInterruptedScript) {
    EcBed bed;
    bed.addEcOrder(kOrder);
    bed.insertBankCard();
    bed.port.pullCardAfter(ServiceBed::kCardReader, commandsOfALoad() - 1,
                           SimCardPort::LastAnswer::Lost);
    bed.runEcError(kOrder);
    sim::CardOptions other;
    other.balance = EcBed::kBankBalance;
    other.pan = "6288880000000096";
    bed.port.insert(ServiceBed::kCardReader, sim::makeCard("bank-3des", other));
    EXPECT_EQ(restart(bed)->resume(), 1U);
    EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::ScriptSending);
}

TEST(EcLoadRecovery, ALoadedCardIsReportedOnceTheServerIsBack) {
    EcBed bed;
    bed.addEcOrder(kOrder);
    bed.insertBankCard();
    bed.server->failUnreachable(ServerCall::ReportEcLoad);
    const EcLoadOutcome pending = bed.runEc(kOrder);
    EXPECT_FALSE(pending.settled);
    EXPECT_EQ(pending.balanceAfter, EcBed::kBankBalance + EcBed::kEcAmount);
    EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::Loaded);
    bed.server->clearFault(ServerCall::ReportEcLoad);
    const EcLoadOutcome again = bed.runEc(kOrder);  // the same order: finished, not loaded twice
    EXPECT_TRUE(again.settled);
    EXPECT_EQ(bed.readCard().ecBalance, EcBed::kBankBalance + EcBed::kEcAmount);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
}

TEST(EcLoadRecovery, AReversalTheServerMissedIsSentAgain) {
    EcBed bed;
    bed.addEcOrder(kOrder);
    bed.insertBankCard();
    bed.server->ec.spoilArpc = true;
    bed.server->failUnreachable(ServerCall::ReportEcLoad, 1);
    bed.runEcError(kOrder);
    EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::Authorized);
    EXPECT_EQ(restart(bed)->resume(), 0U);
    EXPECT_EQ(bed.ecRecord(kOrder).state, EcLoadState::Reversed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 1U);
}

}  // namespace
}  // namespace taplink::service::testing
