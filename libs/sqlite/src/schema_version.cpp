#include "taplink/sqlite/schema_version.hpp"

#include <cstdint>
#include <string>

namespace taplink::journal {

namespace {

std::int64_t pragmaValue(sqlite3* database, const std::string& pragma) {
    Statement query(database, "PRAGMA " + pragma);
    query.step();
    return query.integer(0);
}

void execute(sqlite3* database, const std::string& sql, std::string_view what) {
    checkSqlite(database, sqlite3_exec(database, sql.c_str(), nullptr, nullptr, nullptr), what);
}

// PRAGMA foreign_keys does nothing inside a transaction, so it is switched around one.
class ForeignKeysOff {
  public:
    explicit ForeignKeysOff(sqlite3* database)
        : database_(database), wereOn_(pragmaValue(database, "foreign_keys") != 0) {
        execute(database_, "PRAGMA foreign_keys=OFF", "PRAGMA foreign_keys");
    }
    ForeignKeysOff(const ForeignKeysOff&) = delete;
    ForeignKeysOff& operator=(const ForeignKeysOff&) = delete;
    ~ForeignKeysOff() {
        if (wereOn_) {
            sqlite3_exec(database_, "PRAGMA foreign_keys=ON", nullptr, nullptr, nullptr);
        }
    }

  private:
    sqlite3* database_;
    bool wereOn_;
};

void refuseNewer(std::int64_t found, int known, std::string_view name) {
    throw JournalError(std::string(name) + " has schema version " + std::to_string(found) +
                       ", newer than this program's " + std::to_string(known) +
                       ": a newer TapLink wrote it. Run that version, or a backup of the "
                       "database made before it");
}

void requireReferencesIntact(sqlite3* database, std::string_view name) {
    Statement check(database, "PRAGMA foreign_key_check");
    if (check.step()) {
        throw JournalError(std::string(name) + ": the schema upgrade would leave a row of " +
                           check.text(0) + " referring to a missing " + check.text(2));
    }
}

}  // namespace

void upgradeSchema(sqlite3* database, std::span<const SchemaStep> steps, std::string_view name) {
    const int latest = steps.empty() ? 0 : steps.back().version;
    const ForeignKeysOff foreignKeysOff(database);
    WriteTransaction transaction(database);  // also keeps a second process from racing this one
    const std::int64_t found = pragmaValue(database, "user_version");
    if (found > latest) {
        refuseNewer(found, latest, name);
    }
    if (found == latest) {
        return;
    }
    for (const SchemaStep& step : steps) {
        if (step.version > found) {
            execute(database, std::string(step.sql),
                    std::string(name) + ": schema step " + std::to_string(step.version));
        }
    }
    requireReferencesIntact(database, name);
    execute(database, "PRAGMA user_version=" + std::to_string(latest), "PRAGMA user_version");
    transaction.commit();
}

}  // namespace taplink::journal
