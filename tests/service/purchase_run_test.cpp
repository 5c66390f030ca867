// PurchaseAttempt in process (pay.start below the API): the real bank-purchase.json run by
// the engine against taplink-sim's bank card and the simulated chip's payment applet
// (personalised by the TSM's channel), the scripted issuer opening the chip's seal, rebuilding
// the CDOL1 data and verifying the ARQC, the journal on SQLite. Approve, online PIN, wrong
// PIN, decline, the card pulled after each command (reversed once, or failed with nothing
// charged), and the privacy rule: the PAN's digits and the PIN in no journal row, outcome,
// progress stage or log line.
#include <gtest/gtest.h>

#include <algorithm>
#include <mutex>
#include <set>

#include "cards/bank_card.hpp"
#include "cards/secure_chip.hpp"
#include "cards/test_issuer.hpp"
#include "chip_management.hpp"
#include "purchase_bed.hpp"
#include "signed_scripts.hpp"
#include "taplink/base/log.hpp"

namespace taplink::service::testing {
namespace {

using journal::PurchaseState;
using nlohmann::json;

constexpr const char* kOrder = "ORD-PAY-1";

// Every log line while it lives.
class LogCapture {
  public:
    LogCapture() {
        previous_ = log::setSink([this](log::Level, std::string_view line) {
            const std::lock_guard lock(mutex_);
            lines_.emplace_back(line);
        });
    }
    ~LogCapture() { log::setSink(previous_); }
    LogCapture(const LogCapture&) = delete;
    LogCapture& operator=(const LogCapture&) = delete;
    std::string all() const {
        const std::lock_guard lock(mutex_);
        std::string text;
        for (const auto& line : lines_) {
            text += line + "\n";
        }
        return text;
    }

  private:
    mutable std::mutex mutex_;
    std::vector<std::string> lines_;
    log::Sink previous_;
};

TEST(Purchase, PaysAndSettlesOnceWithoutAPinUpToTheCvmLimit) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    const PurchaseOutcome outcome = bed.pay(kOrder);
    EXPECT_EQ(outcome.orderId, kOrder);
    EXPECT_EQ(outcome.amount, PurchaseBed::kAmount);
    EXPECT_EQ(outcome.merchant, "TapLink 演示商店 Demo Shop");
    EXPECT_EQ(outcome.authCode, "A1B2C3");
    const std::string masked = bed.readCard().panMasked;
    EXPECT_EQ(outcome.pan, "\u2026" + masked.substr(masked.size() - 4));
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(outcome.receipt.at("status"), "settled");
    EXPECT_TRUE(bed.pinAsks.empty()) << "no PIN up to the CVM limit";
    EXPECT_EQ(bed.purchaseHistory(kOrder),
              (std::vector<PurchaseState>{PurchaseState::OrderFetched, PurchaseState::Sealed,
                                          PurchaseState::Authorized, PurchaseState::Completed,
                                          PurchaseState::Reported}));
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 0U);
    ASSERT_EQ(bed.server->ec.purchaseResults.size(), 1U);
    EXPECT_EQ(bed.server->ec.purchaseResults.front().cid & 0xC0U, 0x40U) << "a TC";
    EXPECT_EQ(bed.server->orderStatus(kOrder), net::wire::OrderStatus::Settled);
}

TEST(Purchase, AnEarlierApprovedPurchaseIsAnsweredFromTheJournal) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    const PurchaseOutcome first = bed.pay(kOrder);
    const PurchaseOutcome again = bed.pay(kOrder);
    EXPECT_EQ(again.authCode, first.authCode);
    EXPECT_TRUE(again.settled);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
}

TEST(Purchase, AboveTheCvmLimitAsksThePinOnceAndPays) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    const PurchaseOutcome outcome = bed.pay(kOrder);
    EXPECT_TRUE(outcome.settled);
    ASSERT_EQ(bed.pinAsks.size(), 1U);
    EXPECT_EQ(bed.pinAsks.front().amount, PurchaseBed::kAmountWithPin);
    EXPECT_EQ(bed.pinAsks.front().merchant, "TapLink 演示商店 Demo Shop");
    EXPECT_EQ(bed.pinAsks.front().pan, outcome.pan);
    EXPECT_EQ(bed.server->ec.pinTriesLeft, 3U);
    const auto stages = bed.stages.lines();
    EXPECT_NE(std::find(stages.begin(), stages.end(), "entering_pin"), stages.end());
}

// The script's run-time limit is the daemon's time: the cardholder typing the PIN for longer
// than the whole limit still pays.
TEST(Purchase, ThePinTypingTimeDoesNotCountTowardTheScriptsLimit) {
    PurchaseBed bed;
    json script = json::parse(taplink::testing::readRechargeScript("bank-purchase.json"));
    script["limits"]["maxSeconds"] = 1;
    bed.server->addScriptEnvelope(
        taplink::testing::makeEnvelope(script.dump(), bed.signingKey.get()));
    bed.pinTypingTime = std::chrono::milliseconds(1500);
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    EXPECT_TRUE(bed.pay(kOrder).settled);
    EXPECT_EQ(bed.pinAsks.size(), 1U);
}

TEST(Purchase, AWrongPinChargesNothingAndSaysTheTriesLeft) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    bed.pinToEnter = "111111";
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::WrongPin) << error.what();
    EXPECT_EQ(error.details(), json({{"pinTriesLeft", 2}}));
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Failed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
    EXPECT_TRUE(bed.server->ec.purchaseReversals.empty());
}

TEST(Purchase, AfterAWrongPinTheSameOrderPaysWithTheRightOne) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    bed.pinToEnter = "111111";
    EXPECT_EQ(bed.payError(kOrder).code(), api::ErrorCode::WrongPin);
    bed.pinToEnter = PurchaseBed::kPin;
    const PurchaseOutcome outcome = bed.pay(kOrder);
    EXPECT_TRUE(outcome.settled);
    EXPECT_EQ(bed.purchaseHistory(kOrder),
              (std::vector<PurchaseState>{PurchaseState::OrderFetched, PurchaseState::Sealed,
                                          PurchaseState::Failed, PurchaseState::OrderFetched,
                                          PurchaseState::Sealed, PurchaseState::Authorized,
                                          PurchaseState::Completed, PurchaseState::Reported}));
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
}

TEST(Purchase, ThreeWrongPinsBlockThePin) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.pinToEnter = "111111";
    for (int attempt = 0; attempt < 3; ++attempt) {
        const std::string order = "ORD-PAY-W" + std::to_string(attempt);
        bed.addPurchaseOrder(order, PurchaseBed::kAmountWithPin);
        EXPECT_EQ(bed.payError(order).code(), api::ErrorCode::WrongPin);
    }
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    bed.pinToEnter = PurchaseBed::kPin;
    const ServiceError blocked = bed.payError(kOrder);
    EXPECT_EQ(blocked.code(), api::ErrorCode::PinBlocked) << blocked.what();
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
}

TEST(Purchase, NoPinEntryIsRefusedBeforeTheSeal) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    bed.pinToEnter.reset();
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::ConfirmationUnavailable) << error.what();
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Failed);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
}

// no_application as tests/e2e/pay_test.cpp expects it: refused before the card makes an
// ARQC, nothing charged, the order still open; the journal record failed.
void expectNoApplication(PurchaseBed& bed) {
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::NoApplication) << error.what();
    EXPECT_EQ(bed.purchaseHistory(kOrder),
              (std::vector<PurchaseState>{PurchaseState::OrderFetched, PurchaseState::Failed}));
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
    EXPECT_EQ(bed.server->orderStatus(kOrder), net::wire::OrderStatus::Open);
}

TEST(Purchase, ACardWithNoApplicationTheDaemonSupportsIsNoApplication) {
    PurchaseBed bed;
    bed.bankCard = EcBed::makeForeignBankCard();
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    expectNoApplication(bed);
    EXPECT_EQ(bed.port.commandsSent(PurchaseBed::kCardReader), 1U) << "SELECT PPSE only";
}

// The e2e case: the payment applet's parameters allow only the credit AID, the card has the
// debit one; the applet refuses BEGIN PURCHASE (9403, aid_not_allowed) before the ARQC.
TEST(Purchase, ACardWhoseAidThePaymentAppletDoesNotAllowIsNoApplication) {
    PurchaseBed bed;
    chip::mgmt::ManageRequest creditOnly;
    creditOnly.parameters = ::taplink::testing::testPaymentParameters(2);
    creditOnly.parameters->allowedAids = {fromHex(sim::kCreditAidHex)};
    bed.tsm->queue("TSM-PARAMS-2", chip::mgmt::Applet::Payment, "update-params", creditOnly,
                   sim::defaultChipSerial());
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->setParamsVersion(kOrder, 2);
    const std::string atc = bed.cardObject(0x9F36);
    expectNoApplication(bed);
    EXPECT_EQ(bed.chipParametersVersion(), 2U);
    EXPECT_EQ(bed.cardObject(0x9F36), atc) << "no GENERATE AC reached the card";
}

TEST(Purchase, AnIssuerDeclineChargesNothingAndNamesTheReason) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->ec.declineArc = true;
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::Declined) << error.what();
    EXPECT_EQ(error.details(), json({{"reason", "insufficient_funds"}}));
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Failed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
}

TEST(Purchase, AWrongArpcMakesTheCardDeclineAndThePurchaseIsReversedOnce) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->ec.spoilArpc = true;
    const ServiceError error = bed.payError(kOrder);
    EXPECT_EQ(error.code(), api::ErrorCode::Declined) << error.what();
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Reversed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 1U);
    ASSERT_EQ(bed.server->ec.purchaseReversals.size(), 1U);
    EXPECT_EQ(bed.server->ec.purchaseReversals.front().reason,
              net::wire::ReversalReason::CardDeclined);
}

// The card leaves after each command of the purchase in turn: whatever happened, the account
// ends with nothing charged (no debit, or one debit and one refund) and the journal final.
TEST(Purchase, ACardPulledAtAnyCommandEndsReversedOnceOrWithNothingCharged) {
    std::size_t commands = 0;
    {
        PurchaseBed bed;
        bed.insertBankCard();
        bed.addPurchaseOrder(kOrder);
        bed.pay(kOrder);
        commands = bed.port.commandsSent(PurchaseBed::kCardReader);
    }
    ASSERT_GT(commands, 4U);
    std::set<PurchaseState> ends;
    for (std::size_t pullAfter = 1; pullAfter < commands; ++pullAfter) {
        PurchaseBed bed;
        bed.insertBankCard();
        bed.addPurchaseOrder(kOrder);
        bed.port.pullCardAfter(PurchaseBed::kCardReader, pullAfter);
        try {
            bed.pay(kOrder);
        } catch (const ServiceError&) {  // NOLINT(bugprone-empty-catch): the journal decides
        }
        bed.service.resume();
        const auto record = bed.purchaseRecord(kOrder);
        const auto ledger = bed.server->ec.ledger(kOrder);
        SCOPED_TRACE("pulled after command " + std::to_string(pullAfter) + ", state " +
                     std::string(journal::toString(record.state)));
        EXPECT_TRUE(journal::isFinal(record.state));
        ends.insert(record.state);
        if (record.state == PurchaseState::Reported) {
            EXPECT_EQ(ledger.debits, 1U);
            EXPECT_EQ(ledger.refunds, 0U);
        } else {
            EXPECT_EQ(ledger.debits, ledger.refunds) << "nothing charged";
            EXPECT_LE(ledger.refunds, 1U) << "reversed once";
        }
    }
    // Pulled before the seal: failed; after the approval: reversed.
    EXPECT_EQ(ends.count(PurchaseState::Failed), 1U);
    EXPECT_EQ(ends.count(PurchaseState::Reversed), 1U);
}

TEST(Purchase, AnAuthorizationAnswerLostIsAskedAgainWithTheSameSealAndReversedOnce) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->loseAnswer(ServerCall::Exchange, 1);
    EXPECT_EQ(bed.payError(kOrder).code(), api::ErrorCode::ServerUnreachable);
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Sealed);
    bed.service.resume();
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Reversed);
    const auto& asked = bed.server->ec.requests();
    ASSERT_EQ(asked.size(), 2U);
    EXPECT_EQ(asked.at(0), asked.at(1)) << "the journaled request, byte for byte";
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 1U);
}

// Only a refusal docs/server.md lists among authorize's checks proves nothing was debited; any
// other (here a revoked device, as a 5xx would be) keeps the seal for the resumer.
TEST(Purchase, AnAuthorizationRefusalThatMayHideADebitKeepsTheSealForTheResumer) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->refuse(ServerCall::Exchange, "device_revoked", 1);
    EXPECT_EQ(bed.payError(kOrder).code(), api::ErrorCode::ServerError);
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Sealed);
    bed.service.resume();
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Reversed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 1U);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).refunds, 1U);
}

TEST(Purchase, AnAuthorizationRefusedBeforeAnyDebitFailsTheRecord) {
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.server->refuse(ServerCall::Exchange, "purchase_mismatch", 1);
    EXPECT_EQ(bed.payError(kOrder).code(), api::ErrorCode::Declined);
    EXPECT_EQ(bed.purchaseRecord(kOrder).state, PurchaseState::Failed);
    EXPECT_EQ(bed.server->ec.ledger(kOrder).debits, 0U);
}

// A script asking to send more than {sealed, terminalId} sends nothing and journals nothing.
TEST(Purchase, AnAuthorizeRequestBeyondTheContractIsNeitherSentNorJournaled) {
    PurchaseBed bed;
    json script = json::parse(taplink::testing::readRechargeScript("bank-purchase.json"));
    for (json& step : script["steps"]) {
        if (step.value("name", "") == "authorize") {
            step["request"]["orderId"] = {{"var", "orderId"}, {"as", "hex"}};
        }
    }
    bed.server->addScriptEnvelope(
        taplink::testing::makeEnvelope(script.dump(), bed.signingKey.get()));
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder);
    bed.payError(kOrder);
    EXPECT_EQ(bed.server->calls(ServerCall::Exchange), 0U);
    const auto record = bed.purchaseRecord(kOrder);
    EXPECT_EQ(record.state, PurchaseState::Failed);
    EXPECT_FALSE(record.has("authorizeRequest"));
}

TEST(Purchase, NeitherThePanNorThePinAppearsInTheJournalOutcomeStagesOrLog) {
    LogCapture logged;
    PurchaseBed bed;
    bed.insertBankCard();
    bed.addPurchaseOrder(kOrder, PurchaseBed::kAmountWithPin);
    const PurchaseOutcome outcome = bed.pay(kOrder);
    bed.addPurchaseOrder("ORD-PAY-2", PurchaseBed::kAmountWithPin);
    bed.pinToEnter = "111111";
    bed.payError("ORD-PAY-2");
    const std::string pan = sim::defaultBankPan("bank-3des", sim::testBankIssuer());
    ASSERT_GE(pan.size(), 12U);
    std::string seen = bed.purchaseRecord(kOrder).details.dump() +
                       bed.purchaseRecord("ORD-PAY-2").details.dump() +
                       bed.purchaseRecord("ORD-PAY-2").failure + outcome.pan + outcome.merchant +
                       outcome.authCode + outcome.receipt.dump() + logged.all();
    for (const auto& stage : bed.stages.lines()) {
        seen += stage;
    }
    EXPECT_EQ(seen.find(pan), std::string::npos) << "the PAN's digits";
    EXPECT_EQ(seen.find(PurchaseBed::kPin), std::string::npos) << "the PIN";
    EXPECT_EQ(seen.find("111111"), std::string::npos) << "the wrong PIN";
}

}  // namespace
}  // namespace taplink::service::testing
