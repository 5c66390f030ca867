#include "journal/journal_schema.hpp"

#include <array>

#include "taplink/sqlite/schema_version.hpp"

namespace taplink::journal {

namespace {

// Version 1: the tables as they were before versioning (so IF NOT EXISTS: an unversioned
// journal reads version 0 and already has some or all of them).
constexpr std::string_view kVersion1 =
    "CREATE TABLE IF NOT EXISTS topups ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " state TEXT NOT NULL,"
    " card_serial TEXT NOT NULL DEFAULT '',"
    " online_atc INTEGER, balance_before INTEGER, balance_after INTEGER,"
    " mac1 TEXT NOT NULL DEFAULT '', tac TEXT NOT NULL DEFAULT '',"
    " failure TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL,"
    " nonce TEXT NOT NULL DEFAULT '',"
    " authorization_expiry INTEGER NOT NULL DEFAULT 0,"
    " algorithm_id INTEGER NOT NULL DEFAULT 0,"
    " terminal_id TEXT NOT NULL DEFAULT '',"
    " tx_date TEXT NOT NULL DEFAULT '', tx_time TEXT NOT NULL DEFAULT '',"
    " receipt TEXT NOT NULL DEFAULT '');"
    "CREATE TABLE IF NOT EXISTS topup_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " order_id TEXT NOT NULL REFERENCES topups(order_id),"
    " state TEXT NOT NULL, at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ecloads ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " state TEXT NOT NULL,"
    " details TEXT NOT NULL DEFAULT '{}',"
    " failure TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS ecload_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " order_id TEXT NOT NULL REFERENCES ecloads(order_id),"
    " state TEXT NOT NULL, at INTEGER NOT NULL);";

// Version 2: the purchases (Tap & Pay, purchase_journal.hpp), laid out as the EC loads. IF NOT
// EXISTS as version 1: a journal whose version was lost (read 0) may already have them.
constexpr std::string_view kVersion2 =
    "CREATE TABLE IF NOT EXISTS purchases ("
    " order_id TEXT PRIMARY KEY,"
    " amount INTEGER NOT NULL CHECK (amount > 0),"
    " state TEXT NOT NULL,"
    " details TEXT NOT NULL DEFAULT '{}',"
    " failure TEXT NOT NULL DEFAULT '',"
    " created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL);"
    "CREATE TABLE IF NOT EXISTS purchase_events ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " order_id TEXT NOT NULL REFERENCES purchases(order_id),"
    " state TEXT NOT NULL, at INTEGER NOT NULL);";

// Version 3: the highest signed-script version accepted per scheme (script_version_journal.hpp),
// so that a rolled-back script is refused across restarts. IF NOT EXISTS as the others.
constexpr std::string_view kVersion3 =
    "CREATE TABLE IF NOT EXISTS script_versions ("
    " scheme TEXT PRIMARY KEY,"
    " version INTEGER NOT NULL CHECK (version > 0));";

// Version 4: the server's signed money answers as received (answer_journal.hpp), the proof of
// who allowed what, with the digest of the request (which may hold a PAN), not the request;
// not tied to one kind of record (top-ups, EC loads and purchases all have them).
constexpr std::string_view kVersion4 =
    "CREATE TABLE IF NOT EXISTS server_answers ("
    " id INTEGER PRIMARY KEY AUTOINCREMENT,"
    " order_id TEXT NOT NULL,"
    " method TEXT NOT NULL, path TEXT NOT NULL, status INTEGER NOT NULL,"
    " chip_serial TEXT NOT NULL,"
    " request_sha256 TEXT NOT NULL, answer_body TEXT NOT NULL,"
    " key_id TEXT NOT NULL, signature TEXT NOT NULL,"
    " received_at INTEGER NOT NULL);"
    "CREATE INDEX IF NOT EXISTS server_answers_by_order ON server_answers (order_id);";

constexpr std::array kSteps{SchemaStep{1, kVersion1}, SchemaStep{2, kVersion2},
                            SchemaStep{3, kVersion3}, SchemaStep{4, kVersion4}};

}  // namespace

void upgradeJournalSchema(sqlite3* database) {
    upgradeSchema(database, kSteps, "the journal");
}

}  // namespace taplink::journal
