// Versioned schemas: a database records the version of its schema in PRAGMA user_version
// (https://www.sqlite.org/pragma.html#pragma_user_version), and opening it runs the steps it
// lacks. A database made before versioning reads version 0, like an empty one, so the first
// step must also accept the tables it already has (CREATE ... IF NOT EXISTS).
#pragma once

#include <span>
#include <string_view>

#include "taplink/sqlite/sqlite_handles.hpp"

namespace taplink::journal {

// Steps come in version order; several may share one (the parts of one release).
struct SchemaStep {
    int version = 0;       // the database's version after this step
    std::string_view sql;  // one or more statements
};

// Runs, in order, every step above the database's version and records the last step's version,
// all in one transaction: a failure leaves the database as it was. JournalError, the database
// untouched, when it records a version above the last step's (a newer program wrote it).
// Foreign keys are off during the steps so that one may rebuild a table others refer to
// (https://www.sqlite.org/lang_altertable.html#otheralter); PRAGMA foreign_key_check must then
// find nothing. name says which database, for the errors.
void upgradeSchema(sqlite3* database, std::span<const SchemaStep> steps, std::string_view name);

}  // namespace taplink::journal
