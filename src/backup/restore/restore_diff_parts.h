// The parts of restore_diff.h's computation, one per kind of row, sharing
// the two open databases.
#pragma once

#include <memory>

#include "arkwiki/backup/restore_diff.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

struct DiffDbs {
  std::unique_ptr<Db> backup;
  std::unique_ptr<Db> live;  // nullptr: no live database yet
};
// Both read-only; a live database that does not exist is left nullptr.
Result<DiffDbs> OpenDiffDbs(const DiffSources& sources);

Status DiffUsers(DiffDbs& dbs, const DiffOptions& options, RestoreDiff* diff);
Status DiffUploads(DiffDbs& dbs, RestoreDiff* diff);
Status DiffSettings(DiffDbs& dbs, const DiffOptions& options, RestoreDiff* diff);

}  // namespace arkwiki
