#include "journal/ecload_journal.hpp"

#include <array>
#include <chrono>
#include <utility>

namespace taplink::journal {

namespace {

using nlohmann::json;

constexpr std::array<std::pair<EcLoadState, std::string_view>, 8> kStateNames{{
    {EcLoadState::OrderFetched, "order_fetched"},
    {EcLoadState::Arqc, "arqc"},
    {EcLoadState::Authorized, "authorized"},
    {EcLoadState::ScriptSending, "script_sending"},
    {EcLoadState::Loaded, "loaded"},
    {EcLoadState::Reported, "reported"},
    {EcLoadState::Reversed, "reversed"},
    {EcLoadState::Failed, "failed"},
}};

constexpr std::string_view kSelectRecord =
    "SELECT order_id, amount, state, details, failure, created_at, updated_at FROM ecloads";

std::int64_t nowSeconds() {
    return std::chrono::duration_cast<std::chrono::seconds>(
               std::chrono::system_clock::now().time_since_epoch())
        .count();
}

EcLoadRecord recordFrom(const Statement& row) {
    EcLoadRecord record;
    record.orderId = row.text(0);
    record.amount = static_cast<std::uint32_t>(row.integer(1));
    record.state = ecLoadStateFromString(row.text(2));
    record.details = json::parse(row.text(3));
    record.failure = row.text(4);
    record.createdAt = row.integer(5);
    record.updatedAt = row.integer(6);
    return record;
}

// The load-time cardholder-data rule (docs/scripts.md): the plain PAN is never journaled.
void refusePlainPan(const json& saved) {
    if (!saved.is_object() || saved.contains("pan")) {
        throw JournalError("an EC-load journal entry must be an object without the plain PAN");
    }
}

}  // namespace

std::string_view toString(EcLoadState state) {
    for (const auto& [value, name] : kStateNames) {
        if (value == state) {
            return name;
        }
    }
    return "unknown";
}

EcLoadState ecLoadStateFromString(std::string_view name) {
    for (const auto& [value, known] : kStateNames) {
        if (known == name) {
            return value;
        }
    }
    throw JournalError("journal holds an unknown EC-load state '" + std::string(name) + "'");
}

bool isFinal(EcLoadState state) {
    return state == EcLoadState::Reported || state == EcLoadState::Reversed ||
           state == EcLoadState::Failed;
}

bool isAllowedTransition(EcLoadState from, EcLoadState to) {
    using S = EcLoadState;
    switch (to) {
        case S::Arqc:
            return from == S::OrderFetched;
        case S::Authorized:
            return from == S::Arqc;
        case S::ScriptSending:
            return from == S::Authorized;
        case S::Loaded:
            return from == S::ScriptSending;
        case S::Reported:
            return from == S::Loaded;
        case S::Reversed:  // the account had a debit the card never took
            return from == S::Arqc || from == S::Authorized || from == S::ScriptSending ||
                   from == S::Loaded;  // the server read the old balance in the result
        case S::Failed:                // no debit: nothing to undo
            return from == S::OrderFetched || from == S::Arqc;
        case S::OrderFetched:
            return from == S::Failed;  // a new attempt
    }
    return false;
}

Bytes EcLoadRecord::bytes(const std::string& name) const {
    if (!details.contains(name) || !details.at(name).is_string()) {
        throw JournalError("EC load " + orderId + " has no '" + name + "' in the journal");
    }
    return fromHex(details.at(name).get<std::string>());
}

std::uint64_t EcLoadRecord::integer(const std::string& name) const {
    if (!details.contains(name) || !details.at(name).is_number_unsigned()) {
        throw JournalError("EC load " + orderId + " has no '" + name + "' in the journal");
    }
    return details.at(name).get<std::uint64_t>();
}

// The tables come with the top-up journal (journal_schema.cpp).
EcLoadJournal::EcLoadJournal(TopupJournal& topups) : database_(topups.database()) {}

EcLoadState EcLoadJournal::currentState(std::string_view orderId) {
    Statement query(database_, "SELECT state FROM ecloads WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        throw JournalError("no EC load for order '" + std::string(orderId) + "' in the journal");
    }
    return ecLoadStateFromString(query.text(0));
}

void EcLoadJournal::appendEvent(std::string_view orderId, EcLoadState state, std::int64_t now) {
    Statement insert(database_,
                     "INSERT INTO ecload_events (order_id, state, at) VALUES (?1, ?2, ?3)");
    insert.bind(1, orderId).bind(2, toString(state)).bind(3, now).step();
}

void EcLoadJournal::recordOrderFetched(std::string_view orderId, std::uint32_t amount) {
    if (orderId.empty() || amount == 0) {
        throw JournalError("an EC load needs an order id and an amount");
    }
    WriteTransaction transaction(database_);
    Statement exists(database_, "SELECT state FROM ecloads WHERE order_id = ?1");
    exists.bind(1, orderId);
    if (exists.step() &&
        !isAllowedTransition(ecLoadStateFromString(exists.text(0)), EcLoadState::OrderFetched)) {
        throw JournalError("order '" + std::string(orderId) + "' is already in the EC journal (" +
                           exists.text(0) + ")");
    }
    // A new attempt: nothing of the failed one carries over but the event log.
    Statement(database_, "DELETE FROM ecloads WHERE order_id = ?1 AND state = 'failed'")
        .bind(1, orderId)
        .step();
    const std::int64_t now = nowSeconds();
    Statement(database_,
              "INSERT INTO ecloads (order_id, amount, state, created_at, updated_at) "
              "VALUES (?1, ?2, ?3, ?4, ?4)")
        .bind(1, orderId)
        .bind(2, static_cast<std::int64_t>(amount))
        .bind(3, toString(EcLoadState::OrderFetched))
        .bind(4, now)
        .step();
    appendEvent(orderId, EcLoadState::OrderFetched, now);
    transaction.commit();
}

void EcLoadJournal::advance(std::string_view orderId, EcLoadState to, const json& saved) {
    refusePlainPan(saved);
    WriteTransaction transaction(database_);
    const EcLoadState from = currentState(orderId);
    if (!isAllowedTransition(from, to) || to == EcLoadState::Failed) {
        throw JournalError("EC load " + std::string(orderId) + " cannot go from " +
                           std::string(toString(from)) + " to " + std::string(toString(to)));
    }
    json details = find(orderId)->details;
    details.update(saved);
    const std::int64_t now = nowSeconds();
    Statement(database_,
              "UPDATE ecloads SET state = ?2, updated_at = ?3, details = ?4 WHERE order_id = ?1")
        .bind(1, orderId)
        .bind(2, toString(to))
        .bind(3, now)
        .bind(4, details.dump())
        .step();
    appendEvent(orderId, to, now);
    transaction.commit();
}

void EcLoadJournal::save(std::string_view orderId, const json& saved) {
    refusePlainPan(saved);
    WriteTransaction transaction(database_);
    auto record = find(orderId);
    if (!record || isFinal(record->state)) {
        throw JournalError("no open EC load for order '" + std::string(orderId) + "'");
    }
    record->details.update(saved);
    Statement(database_, "UPDATE ecloads SET updated_at = ?2, details = ?3 WHERE order_id = ?1")
        .bind(1, orderId)
        .bind(2, nowSeconds())
        .bind(3, record->details.dump())
        .step();
    transaction.commit();
}

void EcLoadJournal::recordFailed(std::string_view orderId, std::string_view reason) {
    WriteTransaction transaction(database_);
    const EcLoadState from = currentState(orderId);
    if (!isAllowedTransition(from, EcLoadState::Failed)) {
        throw JournalError("EC load " + std::string(orderId) + " cannot fail from " +
                           std::string(toString(from)) + ": the account has a debit to undo");
    }
    const std::int64_t now = nowSeconds();
    Statement(database_,
              "UPDATE ecloads SET state = 'failed', updated_at = ?2, failure = ?3"
              " WHERE order_id = ?1")
        .bind(1, orderId)
        .bind(2, now)
        .bind(3, reason)
        .step();
    appendEvent(orderId, EcLoadState::Failed, now);
    transaction.commit();
}

std::optional<EcLoadRecord> EcLoadJournal::find(std::string_view orderId) {
    Statement query(database_, std::string(kSelectRecord) + " WHERE order_id = ?1");
    query.bind(1, orderId);
    if (!query.step()) {
        return std::nullopt;
    }
    return recordFrom(query);
}

std::vector<EcLoadRecord> EcLoadJournal::unfinished() {
    Statement query(database_, std::string(kSelectRecord) +
                                   " WHERE state NOT IN ('reported', 'reversed', 'failed')"
                                   " ORDER BY created_at, rowid");
    std::vector<EcLoadRecord> records;
    while (query.step()) {
        records.push_back(recordFrom(query));
    }
    return records;
}

std::vector<EcLoadState> EcLoadJournal::history(std::string_view orderId) {
    Statement query(database_, "SELECT state FROM ecload_events WHERE order_id = ?1 ORDER BY id");
    query.bind(1, orderId);
    std::vector<EcLoadState> states;
    while (query.step()) {
        states.push_back(ecLoadStateFromString(query.text(0)));
    }
    return states;
}

}  // namespace taplink::journal
