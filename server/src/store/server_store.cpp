#include "store/server_store.hpp"

#include <sys/stat.h>

#include <chrono>

#include "store/load_binding.hpp"
#include "store/random_ids.hpp"
#include "store/store_rows.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

using journal::allRows;
using journal::bindAll;
using journal::checkSqlite;
using journal::firstRow;
using journal::readColumns;
using journal::Statement;
using journal::WriteTransaction;
using net::wire::OrderStatus;

constexpr int kBusyTimeoutMs = 5000;

void execute(sqlite3* database, const char* sql, std::string_view what) {
    checkSqlite(database, sqlite3_exec(database, sql, nullptr, nullptr, nullptr), what);
}

constexpr std::string_view kSelectOrder =
    "SELECT order_id, amount, currency, scheme, status, created_at, updated_at, merchant "
    "FROM orders";

OrderRecord orderFrom(const Statement& row) {
    OrderRecord order;
    std::string status;
    readColumns(row, order.orderId, order.amount, order.currency, order.scheme, status,
                order.createdAt, order.updatedAt, order.merchant);
    order.status = net::wire::orderStatusFromString(status);
    return order;
}

constexpr std::string_view kSelectAuthorization =
    "SELECT id, order_id, device_fingerprint, chip_serial, issuer_id, card_serial, "
    "algorithm_id, key_version, balance, online_atc, terminal_id, nonce, expires_at, issued_at "
    "FROM authorizations";

AuthorizationRecord authorizationFrom(const Statement& row) {
    AuthorizationRecord a;
    readColumns(row, a.id, a.orderId, a.deviceFingerprint, a.chipSerial, a.issuerId, a.cardSerial,
                a.algorithmId, a.keyVersion, a.balance, a.onlineAtc, a.terminalId, a.nonce,
                a.expiresAt, a.issuedAt);
    return a;
}

std::vector<AuthorizationRecord> selectAuthorizations(sqlite3* database, std::string_view orderId) {
    return allRows(database, std::string(kSelectAuthorization) + " WHERE order_id = ?1 ORDER BY id",
                   authorizationFrom, orderId);
}

constexpr std::string_view kSelectSettlement =
    "SELECT order_id, authorization_id, receipt_id, result, signature, device_fingerprint, "
    "chip_serial, card_serial, balance_before, amount, balance_after, online_atc, tac, "
    "settled_at FROM settlements";

SettlementRecord settlementFrom(const Statement& row) {
    SettlementRecord s;
    readColumns(row, s.orderId, s.authorizationId, s.receiptId, s.result, s.signature,
                s.deviceFingerprint, s.chipSerial, s.cardSerial, s.balanceBefore, s.amount,
                s.balanceAfter, s.onlineAtc, s.tac, s.settledAt);
    return s;
}

std::optional<SettlementRecord> selectSettlement(sqlite3* database, std::string_view orderId) {
    return firstRow(database, std::string(kSelectSettlement) + " WHERE order_id = ?1",
                    settlementFrom, orderId);
}

void insertSettlement(sqlite3* database, const SettlementRecord& s) {
    Statement insert(database,
                     "INSERT INTO settlements (order_id, authorization_id, receipt_id, result, "
                     "signature, device_fingerprint, chip_serial, card_serial, balance_before, "
                     "amount, balance_after, online_atc, tac, settled_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    bindAll(insert, s.orderId, s.authorizationId, s.receiptId, s.result, s.signature,
            s.deviceFingerprint, s.chipSerial, s.cardSerial, s.balanceBefore, s.amount,
            s.balanceAfter, s.onlineAtc, s.tac, s.settledAt)
        .step();
}

CardTotal cardTotalFrom(const Statement& row) {
    CardTotal card;
    readColumns(row, card.cardSerial, card.total, card.loads);
    return card;
}

DeviceRecord deviceFrom(const Statement& row) {
    DeviceRecord device;
    std::string status;
    readColumns(row, device.fingerprint, device.chipSerial, device.subject, device.notAfter, status,
                device.firstSeen, device.lastSeen);
    device.revoked = status == "revoked";
    return device;
}

EventRecord eventFrom(const Statement& row) {
    EventRecord event;
    readColumns(row, event.id, event.at, event.kind, event.orderId, event.chipSerial, event.code,
                event.message);
    return event;
}

}  // namespace

namespace rows {

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::optional<OrderRecord> selectOrder(sqlite3* database, std::string_view orderId) {
    return firstRow(database, std::string(kSelectOrder) + " WHERE order_id = ?1", orderFrom,
                    orderId);
}

void setOrderStatus(sqlite3* database, std::string_view orderId, OrderStatus status,
                    std::int64_t now) {
    Statement update(database,
                     "UPDATE orders SET status = ?2, updated_at = ?3 WHERE order_id = ?1");
    bindAll(update, orderId, net::wire::toString(status), now).step();
}

}  // namespace rows

ServerStore::ServerStore(const std::string& path) {
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    database_.reset(raw);
    checkSqlite(database_.get(), rc, "open server database " + path);
    ::chmod(path.c_str(), S_IRUSR | S_IWUSR);  // the ledger: the operator's only
    createSchema();
}

void ServerStore::createSchema() {
    sqlite3* db = database_.get();
    Statement(db, "PRAGMA journal_mode=WAL").step();
    execute(db, "PRAGMA synchronous=FULL", "PRAGMA synchronous");
    execute(db, "PRAGMA foreign_keys=ON", "PRAGMA foreign_keys");
    checkSqlite(db, sqlite3_busy_timeout(db, kBusyTimeoutMs), "busy timeout");
    rows::upgradeStoreSchema(db);
    panHashKey_ = storeSecret("pan-hmac");
    panSealKey_ = storeSecret("pan-seal");
    pinHashKey_ = storeSecret("pin-hmac");
}

void ServerStore::appendEvent(const EventRecord& event, std::int64_t now) {
    Statement insert(database_.get(),
                     "INSERT INTO events (at, kind, order_id, chip_serial, code, message) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    bindAll(insert, now, event.kind, event.orderId, event.chipSerial, event.code, event.message)
        .step();
}

// --- Orders

OrderRecord ServerStore::createOrder(std::uint32_t amount, const std::string& scheme,
                                     const std::string& merchant) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    OrderRecord order = insertOrder(amount, scheme, merchant);
    transaction.commit();
    return order;
}

OrderRecord ServerStore::insertOrder(std::uint32_t amount, const std::string& scheme,
                                     const std::string& merchant) {
    OrderRecord order;
    do {
        order.orderId = newOrderId();
    } while (rows::selectOrder(database_.get(), order.orderId));
    order.amount = amount;
    order.scheme = scheme;
    order.merchant = merchant;
    order.createdAt = order.updatedAt = rows::nowSeconds();
    Statement insert(database_.get(),
                     "INSERT INTO orders (order_id, amount, currency, scheme, status, created_at, "
                     "updated_at, merchant) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?5, ?6)");
    bindAll(insert, order.orderId, amount, order.currency, scheme, order.createdAt, merchant)
        .step();
    appendEvent(EventRecord{0, 0, "order_created", order.orderId, "", "",
                            std::to_string(amount) + " fen, " + scheme},
                order.createdAt);
    return order;
}

std::optional<OrderRecord> ServerStore::findOrder(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return rows::selectOrder(database_.get(), orderId);
}

std::vector<OrderRecord> ServerStore::listOrders() {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(), std::string(kSelectOrder) + " ORDER BY created_at, rowid",
                   orderFrom);
}

CancelOutcome ServerStore::cancelOrder(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto order = rows::selectOrder(database_.get(), orderId);
    if (!order) {
        return CancelOutcome::NotFound;
    }
    if (order->status != OrderStatus::Open) {
        return CancelOutcome::NotOpen;
    }
    if (!selectAuthorizations(database_.get(), orderId).empty() ||
        rows::hasEcAuthorization(database_.get(), orderId) ||
        rows::hasPurchaseAuthorization(database_.get(), orderId)) {
        return CancelOutcome::Authorized;
    }
    const std::int64_t now = rows::nowSeconds();
    rows::setOrderStatus(database_.get(), orderId, OrderStatus::Cancelled, now);
    appendEvent(EventRecord{0, 0, "order_cancelled", std::string(orderId), "", "", ""}, now);
    transaction.commit();
    return CancelOutcome::Cancelled;
}

// --- Authorizations

AuthorizeResult ServerStore::recordAuthorization(AuthorizationRecord& authorization) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto order = rows::selectOrder(database_.get(), authorization.orderId);
    if (!order) {
        return {AuthorizeOutcome::OrderNotFound};
    }
    if (order->status == OrderStatus::Settled) {
        return {AuthorizeOutcome::OrderSettled};
    }
    if (order->status == OrderStatus::Cancelled) {
        return {AuthorizeOutcome::OrderCancelled};
    }
    const BindingDecision decision =
        decideBinding(selectAuthorizations(database_.get(), authorization.orderId), authorization,
                      authorization.issuedAt);
    switch (decision.verdict) {
        case BindingVerdict::BoundToAnotherDevice:
            return {AuthorizeOutcome::BoundToAnotherDevice, decision.until};
        case BindingVerdict::Outstanding:
            return {AuthorizeOutcome::Outstanding};
        case BindingVerdict::Joins:
            break;
    }
    Statement insert(database_.get(),
                     "INSERT INTO authorizations (order_id, device_fingerprint, chip_serial, "
                     "issuer_id, card_serial, algorithm_id, key_version, balance, online_atc, "
                     "terminal_id, nonce, expires_at, issued_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    const AuthorizationRecord& a = authorization;
    bindAll(insert, a.orderId, a.deviceFingerprint, a.chipSerial, a.issuerId, a.cardSerial,
            a.algorithmId, a.keyVersion, a.balance, a.onlineAtc, a.terminalId, a.nonce, a.expiresAt,
            a.issuedAt)
        .step();
    authorization.id = sqlite3_last_insert_rowid(database_.get());
    appendEvent(EventRecord{0, 0, "authorized", authorization.orderId, authorization.chipSerial, "",
                            "card " + toHex(authorization.cardSerial) + " ATC " +
                                std::to_string(authorization.onlineAtc)},
                authorization.issuedAt);
    transaction.commit();
    return {AuthorizeOutcome::Recorded};
}

std::vector<AuthorizationRecord> ServerStore::authorizationsFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectAuthorizations(database_.get(), orderId);
}

std::optional<AuthorizationRecord> ServerStore::findAuthorization(std::string_view orderId,
                                                                  ByteView nonce) {
    const std::lock_guard lock(mutex_);
    return firstRow(database_.get(),
                    std::string(kSelectAuthorization) + " WHERE order_id = ?1 AND nonce = ?2",
                    authorizationFrom, orderId, nonce);
}

// --- Settlement

SettleOutcome ServerStore::settle(const SettlementRecord& settlement) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    if (auto earlier = selectSettlement(database_.get(), settlement.orderId)) {
        const auto kind = earlier->result == settlement.result ? SettleOutcome::Kind::SameResult
                                                               : SettleOutcome::Kind::Conflict;
        return SettleOutcome{kind, std::move(earlier)};
    }
    const auto order = rows::selectOrder(database_.get(), settlement.orderId);
    if (!order) {
        return SettleOutcome{SettleOutcome::Kind::OrderNotFound, std::nullopt};
    }
    if (order->status != OrderStatus::Open) {
        return SettleOutcome{SettleOutcome::Kind::OrderCancelled, std::nullopt};
    }
    insertSettlement(database_.get(), settlement);
    rows::setOrderStatus(database_.get(), settlement.orderId, OrderStatus::Settled,
                         settlement.settledAt);
    appendEvent(EventRecord{0, 0, "settled", settlement.orderId, settlement.chipSerial, "",
                            "card " + toHex(settlement.cardSerial) + " balance " +
                                std::to_string(settlement.balanceAfter) + " receipt " +
                                settlement.receiptId},
                settlement.settledAt);
    transaction.commit();
    return SettleOutcome{SettleOutcome::Kind::Settled, settlement};
}

std::optional<SettlementRecord> ServerStore::settlementFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectSettlement(database_.get(), orderId);
}

Ledger ServerStore::ledger() {
    const std::lock_guard lock(mutex_);
    Ledger ledger;
    ledger.settlements = allRows(
        database_.get(), std::string(kSelectSettlement) + " ORDER BY rowid", settlementFrom);
    ledger.cards = allRows(database_.get(),
                           "SELECT card_serial, SUM(amount), COUNT(*) FROM settlements "
                           "GROUP BY card_serial ORDER BY card_serial",
                           cardTotalFrom);
    for (const CardTotal& card : ledger.cards) {
        ledger.total += card.total;
    }
    return ledger;
}

// --- Devices

DeviceRecord ServerStore::seeDevice(const DeviceSighting& sighting) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const std::int64_t now = rows::nowSeconds();
    Statement upsert(database_.get(),
                     "INSERT INTO devices (fingerprint, chip_serial, subject, not_after, status, "
                     "first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, CASE WHEN EXISTS (SELECT 1 "
                     "FROM revoked_chips WHERE chip_serial = ?2) THEN 'revoked' ELSE 'active' "
                     "END, ?5, ?5) ON CONFLICT(fingerprint) DO UPDATE SET last_seen = ?5");
    bindAll(upsert, sighting.fingerprint, sighting.chipSerial, sighting.subject, sighting.notAfter,
            now)
        .step();
    Statement query(database_.get(),
                    "SELECT status, first_seen, last_seen FROM devices WHERE fingerprint = ?1");
    query.bind(1, sighting.fingerprint);
    query.step();
    DeviceRecord device{sighting.fingerprint, sighting.chipSerial,        sighting.subject,
                        sighting.notAfter,    query.text(0) == "revoked", query.integer(1),
                        query.integer(2)};
    transaction.commit();
    return device;
}

std::vector<DeviceRecord> ServerStore::listDevices() {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(),
                   "SELECT fingerprint, chip_serial, subject, not_after, status, first_seen, "
                   "last_seen FROM devices ORDER BY first_seen, rowid",
                   deviceFrom);
}

std::size_t ServerStore::revokeChip(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const std::int64_t now = rows::nowSeconds();
    Statement revoke(database_.get(),
                     "INSERT INTO revoked_chips (chip_serial, revoked_at) VALUES (?1, ?2) "
                     "ON CONFLICT(chip_serial) DO NOTHING");
    bindAll(revoke, chipSerial, now).step();
    Statement update(database_.get(),
                     "UPDATE devices SET status = 'revoked' WHERE chip_serial = ?1");
    update.bind(1, chipSerial).step();
    Statement count(database_.get(), "SELECT COUNT(*) FROM devices WHERE chip_serial = ?1");
    count.bind(1, chipSerial).step();
    const auto certificates = static_cast<std::size_t>(count.integer(0));
    appendEvent(EventRecord{0, 0, "device_revoked", "", std::string(chipSerial), "",
                            std::to_string(certificates) + " certificate(s) known"},
                now);
    transaction.commit();
    return certificates;
}

// --- Events

void ServerStore::recordEvent(const EventRecord& event) {
    const std::lock_guard lock(mutex_);
    appendEvent(event, rows::nowSeconds());
}

std::vector<EventRecord> ServerStore::listEvents(std::size_t newest) {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(),
                   "SELECT id, at, kind, order_id, chip_serial, code, message FROM ("
                   " SELECT * FROM events ORDER BY id DESC LIMIT ?1) ORDER BY id",
                   eventFrom, newest);
}

}  // namespace taplink::server
