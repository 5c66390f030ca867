#include "journal/details_journal.hpp"

#include <chrono>
#include <limits>

#include "taplink/base/strict_json.hpp"

namespace taplink::journal {

namespace {

using nlohmann::json;

// Both journals start and fail the same way (details_journal.hpp).
constexpr std::string_view kOrderFetched = "order_fetched";
constexpr std::string_view kFailed = "failed";

constexpr std::string_view kSelectRecord =
    "SELECT order_id, amount, state, details, failure, created_at, updated_at FROM {records}";

DetailsRow rowFrom(const Statement& row) {
    return DetailsRow{row.text(0),   static_cast<std::uint32_t>(row.integer(1)),
                      row.text(2),   json::parse(row.text(3)),
                      row.text(4),   row.integer(5),
                      row.integer(6)};
}

// The cardholder-data rule (docs/scripts.md): the plain PAN is never journaled.
void refusePlainPan(const json& saved) {
    if (!saved.is_object() || saved.contains("pan")) {
        throw JournalError("a journal entry must be an object without the plain PAN");
    }
}

void replaceAll(std::string& text, std::string_view from, std::string_view to) {
    for (auto at = text.find(from); at != std::string::npos; at = text.find(from, at + to.size())) {
        text.replace(at, from.size(), to);
    }
}

// A missing or mistyped detail reads the same whatever went wrong: the record lacks it.
struct MissingDetail {
    std::string orderId;
    std::string name;
    JournalError operator()(const JsonProblem& /*problem*/) const {
        return JournalError("order " + orderId + " has no '" + name + "' in the journal");
    }
};

JsonObjectReader<MissingDetail> detailsOf(const json& details, const std::string& orderId,
                                          const std::string& name) {
    return {details, "details", MissingDetail{orderId, name}};
}

}  // namespace

Bytes detailBytes(const json& details, const std::string& orderId, const std::string& name) {
    return fromHex(detailsOf(details, orderId, name).string(name));
}

std::uint64_t detailInteger(const json& details, const std::string& orderId,
                            const std::string& name) {
    return detailsOf(details, orderId, name)
        .integer(name, 0, std::numeric_limits<std::uint64_t>::max());
}

std::string DetailsJournal::sql(std::string_view text) const {
    std::string filled(text);
    replaceAll(filled, "{records}", tables_.records);
    replaceAll(filled, "{events}", tables_.events);
    return filled;
}

std::string DetailsJournal::name(std::string_view orderId) const {
    return std::string(tables_.what) + " " + std::string(orderId);
}

std::string DetailsJournal::currentState(std::string_view orderId) {
    Statement query(database_, sql("SELECT state FROM {records} WHERE order_id = ?1"));
    query.bind(1, orderId);
    if (!query.step()) {
        throw JournalError("no " + name(orderId) + " in the journal");
    }
    return query.text(0);
}

void DetailsJournal::appendEvent(std::string_view orderId, std::string_view state,
                                 std::int64_t now) {
    Statement insert(database_,
                     sql("INSERT INTO {events} (order_id, state, at) VALUES (?1, ?2, ?3)"));
    insert.bind(1, orderId).bind(2, state).bind(3, now).step();
}

void DetailsJournal::recordOrderFetched(std::string_view orderId, std::uint32_t amount) {
    if (orderId.empty() || amount == 0) {
        throw JournalError("a " + std::string(tables_.what) + " needs an order id and an amount");
    }
    WriteTransaction transaction(database_);
    Statement exists(database_, sql("SELECT state FROM {records} WHERE order_id = ?1"));
    exists.bind(1, orderId);
    if (exists.step() && !rules_.allowed(exists.text(0), kOrderFetched)) {
        throw JournalError("order '" + std::string(orderId) + "' is already in the " +
                           std::string(tables_.what) + " journal (" + exists.text(0) + ")");
    }
    // A new attempt: nothing of the failed one carries over but the event log.
    Statement(database_, sql("DELETE FROM {records} WHERE order_id = ?1 AND state = 'failed'"))
        .bind(1, orderId)
        .step();
    const std::int64_t now = nowSeconds();
    Statement(database_, sql("INSERT INTO {records} (order_id, amount, state, created_at, "
                             "updated_at) VALUES (?1, ?2, ?3, ?4, ?4)"))
        .bind(1, orderId)
        .bind(2, static_cast<std::int64_t>(amount))
        .bind(3, kOrderFetched)
        .bind(4, now)
        .step();
    appendEvent(orderId, kOrderFetched, now);
    transaction.commit();
}

void DetailsJournal::advance(std::string_view orderId, std::string_view to, const json& saved) {
    refusePlainPan(saved);
    WriteTransaction transaction(database_);
    const std::string from = currentState(orderId);
    if (!rules_.allowed(from, to) || to == kFailed) {
        throw JournalError(name(orderId) + " cannot go from " + from + " to " + std::string(to));
    }
    json details = find(orderId)->details;
    details.update(saved);
    const std::int64_t now = nowSeconds();
    Statement(database_, sql("UPDATE {records} SET state = ?2, updated_at = ?3, details = ?4 "
                             "WHERE order_id = ?1"))
        .bind(1, orderId)
        .bind(2, to)
        .bind(3, now)
        .bind(4, details.dump())
        .step();
    appendEvent(orderId, to, now);
    transaction.commit();
}

void DetailsJournal::save(std::string_view orderId, const json& saved) {
    refusePlainPan(saved);
    WriteTransaction transaction(database_);
    auto record = find(orderId);
    if (!record || rules_.final(record->state)) {
        throw JournalError("no open " + name(orderId));
    }
    record->details.update(saved);
    Statement(database_,
              sql("UPDATE {records} SET updated_at = ?2, details = ?3 WHERE order_id = ?1"))
        .bind(1, orderId)
        .bind(2, nowSeconds())
        .bind(3, record->details.dump())
        .step();
    transaction.commit();
}

void DetailsJournal::recordFailed(std::string_view orderId, std::string_view reason) {
    WriteTransaction transaction(database_);
    const std::string from = currentState(orderId);
    if (!rules_.allowed(from, kFailed)) {
        throw JournalError(name(orderId) + " cannot fail from " + from +
                           ": the account has a debit to undo");
    }
    const std::int64_t now = nowSeconds();
    Statement(database_, sql("UPDATE {records} SET state = 'failed', updated_at = ?2, failure = ?3"
                             " WHERE order_id = ?1"))
        .bind(1, orderId)
        .bind(2, now)
        .bind(3, reason)
        .step();
    appendEvent(orderId, kFailed, now);
    transaction.commit();
}

std::optional<DetailsRow> DetailsJournal::find(std::string_view orderId) {
    Statement query(database_, sql(std::string(kSelectRecord) + " WHERE order_id = ?1"));
    query.bind(1, orderId);
    if (!query.step()) {
        return std::nullopt;
    }
    return rowFrom(query);
}

std::vector<DetailsRow> DetailsJournal::unfinished() {
    Statement query(database_, sql(std::string(kSelectRecord) + " WHERE state NOT IN (" +
                                   rules_.finalStates + ") ORDER BY created_at, rowid"));
    std::vector<DetailsRow> rows;
    while (query.step()) {
        rows.push_back(rowFrom(query));
    }
    return rows;
}

std::vector<std::string> DetailsJournal::history(std::string_view orderId) {
    Statement query(database_, sql("SELECT state FROM {events} WHERE order_id = ?1 ORDER BY id"));
    query.bind(1, orderId);
    std::vector<std::string> states;
    while (query.step()) {
        states.push_back(query.text(0));
    }
    return states;
}

}  // namespace taplink::journal
