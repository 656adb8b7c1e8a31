// The live database's schema against the one arkwiki's migrations produce
// (schema_catalog.h), and its rows against the API's rules (row_check.h),
// checked before it is archived.
#pragma once

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

// Ok when `db`'s schema is exactly the one its schema version should have,
// or when its version is outside 1..kSchemaVersion (which the caller
// refuses with its own message). Otherwise Corruption beginning "the live
// database has been tampered with", naming the first offending object: a
// backup of it would carry the change into every import.
Status CheckLiveDatabaseSchema(Db& db);

// Every row of `db` (a copy of the live database whose schema
// CheckLiveDatabaseSchema accepted) by CheckRowsAreValid (row_check.h).
// Corruption beginning "the live database has been tampered with", naming
// the table, the row and the rule.
Status CheckLiveDatabaseRows(Db& db);

}  // namespace arkwiki
