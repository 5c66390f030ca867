// One way to move a record's fields in and out of SQLite rows: parameters bound and columns
// read in order, integers range-checked, bytes as hex text (as every TapLink table keeps
// them, readable in the sqlite3 shell).
#pragma once

#include <concepts>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "taplink/base/bytes.hpp"
#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

namespace detail {

inline void bindValue(Statement& statement, int index, std::string_view text) {
    statement.bind(index, text);
}

inline void bindValue(Statement& statement, int index, ByteView bytes) {
    statement.bind(index, toHex(bytes));
}

template <std::integral Int>
void bindValue(Statement& statement, int index, Int value) {
    if (!std::in_range<std::int64_t>(value)) {
        throw JournalError("parameter " + std::to_string(index) +
                           " does not fit an SQLite integer");
    }
    statement.bind(index, static_cast<std::int64_t>(value));
}

inline void readValue(const Statement& row, int column, std::string& field) {
    field = row.text(column);
}

inline void readValue(const Statement& row, int column, Bytes& field) {
    field = fromHex(row.text(column));
}

// A stored value the field cannot hold is a damaged row, not something to truncate.
template <std::integral Int>
void readValue(const Statement& row, int column, Int& field) {
    const std::int64_t value = row.integer(column);
    if (!std::in_range<Int>(value)) {
        throw JournalError("column " + std::to_string(column) + " holds " + std::to_string(value) +
                           ", out of its field's range");
    }
    field = static_cast<Int>(value);
}

}  // namespace detail

// Binds values to ?1, ?2, ... in order: text, integers, bytes (as hex text).
template <class... Values>
Statement& bindAll(Statement& statement, const Values&... values) {
    [[maybe_unused]] int index = 0;
    (detail::bindValue(statement, ++index, values), ...);
    return statement;
}

// Reads columns 0, 1, ... of the current row into fields, in order.
template <class... Fields>
void readColumns(const Statement& row, Fields&... fields) {
    int column = 0;
    (detail::readValue(row, column++, fields), ...);
}

// The query's first row made into a record by readRow; nullopt when there is none.
template <class ReadRow>
auto firstRow(Statement& query, ReadRow readRow) -> std::optional<decltype(readRow(query))> {
    if (!query.step()) {
        return std::nullopt;
    }
    return readRow(query);
}

// Every row of the query made into a record by readRow, in the query's order.
template <class ReadRow>
auto allRows(Statement& query, ReadRow readRow) -> std::vector<decltype(readRow(query))> {
    std::vector<decltype(readRow(query))> records;
    while (query.step()) {
        records.push_back(readRow(query));
    }
    return records;
}

// firstRow of sql run with params bound to ?1, ?2, ...
template <class ReadRow, class... Params>
auto firstRow(sqlite3* database, std::string_view sql, ReadRow readRow, const Params&... params) {
    Statement query(database, sql);
    bindAll(query, params...);
    return firstRow(query, readRow);
}

// allRows of sql run with params bound to ?1, ?2, ...
template <class ReadRow, class... Params>
auto allRows(sqlite3* database, std::string_view sql, ReadRow readRow, const Params&... params) {
    Statement query(database, sql);
    bindAll(query, params...);
    return allRows(query, readRow);
}

}  // namespace taplink::journal
