#include "journal/topup_journal.hpp"

#include <sys/stat.h>

#include <array>
#include <chrono>
#include <filesystem>
#include <utility>

#include "journal/journal_schema.hpp"

namespace taplink::journal {

namespace {

constexpr std::array<std::pair<TopupState, std::string_view>, 6> kStateNames{{
    {TopupState::OrderFetched, "order_fetched"},
    {TopupState::Authorized, "authorized"},
    {TopupState::CardInitialized, "card_initialized"},
    {TopupState::Credited, "credited"},
    {TopupState::Reported, "reported"},
    {TopupState::Failed, "failed"},
}};

TopupRecord recordFrom(const Statement& row) {
    TopupRecord record;
    record.orderId = row.text(0);
    record.amount = static_cast<std::uint32_t>(row.integer(1));
    record.state = topupStateFromString(row.text(2));
    record.cardSerial = row.text(3);
    if (!row.isNull(4)) {
        record.onlineAtc = static_cast<std::uint16_t>(row.integer(4));
    }
    if (!row.isNull(5)) {
        record.balanceBefore = static_cast<std::uint32_t>(row.integer(5));
    }
    if (!row.isNull(6)) {
        record.balanceAfter = static_cast<std::uint32_t>(row.integer(6));
    }
    record.mac1 = fromHex(row.text(7));
    record.tac = fromHex(row.text(8));
    record.failure = row.text(9);
    record.createdAt = row.integer(10);
    record.updatedAt = row.integer(11);
    record.nonce = fromHex(row.text(12));
    record.authorizationExpiry = row.integer(13);
    record.algorithmId = static_cast<std::uint8_t>(row.integer(14));
    record.terminalId = fromHex(row.text(15));
    record.txDate = fromHex(row.text(16));
    record.txTime = fromHex(row.text(17));
    record.receipt = row.text(18);
    return record;
}

constexpr std::string_view kSelectRecord =
    "SELECT order_id, amount, state, card_serial, online_atc, balance_before, balance_after, "
    "mac1, tac, failure, created_at, updated_at, nonce, authorization_expiry, algorithm_id, "
    "terminal_id, tx_date, tx_time, receipt FROM topups";

}  // namespace

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

std::string_view toString(TopupState state) {
    for (const auto& [value, name] : kStateNames) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

TopupState topupStateFromString(std::string_view name) {
    for (const auto& [value, known] : kStateNames) {
        if (known == name) {
            return value;
        }
    }
    throw JournalError("journal holds an unknown top-up state '" + std::string(name) + "'");
}

bool isFinal(TopupState state) {
    return state == TopupState::Reported || state == TopupState::Failed;
}

bool isAllowedTransition(TopupState from, TopupState to) {
    switch (to) {
        case TopupState::Authorized:
            return from == TopupState::OrderFetched;
        case TopupState::CardInitialized:
            return from == TopupState::Authorized;
        case TopupState::Credited:
            return from == TopupState::CardInitialized;
        case TopupState::Reported:
            return from == TopupState::Credited;
        case TopupState::Failed:
            return from == TopupState::OrderFetched || from == TopupState::Authorized ||
                   from == TopupState::CardInitialized;
        case TopupState::OrderFetched:
            return from == TopupState::Failed;  // a new attempt
    }
    return false;
}

namespace {
// SQLite writes the journal's -wal and -shm files beside it with the process umask: only a
// folder nobody else can enter keeps those owner-only too.
void requirePrivateFolder(const std::string& path) {
    const std::filesystem::path folder =
        std::filesystem::absolute(std::filesystem::path(path)).parent_path();
    if (!std::filesystem::exists(folder)) {
        std::filesystem::create_directories(folder);
        std::filesystem::permissions(folder, std::filesystem::perms::owner_all);
    }
    struct stat info {};
    if (::stat(folder.c_str(), &info) != 0 || (info.st_mode & 077U) != 0) {
        throw JournalError("the journal's folder " + folder.string() +
                           " must be accessible to its owner only (chmod 700)");
    }
}
}  // namespace

TopupJournal TopupJournal::open(const std::string& path) {
    requirePrivateFolder(path);
    sqlite3* raw = nullptr;
    const int rc = sqlite3_open_v2(
        path.c_str(), &raw, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_FULLMUTEX,
        nullptr);
    DatabasePtr database(raw);
    checkSqlite(database.get(), rc, "open journal " + path);
    ::chmod(path.c_str(), S_IRUSR | S_IWUSR);  // money records: the owner's only
    TopupJournal journal(std::move(database));
    journal.prepare();
    return journal;
}

void TopupJournal::prepare() {
    sqlite3* db = database_.get();
    Statement(db, "PRAGMA journal_mode=WAL").step();
    checkSqlite(db, sqlite3_exec(db, "PRAGMA synchronous=FULL", nullptr, nullptr, nullptr),
                "PRAGMA synchronous");
    checkSqlite(db, sqlite3_busy_timeout(db, 5000), "busy timeout");
    upgradeJournalSchema(db);
}

TopupState TopupJournal::currentState(std::string_view orderId) {
    Statement query(database_.get(), "SELECT state FROM topups WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        throw JournalError("no top-up for order '" + std::string(orderId) + "' in the journal");
    }
    return topupStateFromString(query.text(0));
}

void TopupJournal::appendEvent(std::string_view orderId, TopupState state, std::int64_t now) {
    Statement insert(database_.get(),
                     "INSERT INTO topup_events (order_id, state, at) VALUES (?1, ?2, ?3)");
    insert.bind(1, orderId).bind(2, toString(state)).bind(3, now).step();
}

template <class Bind>
void TopupJournal::transition(std::string_view orderId, TopupState to, std::string_view update,
                              Bind bind) {
    WriteTransaction transaction(database_.get());
    const TopupState from = currentState(orderId);
    if (!isAllowedTransition(from, to)) {
        throw JournalError("top-up " + std::string(orderId) + " cannot go from " +
                           std::string(toString(from)) + " to " + std::string(toString(to)));
    }
    const std::int64_t now = nowSeconds();
    Statement statement(database_.get(), update);
    statement.bind(1, orderId).bind(2, toString(to)).bind(3, now);
    bind(statement);
    statement.step();
    appendEvent(orderId, to, now);
    transaction.commit();
}

void TopupJournal::recordOrderFetched(std::string_view orderId, std::uint32_t amount) {
    if (orderId.empty() || amount == 0) {
        throw JournalError("a top-up needs an order id and an amount");
    }
    WriteTransaction transaction(database_.get());
    Statement exists(database_.get(), "SELECT state FROM topups WHERE order_id = ?1");
    exists.bind(1, orderId);
    const std::int64_t now = nowSeconds();
    if (exists.step()) {
        const TopupState state = topupStateFromString(exists.text(0));
        if (!isAllowedTransition(state, TopupState::OrderFetched)) {
            throw JournalError("order '" + std::string(orderId) + "' is already in the journal (" +
                               std::string(toString(state)) + ")");
        }
        // A new attempt: nothing of the failed one carries over but the event log.
        Statement restart(database_.get(),
                          "DELETE FROM topups WHERE order_id = ?1 AND state = 'failed'");
        restart.bind(1, orderId).step();
    }
    Statement insert(database_.get(),
                     "INSERT INTO topups (order_id, amount, state, created_at, updated_at) "
                     "VALUES (?1, ?2, ?3, ?4, ?4)");
    insert.bind(1, orderId)
        .bind(2, static_cast<std::int64_t>(amount))
        .bind(3, toString(TopupState::OrderFetched))
        .bind(4, now)
        .step();
    appendEvent(orderId, TopupState::OrderFetched, now);
    transaction.commit();
}

void TopupJournal::recordAuthorized(std::string_view orderId, const Authorization& authorization) {
    transition(orderId, TopupState::Authorized,
               "UPDATE topups SET state = ?2, updated_at = ?3, nonce = ?4,"
               " authorization_expiry = ?5 WHERE order_id = ?1",
               [&](Statement& statement) {
                   statement.bind(4, toHex(authorization.nonce)).bind(5, authorization.expiresAt);
               });
}

void TopupJournal::recordCardInitialized(std::string_view orderId, const CardInitialization& card) {
    transition(orderId, TopupState::CardInitialized,
               "UPDATE topups SET state = ?2, updated_at = ?3, card_serial = ?4, online_atc = ?5,"
               " balance_before = ?6, mac1 = ?7, algorithm_id = ?8, terminal_id = ?9,"
               " tx_date = ?10, tx_time = ?11 WHERE order_id = ?1",
               [&](Statement& statement) {
                   statement.bind(4, card.cardSerial)
                       .bind(5, static_cast<std::int64_t>(card.onlineAtc))
                       .bind(6, static_cast<std::int64_t>(card.balanceBefore))
                       .bind(7, toHex(card.mac1))
                       .bind(8, static_cast<std::int64_t>(card.algorithmId))
                       .bind(9, toHex(card.terminalId))
                       .bind(10, toHex(card.txDate))
                       .bind(11, toHex(card.txTime));
               });
}

void TopupJournal::recordCredited(std::string_view orderId, ByteView tac,
                                  std::uint32_t balanceAfter) {
    transition(orderId, TopupState::Credited,
               "UPDATE topups SET state = ?2, updated_at = ?3, tac = ?4, balance_after = ?5"
               " WHERE order_id = ?1",
               [&](Statement& statement) {
                   statement.bind(4, toHex(tac)).bind(5, static_cast<std::int64_t>(balanceAfter));
               });
}

void TopupJournal::recordReported(std::string_view orderId, std::string_view receipt) {
    transition(orderId, TopupState::Reported,
               "UPDATE topups SET state = ?2, updated_at = ?3, receipt = ?4 WHERE order_id = ?1",
               [&](Statement& statement) { statement.bind(4, receipt); });
}

void TopupJournal::recordFailed(std::string_view orderId, std::string_view reason) {
    transition(orderId, TopupState::Failed,
               "UPDATE topups SET state = ?2, updated_at = ?3, failure = ?4 WHERE order_id = ?1",
               [&](Statement& statement) { statement.bind(4, reason); });
}

std::optional<TopupRecord> TopupJournal::find(std::string_view orderId) {
    Statement query(database_.get(), std::string(kSelectRecord) + " WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        return std::nullopt;
    }
    return recordFrom(query);
}

std::vector<TopupRecord> TopupJournal::unfinished() {
    Statement query(database_.get(), std::string(kSelectRecord) +
                                         " WHERE state NOT IN ('reported', 'failed')"
                                         " ORDER BY created_at, rowid");
    std::vector<TopupRecord> records;
    while (query.step()) {
        records.push_back(recordFrom(query));
    }
    return records;
}

std::vector<TopupState> TopupJournal::history(std::string_view orderId) {
    Statement query(database_.get(),
                    "SELECT state FROM topup_events WHERE order_id = ?1 ORDER BY id");
    query.bind(1, orderId);
    std::vector<TopupState> states;
    while (query.step()) {
        states.push_back(topupStateFromString(query.text(0)));
    }
    return states;
}

}  // namespace taplink::journal
