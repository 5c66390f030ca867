#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

void checkSqlite(sqlite3* database, int rc, std::string_view what, int accepted) {
    if (rc != accepted && rc != SQLITE_OK) {
        const char* message = database != nullptr ? sqlite3_errmsg(database) : sqlite3_errstr(rc);
        throw JournalError(std::string(what) + ": " + message, rc);
    }
}

Statement::Statement(sqlite3* database, std::string_view sql) : database_(database), sql_(sql) {
    sqlite3_stmt* raw = nullptr;
    checkSqlite(database, sqlite3_prepare_v2(database, sql_.c_str(), -1, &raw, nullptr),
                "prepare " + sql_);
    statement_.reset(raw);
}

Statement& Statement::bind(int index, std::string_view text) {
    checkSqlite(database_,
                sqlite3_bind_text(statement_.get(), index, text.data(),
                                  static_cast<int>(text.size()), SQLITE_TRANSIENT),
                "bind " + sql_);
    return *this;
}

Statement& Statement::bind(int index, std::int64_t value) {
    checkSqlite(database_, sqlite3_bind_int64(statement_.get(), index, value), "bind " + sql_);
    return *this;
}

Statement& Statement::bindNull(int index) {
    checkSqlite(database_, sqlite3_bind_null(statement_.get(), index), "bind " + sql_);
    return *this;
}

bool Statement::step() {
    const int rc = sqlite3_step(statement_.get());
    if (rc == SQLITE_ROW) {
        return true;
    }
    checkSqlite(database_, rc, "step " + sql_, SQLITE_DONE);
    return false;
}

std::int64_t Statement::integer(int column) const {
    return sqlite3_column_int64(statement_.get(), column);
}

std::string Statement::text(int column) const {
    const unsigned char* value = sqlite3_column_text(statement_.get(), column);
    return value != nullptr ? std::string(reinterpret_cast<const char*>(value)) : std::string();
}

bool Statement::isNull(int column) const {
    return sqlite3_column_type(statement_.get(), column) == SQLITE_NULL;
}

WriteTransaction::WriteTransaction(sqlite3* database) : database_(database) {
    checkSqlite(database, sqlite3_exec(database, "BEGIN IMMEDIATE", nullptr, nullptr, nullptr),
                "BEGIN IMMEDIATE");
}

WriteTransaction::~WriteTransaction() {
    if (open_) {
        sqlite3_exec(database_, "ROLLBACK", nullptr, nullptr, nullptr);
    }
}

void WriteTransaction::commit() {
    checkSqlite(database_, sqlite3_exec(database_, "COMMIT", nullptr, nullptr, nullptr), "COMMIT");
    open_ = false;
}

}  // namespace taplink::journal
