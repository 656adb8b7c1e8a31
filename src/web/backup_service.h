// BackupService: the web layer's one door to backup and restore. It owns
// the lock that lets one backup or restore run at a time, the Restorer, the
// background restore jobs and their threads (joined by Shutdown), and the
// messages users see about them. Handlers parse the request, call the
// service and render what it returns. Private to the web layer.
//
// Words users see, and the words the code uses for them:
//   "Import Backup", /settings/backup/import, /api/restore,
//   job kind "import"               -> restore (Restorer, RestoreJobs)
//   "Undo last import", kind "undo" -> restore of the newest safety copy
//                                       (a before-import restore point, or
//                                       an older version's safety backup)
//   "restore point", /api/restore-points -> Repository snapshot (restore_points.h)
//   the .zip sent for a restore      -> archive (archive_receiver.h);
//                                       "upload" means a wiki attachment
//   "Create Backup", /api/backups   -> backup (WriteBackup)
#pragma once

#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/storage/storage.h"
#include "exchange.h"
#include "restore_jobs.h"
#include "restore_points.h"

namespace arkwiki::web {

class WikiApp;

// What a restore done within one request (POST /api/restore) returns.
struct RestoreDone {
  StagedImport staged;
  std::optional<ImportOutcome> outcome;      // none for a dry run
  std::optional<ManifestCounts> current;     // the live data's counts, for a dry run
  std::optional<SessionCarryOver> sessions;  // who the restore would log out, for a dry run
};

class BackupService {
 public:
  // The messages users see.
  static constexpr char kBusyMessage[] =
      "another backup or import is running; try again when it has finished";
  static constexpr char kNotStagedMessage[] =
      "this import is no longer staged (it was cancelled, or the server restarted); upload the "
      "backup again";

  explicit BackupService(WikiApp& app);
  ~BackupService();  // Shutdown()
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // Backup: writes a fresh backup to `sink` under the lock (Busy if another
  // backup or restore holds it) and, when it succeeds, appends
  // "backup.create" with `audit_detail` (and the archive's size and hash).
  Result<BackupResult> WriteBackup(ByteSink* sink, const std::string& actor,
                                   const std::string& audit_detail);
  // "arkwiki-backup-<site>-<time>.zip" for a download now.
  std::string BackupFileName();

  // Restore, step 1: under the lock, receives the request's archive
  // (archive_receiver.h) and stages it (Restorer::Stage). An archive whose
  // content is refused gets Corruption (HTTP 422); a malformed request
  // gets InvalidArgument (400); a busy server Busy (409).
  Result<StagedImport> StageFromRequest(Exchange& ex);
  // Stages an archive already on disk (a safety backup), under the lock.
  Result<StagedImport> StageFile(const std::string& path, const std::string& actor);
  Result<StagedImport> LoadStaged(const std::string& id);
  // Whose logins committing `staged` now would keep and end (restore.h).
  Result<SessionCarryOver> PlanSessions(const StagedImport& staged) {
    return restorer_.PlanSessions(staged);
  }
  Status Discard(const std::string& id);

  // Checks the browser's confirmation of a restore: the typed site title and
  // the admin's password (throttled like logins). Returns "" when it holds,
  // else the message to show, with *http_status 400, 401 or 429.
  std::string CheckConfirmation(const Exchange& ex, const std::string& typed_title,
                                const std::string& password, int* http_status);
  // Every action that replaces all data (an import, Undo last import) needs,
  // from a browser session, the admin's password or a login less than
  // kRecentLoginSeconds ago: a session left open, or a forged request that
  // carries its CSRF token, cannot replace the wiki alone. Requests with an
  // API token (scripts) are exempt. Returns "" when it holds, else the
  // message to show, with *http_status 401 (wrong password), 403 (none
  // given) or 429 (throttled like logins).
  static constexpr int64_t kRecentLoginSeconds = int64_t{5} * 60;
  std::string CheckReauthentication(const Exchange& ex, const std::string& password,
                                    int* http_status);

  // Restore, step 2, as a background job: returns once the job's thread holds
  // the lock, or Busy if another backup or restore holds it. `kind` is
  // "import" or "undo" ("undo" also writes "backup.undo" to the audit log).
  Status StartRestore(const StagedImport& staged, const std::string& actor,
                      const std::string& kind);
  // Undo last import: stages the newest safety backup and starts it as an
  // "undo" job. Returns the job's id.
  Result<std::string> StartUndo(const std::string& actor);
  std::optional<RestoreJob> FindJob(const std::string& id) const { return jobs_.Find(id); }

  // Restore within one request (the JSON API): receive, stage and, unless
  // `dry_run`, commit, all under the lock. The request waits inside the swap.
  Result<RestoreDone> RestoreFromRequest(Exchange& ex, bool dry_run);

  // Restore points (backup_service_points.cpp). Each one that writes or
  // reads a whole restore point runs under the lock (Busy when held).
  // Creates one now (trigger manual) and writes "backup.snapshot".
  Result<SnapshotInfo> CreatePoint(const std::string& actor, const std::string& label);
  // Lists without the lock: listing only reads complete restore points.
  Result<std::vector<SnapshotInfo>> ListPoints() { return points_.List(); }
  Result<SnapshotInfo> FindPoint(const std::string& id) { return points_.Find(id); }
  Status DeletePoint(const std::string& id, const std::string& actor);
  // Checks every restore point, re-hashing every stored object, and returns
  // the state of restore point `id` after it.
  Result<SnapshotInfo> CheckPoint(const std::string& id, const std::string& actor);
  // Streams restore point `id` as a backup archive (Create Backup's format).
  Result<BackupResult> ExportPoint(const std::string& id, ByteSink* sink, const std::string& actor);
  // "arkwiki-backup-<site>-<time of the point>.zip".
  std::string PointFileName(const SnapshotInfo& point);
  // Stages restore point `id` as an import (for the preview and confirm
  // pages): exported into staging/ and staged as an uploaded archive is.
  Result<StagedImport> StagePoint(const std::string& id, const std::string& actor);
  // As RestoreFromRequest, with restore point `id` as the archive.
  Result<RestoreDone> RestorePoint(const std::string& id, const std::string& actor, bool dry_run);
  // The backup part of GET /api/health.
  BackupHealth Health();
  RestorePoints& points() { return points_; }

  // Safety backups, newest first. Never deletes anything.
  Result<std::vector<SafetyBackup>> SafetyBackups();
  // Deletes safety backups past the retention setting (never the newest).
  // Runs at server start; a restore also prunes after it writes one.
  Status PruneSafetyBackups();
  // Counts of the live data, for previews.
  Result<ManifestCounts> LiveDataCounts();
  // The wiki's own counts and the newest "backup.*" audit entries.
  Result<WikiCounts> WikiDataCounts();
  std::vector<AuditEntry> RecentBackupAudit(size_t max_entries);
  SiteSettings Settings();

  // Refuses new restore jobs and waits until every job's thread has ended.
  // The server calls it when it stops, before the app goes away.
  void Shutdown() { jobs_.JoinAll(); }

 private:
  std::string CheckPassword(const Exchange& ex, const std::string& password, int* http_status);
  ImportOptions OptionsFor(const std::string& actor);
  Result<StagedImport> ReceiveAndStage(Exchange& ex);
  Result<ImportOutcome> Commit(const StagedImport& staged, const std::string& actor,
                               int own_requests);
  // What Undo restores: a before-import restore point (point_id) or a
  // safety backup archive (archive_path), whichever is newest.
  struct SafetyCopy {
    std::string point_id;
    std::string archive_path;
  };
  Result<SafetyCopy> NewestSafetyCopy();
  Result<StagedImport> StagePointLocked(const std::string& id, const std::string& actor);
  Result<RestoreDone> FinishRestore(RestoreDone done, const std::string& actor, bool dry_run);
  void RunJob(const StagedImport& staged, const std::string& actor, const std::string& kind);
  WikiApp& app_;
  Restorer restorer_;
  RestorePoints points_;
  std::mutex exclusive_;  // one backup or restore at a time
  RestoreJobs jobs_;
};

// "arkwiki-safety-....zip" from a path.
std::string FileNameOf(const std::string& path);
// Where an import kept the data it replaced, for people: the restore
// point's id, or the safety backup's file name.
std::string SafetyCopyName(const ImportOutcome& outcome);

}  // namespace arkwiki::web
