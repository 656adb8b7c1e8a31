// The consistent copy of the live database that a backup archives
// (private to the backup layer).
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/storage/data_dir.h"
#include "format/upload_rows.h"

namespace arkwiki {

struct DatabaseSnapshot {
  int schema_version = 0;
  ManifestCounts counts;  // bytes left 0: the writer fills it in
  std::map<std::string, std::string> settings;
  // The upload rows, sorted (in runs on disk past upload_run_rows): each
  // distinct content is an archive entry (BuildManifest). Null when they
  // are not wanted. Its scratch runs go with it.
  std::unique_ptr<UploadRows> upload_rows;
  double copy_millis = 0;  // time spent in the online backup step
};

// Whether SnapshotDatabase checks every row of the copy by the API's rules
// (CheckLiveDatabaseRows). kCallerChecks is for a caller that checks the
// copy as an import would (CheckUntrustedDatabase: the same rules, and
// more) before it keeps it: the rows are then not checked twice.
enum class RowCheck { kCheck, kCallerChecks };

// Copies the live database at `layout.database` to `dest` with SQLite's
// online backup API from a separate read-only connection, in one step, so
// the copy is one consistent point in time and writers (WAL mode) are never
// blocked. Checks free space in dest's directory first (NoSpace names the
// path, the bytes needed and the bytes free). Then, in the copy only:
// removes login sessions and switches the journal mode to DELETE so the file
// stands alone. Checks its rows (see RowCheck), then reads counts,
// settings and the upload rows from the copy. The upload rows are sorted
// in runs of `upload_run_rows`, each past the first written beside `dest`
// (UploadRows, named after `dest`; removed when they are read or dropped).
// The free-space check counts the runs, and once more the list they are
// merged into (spilled, as BackupOptions and RepositoryOptions do by
// default, past as many files as a run holds). On failure
// nothing is left at `dest`.
Result<DatabaseSnapshot> SnapshotDatabase(Env* env, const DataDirLayout& layout,
                                          const std::string& dest, RowCheck rows = RowCheck::kCheck,
                                          size_t upload_run_rows = kUploadRowsPerRun);

}  // namespace arkwiki
