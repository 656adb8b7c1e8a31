// Restoring a backup: replacing ALL of a data directory's contents with an
// archive's, checked first, atomically, crash-safely and undoably.
//
// An import runs in two phases so that a person (or script) can look before
// anything changes:
//
//   Stage(archive)   verifies the archive completely (archive_reader.h) while
//                    unpacking it into DATA/staging/<id>/live/, a complete
//                    replacement for DATA/live/: database (migrated forward
//                    in staging if its schema is older), uploads, and a
//                    fresh `generation` id. Nothing outside staging/ is
//                    touched. On any failure the staging directory is removed
//                    and the error names the problem. When it returns OK
//                    everything staged is durable: one syncfs of the file
//                    system (Env::NewFileSystemSync), not a fsync per file.
//   Commit(staged)   1. keeps the current data: as a restore point when
//                       ImportOptions::safety_point is set (the server's
//                       and `backup restore`'s way), else as a safety backup archive in
//                       DATA/safety/ (kept `safety_retention_days`); a wiki
//                       too damaged for either is kept as a directory in
//                       DATA/safety/ instead, and an empty data directory
//                       needs none;
//                    2. prepares the staged database: carries over the
//                       login sessions of users who keep their login (only
//                       when the archive is of this same wiki, by its
//                       manifest's instance_id, and the user is in it,
//                       enabled, with an unchanged password hash; everyone
//                       else is logged out: see PlanSessions) and appends
//                       the import to its audit log, then syncs;
//                    3. writes the intent marker DATA/restore-intent (synced):
//                       the one durable commit point;
//                    4. calls hooks.enter_maintenance (the server stops
//                       serving and closes its database);
//                    5. swaps DATA/live and the staged live/ with one
//                       renameat2(RENAME_EXCHANGE), and syncs DATA/;
//                    6. removes the marker, calls hooks.leave_maintenance,
//                       and deletes the old data (the safety backup has it).
//
// A partial ("database only") archive (archive_format.h) holds no upload
// files: the restored wiki keeps this wiki's. Stage lists every upload the
// archive's database refers to that this wiki lacks (or holds at another
// size) in StagedImport::missing_uploads; LoadStaged lists them again.
// Commit lists them again first, before step 1, and refuses (Conflict) when
// any is missing unless ImportOptions::allow_missing_uploads; when allowed,
// step 2 removes those upload rows from the staged database (the pages keep
// their text; the attachments are gone) so the wiki stays whole enough to
// back up. Step 2 also hard-links every live upload file into the staged
// live/uploads/ (upload files are immutable; garbage collection is held off
// meanwhile), so the swap keeps them.
//
// Recover() runs before anything opens a data directory. If a marker exists
// it compares DATA/live/generation with the marker's: equal means the swap
// happened, so it finishes step 6; otherwise it discards the staged data.
// Either way the result is exactly the old wiki or exactly the new one, and
// running Recover again changes nothing.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/core/env.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki {

struct ImportOptions {
  ZipLimits limits;
  int64_t safety_retention_days = 14;
  std::string actor = "cli";  // who imports, for the audit log
  // When set, step 1 of Commit calls it instead of writing a safety backup
  // archive: it must make a restore point of the live wiki (which still
  // serves) and return its id. A failure is handled as a failed safety
  // backup archive is: proven damage keeps the directory, else the import
  // is refused.
  std::function<Result<std::string>()> safety_point;
  std::function<void(const std::string& phase, uint64_t done, uint64_t total)> progress;
  // A partial archive whose database refers to upload files this wiki lacks
  // is refused unless this is set (see the header comment).
  bool allow_missing_uploads = false;
};

// An upload that a partial archive's database refers to and this wiki lacks.
struct MissingUpload {
  std::string page;  // the page's slug
  std::string name;  // the attachment's name on that page
  std::string sha256;
  uint64_t size = 0;
};

struct StagedImport {
  std::string id;            // directory name under DATA/staging/
  std::string archive_path;  // the archive it came from
  std::string generation;    // the staged live/generation value
  VerifyReport report;       // manifest, database check, sizes
  // Partial archives only: what this wiki lacks, by page and name, as of
  // Stage or LoadStaged (Commit checks again).
  std::vector<MissingUpload> missing_uploads;
};

struct CommitHooks {
  // Called with the marker durable and just before the swap; must stop all
  // use of DATA/live (close the database). Failing aborts the import.
  std::function<Status()> enter_maintenance;
  // Called after the swap (or after an abort), to reopen and serve again.
  std::function<Status()> leave_maintenance;
};

struct ImportOutcome {
  // Where the replaced data went: a safety backup archive, or (when it could
  // not be archived) its directory kept as it was under DATA/safety/; empty
  // when the data directory held no wiki. safety_note says which, when not
  // an archive.
  std::string safety_backup;
  std::string safety_note;
  // The restore point that holds the replaced data, when
  // ImportOptions::safety_point made one (safety_backup is empty then).
  std::string safety_point;
  double unavailable_millis = 0;                 // from enter_maintenance to leave_maintenance
  std::vector<std::string> users_kept_sessions;  // sorted user names
  std::vector<std::string> users_logged_out;     // sorted user names
};

// Who keeps their login across an import (Commit, step 2).
struct SessionCarryOver {
  // The archive's instance_id equals the live wiki's: it is a backup of
  // this wiki (a restore), not of another one. Only then is any login kept.
  bool same_wiki = false;
  std::vector<std::string> kept;        // sorted user names with a live session
  std::vector<std::string> logged_out;  // sorted user names with a live session
};

struct SafetyBackup {
  std::string path;
  std::string name;
  int64_t created_at = 0;
  uint64_t bytes = 0;
};

class Restorer {
 public:
  Restorer(Env* env, DataDirLayout layout) : env_(env), layout_(std::move(layout)) {}

  // Verifies and unpacks `archive_path` into staging (see above). Checks free
  // space for the unpacked data plus a safety backup of the current data.
  Result<StagedImport> Stage(const std::string& archive_path, const ImportOptions& options);
  // The same for an archive received split (VerifyOptions::split): its
  // pieces that are whole uploads become the unpacked files. The caller
  // removes what remains of it.
  Result<StagedImport> Stage(const SplitArchive& archive, const ImportOptions& options);
  // Loads a staged import by id (after a preview, from another request).
  // Its report's manifest `files` are only counted past
  // `manifest_files_held`, as Stage's are (VerifyOptions).
  Result<StagedImport> LoadStaged(const std::string& id,
                                  size_t manifest_files_held = VerifyOptions().manifest_files_held);
  Status Discard(const std::string& id);
  // Whose login sessions Commit would keep and whose it would end, were it
  // run now (for the preview). Reads the live and the staged database only.
  Result<SessionCarryOver> PlanSessions(const StagedImport& staged);
  Result<ImportOutcome> Commit(const StagedImport& staged, const ImportOptions& options,
                               const CommitHooks& hooks);

  // See the header comment. Also empties staging/ and tmp/ of anything a
  // crash left. Call it only with the DataDirLock held (server start,
  // offline restore): no other process may be using tmp/ then.
  Status Recover();
  // Safety backup archives under DATA/safety/, newest first. Only lists.
  Result<std::vector<SafetyBackup>> ListSafetyBackups();
  // Removes safety backups older than `retention_days`, never the newest.
  // Commit calls it after writing one; the server at start. A file that
  // cannot be removed is kept until the next prune.
  Status PruneSafetyBackups(int64_t retention_days);

 private:
  Result<StagedImport> StageArchive(const std::string& archive_path, const SplitArchive* split,
                                    const ImportOptions& options);

  Env* env_;
  DataDirLayout layout_;
};

// Counts of the current live data (for previews).
Result<ManifestCounts> CountLiveData(Env* env, const DataDirLayout& layout);

}  // namespace arkwiki
