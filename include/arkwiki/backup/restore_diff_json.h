// The difference a restore would make (restore_diff.h) as JSON: the
// `difference` object of POST /api/restore?dry_run=1 and of
// `arkwiki backup diff --json` (docs/api.md).
#pragma once

#include <Poco/JSON/Object.h>

#include "arkwiki/backup/restore_diff.h"

namespace arkwiki {

// {"pages": {"added"|"removed"|"changed": {"total", "entries": [...]},
//            "edited_since_backup"},
//  "users": {"added"|"removed"|"changed": {...}, "importer_loses_admin"},
//  "uploads": {"files_added", "bytes_added", "files_removed", "bytes_removed"},
//  "settings": {"total", "entries": [{"key", "in_backup", "now"}]}}
Poco::JSON::Object::Ptr DifferenceJson(const RestoreDiff& diff);
// {"slug", "in_backup"?, "now"?: {"title", "revision", "edited_by",
// "edited_at" (ISO 8601 UTC)}, "edited_since_backup"}.
Poco::JSON::Object::Ptr PageChangeJson(const PageChange& change);
// {"name", "in_backup"?, "now"?: {"role", "disabled"}}.
Poco::JSON::Object::Ptr UserChangeJson(const UserChange& change);

}  // namespace arkwiki
