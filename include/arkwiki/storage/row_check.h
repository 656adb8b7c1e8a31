// Every row of an arkwiki database against the rules arkwiki applies when
// it writes one, so that data which arkwiki's own API could not have
// produced is refused where it enters: an import (checked in staging) and a
// backup of the live database.
//
// The rules are the validators the API and the forms call (user names and
// roles, CheckPasswordHash, ApplySetting, ValidatePreference, IsValidSlug,
// ValidateTitle, ValidateMarkdown, IsValidUploadName) plus the shape of what
// only arkwiki writes: token and upload hashes, consistent revision numbers,
// a page tree without cycles, bounded audit entries. Sessions are not
// checked: a backup carries none.
#pragma once

#include <sqlite3.h>

#include "arkwiki/core/status.h"

namespace arkwiki {

// Reads every row of `db`, a database at schema `version` (1..kSchemaVersion)
// whose schema CheckSchemaIsExact accepted, one row at a time: memory does
// not grow with the row count, bar 16 bytes per page for the tree check.
// Corruption naming the table, the row and the rule on the first failure,
// e.g. "users row 'victim': password hash uses costs arkwiki never writes
// (m=4194304 KiB)".
Status CheckRowsAreValid(sqlite3* db, int version);

}  // namespace arkwiki
