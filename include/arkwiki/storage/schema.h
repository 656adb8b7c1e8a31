// The database schema and its forward migrations.
//
// The schema carries PRAGMA application_id = kApplicationId (so a foreign
// SQLite file is never mistaken for ours) and PRAGMA user_version = the
// schema version. Migrate() runs every step from the file's version up to
// kSchemaVersion, each in its own transaction, and refuses a database newer
// than this build.
#pragma once

#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

inline constexpr int64_t kApplicationId = 0x41524B57;  // "ARKW"
inline constexpr int kSchemaVersion = 3;

// Migrates `db` forward to `target_version` (default: the newest).
Status Migrate(Db& db, int target_version = kSchemaVersion);
Result<int> ReadSchemaVersion(Db& db);
Result<int64_t> ReadApplicationId(Db& db);

// The full-text index (page_search, schema 3 on) holds only what can be
// derived from the pages: the title and current text of each page not in
// the trash. Drops it and builds it again from those rows, so that an
// imported database's index (never checked, and read by FTS5 code that
// trusts it) is not taken over. The table is created with the same
// statement as its migration, so the schema stays exactly arkwiki's.
Status RebuildSearchIndex(Db& db);

// The exact schema each version must have: schema_catalog.h.

}  // namespace arkwiki
