// The repository of restore points: deduplicated, checked, full backups
// kept on the server (on-disk format: docs/backup-repository.md).
//
//   BACKUPS/                 DATA/backups/ unless configured elsewhere
//     repository.json        {"format": "arkwiki-repository", "format_version": 5}
//                            (with "encryption" when encrypted)
//     key.json               an encrypted repository's wrapped key
//     lock                   flock()ed while a snapshot, delete, prune or check runs
//     objects/ab/<sha256>    upload bytes and database chunks, stored once,
//                            named by their SHA-256
//     objects/packs/<sha256>.pack  small objects stored together (a loose
//                            object above takes precedence over a packed copy)
//     snapshots/<id>/        one restore point (complete once it is here):
//       manifest.json          exactly a backup archive's manifest (archive_format.h)
//       database/arkwiki.db.chunks  the database snapshot the manifest names,
//                              as the list of its chunks (objects), in order
//                              (database/arkwiki.db, whole, in a point written
//                              before format version 4)
//       config/settings.json   the settings file the manifest names
//       restore-point.json     trigger, who made it, label, sizes
//       check.json             the last check's outcome (absent: unknown)
//     damaged-objects        hashes the last check found damaged, one a line
//     tmp/  trash/           work areas, emptied by the next locked run
//
// A restore point's id sorts by time: "20261202T131500Z-a1b2c3".
//
// Snapshot(), in order:
//   1. takes the repository lock (Busy if held) and empties tmp/ and trash/;
//   2. pins the live uploads against garbage collection and copies the live
//      database consistently (the snapshot `backup create` takes) into
//      tmp/<id>/, with its settings file;
//   3. copies each upload that objects/ lacks (or that the last check found
//      damaged) through tmp/ into objects/ (a reflink where the file system
//      has them), hashing the very bytes it stores: a live file that does
//      not match its name fails the snapshot. A new upload below 512 KiB
//      goes into a pack instead, written whole in tmp/ and renamed into
//      objects/packs/ (repository/pack_store.h); the first pack ever placed
//      is preceded by repository.json rewritten as format version 2. No
//      read-back follows: before the sync it would re-read only the page
//      cache the copy just filled;
//   4. checks the database as an import would (schema, integrity, rows),
//      on a second thread from the end of step 2 until its chunks are
//      stored, and stores it as chunks of whole pages: the chunks objects/
//      lacks (or holds damaged) are stored like uploads, and the list of
//      its chunks replaces it in tmp/<id>/. A failed check fails the
//      snapshot with its own error (an error of step 3 is reported before
//      it, one of storing the chunks after it), and what step 3 and the
//      chunks stored meanwhile leave are objects no manifest names. Once
//      the check passed and the chunks are stored, repository.json becomes
//      format version 5 (a failed snapshot leaves the format as it was);
//   5. makes everything durable (one syncfs), writes manifest.json last
//      (temp, fsync, rename, fsync dir), then renames tmp/<id> to
//      snapshots/<id> and syncs snapshots/: the commit point.
// A crash or a full disk at any step leaves every earlier restore point
// intact; what it left in tmp/ (and any object no manifest names) is
// removed by the next run or prune.
//
// Objects are real copies, never hard links: a hard link shares the live
// file's blocks, so damage to the live upload would damage the backup too.
//
// An encrypted repository (format version 3, off unless asked for) stores
// every file above sealed with the off-site codec (offsite_crypto.h) under
// a key wrapped in key.json, and names objects by a keyed hash; the
// database snapshot of step 2 is taken and checked in DATA/tmp/ and only
// its sealed chunks reach the repository (docs/backup-repository.md).
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/core/env.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki {

enum class SnapshotTrigger { kManual, kScheduled, kBeforeImport, kCli };
// "manual", "scheduled", "before-import", "cli".
const char* SnapshotTriggerName(SnapshotTrigger trigger);
// InvalidArgument for any other text.
Result<SnapshotTrigger> ParseSnapshotTrigger(const std::string& text);

struct CheckStatus {
  enum class State { kUnknown, kPassed, kFailed };
  State state = State::kUnknown;
  int64_t checked_at = 0;  // unix seconds; 0 when unknown
  std::string message;     // why it failed; empty otherwise
};
// "unknown", "passed", "failed".
const char* CheckStateName(CheckStatus::State state);

// One restore point, as List() reports it.
struct SnapshotInfo {
  std::string id;
  int64_t created = 0;  // unix seconds
  SnapshotTrigger trigger = SnapshotTrigger::kManual;
  std::string made_by;
  std::string label;
  uint64_t total_bytes = 0;  // every file it names: database, settings, uploads
  uint64_t new_bytes = 0;    // what writing it added to the repository
  uint64_t file_count = 0;   // files its manifest lists
  CheckStatus check;
};

struct SnapshotRequest {
  SnapshotTrigger trigger = SnapshotTrigger::kManual;
  std::string made_by;
  std::string label;
};

struct PruneResult {
  uint64_t objects_removed = 0;
  uint64_t bytes_removed = 0;
  uint64_t objects_kept = 0;
  uint64_t packs_removed = 0;  // pack files removed (their objects count above)
};

struct CheckOptions {
  // Share of stored objects re-hashed, 0 to 100 (100: --read-all). The
  // subset is chosen from each object's hash and `subset_seed`, so the same
  // seed picks the same objects and another seed picks others.
  double read_percent = 0;
  uint64_t subset_seed = 0;
};

struct DamagedObject {
  std::string sha256;
  std::string problem;                 // "missing", "damaged" or "wrong size"
  std::vector<std::string> snapshots;  // ids of the restore points that need it
};

struct CheckReport {
  uint64_t snapshots_checked = 0;
  uint64_t objects_checked = 0;  // objects re-hashed
  uint64_t bytes_hashed = 0;
  std::vector<DamagedObject> damaged;
  // Restore points that failed for a reason of their own (manifest,
  // database or settings file), as "id: reason".
  std::vector<std::string> snapshot_problems;
  bool ok() const { return damaged.empty() && snapshot_problems.empty(); }
};

// DATA/backups for the data directory DATA.
std::string DefaultBackupDir(const std::string& data_dir);
// InvalidArgument when `backup_dir` is DATA/live or inside it, or holds it:
// a repository there would be replaced by an import, or be backed up.
Status CheckBackupDirPlacement(const DataDirLayout& layout, const std::string& backup_dir);

// How Repository::Open treats encryption (config keys backup_encrypt and
// backup_passphrase_file).
struct RepositoryOptions {
  // Makes a repository that does not exist yet, or holds no restore point
  // and no object, encrypted with `passphrase`. A plain repository that
  // holds restore points is refused then (nothing is converted in place).
  bool encrypt = false;
  // The passphrase of an encrypted repository; needed to open one, whatever
  // `encrypt` says. Ignored for a plain repository.
  std::string passphrase;
  // The argon2id cost of a new repository key.
  KdfParams kdf;
  // How many of a restore point's manifest files a check or prune holds in
  // memory; past it they go to a scratch file in the repository's tmp/
  // (as VerifyOptions::manifest_files_held).
  size_t manifest_files_held = size_t{1} << 16;
};

// The options the config keys backup_encrypt and backup_passphrase_file
// give for the repository at `backup_dir`: the passphrase is the first
// line of `passphrase_file` (none when it is empty), which must be private
// (mode 0600: PermissionDenied) and lie neither inside DATA/live (a backup
// would hold it, an import replace it) nor inside the repository
// (InvalidArgument).
Result<RepositoryOptions> RepositoryOptionsFromConfig(Env* env, const DataDirLayout& layout,
                                                      const std::string& backup_dir, bool encrypt,
                                                      const std::string& passphrase_file);

class Repository {
 public:
  // Opens the repository at `dir` for the wiki in `layout`, creating it if
  // needed. Refuses a placement CheckBackupDirPlacement refuses, and a
  // repository.json of a newer format (Unsupported). An encrypted one:
  // PermissionDenied without a passphrase or with a wrong one, Corruption
  // when key.json is missing or damaged. `options.encrypt` on a plain
  // repository that holds restore points: InvalidArgument. Takes no lock,
  // except the repository lock while an empty repository is made encrypted.
  static Result<std::unique_ptr<Repository>> Open(Env* env, const DataDirLayout& layout,
                                                  const std::string& dir,
                                                  const RepositoryOptions& options = {});
  ~Repository();

  // Writes a restore point of the live wiki (steps above). Works while the
  // server runs.
  Result<SnapshotInfo> Snapshot(const SnapshotRequest& request);
  // Every complete restore point, oldest first. Reads only.
  Result<std::vector<SnapshotInfo>> List();
  // Removes one restore point: its directory is renamed into trash/ (atomic)
  // and then removed. Its objects stay until Prune. NotFound for an unknown id.
  Status Delete(const std::string& id);
  // Delete for each id, under one lock; stops at the first failure.
  Status Forget(const std::vector<std::string>& ids);
  // Removes every loose object (upload or database chunk) that no restore
  // point names, and every pack
  // none of whose objects one names (a pack holding a named object is kept
  // whole). Refuses (Corruption)
  // while any restore point's manifest cannot be read, since its objects
  // cannot be known. `forget` names restore points deleted first, under the
  // same locks, so a prune refused as busy (an off-site copy runs) forgets
  // nothing.
  Result<PruneResult> Prune(const std::vector<std::string>& forget = {});
  // Verifies every restore point: its manifest, database (or database chunk
  // list) and settings, and that each object it names (uploads, database
  // chunks) exists with its size; re-hashes
  // the share of objects `options` asks for. Writes each restore point's
  // check.json and the damaged-objects list. An error Status only when the
  // check itself could not run; what it found is in the report.
  Result<CheckReport> Check(const CheckOptions& options);
  // Streams the restore point as the canonical ZIP `backup create` would
  // have written of the same state (VerifyArchive accepts it).
  Result<BackupResult> Export(const std::string& id, ByteSink* out,
                              const BackupOptions& options = {});
  // Export to a file, safely as WriteBackupToFile writes one.
  Result<BackupResult> ExportToFile(const std::string& id, const std::string& path,
                                    const BackupOptions& options = {});

  const std::string& dir() const { return dir_; }
  bool encrypted() const { return key_ != nullptr; }
  // The key of an encrypted repository (nullptr for a plain one), for an
  // off-site copy that decrypts what it reads. Lives as long as this.
  const OffsiteKey* key() const { return key_.get(); }

 private:
  Repository(Env* env, DataDirLayout layout, std::string dir, std::unique_ptr<OffsiteKey> key);
  // Where a check, a prune or a snapshot (each under the lock) spills the
  // manifests' files (created if needed): plaintext, so an encrypted
  // repository's go to the data directory's tmp/, not into the repository.
  Result<std::string> ManifestScratchDir() const;

  // The repository's files through `env_`: sealed ones read and written as
  // plaintext in an encrypted repository (repository/sealed_env.h).
  Env* raw_env_;
  std::unique_ptr<OffsiteKey> key_;
  std::unique_ptr<Env> sealed_env_;
  Env* env_;
  DataDirLayout layout_;
  std::string dir_;
  size_t manifest_files_held_ = RepositoryOptions().manifest_files_held;
};

}  // namespace arkwiki
