// The store's schema, one step per version (docs/server.md, "Database and upgrades"). A step
// never changes once released: a new version is a new step at the end.
#include <array>

#include "store/store_rows.hpp"
#include "taplink/sqlite/schema_version.hpp"

namespace taplink::server::rows {

namespace {

// Version 1: the city e-purse tables, as the store made them before versions were recorded
// (so an unversioned database of that time, at version 0, passes through unchanged).
constexpr std::string_view kCityTables =
    "CREATE TABLE IF NOT EXISTS orders ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " currency TEXT NOT NULL, scheme TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('open', 'settled', 'cancelled')),"
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

// Version 2, bank cards: an order may end 'reversed'. SQLite cannot change a CHECK in place,
// so orders is rebuilt (https://www.sqlite.org/lang_altertable.html#otheralter), rowids kept
// (the listing order). The account tables are IF NOT EXISTS: an unversioned database of the
// first bank-card release already has them.
constexpr std::string_view kReversedOrders =
    "CREATE TABLE orders_v2 ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " currency TEXT NOT NULL, scheme TEXT NOT NULL,"
    " status TEXT NOT NULL CHECK (status IN ('open', 'settled', 'cancelled', 'reversed')),"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "INSERT INTO orders_v2 (rowid, order_id, amount, currency, scheme, status, created_at,"
    " updated_at) SELECT rowid, order_id, amount, currency, scheme, status, created_at,"
    " updated_at FROM orders;"
    "DROP TABLE orders;"
    "ALTER TABLE orders_v2 RENAME TO orders;";

// unique (order_id, kind): an order debits once and refunds once; an operator's credit has
// no order (NULLs are distinct in a UNIQUE constraint).
constexpr std::string_view kAccountTables =
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

// Version 3, chip management (the TSM role). A job keeps its plain MANAGE data without the
// payment keys (C2): those are in tsm_payment_keys, AES-256-GCM sealed with a key derived
// from the TSM master key (never in this database), the chip serial as associated data.
// sequence_counter: the highest SCP03 counter accepted per applet (Amendment D 6.2.2.1).
// IF NOT EXISTS like version 2's tables, so that the unversioned start (version 0) passes.
constexpr std::string_view kTsmTables =
    "CREATE TABLE IF NOT EXISTS tsm_jobs ("
    " job_id TEXT PRIMARY KEY, chip_serial TEXT NOT NULL,"
    " applet TEXT NOT NULL CHECK (applet IN ('load-sam', 'payment')),"
    " operation TEXT NOT NULL, request TEXT NOT NULL, carries_keys INTEGER NOT NULL,"
    " state TEXT NOT NULL CHECK (state IN ('pending', 'done', 'refused')),"
    " status_word INTEGER, created_at INTEGER NOT NULL, finished_at INTEGER);"
    "CREATE INDEX IF NOT EXISTS tsm_jobs_by_chip ON tsm_jobs(chip_serial, state);"
    "CREATE TABLE IF NOT EXISTS tsm_applets ("
    " chip_serial TEXT NOT NULL, applet TEXT NOT NULL CHECK (applet IN ('load-sam', 'payment')),"
    " lifecycle TEXT CHECK (lifecycle IN ('installed', 'operational', 'locked')),"
    " parameters_version INTEGER NOT NULL, keys_present INTEGER NOT NULL,"
    " sequence_counter INTEGER, updated_at INTEGER NOT NULL,"
    " PRIMARY KEY (chip_serial, applet));"
    "CREATE TABLE IF NOT EXISTS tsm_payment_keys ("
    " chip_serial TEXT PRIMARY KEY, sealed TEXT NOT NULL, created_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS tsm_parameters ("
    " chip_serial TEXT PRIMARY KEY, version INTEGER NOT NULL, value TEXT NOT NULL,"
    " job_id TEXT NOT NULL REFERENCES tsm_jobs(job_id), queued_at INTEGER NOT NULL);";

// Version 4, the Tap & Pay purchase: a bank-purchase order names its merchant, an account
// may have a PIN (its keyed hash and tries left), and the purchase's attempts, approvals and
// decisions have their tables. The card's ATC stays in ec_card_atcs: one counter per card.
constexpr std::string_view kPurchaseTables =
    "ALTER TABLE orders ADD COLUMN merchant TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN pin_hash TEXT NOT NULL DEFAULT '';"
    "ALTER TABLE accounts ADD COLUMN pin_tries_left INTEGER NOT NULL DEFAULT 3"
    " CHECK (pin_tries_left BETWEEN 0 AND 3);"
    "CREATE TABLE purchase_attempts ("
    " order_id TEXT NOT NULL REFERENCES orders(order_id), request_hash TEXT NOT NULL,"
    " chip_serial TEXT NOT NULL, pan_hash TEXT NOT NULL, atc INTEGER NOT NULL,"
    " arqc TEXT NOT NULL, arc TEXT NOT NULL, answer TEXT NOT NULL, at INTEGER NOT NULL,"
    " PRIMARY KEY (order_id, request_hash));"
    "CREATE TABLE purchase_authorizations ("
    " order_id TEXT PRIMARY KEY REFERENCES orders(order_id),"
    " account_id TEXT NOT NULL REFERENCES accounts(account_id),"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL, pan_hash TEXT NOT NULL,"
    " pan_sealed TEXT NOT NULL, pan_last4 TEXT NOT NULL, psn INTEGER NOT NULL,"
    " algorithm INTEGER NOT NULL, aip TEXT NOT NULL, atc INTEGER NOT NULL, arqc TEXT NOT NULL,"
    " issuer_auth_data TEXT NOT NULL, terminal_id TEXT NOT NULL, nonce TEXT NOT NULL UNIQUE,"
    " auth_code TEXT NOT NULL, issued_at INTEGER NOT NULL);"
    "CREATE TABLE purchase_decisions ("
    " order_id TEXT NOT NULL UNIQUE REFERENCES purchase_authorizations(order_id),"
    " kind TEXT NOT NULL CHECK (kind IN ('settled', 'reversed')),"
    " receipt_id TEXT NOT NULL UNIQUE, message TEXT NOT NULL, signature TEXT NOT NULL,"
    " device_fingerprint TEXT NOT NULL, chip_serial TEXT NOT NULL, amount INTEGER NOT NULL,"
    " pan_last4 TEXT NOT NULL, detail TEXT NOT NULL, decided_at INTEGER NOT NULL);";

// Version 5, the payment applet's dynamic token: the highest counter the bank accepted per
// chip. RFC 4226 7.2: the server's counter moves on only after a successful validation, and a
// code is accepted once (its counter is then at or below the recorded one).
constexpr std::string_view kTokenCounters =
    "CREATE TABLE token_counters ("
    " chip_serial TEXT PRIMARY KEY, counter INTEGER NOT NULL CHECK (counter >= 0),"
    " accepted_at INTEGER NOT NULL);";

}  // namespace

void upgradeStoreSchema(sqlite3* database) {
    const std::array steps{
        journal::SchemaStep{1, kCityTables},     journal::SchemaStep{2, kReversedOrders},
        journal::SchemaStep{2, kAccountTables},  journal::SchemaStep{3, kTsmTables},
        journal::SchemaStep{4, kPurchaseTables}, journal::SchemaStep{5, kTokenCounters}};
    journal::upgradeSchema(database, steps, "the server database");
}

}  // namespace taplink::server::rows
