// What the EC-load and purchase journals share: a bank-card transaction is a state machine
// written to the top-up journal's SQLite file (WAL, synchronous FULL), each state *before*
// the step it describes is taken, with what each state saved merged into one JSON object of
// named values (bytes as hex). A failed record may start again (failed -> order_fetched); the
// event table keeps every attempt. Never the plain PAN: a value named "pan" is refused.
//
// DetailsJournal is the SQL, with states as their names; StateJournal<Traits> types it with
// one journal's state enum (ecload_journal.hpp, purchase_journal.hpp).
#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "journal/topup_journal.hpp"
#include "taplink/base/bytes.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

// A journal's two tables and how its messages name a record ("EC load").
struct DetailsTables {
    std::string_view records;
    std::string_view events;
    std::string_view what;
};

// The state machine, by state name.
struct DetailsRules {
    std::function<bool(std::string_view from, std::string_view to)> allowed;
    std::function<bool(std::string_view state)> final;
    std::string finalStates;  // SQL list of the final states: "'reported', 'failed'"
};

// A record with its state as its name.
struct DetailsRow {
    std::string orderId;
    std::uint32_t amount = 0;
    std::string state;
    nlohmann::json details = nlohmann::json::object();
    std::string failure;
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;
};

// A named value of a record's details; JournalError when missing or of another type.
Bytes detailBytes(const nlohmann::json& details, const std::string& orderId,
                  const std::string& name);
std::uint64_t detailInteger(const nlohmann::json& details, const std::string& orderId,
                            const std::string& name);

class DetailsJournal {
  public:
    DetailsJournal(sqlite3* database, DetailsTables tables, DetailsRules rules)
        : database_(database), tables_(tables), rules_(std::move(rules)) {}

    void recordOrderFetched(std::string_view orderId, std::uint32_t amount);
    void advance(std::string_view orderId, std::string_view to, const nlohmann::json& saved);
    void save(std::string_view orderId, const nlohmann::json& saved);
    void recordFailed(std::string_view orderId, std::string_view reason);
    std::optional<DetailsRow> find(std::string_view orderId);
    std::vector<DetailsRow> unfinished();
    std::vector<std::string> history(std::string_view orderId);

  private:
    std::string currentState(std::string_view orderId);
    void appendEvent(std::string_view orderId, std::string_view state, std::int64_t now);
    std::string sql(std::string_view text) const;      // "{records}", "{events}" filled in
    std::string name(std::string_view orderId) const;  // "EC load ORD-1"

    sqlite3* database_;
    DetailsTables tables_;
    DetailsRules rules_;
};

// A record of the journal of `State`.
template <class State>
struct StateRecord {
    std::string orderId;
    std::uint32_t amount = 0;  // fen, from the server's order
    State state{};
    nlohmann::json details = nlohmann::json::object();  // what the states saved, merged
    std::string failure;                                // why, for failed
    std::int64_t createdAt = 0;
    std::int64_t updatedAt = 0;

    Bytes bytes(const std::string& name) const { return detailBytes(details, orderId, name); }
    std::uint64_t integer(const std::string& name) const {
        return detailInteger(details, orderId, name);
    }
    bool has(const std::string& name) const { return details.contains(name); }
};

// Traits: State; kTables; fromString(name); kFailed; and toString, isFinal and
// isAllowedTransition found for State.
template <class Traits>
class StateJournal {
  public:
    using State = typename Traits::State;
    using Record = StateRecord<State>;

    // Shares the top-up journal's open database (which must outlive it); the tables come
    // with its schema (journal_schema.cpp).
    explicit StateJournal(TopupJournal& topups)
        : rows_(topups.database(), Traits::kTables, rules()) {}

    // A new record, or a new attempt at one that failed.
    void recordOrderFetched(std::string_view orderId, std::uint32_t amount) {
        rows_.recordOrderFetched(orderId, amount);
    }
    // Moves to `to`, merging `saved` into the details, in one transaction with its event.
    void advance(std::string_view orderId, State to, const nlohmann::json& saved) {
        rows_.advance(orderId, toString(to), saved);
    }
    // Adds to an open record's details without moving it.
    void save(std::string_view orderId, const nlohmann::json& saved) { rows_.save(orderId, saved); }
    void recordFailed(std::string_view orderId, std::string_view reason) {
        rows_.recordFailed(orderId, reason);
    }
    std::optional<Record> find(std::string_view orderId) {
        auto row = rows_.find(orderId);
        return row ? std::optional<Record>(typed(*row)) : std::nullopt;
    }
    // Every record not yet final, oldest first.
    std::vector<Record> unfinished() {
        std::vector<Record> records;
        for (const auto& row : rows_.unfinished()) {
            records.push_back(typed(row));
        }
        return records;
    }
    std::vector<State> history(std::string_view orderId) {
        std::vector<State> states;
        for (const auto& name : rows_.history(orderId)) {
            states.push_back(Traits::fromString(name));
        }
        return states;
    }

  private:
    static DetailsRules rules() {
        std::string finals;
        for (const State state : Traits::kFinalStates) {
            finals += (finals.empty() ? "'" : ", '") + std::string(toString(state)) + "'";
        }
        return {[](std::string_view from, std::string_view to) {
                    return isAllowedTransition(Traits::fromString(from), Traits::fromString(to));
                },
                [](std::string_view state) { return isFinal(Traits::fromString(state)); }, finals};
    }
    static Record typed(const DetailsRow& row) {
        return Record{row.orderId,  row.amount,  Traits::fromString(row.state),
                      row.details,  row.failure, row.createdAt,
                      row.updatedAt};
    }

    DetailsJournal rows_;
};

}  // namespace taplink::journal
