// Cardholder accounts and their ledger, and the store's secrets (docs/server.md, "Store").
#include <utility>

#include "store/random_ids.hpp"
#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/base/masking.hpp"
#include "taplink/crypto/random.hpp"
#include "taplink/sqlite/row_values.hpp"

namespace taplink::server {

namespace {

using journal::allRows;
using journal::bindAll;
using journal::firstRow;
using journal::readColumns;
using journal::Statement;
using journal::WriteTransaction;

constexpr std::size_t kSecretSize = 32;

constexpr std::string_view kSelectAccount =
    "SELECT account_id, holder, pan_hash, pan_last4, balance, created_at, updated_at, pin_hash, "
    "pin_tries_left FROM accounts";

AccountRecord accountFrom(const Statement& row) {
    AccountRecord a;
    readColumns(row, a.accountId, a.holder, a.panHash, a.panLast4, a.balance, a.createdAt,
                a.updatedAt, a.pinHash, a.pinTriesLeft);
    return a;
}

AccountEntry entryFrom(const Statement& row) {
    AccountEntry e;
    readColumns(row, e.id, e.accountId, e.orderId, e.kind, e.amount, e.balanceAfter, e.at);
    return e;
}

bool panLinked(sqlite3* database, std::string_view panHash) {
    Statement query(database, "SELECT 1 FROM accounts WHERE pan_hash = ?1");
    query.bind(1, panHash);
    return query.step();
}

void insertAccount(sqlite3* database, const AccountRecord& account) {
    Statement insert(database,
                     "INSERT INTO accounts (account_id, holder, pan_hash, pan_last4, balance, "
                     "created_at, updated_at, pin_hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7)");
    bindAll(insert, account.accountId, account.holder, account.panHash, account.panLast4,
            account.balance, account.createdAt, account.pinHash)
        .step();
}

}  // namespace

namespace rows {

bool hasEcAuthorization(sqlite3* database, std::string_view orderId) {
    Statement query(database, "SELECT 1 FROM ec_authorizations WHERE order_id = ?1");
    query.bind(1, orderId);
    return query.step();
}

std::optional<AccountRecord> selectAccount(sqlite3* database, std::string_view accountId) {
    return firstRow(database, std::string(kSelectAccount) + " WHERE account_id = ?1", accountFrom,
                    accountId);
}

std::optional<AccountRecord> selectAccountByPanHash(sqlite3* database, std::string_view panHash) {
    return firstRow(database, std::string(kSelectAccount) + " WHERE pan_hash = ?1", accountFrom,
                    panHash);
}

// Moves the balance by delta and writes the ledger row, in the caller's transaction.
std::uint64_t postEntry(sqlite3* database, const AccountEntry& entry, std::int64_t delta) {
    Statement update(database,
                     "UPDATE accounts SET balance = balance + ?2, updated_at = ?3 "
                     "WHERE account_id = ?1 RETURNING balance");
    bindAll(update, entry.accountId, delta, entry.at).step();
    const auto balance = static_cast<std::uint64_t>(update.integer(0));
    Statement insert(database,
                     "INSERT INTO account_ledger (account_id, order_id, kind, amount, "
                     "balance_after, at) VALUES (?1, ?2, ?3, ?4, ?5, ?6)");
    insert.bind(1, entry.accountId);
    entry.orderId.empty() ? insert.bindNull(2) : insert.bind(2, entry.orderId);
    insert.bind(3, entry.kind)
        .bind(4, static_cast<std::int64_t>(entry.amount))
        .bind(5, static_cast<std::int64_t>(balance))
        .bind(6, entry.at)
        .step();
    return balance;
}

}  // namespace rows

// A secret of the store, made from the system's random source the first time.
Bytes ServerStore::storeSecret(const std::string& name) {
    WriteTransaction transaction(database_.get());
    Statement query(database_.get(), "SELECT value FROM secrets WHERE name = ?1");
    query.bind(1, name);
    if (query.step()) {
        return fromHex(query.text(0));
    }
    Bytes secret = crypto::randomBytes(kSecretSize);
    Statement insert(database_.get(), "INSERT INTO secrets (name, value) VALUES (?1, ?2)");
    bindAll(insert, name, secret).step();
    transaction.commit();
    return secret;
}

AccountCreateOutcome ServerStore::createAccount(
    AccountRecord& account, const std::function<std::string(const std::string&)>& pinHashOf) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    if (panLinked(database_.get(), account.panHash)) {
        return AccountCreateOutcome::CardAlreadyLinked;
    }
    do {
        account.accountId = newAccountId();
    } while (rows::selectAccount(database_.get(), account.accountId));
    account.createdAt = account.updatedAt = rows::nowSeconds();
    account.pinHash = pinHashOf ? pinHashOf(account.accountId) : std::string();
    account.pinTriesLeft = kPinTries;
    const std::uint64_t opening = std::exchange(account.balance, 0);
    insertAccount(database_.get(), account);
    if (opening > 0) {
        account.balance = rows::postEntry(
            database_.get(),
            AccountEntry{0, account.accountId, "", "credit", opening, 0, account.createdAt},
            static_cast<std::int64_t>(opening));
    }
    appendEvent(EventRecord{0, 0, "account_created", "", "", "",
                            account.accountId + " card " + maskSerial(account.panLast4)},
                account.createdAt);
    transaction.commit();
    return AccountCreateOutcome::Created;
}

AccountCreditOutcome ServerStore::creditAccount(std::string_view accountId, std::uint64_t amount) {
    constexpr std::uint64_t kMaxBalance = std::uint64_t{1} << 53U;  // far beyond any account
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    const auto account = rows::selectAccount(database_.get(), accountId);
    if (!account) {
        return AccountCreditOutcome::NotFound;
    }
    if (account->balance + amount > kMaxBalance) {
        return AccountCreditOutcome::TooLarge;
    }
    const std::int64_t now = rows::nowSeconds();
    rows::postEntry(database_.get(),
                    AccountEntry{0, std::string(accountId), "", "credit", amount, 0, now},
                    static_cast<std::int64_t>(amount));
    appendEvent(EventRecord{0, 0, "account_credited", "", "", "",
                            std::string(accountId) + " " + std::to_string(amount) + " fen"},
                now);
    transaction.commit();
    return AccountCreditOutcome::Credited;
}

bool ServerStore::setAccountPin(std::string_view accountId, const std::string& pinHash) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    Statement update(database_.get(),
                     "UPDATE accounts SET pin_hash = ?2, pin_tries_left = ?3, updated_at = ?4 "
                     "WHERE account_id = ?1");
    const std::int64_t now = rows::nowSeconds();
    bindAll(update, accountId, pinHash, kPinTries, now).step();
    if (sqlite3_changes(database_.get()) == 0) {
        return false;
    }
    appendEvent(
        EventRecord{0, 0, "account_pin_set", "", "", "",
                    std::string(accountId) + (pinHash.empty() ? " PIN removed" : " PIN set")},
        now);
    transaction.commit();
    return true;
}

std::optional<AccountRecord> ServerStore::findAccountByPanHash(std::string_view panHash) {
    const std::lock_guard lock(mutex_);
    return rows::selectAccountByPanHash(database_.get(), panHash);
}

std::optional<AccountRecord> ServerStore::findAccount(std::string_view accountId) {
    const std::lock_guard lock(mutex_);
    return rows::selectAccount(database_.get(), accountId);
}

std::vector<AccountRecord> ServerStore::listAccounts() {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(), std::string(kSelectAccount) + " ORDER BY created_at, rowid",
                   accountFrom);
}

std::vector<AccountEntry> ServerStore::accountEntries(std::string_view accountId) {
    const std::lock_guard lock(mutex_);
    return allRows(database_.get(),
                   "SELECT id, account_id, COALESCE(order_id, ''), kind, amount, balance_after, "
                   "at FROM account_ledger WHERE account_id = ?1 ORDER BY id",
                   entryFrom, accountId);
}

}  // namespace taplink::server
