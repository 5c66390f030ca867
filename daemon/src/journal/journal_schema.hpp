// The journal's schema, versioned in PRAGMA user_version (taplink/sqlite/schema_version.hpp):
// a journal written by a newer taplinkd is refused untouched rather than misread.
#pragma once

#include <sqlite3.h>

namespace taplink::journal {

// Brings the journal's tables (top-ups, EC loads, purchases, their events) to this build's version.
void upgradeJournalSchema(sqlite3* database);

}  // namespace taplink::journal
