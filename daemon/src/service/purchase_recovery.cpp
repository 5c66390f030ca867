#include "service/purchase_recovery.hpp"

#include <algorithm>
#include <array>
#include <string_view>

#include "service/bank_card_reader.hpp"
#include "service/journal_recovery.hpp"
#include "service/topup_errors.hpp"
#include "taplink/base/log.hpp"

namespace taplink::service {

namespace {

using journal::PurchaseRecord;
using journal::PurchaseState;
using nlohmann::json;
namespace wire = net::wire;

bool isTc(const PurchaseRecord& record) {
    return (record.bytes("cid2").at(0) & wire::kCidTypeMask) == wire::kCidTc;
}

// TLP1 (docs/server.md, "purchase/result").
Bytes resultMessage(const PurchaseRecord& record) {
    return wire::encodePurchaseResult(journaledResult<wire::PurchaseResult>(record));
}

// TLQ1 (docs/server.md, "purchase/reverse").
Bytes reversalMessage(const PurchaseRecord& record, wire::ReversalReason reason) {
    return wire::encodePurchaseReversal(journaledReversal(record, reason));
}

// Where the account holds a debit the card has not (or not yet) confirmed.
bool isReversible(const PurchaseRecord& record) {
    return record.state == PurchaseState::Authorized || record.state == PurchaseState::Completed ||
           (record.state == PurchaseState::Sealed && record.has("nonce"));
}

// docs/server.md, "purchase/authorize": the checks that refuse before the issuer decides
// (the chip's lock included), each after the server looked for a stored answer.
constexpr std::array<std::string_view, 18> kPreDebitRefusals{
    wire::refusal::kChipLocked,
    "malformed_request",
    wire::refusal::kOrderNotFound,
    wire::refusal::kSchemeUnsupported,
    wire::refusal::kOrderSettled,
    "order_cancelled",
    "order_reversed",
    "terminal_mismatch",
    wire::refusal::kPaymentKeysMissing,
    wire::refusal::kParamsMissing,
    wire::refusal::kParamsOutdated,
    wire::refusal::kSealInvalid,
    wire::refusal::kPurchaseMismatch,
    "issuer_unknown",
    "suite_unsupported",
    wire::refusal::kArqcInvalid,
    "authorization_outstanding",
    "atc_replayed",
};

}  // namespace

bool isPreDebitRefusal(const std::exception& error) {
    const auto* refusal = dynamic_cast<const net::ServerRefusal*>(&error);
    constexpr long kFirstClientError = 400;
    constexpr long kFirstServerError = 500;
    if (refusal == nullptr || refusal->status() < kFirstClientError ||
        refusal->status() >= kFirstServerError) {
        return false;
    }
    return std::find(kPreDebitRefusals.begin(), kPreDebitRefusals.end(), refusal->code()) !=
           kPreDebitRefusals.end();
}

wire::PurchaseAuthorizeResponse recordAuthorization(journal::PurchaseJournal& journal,
                                                    const std::string& orderId,
                                                    const json& answer) {
    auto response = wire::PurchaseAuthorizeResponse::fromJson(answer);
    json saved{{"arc", toHex(response.arc)}};
    if (response.nonce) {
        saved["nonce"] = toHex(*response.nonce);
    }
    if (response.authCode) {
        saved["authCode"] = *response.authCode;
    }
    if (response.pinTriesLeft) {
        saved["pinTriesLeft"] = *response.pinTriesLeft;
    }
    journal.save(orderId, saved);
    return response;
}

PurchaseOutcome purchaseOutcomeOf(const PurchaseRecord& record) {
    PurchaseOutcome outcome;
    outcome.orderId = record.orderId;
    outcome.amount = record.amount;
    outcome.merchant = record.details.value("merchant", "");
    outcome.authCode = record.details.value("authCode", "");
    outcome.pan = record.has("panMasked")
                      ? panForDisplay(record.details.at("panMasked").get<std::string>())
                      : "";
    outcome.application = record.details.value("application", "");
    outcome.settled = record.state == PurchaseState::Reported;
    outcome.receipt = record.details.value("receipt", json(nullptr));
    return outcome;
}

json PurchaseRecovery::signedMessage(const Bytes& message) {
    return {{"message", toHex(message)}, {"signature", toHex(ports_.chip.sign(message))}};
}

bool PurchaseRecovery::send(const std::string& orderId, net::PurchaseReport kind,
                            const json& message) {
    const net::PurchaseReportOutcome outcome = ports_.server()->reportPurchase(
        orderId, kind, fromHex(message.at("message").get<std::string>()),
        fromHex(message.at("signature").get<std::string>()));
    const PurchaseState decided =
        outcome.receipt.status == "settled" ? PurchaseState::Reported : PurchaseState::Reversed;
    journal_.advance(orderId, decided, {{"receipt", wire::toJson(outcome.receipt)}});
    return true;
}

bool PurchaseRecovery::complete(const std::string& orderId) {
    const auto chipHold = ports_.chip.hold();  // lock order: the chip, then the HTTPS client
    auto record = journal_.find(orderId);
    if (!record || record->state != PurchaseState::Completed) {
        return record && journal::isFinal(record->state);
    }
    if (!isTc(*record)) {
        return reverse(orderId, wire::ReversalReason::CardDeclined);
    }
    if (!record->has("result")) {  // built once: a report is sent again byte for byte
        journal_.save(orderId, {{"result", signedMessage(resultMessage(*record))}});
        record = journal_.find(orderId);
    }
    try {
        return send(orderId, net::PurchaseReport::Result, record->details.at("result"));
    } catch (const std::exception& error) {
        // Stays completed: the card paid and resume() reports it later.
        log::warning("order " + orderId + ": purchase report not settled yet: " + error.what());
        return false;
    }
}

bool PurchaseRecovery::reverse(const std::string& orderId, wire::ReversalReason reason) {
    const auto chipHold = ports_.chip.hold();
    auto record = journal_.find(orderId);
    if (!record || !isReversible(*record)) {
        return record && journal::isFinal(record->state);
    }
    if (!record->has("reversal")) {
        journal_.save(orderId, {{"reversal", signedMessage(reversalMessage(*record, reason))}});
        record = journal_.find(orderId);
    }
    try {
        return send(orderId, net::PurchaseReport::Reversal, record->details.at("reversal"));
    } catch (const std::exception& error) {
        // Stays open: resume() sends the same reversal until the server has it.
        log::warning("order " + orderId + ": purchase reversal not decided yet: " + error.what());
        return false;
    }
}

void PurchaseRecovery::replayAuthorization(const PurchaseRecord& record) {
    wire::PurchaseAuthorizeResponse answer;
    try {
        answer =
            recordAuthorization(journal_, record.orderId,
                                ports_.server()->exchange(record.orderId, "purchase-authorize",
                                                          record.details.at("authorizeRequest")));
    } catch (const net::ServerRefusal& refusal) {
        if (!isPreDebitRefusal(refusal)) {  // may hide a debit: stays sealed, asked again
            throw;
        }
        journal_.recordFailed(record.orderId, refusal.what());
        return;
    }
    if (!answer.approved()) {
        journal_.recordFailed(record.orderId,
                              "the issuer declined the purchase (ARC " + toHex(answer.arc) + ")");
        return;
    }
    reverse(record.orderId, wire::ReversalReason::CardGone);
}

void PurchaseRecovery::failIfOpen(const std::string& orderId, const std::string& reason) noexcept {
    failIfStillOpen(journal_, orderId, reason,
                    [](PurchaseState state) { return state == PurchaseState::OrderFetched; });
}

bool PurchaseRecovery::resumeOne(const PurchaseRecord& record) {
    switch (record.state) {
        case PurchaseState::OrderFetched:
            failIfOpen(record.orderId, "interrupted before the chip sealed the purchase");
            break;
        case PurchaseState::Sealed:
            if (!record.has("authorizeRequest")) {  // the server was never asked
                journal_.recordFailed(record.orderId, "interrupted before the authorization");
            } else if (record.has("nonce")) {
                reverse(record.orderId, wire::ReversalReason::CardGone);
            } else if (record.has("arc")) {  // declined: nothing was debited
                journal_.recordFailed(record.orderId, "the issuer declined the purchase");
            } else {
                replayAuthorization(record);
            }
            break;
        case PurchaseState::Authorized:
            reverse(record.orderId, wire::ReversalReason::CardGone);
            break;
        default:
            complete(record.orderId);
    }
    const auto now = journal_.find(record.orderId);
    return now && !journal::isFinal(now->state);
}

std::optional<PurchaseOutcome> PurchaseRecovery::finishEarlierAttempt(const std::string& orderId) {
    auto existing = journal_.find(orderId);
    if (!existing || existing->state == PurchaseState::Failed) {
        return std::nullopt;
    }
    if (!journal::isFinal(existing->state)) {
        resumeOne(*existing);
        existing = journal_.find(orderId);
    }
    if (existing->state == PurchaseState::Reversed) {
        throw ServiceError(api::ErrorCode::Declined,
                           "order " + orderId +
                               " was reversed: the card did not complete the purchase and the "
                               "account was refunded",
                           {{"reason", "card_declined"}});
    }
    if (existing->state == PurchaseState::Completed && isTc(*existing)) {
        return purchaseOutcomeOf(*existing);  // paid; the settlement follows
    }
    if (existing->state == PurchaseState::Reported) {
        return purchaseOutcomeOf(*existing);
    }
    if (existing->state == PurchaseState::Failed ||
        existing->state == PurchaseState::OrderFetched) {
        return std::nullopt;
    }
    throw ServiceError(api::ErrorCode::ServerUnreachable,
                       "an earlier attempt at order " + orderId +
                           " is being reversed; taplinkd finishes it as soon as the server can "
                           "be reached");
}

std::size_t PurchaseRecovery::resumeAll() noexcept {
    return resumeUnfinished([this] { return journal_.unfinished(); },
                            [this](const auto& record) { return resumeOne(record); });
}

}  // namespace taplink::service
