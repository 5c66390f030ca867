// The server database's schema versions (docs/server.md, "Database and upgrades") on real
// SQLite files: a database of an older server is upgraded at open with its rows kept, one a
// newer server wrote is refused untouched, and an upgrade is one transaction.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <array>
#include <string>

#include "store/server_store.hpp"
#include "taplink/sqlite/schema_version.hpp"
#include "test_pki.hpp"

namespace taplink::servertest {
namespace {

using server::ServerStore;
using server::StoreError;

constexpr std::int64_t kCurrentVersion = 5;

// What version 5 added (the dynamic token's counters), taken away again: today's database as
// version 4 made it.
constexpr const char* kWithoutVersion5 = "DROP TABLE token_counters;";

// What versions 4 (the purchase) and 5 added, taken away again: today's database as version 3
// made it.
constexpr const char* kWithoutVersion4 =
    "DROP TABLE token_counters; DROP TABLE purchase_decisions; DROP TABLE purchase_authorizations;"
    "DROP TABLE purchase_attempts; ALTER TABLE accounts DROP COLUMN pin_tries_left;"
    "ALTER TABLE accounts DROP COLUMN pin_hash; ALTER TABLE orders DROP COLUMN merchant;";

// The store's schema before bank cards and before versions were recorded, as commit 04b0fcc
// made it (git show 04b0fcc:server/src/store/server_store.cpp, kSchema).
constexpr const char* kCitySchemaOf04b0fcc =
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

// A settled city load and an open order, written as that server wrote them. The open order
// is inserted first but created later: the listing follows created_at, then rowid.
constexpr const char* kCityRows =
    "INSERT INTO orders VALUES ('ORD-OPEN', 3000, 'CNY', 'city-epurse', 'open', 120, 120);"
    "INSERT INTO orders VALUES ('ORD-SETTLED', 5000, 'CNY', 'city-epurse', 'settled', 100, 200);"
    "INSERT INTO authorizations (order_id, device_fingerprint, chip_serial, issuer_id,"
    " card_serial, algorithm_id, key_version, balance, online_atc, terminal_id, nonce,"
    " expires_at, issued_at) VALUES ('ORD-SETTLED', 'FP', '544C434800000001', '1000',"
    " '0102030405060708', 1, 1, 700, 9, '112233445566', 'AABB', 400, 150);"
    "INSERT INTO settlements VALUES ('ORD-SETTLED', 1, 'RCP-1', '0A0B', '0C0D', 'FP',"
    " '544C434800000001', '0102030405060708', 700, 5000, 5700, 9, '01020304', 200);"
    "INSERT INTO devices VALUES ('FP', '544C434800000001', 'CN=device', 999, 'active', 50, 60);"
    "INSERT INTO events (at, kind, order_id, chip_serial, code, message)"
    " VALUES (200, 'settled', 'ORD-SETTLED', '544C434800000001', '', 'receipt RCP-1');";

// A raw connection to the database file, beside (or instead of) the store's.
class RawDatabase {
  public:
    explicit RawDatabase(const std::string& path) {
        sqlite3* raw = nullptr;
        EXPECT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
        database_.reset(raw);
    }
    void run(const std::string& sql) {
        char* message = nullptr;
        const int rc = sqlite3_exec(database_.get(), sql.c_str(), nullptr, nullptr, &message);
        const std::string error = message != nullptr ? message : "";
        sqlite3_free(message);
        ASSERT_EQ(rc, SQLITE_OK) << sql << ": " << error;
    }
    std::int64_t integer(const std::string& sql) {
        journal::Statement query(database_.get(), sql);
        EXPECT_TRUE(query.step()) << sql;
        return query.integer(0);
    }
    sqlite3* get() { return database_.get(); }

  private:
    journal::DatabasePtr database_;
};

server::AccountRecord newAccount(const std::string& panHash) {
    return server::AccountRecord{"", "Li Lei", panHash, "1234", 10000};
}

server::EcAuthorizationRecord ecAuthorization(const std::string& orderId,
                                              const server::AccountRecord& account) {
    server::EcAuthorizationRecord authorization;
    authorization.orderId = orderId;
    authorization.accountId = account.accountId;
    authorization.deviceFingerprint = "FP";
    authorization.chipSerial = "544C434800000001";
    authorization.panHash = account.panHash;
    authorization.panSealed = {1, 2, 3};
    authorization.panLast4 = "1234";
    authorization.atc = 7;
    authorization.arqc = {0x11, 0x22};
    authorization.nonce = {0x33, 0x44};
    authorization.answer = "{}";
    authorization.issuedAt = 300;
    return authorization;
}

server::EcDecisionRecord reversal(const std::string& orderId, std::uint32_t amount) {
    return server::EcDecisionRecord{
        orderId, "reversed", "RCP-2", {0x01},         {0x02}, "FP", "544C434800000001",
        amount,  "1234",     0,       "card_removed", 310};
}

// An EC load that ends reversed: the account is debited, then refunded, and the order ends
// 'reversed', a status the city schema's orders table refused.
void reverseAnEcLoad(ServerStore& store, const std::string& panHash) {
    constexpr std::uint32_t kAmount = 4000;
    server::AccountRecord account = newAccount(panHash);
    ASSERT_EQ(store.createAccount(account), server::AccountCreateOutcome::Created);
    const auto order = store.createEcOrder(kAmount, account.accountId);
    ASSERT_TRUE(order);
    auto authorization = ecAuthorization(order->orderId, account);
    ASSERT_EQ(store.recordEcAuthorization(authorization, kAmount),
              server::EcAuthorizeOutcome::Approved);
    EXPECT_EQ(store.findAccount(account.accountId)->balance, 6000U);
    ASSERT_EQ(store.decideEcLoad(reversal(order->orderId, kAmount)).kind,
              server::EcDecideOutcome::Kind::Decided);
    EXPECT_EQ(store.findOrder(order->orderId)->status, net::wire::OrderStatus::Reversed);
    EXPECT_EQ(store.findAccount(account.accountId)->balance, 10000U);
    EXPECT_EQ(store.accountEntries(account.accountId).size(), 3U);  // credit, debit, refund
}

void expectCityRowsKept(ServerStore& store) {
    const auto orders = store.listOrders();
    ASSERT_EQ(orders.size(), 2U);
    EXPECT_EQ(orders[0].orderId, "ORD-SETTLED");
    EXPECT_EQ(orders[0].status, net::wire::OrderStatus::Settled);
    EXPECT_EQ(orders[0].amount, 5000U);
    EXPECT_EQ(orders[0].createdAt, 100);
    EXPECT_EQ(orders[1].orderId, "ORD-OPEN");
    const auto settlement = store.settlementFor("ORD-SETTLED");
    ASSERT_TRUE(settlement);
    EXPECT_EQ(settlement->receiptId, "RCP-1");
    EXPECT_EQ(settlement->result, (Bytes{0x0A, 0x0B}));
    EXPECT_EQ(settlement->balanceAfter, 5700U);
    const auto authorizations = store.authorizationsFor("ORD-SETTLED");
    ASSERT_EQ(authorizations.size(), 1U);
    EXPECT_EQ(authorizations[0].nonce, (Bytes{0xAA, 0xBB}));
    EXPECT_EQ(store.ledger().total, 5000U);
    ASSERT_EQ(store.listDevices().size(), 1U);
    EXPECT_EQ(store.listDevices()[0].firstSeen, 50);
    EXPECT_EQ(store.listEvents(10).at(0).message, "receipt RCP-1");
}

TEST(StoreMigration, ACityDatabaseIsUpgradedWithItsRowsAndTakesEcLoads) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    {
        RawDatabase old(path);
        old.run(kCitySchemaOf04b0fcc);
        old.run(kCityRows);
        ASSERT_EQ(old.integer("PRAGMA user_version"), 0);
    }
    ServerStore store(path);
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    expectCityRowsKept(store);
    reverseAnEcLoad(store, std::string(64, 'a'));
    EXPECT_EQ(store.cancelOrder("ORD-OPEN"), server::CancelOutcome::Cancelled);
}

// The first bank-card release made the current tables but recorded no version.
TEST(StoreMigration, AnUnversionedBankCardDatabaseIsUpgradedWithItsRows) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    Bytes panKey;
    std::string accountId;
    {
        ServerStore first(path);
        panKey = first.panHashKey();
        server::AccountRecord account = newAccount(std::string(64, 'b'));
        ASSERT_EQ(first.createAccount(account), server::AccountCreateOutcome::Created);
        accountId = account.accountId;
    }
    RawDatabase(path).run(std::string(kWithoutVersion4) + "PRAGMA user_version=0");
    ServerStore store(path);
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    EXPECT_EQ(store.panHashKey(), panKey);
    EXPECT_EQ(store.findAccount(accountId)->balance, 10000U);
    reverseAnEcLoad(store, std::string(64, 'c'));
}

TEST(StoreMigration, ANewDatabaseIsMadeAtTheCurrentVersionAndReopensUnchanged) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    Bytes panKey;
    {
        ServerStore first(path);
        panKey = first.panHashKey();
        reverseAnEcLoad(first, std::string(64, 'd'));
    }
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    ServerStore again(path);
    EXPECT_EQ(again.panHashKey(), panKey);
    ASSERT_EQ(again.listOrders().size(), 1U);
    EXPECT_EQ(again.listOrders()[0].status, net::wire::OrderStatus::Reversed);
}

// Version 3 added the TSM tables and nothing else: a version-2 database is today's without
// them. Its rows stay, and the TSM's records work after the upgrade.
TEST(StoreMigration, AVersion2DatabaseIsUpgradedWithItsRowsAndTakesTsmJobs) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    Bytes panKey;
    {
        ServerStore first(path);
        panKey = first.panHashKey();
        reverseAnEcLoad(first, std::string(64, 'e'));
    }
    {
        RawDatabase old(path);
        old.run(std::string(kWithoutVersion4) +
                "DROP TABLE tsm_parameters; DROP TABLE tsm_payment_keys; DROP TABLE tsm_applets;"
                "DROP TABLE tsm_jobs;"
                "PRAGMA user_version=2");
        ASSERT_EQ(old.integer("SELECT COUNT(*) FROM sqlite_master WHERE name LIKE 'tsm%'"), 0);
    }
    ServerStore store(path);
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    EXPECT_EQ(store.panHashKey(), panKey);
    ASSERT_EQ(store.listOrders().size(), 1U);
    EXPECT_EQ(store.listOrders()[0].status, net::wire::OrderStatus::Reversed);
    const auto jobs = store.syncTsmJobs("544C434800000001", true, 8);
    ASSERT_EQ(jobs.size(), 1U);
    EXPECT_EQ(jobs[0].operation, "activate");
    EXPECT_EQ(store.acceptTsmCounter("544C434800000001", chip::mgmt::Applet::LoadSam, 1),
              server::TsmCounterOutcome::Accepted);
    EXPECT_EQ(store.acceptTsmCounter("544C434800000001", chip::mgmt::Applet::LoadSam, 1),
              server::TsmCounterOutcome::Replay);
}

// Version 4 added the purchase: an order's merchant, an account's PIN and tries, and the
// purchase tables. A version-3 database keeps its rows; its accounts have no PIN and 3 tries.
TEST(StoreMigration, AVersion3DatabaseIsUpgradedWithItsRowsAndTakesPurchaseOrdersAndPins) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    std::string accountId;
    {
        ServerStore first(path);
        server::AccountRecord account = newAccount(std::string(64, 'f'));
        ASSERT_EQ(first.createAccount(account), server::AccountCreateOutcome::Created);
        accountId = account.accountId;
        reverseAnEcLoad(first, std::string(64, 'g'));
    }
    RawDatabase(path).run(std::string(kWithoutVersion4) + "PRAGMA user_version=3");
    ServerStore store(path);
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    const auto account = store.findAccount(accountId);
    ASSERT_TRUE(account);
    EXPECT_EQ(account->pinHash, "");
    EXPECT_EQ(account->pinTriesLeft, 3);
    EXPECT_EQ(store.listOrders().at(0).merchant, "");
    EXPECT_TRUE(store.setAccountPin(accountId, "AB"));
    EXPECT_EQ(store.findAccount(accountId)->pinHash, "AB");
    const auto order = store.createOrder(500, "bank-purchase", "Shop");
    EXPECT_EQ(store.findOrder(order.orderId)->merchant, "Shop");
}

TEST(StoreMigration, ADatabaseOfANewerServerIsRefusedUntouched) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    { ServerStore first(path); }
    RawDatabase(path).run("PRAGMA user_version=" + std::to_string(kCurrentVersion + 1));
    try {
        ServerStore store(path);
        FAIL() << "a database of a newer schema version was opened";
    } catch (const StoreError& error) {
        EXPECT_NE(std::string(error.what()).find("schema version 6, newer than this program's 5"),
                  std::string::npos)
            << error.what();
    }
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion + 1);
}

// libs/sqlite's upgradeSchema itself: all the steps or none.
TEST(SchemaVersion, AFailingStepLeavesTheDatabaseAsItWas) {
    const TempDir dir;
    RawDatabase database(dir.path() + "/steps.db");
    const std::array steps{journal::SchemaStep{1, "CREATE TABLE first (x);"},
                           journal::SchemaStep{2, "CREATE TABLE second (y); NOT SQL;"}};
    EXPECT_THROW(journal::upgradeSchema(database.get(), steps, "the test database"),
                 journal::JournalError);
    EXPECT_EQ(database.integer("PRAGMA user_version"), 0);
    EXPECT_EQ(database.integer("SELECT COUNT(*) FROM sqlite_schema"), 0);
}

TEST(SchemaVersion, AStepMayRebuildAReferencedTableAndForeignKeysStayOn) {
    const TempDir dir;
    RawDatabase database(dir.path() + "/steps.db");
    database.run("PRAGMA foreign_keys=ON");
    const std::array steps{
        journal::SchemaStep{1,
                            "CREATE TABLE parent (id TEXT PRIMARY KEY);"
                            "CREATE TABLE child (id TEXT REFERENCES parent(id));"
                            "INSERT INTO parent VALUES ('p'); INSERT INTO child VALUES ('p');"},
        journal::SchemaStep{2,
                            "CREATE TABLE parent_v2 (id TEXT PRIMARY KEY, note TEXT);"
                            "INSERT INTO parent_v2 (id) SELECT id FROM parent;"
                            "DROP TABLE parent; ALTER TABLE parent_v2 RENAME TO parent;"}};
    journal::upgradeSchema(database.get(), steps, "the test database");
    EXPECT_EQ(database.integer("PRAGMA user_version"), 2);
    EXPECT_EQ(database.integer("PRAGMA foreign_keys"), 1);
    EXPECT_EQ(database.integer("SELECT COUNT(*) FROM child JOIN parent USING (id)"), 1);
}

TEST(SchemaVersion, AnUpgradeThatWouldBreakAReferenceIsRefused) {
    const TempDir dir;
    RawDatabase database(dir.path() + "/steps.db");
    const std::array steps{
        journal::SchemaStep{1,
                            "CREATE TABLE parent (id TEXT PRIMARY KEY);"
                            "CREATE TABLE child (id TEXT REFERENCES parent(id));"
                            "INSERT INTO parent VALUES ('p'); INSERT INTO child VALUES ('p');"},
        journal::SchemaStep{2, "DELETE FROM parent;"}};
    EXPECT_THROW(journal::upgradeSchema(database.get(), steps, "the test database"),
                 journal::JournalError);
    EXPECT_EQ(database.integer("PRAGMA user_version"), 0);
}

// Version 5 added the token counters and nothing else: a version-4 database keeps its rows
// and then accepts each token counter once.
TEST(StoreMigration, AVersion4DatabaseIsUpgradedAndTakesTokenCounters) {
    const TempDir dir;
    const std::string path = dir.path() + "/server.db";
    {
        ServerStore first(path);
        reverseAnEcLoad(first, std::string(64, 'f'));
    }
    RawDatabase(path).run(std::string(kWithoutVersion5) + "PRAGMA user_version=4");
    ServerStore store(path);
    EXPECT_EQ(RawDatabase(path).integer("PRAGMA user_version"), kCurrentVersion);
    ASSERT_EQ(store.listOrders().size(), 1U);
    EXPECT_FALSE(store.tokenCounter("544C434800000001"));
    EXPECT_EQ(store.acceptTokenCounter("544C434800000001", 3), server::TsmCounterOutcome::Accepted);
    EXPECT_EQ(store.acceptTokenCounter("544C434800000001", 3), server::TsmCounterOutcome::Replay);
    EXPECT_EQ(store.acceptTokenCounter("544C434800000001", 2), server::TsmCounterOutcome::Replay);
    EXPECT_EQ(store.tokenCounter("544C434800000001"), 3U);
}

}  // namespace
}  // namespace taplink::servertest
