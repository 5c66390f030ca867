// EC load orders, authorizations and decisions (docs/server.md, "Electronic-cash load"):
// each money step is one transaction under the store's lock.
#include "store/random_ids.hpp"
#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/protocol/ecload_wire.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

using journal::bindAll;
using journal::firstRow;
using journal::readColumns;
using journal::Statement;
using journal::WriteTransaction;
using net::wire::OrderStatus;

constexpr std::string_view kSelectEcAuthorization =
    "SELECT order_id, account_id, device_fingerprint, chip_serial, pan_hash, pan_sealed, "
    "pan_last4, psn, algorithm, aip, atc, arqc, issuer_auth_data, terminal_id, nonce, script_id, "
    "new_balance, answer, issued_at FROM ec_authorizations WHERE order_id = ?1";

EcAuthorizationRecord ecAuthorizationFrom(const Statement& row) {
    EcAuthorizationRecord a;
    readColumns(row, a.orderId, a.accountId, a.deviceFingerprint, a.chipSerial, a.panHash,
                a.panSealed, a.panLast4, a.psn, a.algorithmIndicator, a.aip, a.atc, a.arqc,
                a.issuerAuthenticationData, a.terminalId, a.nonce, a.scriptId, a.newBalance,
                a.answer, a.issuedAt);
    return a;
}

std::optional<EcAuthorizationRecord> selectEcAuthorization(sqlite3* database,
                                                           std::string_view orderId) {
    return firstRow(database, kSelectEcAuthorization, ecAuthorizationFrom, orderId);
}

void insertEcAuthorization(sqlite3* database, const EcAuthorizationRecord& a) {
    Statement insert(
        database,
        "INSERT INTO ec_authorizations (order_id, account_id, device_fingerprint, "
        "chip_serial, pan_hash, pan_sealed, pan_last4, psn, algorithm, aip, atc, arqc, "
        "issuer_auth_data, terminal_id, nonce, script_id, new_balance, answer, issued_at) "
        "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, "
        "?18, ?19)");
    bindAll(insert, a.orderId, a.accountId, a.deviceFingerprint, a.chipSerial, a.panHash,
            a.panSealed, a.panLast4, a.psn, a.algorithmIndicator, a.aip, a.atc, a.arqc,
            a.issuerAuthenticationData, a.terminalId, a.nonce, a.scriptId, a.newBalance, a.answer,
            a.issuedAt)
        .step();
}

constexpr std::string_view kSelectDecision =
    "SELECT order_id, kind, receipt_id, message, signature, device_fingerprint, chip_serial, "
    "amount, pan_last4, ec_balance_after, detail, decided_at FROM ec_decisions "
    "WHERE order_id = ?1";

EcDecisionRecord decisionFrom(const Statement& row) {
    EcDecisionRecord d;
    readColumns(row, d.orderId, d.kind, d.receiptId, d.message, d.signature, d.deviceFingerprint,
                d.chipSerial, d.amount, d.panLast4, d.ecBalanceAfter, d.detail, d.decidedAt);
    return d;
}

std::optional<EcDecisionRecord> selectDecision(sqlite3* database, std::string_view orderId) {
    return firstRow(database, kSelectDecision, decisionFrom, orderId);
}

void insertDecision(sqlite3* database, const EcDecisionRecord& d) {
    Statement insert(database,
                     "INSERT INTO ec_decisions (order_id, kind, receipt_id, message, signature, "
                     "device_fingerprint, chip_serial, amount, pan_last4, ec_balance_after, "
                     "detail, decided_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)");
    bindAll(insert, d.orderId, d.kind, d.receiptId, d.message, d.signature, d.deviceFingerprint,
            d.chipSerial, d.amount, d.panLast4, d.ecBalanceAfter, d.detail, d.decidedAt)
        .step();
}

std::optional<std::string> selectAccountOfOrder(sqlite3* database, std::string_view orderId) {
    return firstRow(
        database, "SELECT account_id FROM ec_orders WHERE order_id = ?1",
        [](const Statement& row) { return row.text(0); }, orderId);
}

// The same card, ATC and ARQC from the same device and terminal is the same request (a lost
// answer); anything else for an authorized order is the city flow's authorization_outstanding.
bool sameRequest(const EcAuthorizationRecord& earlier, const EcAuthorizationRecord& next) {
    return earlier.panHash == next.panHash && earlier.atc == next.atc &&
           earlier.arqc == next.arqc && earlier.chipSerial == next.chipSerial &&
           earlier.terminalId == next.terminalId;
}

}  // namespace

namespace rows {

// An ATC at or below the card's highest seen, unless it is that very ARQC again for the
// same order (the retry of a declined request).
bool atcReplayed(sqlite3* database, const CardAtc& next) {
    Statement query(database, "SELECT atc, order_id, arqc FROM ec_card_atcs WHERE pan_hash = ?1");
    query.bind(1, next.panHash);
    if (!query.step() || query.integer(0) < next.atc) {
        return false;
    }
    return query.integer(0) != next.atc || query.text(1) != next.orderId ||
           query.text(2) != toHex(next.arqc);
}

void recordCardAtc(sqlite3* database, const CardAtc& next) {
    Statement upsert(database,
                     "INSERT OR REPLACE INTO ec_card_atcs (pan_hash, atc, order_id, arqc) "
                     "VALUES (?1, ?2, ?3, ?4)");
    bindAll(upsert, next.panHash, next.atc, next.orderId, next.arqc).step();
}

}  // namespace rows

namespace {

rows::CardAtc cardAtcOf(const EcAuthorizationRecord& authorization) {
    return {authorization.panHash, authorization.atc, authorization.orderId, authorization.arqc};
}

// What the order and the card's ATC decide before any money moves; nullopt to go on. On
// SameRequest the authorization becomes the stored one.
std::optional<EcAuthorizeOutcome> outcomeBeforeMoney(sqlite3* database,
                                                     EcAuthorizationRecord& authorization) {
    const auto order = rows::selectOrder(database, authorization.orderId);
    if (!order) {
        return EcAuthorizeOutcome::OrderNotFound;
    }
    if (order->status != OrderStatus::Open) {
        return EcAuthorizeOutcome::OrderNotOpen;
    }
    if (auto earlier = selectEcAuthorization(database, authorization.orderId)) {
        if (!sameRequest(*earlier, authorization)) {
            return EcAuthorizeOutcome::Outstanding;
        }
        authorization = std::move(*earlier);
        return EcAuthorizeOutcome::SameRequest;
    }
    if (rows::atcReplayed(database, cardAtcOf(authorization))) {
        return EcAuthorizeOutcome::AtcReplayed;
    }
    return std::nullopt;
}

// Why the order cannot take a decision; nullopt when it can.
std::optional<EcDecideOutcome> blockedDecision(sqlite3* database,
                                               const EcDecisionRecord& decision) {
    using Kind = EcDecideOutcome::Kind;
    if (auto earlier = selectDecision(database, decision.orderId)) {
        const bool same = earlier->message == decision.message;
        return EcDecideOutcome{same ? Kind::SameMessage : Kind::Conflict, std::move(earlier)};
    }
    const auto order = rows::selectOrder(database, decision.orderId);
    if (!order) {
        return EcDecideOutcome{Kind::OrderNotFound, std::nullopt};
    }
    if (order->status != OrderStatus::Open) {
        return EcDecideOutcome{Kind::OrderClosed, std::nullopt};
    }
    if (!rows::hasEcAuthorization(database, decision.orderId)) {
        return EcDecideOutcome{Kind::NotDebited, std::nullopt};
    }
    return std::nullopt;
}

}  // namespace

std::optional<OrderRecord> ServerStore::createEcOrder(std::uint32_t amount,
                                                      std::string_view accountId) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    if (!rows::selectAccount(database_.get(), accountId)) {
        return std::nullopt;
    }
    OrderRecord order = insertOrder(amount, std::string(net::wire::kBankEcScheme));
    Statement link(database_.get(), "INSERT INTO ec_orders (order_id, account_id) VALUES (?1, ?2)");
    bindAll(link, order.orderId, accountId).step();
    transaction.commit();
    return order;
}

std::optional<std::string> ServerStore::accountOfOrder(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectAccountOfOrder(database_.get(), orderId);
}

EcAuthorizeOutcome ServerStore::recordEcAuthorization(EcAuthorizationRecord& authorization,
                                                      std::uint32_t amount) {
    const std::lock_guard lock(mutex_);
    sqlite3* db = database_.get();
    WriteTransaction transaction(db);
    if (const auto outcome = outcomeBeforeMoney(db, authorization)) {
        return *outcome;
    }
    rows::recordCardAtc(db, cardAtcOf(authorization));
    const auto account = rows::selectAccount(db, authorization.accountId);
    const bool funded = account && account->balance >= amount;
    if (funded) {
        storeApproved(authorization, amount);
    } else {
        appendEvent(EventRecord{0, 0, "ec_declined", authorization.orderId,
                                authorization.chipSerial, "51", "insufficient funds"},
                    authorization.issuedAt);
    }
    transaction.commit();
    return funded ? EcAuthorizeOutcome::Approved : EcAuthorizeOutcome::Declined;
}

// The debit, its ledger row, the authorization and its event, in the caller's transaction.
void ServerStore::storeApproved(const EcAuthorizationRecord& authorization, std::uint32_t amount) {
    rows::postEntry(database_.get(),
                    AccountEntry{0, authorization.accountId, authorization.orderId, "debit", amount,
                                 0, authorization.issuedAt},
                    -std::int64_t{amount});
    insertEcAuthorization(database_.get(), authorization);
    appendEvent(
        EventRecord{0, 0, "ec_authorized", authorization.orderId, authorization.chipSerial, "",
                    "ATC " + std::to_string(authorization.atc) + ", new EC balance " +
                        std::to_string(authorization.newBalance)},
        authorization.issuedAt);
}

std::optional<EcAuthorizationRecord> ServerStore::ecAuthorizationFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectEcAuthorization(database_.get(), orderId);
}

EcDecideOutcome ServerStore::decideEcLoad(const EcDecisionRecord& decision) {
    const std::lock_guard lock(mutex_);
    sqlite3* db = database_.get();
    WriteTransaction transaction(db);
    if (auto blocked = blockedDecision(db, decision)) {
        return std::move(*blocked);
    }
    storeDecision(decision, *selectAccountOfOrder(db, decision.orderId));
    transaction.commit();
    return EcDecideOutcome{EcDecideOutcome::Kind::Decided, decision};
}

// The refund of a reversal, the decision, the order's status and the events, in the
// caller's transaction.
void ServerStore::storeDecision(const EcDecisionRecord& decision, const std::string& accountId) {
    sqlite3* db = database_.get();
    const std::uint32_t amount = decision.amount;
    const bool reversed = decision.kind == "reversed";
    if (reversed) {
        rows::postEntry(
            db,
            AccountEntry{0, accountId, decision.orderId, "refund", amount, 0, decision.decidedAt},
            std::int64_t{amount});
    }
    insertDecision(db, decision);
    rows::setOrderStatus(db, decision.orderId,
                         reversed ? OrderStatus::Reversed : OrderStatus::Settled,
                         decision.decidedAt);
    appendEvent(
        EventRecord{0, 0, reversed ? "ec_reversed" : "ec_settled", decision.orderId,
                    decision.chipSerial, "", decision.detail + ", receipt " + decision.receiptId},
        decision.decidedAt);
    if (decision.detail.rfind("anomaly", 0) == 0) {
        appendEvent(EventRecord{0, 0, "anomaly", decision.orderId, decision.chipSerial, "",
                                decision.detail},
                    decision.decidedAt);
    }
}

std::optional<EcDecisionRecord> ServerStore::ecDecisionFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectDecision(database_.get(), orderId);
}

}  // namespace taplink::server
