#include "store/server_store.hpp"

#include <sys/stat.h>

#include <chrono>

#include "store/random_ids.hpp"
#include "store/store_rows.hpp"

namespace taplink::server {

namespace {

using journal::checkSqlite;
using journal::Statement;
using journal::WriteTransaction;
using net::wire::OrderStatus;

constexpr int kBusyTimeoutMs = 5000;

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

void execute(sqlite3* database, const char* sql, std::string_view what) {
    checkSqlite(database, sqlite3_exec(database, sql, nullptr, nullptr, nullptr), what);
}

constexpr const char* kSchema =
    "CREATE TABLE IF NOT EXISTS orders ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " currency TEXT NOT NULL, scheme TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('open', 'settled', 'cancelled', 'reversed')),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS authorizations ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " order_id TEXT NOT NULL REFERENCES orders(order_id),"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL,"
    " issuer_id TEXT NOT NULL, card_serial TEXT NOT NULL,"
    " algorithm_id INTEGER NOT NULL, key_version INTEGER NOT NULL,"
    " balance INTEGER NOT NULL, online_atc INTEGER NOT NULL, terminal_id TEXT NOT NULL,"
    " nonce TEXT NOT NULL UNIQUE, expires_at INTEGER NOT NULL, issued_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS authorizations_by_order ON authorizations(order_id);"
    "CREATE TABLE IF NOT EXISTS settlements ("
    " order_id TEXT NOT NULL UNIQUE REFERENCES orders(order_id),"
    " authorization_id INTEGER NOT NULL REFERENCES authorizations(id),"
    " receipt_id TEXT NOT NULL UNIQUE, result TEXT NOT NULL, signature TEXT NOT NULL,"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL, card_serial TEXT NOT NULL,"
    " balance_before INTEGER NOT NULL, amount INTEGER NOT NULL, balance_after INTEGER NOT NULL,"
    " online_atc INTEGER NOT NULL, tac TEXT NOT NULL, settled_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS devices ("
    " fingerprint TEXT PRIMARY KEY, chip_serial TEXT NOT NULL, subject TEXT NOT NULL,"
    " not_after INTEGER NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('active', 'revoked')),"
    " first_seen INTEGER NOT NULL, last_seen INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS revoked_chips ("
    " chip_serial TEXT PRIMARY KEY, revoked_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT, at INTEGER NOT NULL, kind TEXT NOT NULL,"
    " order_id TEXT NOT NULL, chip_serial TEXT NOT NULL, code TEXT NOT NULL,"
    " message TEXT NOT NULL);";

constexpr std::string_view kSelectOrder =
    "SELECT order_id, amount, currency, scheme, status, created_at, updated_at FROM orders";

OrderRecord orderFrom(const Statement& row) {
    OrderRecord order;
    order.orderId = row.text(0);
    order.amount = static_cast<std::uint32_t>(row.integer(1));
    order.currency = row.text(2);
    order.scheme = row.text(3);
    order.status = net::wire::orderStatusFromString(row.text(4));
    order.createdAt = row.integer(5);
    order.updatedAt = row.integer(6);
    return order;
}

std::optional<OrderRecord> selectOrder(sqlite3* database, std::string_view orderId) {
    Statement query(database, std::string(kSelectOrder) + " WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        return std::nullopt;
    }
    return orderFrom(query);
}

void setOrderStatus(sqlite3* database, std::string_view orderId, OrderStatus status,
                    std::int64_t now) {
    Statement update(database,
                     "UPDATE orders SET status = ?2, updated_at = ?3 WHERE order_id = ?1");
    update.bind(1, orderId).bind(2, net::wire::toString(status)).bind(3, now).step();
}

constexpr std::string_view kSelectAuthorization =
    "SELECT id, order_id, device_fingerprint, chip_serial, issuer_id, card_serial, "
    "algorithm_id, key_version, balance, online_atc, terminal_id, nonce, expires_at, issued_at "
    "FROM authorizations";

AuthorizationRecord authorizationFrom(const Statement& row) {
    AuthorizationRecord record;
    record.id = row.integer(0);
    record.orderId = row.text(1);
    record.deviceFingerprint = row.text(2);
    record.chipSerial = row.text(3);
    record.issuerId = fromHex(row.text(4));
    record.cardSerial = fromHex(row.text(5));
    record.algorithmId = static_cast<std::uint8_t>(row.integer(6));
    record.keyVersion = static_cast<std::uint8_t>(row.integer(7));
    record.balance = static_cast<std::uint32_t>(row.integer(8));
    record.onlineAtc = static_cast<std::uint16_t>(row.integer(9));
    record.terminalId = fromHex(row.text(10));
    record.nonce = fromHex(row.text(11));
    record.expiresAt = row.integer(12);
    record.issuedAt = row.integer(13);
    return record;
}

std::vector<AuthorizationRecord> selectAuthorizations(sqlite3* database, std::string_view orderId) {
    Statement query(database,
                    std::string(kSelectAuthorization) + " WHERE order_id = ?1 ORDER BY id");
    query.bind(1, orderId);
    std::vector<AuthorizationRecord> records;
    while (query.step()) {
        records.push_back(authorizationFrom(query));
    }
    return records;
}

constexpr std::string_view kSelectSettlement =
    "SELECT order_id, authorization_id, receipt_id, result, signature, device_fingerprint, "
    "chip_serial, card_serial, balance_before, amount, balance_after, online_atc, tac, "
    "settled_at FROM settlements";

SettlementRecord settlementFrom(const Statement& row) {
    SettlementRecord record;
    record.orderId = row.text(0);
    record.authorizationId = row.integer(1);
    record.receiptId = row.text(2);
    record.result = fromHex(row.text(3));
    record.signature = fromHex(row.text(4));
    record.deviceFingerprint = row.text(5);
    record.chipSerial = row.text(6);
    record.cardSerial = fromHex(row.text(7));
    record.balanceBefore = static_cast<std::uint32_t>(row.integer(8));
    record.amount = static_cast<std::uint32_t>(row.integer(9));
    record.balanceAfter = static_cast<std::uint32_t>(row.integer(10));
    record.onlineAtc = static_cast<std::uint16_t>(row.integer(11));
    record.tac = fromHex(row.text(12));
    record.settledAt = row.integer(13);
    return record;
}

std::optional<SettlementRecord> selectSettlement(sqlite3* database, std::string_view orderId) {
    Statement query(database, std::string(kSelectSettlement) + " WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        return std::nullopt;
    }
    return settlementFrom(query);
}

void insertSettlement(sqlite3* database, const SettlementRecord& s) {
    Statement insert(database,
                     "INSERT INTO settlements (order_id, authorization_id, receipt_id, result, "
                     "signature, device_fingerprint, chip_serial, card_serial, balance_before, "
                     "amount, balance_after, online_atc, tac, settled_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)");
    insert.bind(1, s.orderId)
        .bind(2, s.authorizationId)
        .bind(3, s.receiptId)
        .bind(4, toHex(s.result))
        .bind(5, toHex(s.signature))
        .bind(6, s.deviceFingerprint)
        .bind(7, s.chipSerial)
        .bind(8, toHex(s.cardSerial))
        .bind(9, std::int64_t{s.balanceBefore})
        .bind(10, std::int64_t{s.amount})
        .bind(11, std::int64_t{s.balanceAfter})
        .bind(12, std::int64_t{s.onlineAtc})
        .bind(13, toHex(s.tac))
        .bind(14, s.settledAt)
        .step();
}

// The money rule: every authorization of an order is for the same card and online ATC.
bool conflictsWithEarlier(const std::vector<AuthorizationRecord>& earlier,
                          const AuthorizationRecord& next) {
    for (const AuthorizationRecord& record : earlier) {
        if (record.cardSerial != next.cardSerial || record.onlineAtc != next.onlineAtc) {
            return true;
        }
    }
    return false;
}

}  // namespace

namespace rows {

std::int64_t nowSeconds() {
    return server::nowSeconds();
}

std::optional<OrderRecord> selectOrder(sqlite3* database, std::string_view orderId) {
    return server::selectOrder(database, orderId);
}

void setOrderStatus(sqlite3* database, std::string_view orderId, OrderStatus status,
                    std::int64_t now) {
    server::setOrderStatus(database, orderId, status, now);
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
    execute(db, kSchema, "create the server schema");
    rows::createAccountSchema(db);
    panHashKey_ = storeSecret("pan-hmac");
    panSealKey_ = storeSecret("pan-seal");
}

void ServerStore::appendEvent(const EventRecord& event, std::int64_t now) {
    Statement insert(database_.get(),
                     "INSERT INTO events (at, kind, order_id, chip_serial, code, message) "
                     "VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, now)
        .bind(2, event.kind)
        .bind(3, event.orderId)
        .bind(4, event.chipSerial)
        .bind(5, event.code)
        .bind(6, event.message)
        .step();
}

// --- Orders

OrderRecord ServerStore::createOrder(std::uint32_t amount, const std::string& scheme) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    OrderRecord order = insertOrder(amount, scheme);
    transaction.commit();
    return order;
}

OrderRecord ServerStore::insertOrder(std::uint32_t amount, const std::string& scheme) {
    OrderRecord order;
    do {
        order.orderId = newOrderId();
    } while (selectOrder(database_.get(), order.orderId));
    order.amount = amount;
    order.scheme = scheme;
    order.createdAt = order.updatedAt = nowSeconds();
    Statement insert(database_.get(),
                     "INSERT INTO orders (order_id, amount, currency, scheme, status, created_at, "
                     "updated_at) VALUES (?1, ?2, ?3, ?4, 'open', ?5, ?5)");
    insert.bind(1, order.orderId)
        .bind(2, std::int64_t{amount})
        .bind(3, order.currency)
        .bind(4, scheme)
        .bind(5, order.createdAt)
        .step();
    appendEvent(EventRecord{0, 0, "order_created", order.orderId, "", "",
                            std::to_string(amount) + " fen, " + scheme},
                order.createdAt);
    return order;
}

std::optional<OrderRecord> ServerStore::findOrder(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectOrder(database_.get(), orderId);
}

std::vector<OrderRecord> ServerStore::listOrders() {
    const std::lock_guard lock(mutex_);
    Statement query(database_.get(), std::string(kSelectOrder) + " ORDER BY created_at, rowid");
    std::vector<OrderRecord> orders;
    while (query.step()) {
        orders.push_back(orderFrom(query));
    }
    return orders;
}

CancelOutcome ServerStore::cancelOrder(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto order = selectOrder(database_.get(), orderId);
    if (!order) {
        return CancelOutcome::NotFound;
    }
    if (order->status != OrderStatus::Open) {
        return CancelOutcome::NotOpen;
    }
    if (!selectAuthorizations(database_.get(), orderId).empty() ||
        rows::hasEcAuthorization(database_.get(), orderId)) {
        return CancelOutcome::Authorized;
    }
    const std::int64_t now = nowSeconds();
    setOrderStatus(database_.get(), orderId, OrderStatus::Cancelled, now);
    appendEvent(EventRecord{0, 0, "order_cancelled", std::string(orderId), "", "", ""}, now);
    transaction.commit();
    return CancelOutcome::Cancelled;
}

// --- Authorizations

AuthorizeOutcome ServerStore::recordAuthorization(AuthorizationRecord& authorization) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto order = selectOrder(database_.get(), authorization.orderId);
    if (!order) {
        return AuthorizeOutcome::OrderNotFound;
    }
    if (order->status == OrderStatus::Settled) {
        return AuthorizeOutcome::OrderSettled;
    }
    if (order->status == OrderStatus::Cancelled) {
        return AuthorizeOutcome::OrderCancelled;
    }
    if (conflictsWithEarlier(selectAuthorizations(database_.get(), authorization.orderId),
                             authorization)) {
        return AuthorizeOutcome::Outstanding;
    }
    Statement insert(database_.get(),
                     "INSERT INTO authorizations (order_id, device_fingerprint, chip_serial, "
                     "issuer_id, card_serial, algorithm_id, key_version, balance, online_atc, "
                     "terminal_id, nonce, expires_at, issued_at) VALUES "
                     "(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)");
    insert.bind(1, authorization.orderId)
        .bind(2, authorization.deviceFingerprint)
        .bind(3, authorization.chipSerial)
        .bind(4, toHex(authorization.issuerId))
        .bind(5, toHex(authorization.cardSerial))
        .bind(6, std::int64_t{authorization.algorithmId})
        .bind(7, std::int64_t{authorization.keyVersion})
        .bind(8, std::int64_t{authorization.balance})
        .bind(9, std::int64_t{authorization.onlineAtc})
        .bind(10, toHex(authorization.terminalId))
        .bind(11, toHex(authorization.nonce))
        .bind(12, authorization.expiresAt)
        .bind(13, authorization.issuedAt)
        .step();
    authorization.id = sqlite3_last_insert_rowid(database_.get());
    appendEvent(EventRecord{0, 0, "authorized", authorization.orderId, authorization.chipSerial, "",
                            "card " + toHex(authorization.cardSerial) + " ATC " +
                                std::to_string(authorization.onlineAtc)},
                authorization.issuedAt);
    transaction.commit();
    return AuthorizeOutcome::Recorded;
}

std::vector<AuthorizationRecord> ServerStore::authorizationsFor(std::string_view orderId) {
    const std::lock_guard lock(mutex_);
    return selectAuthorizations(database_.get(), orderId);
}

std::optional<AuthorizationRecord> ServerStore::findAuthorization(std::string_view orderId,
                                                                  ByteView nonce) {
    const std::lock_guard lock(mutex_);
    Statement query(database_.get(),
                    std::string(kSelectAuthorization) + " WHERE order_id = ?1 AND nonce = ?2");
    query.bind(1, orderId).bind(2, toHex(nonce));
    if (!query.step()) {
        return std::nullopt;
    }
    return authorizationFrom(query);
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
    const auto order = selectOrder(database_.get(), settlement.orderId);
    if (!order) {
        return SettleOutcome{SettleOutcome::Kind::OrderNotFound, std::nullopt};
    }
    if (order->status != OrderStatus::Open) {
        return SettleOutcome{SettleOutcome::Kind::OrderCancelled, std::nullopt};
    }
    insertSettlement(database_.get(), settlement);
    setOrderStatus(database_.get(), settlement.orderId, OrderStatus::Settled, settlement.settledAt);
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
    Statement settled(database_.get(), std::string(kSelectSettlement) + " ORDER BY rowid");
    while (settled.step()) {
        ledger.settlements.push_back(settlementFrom(settled));
    }
    Statement cards(database_.get(),
                    "SELECT card_serial, SUM(amount), COUNT(*) FROM settlements "
                    "GROUP BY card_serial ORDER BY card_serial");
    while (cards.step()) {
        const auto total = static_cast<std::uint64_t>(cards.integer(1));
        ledger.cards.push_back(
            CardTotal{fromHex(cards.text(0)), total, static_cast<std::uint64_t>(cards.integer(2))});
        ledger.total += total;
    }
    return ledger;
}

// --- Devices

DeviceRecord ServerStore::seeDevice(const DeviceSighting& sighting) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const std::int64_t now = nowSeconds();
    Statement upsert(database_.get(),
                     "INSERT INTO devices (fingerprint, chip_serial, subject, not_after, status, "
                     "first_seen, last_seen) VALUES (?1, ?2, ?3, ?4, CASE WHEN EXISTS (SELECT 1 "
                     "FROM revoked_chips WHERE chip_serial = ?2) THEN 'revoked' ELSE 'active' "
                     "END, ?5, ?5) ON CONFLICT(fingerprint) DO UPDATE SET last_seen = ?5");
    upsert.bind(1, sighting.fingerprint)
        .bind(2, sighting.chipSerial)
        .bind(3, sighting.subject)
        .bind(4, sighting.notAfter)
        .bind(5, now)
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
    Statement query(database_.get(),
                    "SELECT fingerprint, chip_serial, subject, not_after, status, first_seen, "
                    "last_seen FROM devices ORDER BY first_seen, rowid");
    std::vector<DeviceRecord> devices;
    while (query.step()) {
        devices.push_back(DeviceRecord{query.text(0), query.text(1), query.text(2),
                                       query.integer(3), query.text(4) == "revoked",
                                       query.integer(5), query.integer(6)});
    }
    return devices;
}

std::size_t ServerStore::revokeChip(std::string_view chipSerial) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const std::int64_t now = nowSeconds();
    Statement revoke(database_.get(),
                     "INSERT INTO revoked_chips (chip_serial, revoked_at) VALUES (?1, ?2) "
                     "ON CONFLICT(chip_serial) DO NOTHING");
    revoke.bind(1, chipSerial).bind(2, now).step();
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
    appendEvent(event, nowSeconds());
}

std::vector<EventRecord> ServerStore::listEvents(std::size_t newest) {
    const std::lock_guard lock(mutex_);
    Statement query(database_.get(),
                    "SELECT id, at, kind, order_id, chip_serial, code, message FROM ("
                    " SELECT * FROM events ORDER BY id DESC LIMIT ?1) ORDER BY id");
    query.bind(1, static_cast<std::int64_t>(newest));
    std::vector<EventRecord> events;
    while (query.step()) {
        events.push_back(EventRecord{query.integer(0), query.integer(1), query.text(2),
                                     query.text(3), query.text(4), query.text(5), query.text(6)});
    }
    return events;
}

}  // namespace taplink::server
