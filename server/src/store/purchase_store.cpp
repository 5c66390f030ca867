// Purchase attempts, approvals and decisions (docs/server.md, "Purchase (acquirer and
// issuer)"): each money step is one transaction under the store's lock.
#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

using journal::bindAll;
using journal::firstRow;
using journal::readColumns;
using journal::Statement;
using journal::WriteTransaction;
using net::wire::OrderStatus;

constexpr std::string_view kSelectAuthorization =
    "SELECT order_id, account_id, device_fingerprint, chip_serial, pan_hash, pan_sealed, "
    "pan_last4, psn, algorithm, aip, atc, arqc, issuer_auth_data, terminal_id, nonce, auth_code, "
    "issued_at FROM purchase_authorizations WHERE order_id = ?1";

PurchaseAuthorizationRecord authorizationFrom(const Statement& row) {
    PurchaseAuthorizationRecord a;
    readColumns(row, a.orderId, a.accountId, a.deviceFingerprint, a.chipSerial, a.panHash,
                a.panSealed, a.panLast4, a.psn, a.algorithmIndicator, a.aip, a.atc, a.arqc,
                a.issuerAuthenticationData, a.terminalId, a.nonce, a.authCode, a.issuedAt);
    return a;
}

std::optional<PurchaseAuthorizationRecord> selectAuthorization(sqlite3* database,
                                                               std::string_view orderId) {
    return firstRow(database, kSelectAuthorization, authorizationFrom, orderId);
}

void insertAuthorization(sqlite3* database, const PurchaseAuthorizationRecord& a) {
    Statement insert(database,
                     "INSERT INTO purchase_authorizations (order_id, account_id, "
                     "device_fingerprint, chip_serial, pan_hash, pan_sealed, pan_last4, psn, "
                     "algorithm, aip, atc, arqc, issuer_auth_data, terminal_id, nonce, auth_code, "
                     "issued_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, "
                     "?14, ?15, ?16, ?17)");
    bindAll(insert, a.orderId, a.accountId, a.deviceFingerprint, a.chipSerial, a.panHash,
            a.panSealed, a.panLast4, a.psn, a.algorithmIndicator, a.aip, a.atc, a.arqc,
            a.issuerAuthenticationData, a.terminalId, a.nonce, a.authCode, a.issuedAt)
        .step();
}

std::optional<std::string> storedAnswer(sqlite3* database, const PurchaseAttemptRecord& attempt) {
    return firstRow(
        database, "SELECT answer FROM purchase_attempts WHERE order_id = ?1 AND request_hash = ?2",
        [](const Statement& row) { return row.text(0); }, attempt.orderId, attempt.requestHash);
}

void insertAttempt(sqlite3* database, const PurchaseAttemptRecord& a) {
    Statement insert(database,
                     "INSERT INTO purchase_attempts (order_id, request_hash, chip_serial, "
                     "pan_hash, atc, arqc, arc, answer, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, "
                     "?8, ?9)");
    bindAll(insert, a.orderId, a.requestHash, a.chipSerial, a.panHash, a.atc, a.arqc, a.arc,
            a.answer, a.at)
        .step();
}

constexpr std::string_view kSelectDecision =
    "SELECT order_id, kind, receipt_id, message, signature, device_fingerprint, chip_serial, "
    "amount, pan_last4, detail, decided_at FROM purchase_decisions WHERE order_id = ?1";

PurchaseDecisionRecord decisionFrom(const Statement& row) {
    PurchaseDecisionRecord d;
    readColumns(row, d.orderId, d.kind, d.receiptId, d.message, d.signature, d.deviceFingerprint,
                d.chipSerial, d.amount, d.panLast4, d.detail, d.decidedAt);
    return d;
}

std::optional<PurchaseDecisionRecord> selectDecision(sqlite3* database, std::string_view orderId) {
    return firstRow(database, kSelectDecision, decisionFrom, orderId);
}

void insertDecision(sqlite3* database, const PurchaseDecisionRecord& d) {
    Statement insert(database,
                     "INSERT INTO purchase_decisions (order_id, kind, receipt_id, message, "
                     "signature, device_fingerprint, chip_serial, amount, pan_last4, detail, "
                     "decided_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)");
    bindAll(insert, d.orderId, d.kind, d.receiptId, d.message, d.signature, d.deviceFingerprint,
            d.chipSerial, d.amount, d.panLast4, d.detail, d.decidedAt)
        .step();
}

rows::CardAtc cardAtcOf(const PurchaseAttemptRecord& attempt) {
    return {attempt.panHash, attempt.atc, attempt.orderId, attempt.arqc};
}

// What the order, an earlier answer and the card's ATC decide before the issuer does;
// nullopt to go on.
std::optional<PurchaseAuthorizeResult> outcomeBeforeIssuer(sqlite3* database,
                                                           const PurchaseAttemptRecord& attempt) {
    using Outcome = PurchaseAuthorizeOutcome;
    if (auto answer = storedAnswer(database, attempt)) {
        return PurchaseAuthorizeResult{Outcome::SameRequest, std::move(*answer)};
    }
    const auto order = rows::selectOrder(database, attempt.orderId);
    if (!order) {
        return PurchaseAuthorizeResult{Outcome::OrderNotFound, {}};
    }
    if (order->status != OrderStatus::Open) {
        return PurchaseAuthorizeResult{Outcome::OrderNotOpen, {}};
    }
    if (selectAuthorization(database, attempt.orderId)) {
        return PurchaseAuthorizeResult{Outcome::Outstanding, {}};
    }
    if (rows::atcReplayed(database, cardAtcOf(attempt))) {
        return PurchaseAuthorizeResult{Outcome::AtcReplayed, {}};
    }
    return std::nullopt;
}

void setPinTries(sqlite3* database, std::string_view accountId, std::uint8_t tries,
                 std::int64_t now) {
    Statement update(database,
                     "UPDATE accounts SET pin_tries_left = ?2, updated_at = ?3 "
                     "WHERE account_id = ?1");
    bindAll(update, accountId, tries, now).step();
}

// Why the order cannot take a decision; nullopt when it can.
std::optional<PurchaseDecideOutcome> blockedDecision(sqlite3* database,
                                                     const PurchaseDecisionRecord& decision) {
    using Kind = PurchaseDecideOutcome::Kind;
    if (auto earlier = selectDecision(database, decision.orderId)) {
        const bool same = earlier->message == decision.message;
        return PurchaseDecideOutcome{same ? Kind::SameMessage : Kind::Conflict, std::move(earlier)};
    }
    const auto order = rows::selectOrder(database, decision.orderId);
    if (!order) {
        return PurchaseDecideOutcome{Kind::OrderNotFound, std::nullopt};
    }
    if (order->status != OrderStatus::Open) {
        return PurchaseDecideOutcome{Kind::OrderClosed, std::nullopt};
    }
    if (!selectAuthorization(database, decision.orderId)) {
        return PurchaseDecideOutcome{Kind::NotApproved, std::nullopt};
    }
    return std::nullopt;
}

}  // namespace

bool rows::hasPurchaseAuthorization(sqlite3* database, std::string_view orderId) {
    return selectAuthorization(database, orderId).has_value();
}

PurchaseAuthorizeResult ServerStore::authorizePurchase(const PurchaseAttemptRecord& attempt,
                                                       const PurchaseDecider& decide) {
    const std::lock_guard lock(mutex_);
    sqlite3* db = database_.get();
    WriteTransaction transaction(db);
    if (auto before = outcomeBeforeIssuer(db, attempt)) {
        return std::move(*before);
    }
    rows::recordCardAtc(db, cardAtcOf(attempt));
    const PurchaseVerdict verdict = decide(rows::selectAccountByPanHash(db, attempt.panHash));
    const auto order = rows::selectOrder(db, attempt.orderId);
    storeVerdict(attempt, verdict, order->amount);
    transaction.commit();
    return PurchaseAuthorizeResult{PurchaseAuthorizeOutcome::Decided, verdict.answer};
}

// The PIN tries, the debit with its authorization, the attempt and its event, in the
// caller's transaction.
void ServerStore::storeVerdict(const PurchaseAttemptRecord& attempt, const PurchaseVerdict& verdict,
                               std::uint32_t amount) {
    sqlite3* db = database_.get();
    const auto account = rows::selectAccountByPanHash(db, attempt.panHash);
    if (account && verdict.pinTriesLeft) {
        setPinTries(db, account->accountId, *verdict.pinTriesLeft, attempt.at);
    }
    if (verdict.approval) {
        rows::postEntry(db,
                        AccountEntry{0, verdict.approval->accountId, attempt.orderId, "debit",
                                     amount, 0, attempt.at},
                        -std::int64_t{amount});
        insertAuthorization(db, *verdict.approval);
    }
    PurchaseAttemptRecord answered = attempt;
    answered.arc = verdict.arc;
    answered.answer = verdict.answer;
    insertAttempt(db, answered);
    appendEvent(EventRecord{0, 0, verdict.approval ? "purchase_authorized" : "purchase_declined",
                            attempt.orderId, attempt.chipSerial, verdict.arc,
                            "ATC " + std::to_string(attempt.atc) + ": " + verdict.detail},
                attempt.at);
}

std::optional<std::string> ServerStore::purchaseAnswerFor(std::string_view orderId,
                                                          std::string_view requestHash,
                                                          std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    return firstRow(
        database_.get(),
        "SELECT answer FROM purchase_attempts WHERE order_id = ?1 AND request_hash = ?2 "
        "AND chip_serial = ?3",
        [](const Statement& row) { return row.text(0); }, orderId, requestHash, chipSerial);
}

std::optional<PurchaseAuthorizationRecord> ServerStore::purchaseAuthorizationFor(
    std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectAuthorization(database_.get(), orderId);
}

PurchaseDecideOutcome ServerStore::decidePurchase(const PurchaseDecisionRecord& decision) {
    const std::lock_guard lock(mutex_);
    sqlite3* db = database_.get();
    WriteTransaction transaction(db);
    if (auto blocked = blockedDecision(db, decision)) {
        return std::move(*blocked);
    }
    storePurchaseDecision(decision, selectAuthorization(db, decision.orderId)->accountId);
    transaction.commit();
    return PurchaseDecideOutcome{PurchaseDecideOutcome::Kind::Decided, decision};
}

// The refund of a reversal, the decision, the order's status and the event, in the caller's
// transaction. A settlement credits no merchant: the decision row is the record.
void ServerStore::storePurchaseDecision(const PurchaseDecisionRecord& decision,
                                        const std::string& accountId) {
    sqlite3* db = database_.get();
    const bool reversed = decision.kind == "reversed";
    if (reversed) {
        rows::postEntry(db,
                        AccountEntry{0, accountId, decision.orderId, "refund", decision.amount, 0,
                                     decision.decidedAt},
                        std::int64_t{decision.amount});
    }
    insertDecision(db, decision);
    rows::setOrderStatus(db, decision.orderId,
                         reversed ? OrderStatus::Reversed : OrderStatus::Settled,
                         decision.decidedAt);
    appendEvent(
        EventRecord{0, 0, reversed ? "purchase_reversed" : "purchase_settled", decision.orderId,
                    decision.chipSerial, "", decision.detail + ", receipt " + decision.receiptId},
        decision.decidedAt);
}

std::optional<PurchaseDecisionRecord> ServerStore::purchaseDecisionFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectDecision(database_.get(), orderId);
}

}  // namespace taplink::server
