#include "journal/script_version_journal.hpp"

#include <limits>
#include <string>

#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

std::uint64_t ScriptVersionJournal::highest(std::string_view scheme) {
    Statement query(database_, "SELECT version FROM script_versions WHERE scheme = ?1");
    query.bind(1, scheme);
    return query.step() ? static_cast<std::uint64_t>(query.integer(0)) : 0;
}

void ScriptVersionJournal::raise(std::string_view scheme, std::uint64_t version) {
    if (scheme.empty() || version == 0 ||
        version > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max())) {
        throw JournalError("a script version needs a scheme and a version from 1 up, not " +
                           std::to_string(version));
    }
    // https://www.sqlite.org/lang_upsert.html; max() with two arguments is the larger one.
    Statement upsert(database_,
                     "INSERT INTO script_versions (scheme, version) VALUES (?1, ?2) "
                     "ON CONFLICT (scheme) DO UPDATE SET version = max(version, excluded.version)");
    upsert.bind(1, scheme).bind(2, static_cast<std::int64_t>(version)).step();
}

}  // namespace taplink::journal
