// Cardholder accounts and their ledger, and the store's secrets (docs/server.md, "Store").
#include <utility>

#include "store/random_ids.hpp"
#include "store/server_store.hpp"
#include "store/store_rows.hpp"
#include "taplink/crypto/random.hpp"

namespace taplink::server {

namespace {

using journal::checkSqlite;
using journal::Statement;
using journal::WriteTransaction;

constexpr std::size_t kSecretSize = 32;

// unique (order_id, kind): an order debits once and refunds once; an operator's credit has
// no order (NULLs are distinct in a UNIQUE constraint).
constexpr const char* kAccountSchema =
    "CREATE TABLE IF NOT EXISTS secrets (name TEXT PRIMARY KEY, value TEXT NOT NULL);"
    "CREATE TABLE IF NOT EXISTS accounts ("
    " account_id TEXT PRIMARY KEY, holder TEXT NOT NULL, pan_hash TEXT NOT NULL UNIQUE,"
    " pan_last4 TEXT NOT NULL, balance INTEGER NOT NULL CHECK (balance >= 0),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS account_ledger ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " account_id TEXT NOT NULL REFERENCES accounts(account_id),"
    " order_id TEXT REFERENCES orders(order_id),"
    " kind TEXT NOT NULL CHECK (kind IN ('credit', 'debit', 'refund')),"
    " amount INTEGER NOT NULL CHECK (amount > 0), balance_after INTEGER NOT NULL,"
    " at INTEGER NOT NULL, UNIQUE (order_id, kind));"
    "CREATE TABLE IF NOT EXISTS ec_orders ("
    " order_id TEXT PRIMARY KEY REFERENCES orders(order_id),"
    " account_id TEXT NOT NULL REFERENCES accounts(account_id));"
    "CREATE TABLE IF NOT EXISTS ec_authorizations ("
    " order_id TEXT PRIMARY KEY REFERENCES orders(order_id),"
    " account_id TEXT NOT NULL REFERENCES accounts(account_id),"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL, pan_hash TEXT NOT NULL,"
    " pan_sealed TEXT NOT NULL, pan_last4 TEXT NOT NULL, psn INTEGER NOT NULL,"
    " algorithm INTEGER NOT NULL, aip TEXT NOT NULL, atc INTEGER NOT NULL, arqc TEXT NOT NULL,"
    " issuer_auth_data TEXT NOT NULL, terminal_id TEXT NOT NULL,"
    " nonce TEXT NOT NULL UNIQUE, script_id TEXT NOT NULL, new_balance INTEGER NOT NULL,"
    " answer TEXT NOT NULL, issued_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ec_decisions ("
    " order_id TEXT NOT NULL UNIQUE REFERENCES ec_authorizations(order_id),"
    " kind TEXT NOT NULL CHECK (kind IN ('settled', 'reversed')),"
    " receipt_id TEXT NOT NULL UNIQUE, message TEXT NOT NULL, signature TEXT NOT NULL,"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL, amount INTEGER NOT NULL,"
    " pan_last4 TEXT NOT NULL, ec_balance_after INTEGER NOT NULL, detail TEXT NOT NULL,"
    " decided_at INTEGER NOT NULL);"
    // The highest ATC of a verified ARQC per card, and the order and ARQC that gave it: the
    // ATC moves on with every GENERATE AC (EMV Book 3 annex A, 9F36), so a lower or equal one
    // for another order is a recorded request played again.
    "CREATE TABLE IF NOT EXISTS ec_card_atcs ("
    " pan_hash TEXT PRIMARY KEY, atc INTEGER NOT NULL, order_id TEXT NOT NULL,"
    " arqc TEXT NOT NULL);";

constexpr std::string_view kSelectAccount =
    "SELECT account_id, holder, pan_hash, pan_last4, balance, created_at, updated_at "
    "FROM accounts";

AccountRecord accountFrom(const Statement& row) {
    return AccountRecord{row.text(0),
                         row.text(1),
                         row.text(2),
                         row.text(3),
                         static_cast<std::uint64_t>(row.integer(4)),
                         row.integer(5),
                         row.integer(6)};
}

bool panLinked(sqlite3* database, std::string_view panHash) {
    Statement query(database, "SELECT 1 FROM accounts WHERE pan_hash = ?1");
    query.bind(1, panHash);
    return query.step();
}

void insertAccount(sqlite3* database, const AccountRecord& account) {
    Statement insert(database,
                     "INSERT INTO accounts (account_id, holder, pan_hash, pan_last4, balance, "
                     "created_at, updated_at) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6)");
    insert.bind(1, account.accountId)
        .bind(2, account.holder)
        .bind(3, account.panHash)
        .bind(4, account.panLast4)
        .bind(5, static_cast<std::int64_t>(account.balance))
        .bind(6, account.createdAt)
        .step();
}

}  // namespace

namespace rows {

void createAccountSchema(sqlite3* database) {
    checkSqlite(database, sqlite3_exec(database, kAccountSchema, nullptr, nullptr, nullptr),
                "create the account schema");
}

bool hasEcAuthorization(sqlite3* database, std::string_view orderId) {
    Statement query(database, "SELECT 1 FROM ec_authorizations WHERE order_id = ?1");
    query.bind(1, orderId);
    return query.step();
}

std::optional<AccountRecord> selectAccount(sqlite3* database, std::string_view accountId) {
    Statement query(database, std::string(kSelectAccount) + " WHERE account_id = ?1");
    query.bind(1, accountId);
    if (!query.step()) {
        return std::nullopt;
    }
    return accountFrom(query);
}

// Moves the balance by delta and writes the ledger row, in the caller's transaction.
std::uint64_t postEntry(sqlite3* database, const AccountEntry& entry, std::int64_t delta) {
    Statement update(database,
                     "UPDATE accounts SET balance = balance + ?2, updated_at = ?3 "
                     "WHERE account_id = ?1 RETURNING balance");
    update.bind(1, entry.accountId).bind(2, delta).bind(3, entry.at).step();
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
    insert.bind(1, name).bind(2, toHex(secret)).step();
    transaction.commit();
    return secret;
}

AccountCreateOutcome ServerStore::createAccount(AccountRecord& account) {
    const std::lock_guard lock(mutex_);
    WriteTransaction transaction(database_.get());
    if (panLinked(database_.get(), account.panHash)) {
        return AccountCreateOutcome::CardAlreadyLinked;
    }
    do {
        account.accountId = newAccountId();
    } while (rows::selectAccount(database_.get(), account.accountId));
    account.createdAt = account.updatedAt = rows::nowSeconds();
    const std::uint64_t opening = std::exchange(account.balance, 0);
    insertAccount(database_.get(), account);
    if (opening > 0) {
        account.balance = rows::postEntry(
            database_.get(),
            AccountEntry{0, account.accountId, "", "credit", opening, 0, account.createdAt},
            static_cast<std::int64_t>(opening));
    }
    appendEvent(EventRecord{0, 0, "account_created", "", "", "",
                            account.accountId + " card …" + account.panLast4},
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

std::optional<AccountRecord> ServerStore::findAccount(std::string_view accountId) {
    const std::lock_guard lock(mutex_);
    return rows::selectAccount(database_.get(), accountId);
}

std::vector<AccountRecord> ServerStore::listAccounts() {
    const std::lock_guard lock(mutex_);
    Statement query(database_.get(), std::string(kSelectAccount) + " ORDER BY created_at, rowid");
    std::vector<AccountRecord> accounts;
    while (query.step()) {
        accounts.push_back(accountFrom(query));
    }
    return accounts;
}

std::vector<AccountEntry> ServerStore::accountEntries(std::string_view accountId) {
    const std::lock_guard lock(mutex_);
    Statement query(database_.get(),
                    "SELECT id, account_id, COALESCE(order_id, ''), kind, amount, balance_after, "
                    "at FROM account_ledger WHERE account_id = ?1 ORDER BY id");
    query.bind(1, accountId);
    std::vector<AccountEntry> entries;
    while (query.step()) {
        entries.push_back(AccountEntry{query.integer(0), query.text(1), query.text(2),
                                       query.text(3), static_cast<std::uint64_t>(query.integer(4)),
                                       static_cast<std::uint64_t>(query.integer(5)),
                                       query.integer(6)});
    }
    return entries;
}

}  // namespace taplink::server
