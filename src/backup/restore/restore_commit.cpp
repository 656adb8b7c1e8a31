// Restorer::Commit: safety backup, prepared database, intent marker, swap.
// The numbered steps follow restore.h; CrashPoint names let drills kill the
// process between any two of them.
#include <chrono>
#include <cstdlib>
#include <thread>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/crash_point.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "arkwiki/storage/audit_log.h"
#include "arkwiki/storage/db.h"
#include "restore/intent_marker.h"
#include "restore/restore_files.h"
#include "restore/restore_recover.h"
#include "restore/session_carry.h"
#include "verify/schema_match.h"

namespace arkwiki {
namespace {

// Step 2: the staged database gets the sessions of users who keep their
// login (session_carry.h: same wiki, same password hash) and the audit
// record of this import.
Status PrepareStagedDatabase(const DataDirLayout& layout, const std::string& staged_db,
                             const StagedImport& staged, const ImportOptions& options,
                             const std::string& kept_as, ImportOutcome* outcome) {
  const LiveSessions live = ReadLiveSessions(layout.database);
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(staged_db, DbOptions{}));
  ARKWIKI_ASSIGN_OR_RETURN(SessionCarryOver plan,
                           PlanSessionCarryOver(live, *db, staged.report.manifest));
  Status s = db->Transaction([&](Db& tx) -> Status {
    ARKWIKI_RETURN_IF_ERROR(CopyKeptSessions(live, plan, tx));
    const Manifest& m = staged.report.manifest;
    return tx.Exec(
        "INSERT INTO audit_log(at, actor, action, detail) VALUES(?,?,?,?)",
        {NowUnixSeconds(), options.actor, std::string(AuditKindName(AuditKind::kBackupImport)),
         "restored " + BaseName(staged.archive_path) + " (created " + m.created_at + ", " +
             std::to_string(m.counts.pages) + " pages); " + kept_as});
  });
  ARKWIKI_RETURN_IF_ERROR(s);
  outcome->users_kept_sessions = plan.kept;
  outcome->users_logged_out = plan.logged_out;
  return db->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// Before step 1, for a partial archive: the uploads its database refers to
// that this wiki lacks now. Any refuses the import unless allowed.
Result<std::vector<MissingUpload>> CheckMissingUploads(Env* env, const DataDirLayout& layout,
                                                       const StagedImport& staged,
                                                       const ImportOptions& options) {
  if (!staged.report.manifest.partial()) return std::vector<MissingUpload>{};
  ARKWIKI_ASSIGN_OR_RETURN(
      std::vector<MissingUpload> missing,
      FindMissingUploads(env, layout, JoinPath(StagedLive(layout, staged.id), "arkwiki.db")));
  if (!missing.empty() && !options.allow_missing_uploads) {
    return Status::Conflict(
        "the backup leaves out the upload files, and " + std::to_string(missing.size()) +
        " that its pages refer to are missing from this wiki (first: " + missing[0].page + "/" +
        missing[0].name + "); restore anyway only if you accept losing them");
  }
  return missing;
}

// Step 2, partial archive: the staged wiki keeps this wiki's upload files,
// and (when allowed) forgets the rows of those it lacks.
Status KeepLiveUploads(Env* env, const DataDirLayout& layout, const std::string& staged_live,
                       const std::vector<MissingUpload>& missing, bool allowed) {
  ARKWIKI_RETURN_IF_ERROR(LinkLiveUploads(env, layout, JoinPath(staged_live, "uploads")));
  if (missing.empty() || !allowed) return Status::Ok();
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(JoinPath(staged_live, "arkwiki.db"), DbOptions{}));
  Status s = db->Transaction([&](Db& tx) -> Status {
    for (const MissingUpload& m : missing) {
      ARKWIKI_RETURN_IF_ERROR(tx.Exec("DELETE FROM uploads WHERE sha256 = ?", {m.sha256}));
    }
    return Status::Ok();
  });
  ARKWIKI_RETURN_IF_ERROR(s);
  return db->Exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

// Step 5: one atomic exchange where the file system allows it; otherwise two
// renames, which Recover() also understands.
Status SwapLive(Env* env, const DataDirLayout& layout, const std::string& id) {
  const std::string staged = StagedLive(layout, id);
  Status s = env->Exchange(layout.live, staged);
  if (s.code() == StatusCode::kUnsupported) {
    const std::string old = JoinPath(StagingDir(layout, id), "old");
    ARKWIKI_RETURN_IF_ERROR(env->Rename(layout.live, old));
    CrashPoint("restore.between_renames");
    s = env->Rename(staged, layout.live);
  }
  ARKWIKI_RETURN_IF_ERROR(s);
  ARKWIKI_RETURN_IF_ERROR(env->SyncDir(layout.root));
  return env->SyncDir(StagingDir(layout, id));
}

// Browser tests only: holds the maintenance window (data closed) open long
// enough to observe. Read once; unset in production.
void TestSwapDelay() {
  static const long delay_ms = [] {
    const char* v = std::getenv("ARKWIKI_TEST_SWAP_DELAY_MS");
    return v ? std::strtol(v, nullptr, 10) : 0L;
  }();
  if (delay_ms > 0) std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
}

std::string SafetyBackupStem() {
  return "arkwiki-safety-" + FormatFileStampUtc(NowUnixSeconds()) + "-" + RandomHex(3);
}

// Whether the live wiki is whole enough to archive: its database opens,
// passes quick_check, has exactly arkwiki's schema and rows the API could
// have written (a tampered wiki is repaired by exactly this import), and
// every upload it lists is on disk at its size.
// An error here names the damage.
Status CheckLiveDataArchivable(Env* env, const DataDirLayout& layout) {
  DbOptions ro;
  ro.read_only = true;
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(layout.database, ro));
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows check, db->Query("PRAGMA quick_check"));
  if (check.empty() || check[0].Text(0) != "ok") {
    return Status::Corruption("the live database fails quick_check" +
                              (check.empty() ? std::string() : ": " + check[0].Text(0)));
  }
  ARKWIKI_RETURN_IF_ERROR(CheckLiveDatabaseSchema(*db));
  ARKWIKI_RETURN_IF_ERROR(CheckLiveDatabaseRows(*db));
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows uploads,
                           db->Query("SELECT sha256, max(size) FROM uploads GROUP BY sha256"));
  for (const SqlRow& r : uploads) {
    auto size = env->GetFileSize(layout.UploadPath(r.Text(0)));
    if (!size.ok() || *size != static_cast<uint64_t>(r.Int(1))) {
      return Status::Corruption("the live upload " + r.Text(0) + " is missing or truncated");
    }
  }
  return Status::Ok();
}

// Step 1: keep what the import replaces. Normally a restore point (when
// options.safety_point is set) or a safety backup archive, written while the
// wiki still serves. Two cases cannot have one, and a
// restore is exactly their repair, so they must not block it:
//  - no wiki at all (a fresh or wiped data directory): nothing to keep;
//  - a wiki too damaged to archive (database unreadable, uploads missing):
//    its directory is kept as it is, moved into DATA/safety/ after the swap
//    (a rename, so it needs no space). Nothing is deleted either way.
// Only proven damage takes the second way: when the archive fails but the
// live data checks out (a full disk, an I/O error), the import is refused.
Status KeepCurrentData(Env* env, const DataDirLayout& layout, const ImportOptions& options,
                       ImportOutcome* outcome, IntentMarker* marker) {
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(layout.safety));
  const std::string stem = SafetyBackupStem();
  ARKWIKI_ASSIGN_OR_RETURN(bool has_db, env->FileExists(layout.database));
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t live_bytes, LiveDataBytes(env, layout));
  if (!has_db && live_bytes == 0) {
    outcome->safety_note = "no safety backup: the data directory held no wiki";
    return Status::Ok();
  }
  Status archived = Status::Ok();
  if (options.safety_point) {
    auto point = options.safety_point();
    if (point.ok()) {
      outcome->safety_point = *point;
      marker->safety_backup = "restore point " + *point;
      return Status::Ok();
    }
    archived = point.status();
  } else {
    outcome->safety_backup = JoinPath(layout.safety, stem + ".zip");
    archived = WriteBackupToFile(env, layout, outcome->safety_backup).status();
    if (archived.ok()) {
      marker->safety_backup = stem + ".zip";
      return Status::Ok();
    }
  }
  Status damage = has_db ? CheckLiveDataArchivable(env, layout)
                         : Status::Corruption("the live database is missing");
  if (damage.ok()) return archived.WithContext("writing the safety backup");
  marker->keep_old_as = stem + "-unarchived";
  outcome->safety_backup = JoinPath(layout.safety, marker->keep_old_as);
  outcome->safety_note = "the current data could not be archived (" + damage.message() +
                         "); its directory is kept as it was in " + outcome->safety_backup;
  LogWarning("import: " + outcome->safety_note);
  return Status::Ok();
}

}  // namespace

Result<ImportOutcome> Restorer::Commit(const StagedImport& staged, const ImportOptions& options,
                                       const CommitHooks& hooks) {
  const std::string staged_live = StagedLive(layout_, staged.id);
  ARKWIKI_ASSIGN_OR_RETURN(std::string generation,
                           ReadFileToString(env_, JoinPath(staged_live, kGenerationFile)));
  if (generation != staged.generation + "\n") {
    return Status::Conflict("the staged import " + staged.id + " changed; stage it again");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<MissingUpload> missing,
                           CheckMissingUploads(env_, layout_, staged, options));
  ImportOutcome outcome;
  IntentMarker marker{staged.id, staged.generation, "", ""};
  // Step 1.
  if (options.progress) options.progress("safety backup", 0, 0);
  ARKWIKI_RETURN_IF_ERROR(KeepCurrentData(env_, layout_, options, &outcome, &marker));
  CrashPoint("restore.after_safety_backup");
  // Step 2.
  if (options.progress) options.progress("preparing", 0, 0);
  std::string kept_as = !outcome.safety_point.empty()   ? "restore point " + outcome.safety_point
                        : !marker.safety_backup.empty() ? "safety backup " + marker.safety_backup
                        : !marker.keep_old_as.empty()
                            ? "old data kept unarchived as " + marker.keep_old_as
                            : "no safety backup (no wiki was there)";
  if (!missing.empty()) {
    kept_as += "; restored without " + std::to_string(missing.size()) + " missing upload files";
  }
  if (staged.report.manifest.partial()) {
    ARKWIKI_RETURN_IF_ERROR(
        KeepLiveUploads(env_, layout_, staged_live, missing, options.allow_missing_uploads));
  }
  ARKWIKI_RETURN_IF_ERROR(PrepareStagedDatabase(layout_, JoinPath(staged_live, "arkwiki.db"),
                                                staged, options, kept_as, &outcome));
  ARKWIKI_RETURN_IF_ERROR(SyncTree(env_, staged_live));
  CrashPoint("restore.after_prepare");
  // Step 3: the commit point.
  ARKWIKI_RETURN_IF_ERROR(
      WriteFileAtomically(env_, layout_.intent_marker, SerializeIntent(marker)));
  CrashPoint("restore.after_marker");
  // Step 4.
  if (options.progress) options.progress("swapping", 0, 0);
  auto start = std::chrono::steady_clock::now();
  if (hooks.enter_maintenance) {
    Status s = hooks.enter_maintenance();
    if (!s.ok()) {
      // Marker present, swap not done: this rolls back to the old wiki and
      // touches no other staged import.
      Status rolled = FinishOrRollBack(env_, layout_, marker);
      if (!rolled.ok()) LogError("rolling back the import: " + rolled.ToString());
      return s.WithContext("entering maintenance");
    }
  }
  CrashPoint("restore.in_maintenance");
  TestSwapDelay();
  // Step 5.
  Status swapped = SwapLive(env_, layout_, staged.id);
  if (!swapped.ok()) {
    // Ends in exactly the old or the new state.
    Status recovered = FinishOrRollBack(env_, layout_, marker);
    if (hooks.leave_maintenance) (void)hooks.leave_maintenance();
    if (!recovered.ok()) LogError("recovery after a failed swap: " + recovered.ToString());
    return swapped.WithContext("swapping in the restored data");
  }
  CrashPoint("restore.after_swap");
  // Step 6. The new data is in place whatever happens next: serve it even
  // if the old data cannot be kept aside or the marker removed now (startup
  // recovery will: the marker stays until both are done).
  Status unmarked = KeepOldData(env_, layout_, marker);
  if (unmarked.ok()) unmarked = env_->RemoveFile(layout_.intent_marker);
  if (unmarked.ok()) unmarked = env_->SyncDir(layout_.root);
  CrashPoint("restore.after_marker_removed");
  Status reopened = hooks.leave_maintenance ? hooks.leave_maintenance() : Status::Ok();
  ARKWIKI_RETURN_IF_ERROR(unmarked);
  outcome.unavailable_millis =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  ARKWIKI_RETURN_IF_ERROR(reopened);
  Status cleaned = env_->RemoveTree(StagingDir(layout_, staged.id));
  if (!cleaned.ok()) LogWarning("could not remove the replaced data: " + cleaned.ToString());
  Status pruned = PruneSafetyBackups(options.safety_retention_days);
  if (!pruned.ok()) LogWarning("could not prune old safety backups: " + pruned.ToString());
  if (options.progress) options.progress("done", 0, 0);
  return outcome;
}

}  // namespace arkwiki
