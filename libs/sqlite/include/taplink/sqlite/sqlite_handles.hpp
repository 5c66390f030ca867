// RAII owners of SQLite handles and the one place SQLite result codes become JournalError.
#pragma once

#include <sqlite3.h>

#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

namespace taplink::journal {

// A SQLite failure or a refused state change, with what was being done.
class JournalError : public std::runtime_error {
  public:
    JournalError(const std::string& what, int sqliteCode = SQLITE_OK)
        : std::runtime_error(what), sqliteCode_(sqliteCode) {}
    int sqliteCode() const { return sqliteCode_; }

  private:
    int sqliteCode_;
};

struct DatabaseClose {
    void operator()(sqlite3* database) const noexcept { sqlite3_close_v2(database); }
};
struct StatementFinalize {
    void operator()(sqlite3_stmt* statement) const noexcept { sqlite3_finalize(statement); }
};
using DatabasePtr = std::unique_ptr<sqlite3, DatabaseClose>;
using StatementPtr = std::unique_ptr<sqlite3_stmt, StatementFinalize>;

// Throws JournalError "<what>: <sqlite's message>" unless rc is one of the accepted codes.
void checkSqlite(sqlite3* database, int rc, std::string_view what, int accepted = SQLITE_OK);

// A prepared statement with bind/step helpers; finalized when it goes out of scope.
class Statement {
  public:
    Statement(sqlite3* database, std::string_view sql);

    Statement& bind(int index, std::string_view text);
    Statement& bind(int index, std::int64_t value);
    Statement& bindNull(int index);
    // True while there is a row; false when done. Throws on errors.
    bool step();
    std::int64_t integer(int column) const;
    std::string text(int column) const;
    bool isNull(int column) const;

  private:
    sqlite3* database_;
    StatementPtr statement_;
    std::string sql_;
};

// BEGIN IMMEDIATE ... COMMIT; rolls back when destroyed without commit().
class WriteTransaction {
  public:
    explicit WriteTransaction(sqlite3* database);
    WriteTransaction(const WriteTransaction&) = delete;
    WriteTransaction& operator=(const WriteTransaction&) = delete;
    ~WriteTransaction();
    void commit();

  private:
    sqlite3* database_;
    bool open_ = true;
};

}  // namespace taplink::journal
