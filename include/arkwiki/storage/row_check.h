// Every row of an arkwiki database against the rules arkwiki applies when
// it writes one, so that data which arkwiki's own API could not have
// produced is refused where it enters: an import (checked in staging) and a
// backup of the live database.
//
// The rules are the validators the API and the forms call (user names and
// roles, CheckPasswordHash, ApplySetting, ValidatePreference, IsValidSlug,
// ValidateTitle, ValidateMarkdown, IsValidUploadName) plus the shape of what
// only arkwiki writes: token and upload hashes, consistent revision numbers,
// a page tree without cycles, bounded audit entries of the kinds arkwiki
// writes (audit_log.h). A backup carries no sessions, so an archive that
// holds one is refused; a live database's sessions are not checked (they
// never leave it: a backup drops them). The search index (page_search) is
// not checked either: an import rebuilds it from the pages
// (RebuildSearchIndex, schema.h) instead of trusting it.
#pragma once

#include <sqlite3.h>

#include "arkwiki/core/status.h"

namespace arkwiki {

// Where the database comes from: an archive (untrusted), or the live data
// directory, checked before it is archived.
enum class RowSource { kArchive, kLiveDatabase };

// Reads every row of `db`, a database at schema `version` (1..kSchemaVersion)
// whose schema CheckSchemaIsExact accepted, one row at a time: memory does
// not grow with the row count, bar 16 bytes per page for the tree check.
// Corruption naming the table, the row and the rule on the first failure,
// e.g. "users row 'victim': password hash uses costs arkwiki never writes
// (m=4194304 KiB)".
Status CheckRowsAreValid(sqlite3* db, int version, RowSource source = RowSource::kArchive);

}  // namespace arkwiki
