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
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/backup/restore_diff.h"
#include "arkwiki/backup/retention.h"
#include "arkwiki/backup/schedule.h"
#include "arkwiki/storage/storage.h"
#include "backup_scheduler.h"
#include "exchange.h"
#include "offsite_copies.h"
#include "restore_jobs.h"
#include "restore_points.h"
#include "webhook_notifier.h"

namespace arkwiki::web {

class WikiApp;

// What a restore done within one request (POST /api/restore) returns.
struct RestoreDone {
  StagedImport staged;
  std::optional<ImportOutcome> outcome;      // none for a dry run
  std::optional<ManifestCounts> current;     // the live data's counts, for a dry run
  std::optional<SessionCarryOver> sessions;  // who the restore would log out, for a dry run
  // What the restore would change, for a dry run; difference_error says
  // why it is missing when it could not be computed.
  std::optional<RestoreDiff> difference;
  std::string difference_error;
  std::vector<std::string> active_users;  // RecentlyActiveUsers, for a dry run
};

// What the automatic backups did since the server started, for Settings
// and GET /metrics (backup_service_schedule.cpp).
struct AutoBackupStatus {
  int64_t last_success = 0;  // Unix seconds; 0 = none since start
  std::string last_success_point;
  double last_duration_seconds = 0;
  uint64_t last_bytes = 0;  // the restore point's total size
  int64_t last_failure = 0;
  std::string last_failure_message;
  uint64_t failures_total = 0;
  int64_t last_check = 0;
  std::optional<bool> last_check_passed;
  std::string last_check_message;
  int64_t last_test_restore = 0;
  std::optional<bool> last_test_restore_passed;
  std::string last_test_restore_message;
  int64_t last_stale_alert = 0;
};

// What one test restore found (backup_service_test_restore.cpp).
struct TestRestoreRun {
  bool passed = false;
  std::string message;  // the problems, or a summary of the checks
};
// Runs `arkwiki backup test-restore ARCHIVE --scratch SCRATCH` (the CLI's
// machinery, as a child process) and reads its report. A failure to start
// it is an error; a check that fails is a run that did not pass.
using TestRestoreRunner =
    std::function<Result<TestRestoreRun>(const std::string& archive, const std::string& scratch)>;
// A test restore that has not finished after this long is stopped, with
// the server it started, and counts as failed: a hung child must not hold
// the scratch space, or hide that test restores no longer prove anything.
inline constexpr int64_t kTestRestoreTimeLimitMs = 2LL * 60 * 60 * 1000;
// The runner that starts `binary` (this program: /proc/self/exe).
TestRestoreRunner ChildTestRestoreRunner(std::string binary,
                                         int64_t time_limit_ms = kTestRestoreTimeLimitMs);
// A failed test restore as health's last_error says it.
std::string TestRestoreFailure(const std::string& point_id, const std::string& message);

// The automatic backup policy. It is the server's, like the repository's
// place: kept in DATA/backup-policy.conf ("key = value" lines; see
// BackupPolicyKeys()), outside live/, so that an import keeps it.
struct BackupPolicy {
  BackupSchedule backup;
  BackupSchedule check;
  RetentionPolicy retention;
  BackupSchedule test_restore;
};
// "backup_schedule", "check_schedule", "retention_keep_last",
// "retention_keep_daily", "retention_keep_weekly", "retention_keep_monthly",
// "retention_before_import_days", "test_restore_schedule".
const std::vector<std::string>& BackupPolicyKeys();
// The policy's values when nothing is stored: backups off, a weekly check
// and a weekly test restore, RetentionPolicy's defaults.
std::map<std::string, std::string> DefaultBackupPolicyValues();
// Parses and validates every key of `values`; kInvalidArgument names the
// key (a key that is not the policy's, a schedule that does not parse, a
// count outside 0..RetentionPolicy::kMaxCount, or keep rules all 0).
Result<BackupPolicy> ParseBackupPolicy(const std::map<std::string, std::string>& values);

class BackupService {
 public:
  // The messages users see.
  static constexpr char kBusyMessage[] =
      "another backup or import is running; try again when it has finished";
  static constexpr char kNotStagedMessage[] =
      "this import is no longer staged (it was cancelled, or the server restarted); upload the "
      "backup again";
  // Who the journal names for what the scheduler did.
  static constexpr char kSchedulerActor[] = "scheduler";

  explicit BackupService(WikiApp& app);
  WikiApp& app() const { return app_; }
  ~BackupService();  // Shutdown()
  BackupService(const BackupService&) = delete;
  BackupService& operator=(const BackupService&) = delete;

  // Backup (backup_service_archive.cpp): writes a fresh backup to `sink` under the lock (Busy if
  // another backup or restore holds it) and, when it succeeds, appends "backup.create" with
  // `audit_detail` (and the archive's size and hash). `database_only` leaves the upload files out
  // (BackupOptions).
  Result<BackupResult> WriteBackup(ByteSink* sink, const std::string& actor,
                                   const std::string& audit_detail, bool database_only = false);
  // "arkwiki-backup-<site>-<time>.zip" for a download now;
  // "...-database-only.zip" for a database-only one.
  std::string BackupFileName(bool database_only = false);

  // "Check a backup file" (POST /api/backups/verify;
  // backup_service_archive.cpp): receives the request's archive into DATA/tmp
  // with the import's size limit, verifies it as `arkwiki backup verify`
  // does, and removes it however that ends (a dropped connection leaves
  // nothing either: archive_receiver.h). Stages nothing, touches no wiki
  // data and does not take the backup lock. An error is about the request
  // (too large, malformed, no space); a refused archive is a check whose
  // `report` holds the refusal.
  struct ArchiveCheck {
    std::string file;  // the client's file name, or "upload"
    Result<VerifyReport> report = Status::IoError("not checked");
    double seconds = 0;
  };
  Result<ArchiveCheck> CheckArchiveFromRequest(Exchange& ex);

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
  // What committing `staged` would change, with `importer` checked for
  // keeping admin (backup_service_diff.cpp).
  Result<RestoreDiff> Difference(const StagedImport& staged, const std::string& importer);
  DiffSources DifferenceSources(const StagedImport& staged);
  // People logged in through a browser who made a request in the last
  // kActiveWindowMinutes (restore_diff_view.h), sorted, without `except`.
  std::vector<std::string> RecentlyActiveUsers(const std::string& except);

  // Checks the browser's confirmation of a restore: the typed site title and
  // the admin's password (throttled like logins). Returns "" when it holds,
  // else the message to show, with *http_status 400, 401 or 429.
  std::string CheckConfirmation(Exchange& ex, const std::string& typed_title,
                                const std::string& password, int* http_status);

  // Restore, step 2, as a background job: returns once the job's thread holds
  // the lock, or Busy if another backup or restore holds it. `kind` is
  // "import" or "undo" ("undo" also writes "backup.undo" to the audit log).
  // `allow_missing_uploads`: ImportOptions' (a database-only archive).
  Status StartRestore(const StagedImport& staged, const std::string& actor, const std::string& kind,
                      bool allow_missing_uploads = false);
  // Undo last import: stages the newest safety backup and starts it as an
  // "undo" job. Returns the job's id.
  Result<std::string> StartUndo(const std::string& actor);
  std::optional<RestoreJob> FindJob(const std::string& id) const { return jobs_.Find(id); }

  // Restore within one request (the JSON API): receive, stage and, unless
  // `dry_run`, commit, all under the lock. The request waits inside the swap.
  // `allow_missing_uploads`: ImportOptions' (a database-only archive).
  Result<RestoreDone> RestoreFromRequest(Exchange& ex, bool dry_run,
                                         bool allow_missing_uploads = false);

  // The first-run restore of /setup (backup_service_setup.cpp): restores
  // restore point `id` of an off-site `target` (not owned), unlocked with
  // `key`, onto a wiki that has no users, as `backup restore --from` does
  // offline: under the lock (Busy when held) it refuses (Conflict) once the
  // wiki has a user, decrypts the point into DATA/tmp checking each file
  // against its record, exports it as an archive, stages that (every
  // check of an import; a refusal is Corruption, 422) and commits it within
  // this request. Any failure leaves the live data as it was. The actor in
  // the journal and the audit log is kSetupActor.
  static constexpr char kSetupActor[] = "setup";
  Result<RestoreDone> RestoreFirstRun(OffsiteTarget* target, const OffsiteKey& key,
                                      const std::string& id);

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
  // "Check now" from Settings: CheckPoint on a background thread (joined by
  // Shutdown), so no request waits for it. Returns once that thread holds
  // the lock: Busy when another backup or restore holds it, NotFound for an
  // unknown id. The outcome goes to the points' check status, the journal
  // and AutoStatus.
  Status StartCheck(const std::string& id, const std::string& actor);
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
  // The backup journal (arkwiki/backup/backup_journal.h): the newest
  // `limit` entries after skipping the `offset` newest, newest first.
  Result<JournalReadResult> ReadJournal(size_t offset, size_t limit);
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

  // Automatic backups (backup_service_schedule.cpp). The server starts the
  // scheduler once it serves; Shutdown stops it.
  void StartScheduler();
  // The policy in settings changed: the scheduler re-reads it now.
  void PolicyChanged();
  // The stored policy's values (defaults for what is not stored), and the
  // policy they make (the defaults, with a warning, if they do not parse).
  std::map<std::string, std::string> PolicyValues();
  BackupPolicy Policy();
  AutoBackupStatus AutoStatus();
  // Validates and stores the policy keys of `values` over the stored ones
  // (BackupPolicyKeys(); any other key is refused), audits the change as
  // "settings.update" and wakes the scheduler.
  Status UpdatePolicy(const std::map<std::string, std::string>& values, const std::string& actor);
  // The scheduler, for tests: clock, wake-ups, a cycle now.
  BackupScheduler& scheduler() { return *scheduler_; }
  // Replaces the clock and the webhook's network (tests). Call before
  // StartScheduler.
  void SetScheduleSeams(BackupScheduler::Clock clock, std::unique_ptr<HttpPoster> poster);
  WebhookNotifier& notifier() { return *notifier_; }
  // A scheduled cycle's parts (ScheduledWork; each takes the lock, Busy
  // when it is held): a restore point (trigger scheduled), then retention
  // and prune; the repository check; the staleness alert. Each step is
  // journaled; a failure is alerted by webhook.
  SchedulePlan PlanSchedule(int64_t now);
  Status RunScheduledBackup(int64_t now);
  Status RunScheduledCheck(int64_t now);
  // A test restore of the newest restore point that did not fail its
  // check: exported under the lock into DATA/tmp, then restored, served
  // and checked in a scratch directory by the TestRestoreRunner, outside
  // the lock (the live data is not touched). Busy when the lock is held;
  // NotFound when there is no restore point; a run that did not pass is
  // Corruption (the backup does not restore as it should). Journaled, alerted
  // ("test_restore_failed") and kept for AutoStatus like a check.
  Status RunTestRestore(int64_t now, const std::string& actor);
  // RunTestRestore now on a background thread (joined by Shutdown), for
  // "Test restore now": the result goes where a scheduled one's goes.
  Status StartTestRestore(const std::string& actor);
  void SetTestRestoreRunner(TestRestoreRunner runner) { test_restore_ = std::move(runner); }
  void CheckStale(int64_t now);
  // Bytes the repository's directory takes on disk.
  uint64_t RepositoryDiskBytes();

  // Off-site copies (backup_service_offsite.cpp): after each restore point
  // (manual, scheduled, before an import) a copy run in the background, to
  // every target of DATA/offsite/targets.conf, beside the backup jobs
  // (offsite_copies.h). Each target's outcome goes to
  // the journal ("offsite_copy"), and a failure to the webhook
  // ("offsite_copy_failed").
  OffsiteCopies& offsite() { return *offsite_; }
  // Starts a copy run in the background when any target is configured.
  void RequestOffsiteCopy();
  // Each target's status, and its state (OffsiteState) now.
  std::vector<OffsiteTargetStatus> OffsiteStatuses() { return offsite_->Statuses(); }
  std::string OffsiteStateOf(const OffsiteTargetStatus& status, int64_t now);
  // A copy older than this is stale: twice the backup schedule's interval,
  // RestorePoints::kDefaultStaleAfterSeconds when backups are off.
  int64_t OffsiteStaleAfter();

  // Stops the scheduler, refuses new restore jobs and waits until every
  // job's thread has ended. The server calls it when it stops, before the
  // app goes away.
  void Shutdown();

 private:
  ImportOptions OptionsFor(const std::string& actor);
  Result<StagedImport> ReceiveAndStage(Exchange& ex);
  Result<ImportOutcome> Commit(const StagedImport& staged, const std::string& actor,
                               int own_requests, bool allow_missing_uploads = false);
  // What Undo restores: a before-import restore point (point_id) or a
  // safety backup archive (archive_path), whichever is newest.
  struct SafetyCopy {
    std::string point_id;
    std::string archive_path;
  };
  Result<SafetyCopy> NewestSafetyCopy();
  Result<StagedImport> StagePointLocked(const std::string& id, const std::string& actor);
  Result<SnapshotInfo> CheckPointLocked(const std::string& id, const std::string& actor);
  Result<RestoreDone> FinishRestore(RestoreDone done, const std::string& actor, bool dry_run,
                                    bool allow_missing_uploads = false);
  // A dry run's difference and active users (backup_service_diff.cpp).
  void AddDifference(RestoreDone& done, const std::string& actor);
  void RunJob(const StagedImport& staged, const std::string& actor, const std::string& kind,
              bool allow_missing_uploads);
  WikiApp& app_;
  Restorer restorer_;
  RestorePoints points_;
  std::mutex exclusive_;  // one backup or restore at a time
  RestoreJobs jobs_;
  // Automatic backups (backup_service_schedule.cpp).
  void InitSchedule();
  std::string PolicyPath() const;  // DATA/backup-policy.conf
  // Appends to the journal (actor "scheduler" when none is given); a
  // failure to write it is logged, never fatal to what it records.
  void Journal(JournalEntry entry);
  // At start: what the journal says about the last backup, check, test
  // restore and failure, so a restart keeps them (backup_service_journal.cpp).
  void RecallFromJournal();
  void RecordCheck(int64_t now, const std::string& problem);
  void RecordImport(const std::string& kind, const StagedImport& staged, const std::string& actor,
                    const Result<ImportOutcome>& outcome);
  void Alert(const std::string& event, int64_t now, const std::string& message,
             std::map<std::string, std::string> details);
  Status ApplyRetention(const RetentionPolicy& policy, int64_t now);
  // Scheduled prunes skipped as busy in a row (ApplyRetention); the run
  // that would skip the kMaxSkippedPrunes-th fails instead, so a repository
  // kept busy at every run is reported rather than left to grow.
  static constexpr int kMaxSkippedPrunes = 3;
  int skipped_prunes_ = 0;  // under exclusive_
  BackupJournal journal_;
  std::mutex status_mu_;
  AutoBackupStatus status_;
  std::mutex policy_mu_;  // one writer of backup-policy.conf at a time
  std::unique_ptr<WebhookNotifier> notifier_;
  TestRestoreRunner test_restore_;
  std::unique_ptr<ScheduledWork> work_;
  // A copy run (beside the backup jobs of exclusive_), and what it did to
  // the journal and webhook.
  void RunOffsiteCopies();
  bool HaveGoodPoint();
  std::unique_ptr<OffsiteCopies> offsite_;      // its worker uses the members above
  std::unique_ptr<BackupScheduler> scheduler_;  // last: its thread uses the members above
};

// Stage refuses an archive for its content (paths, names, links, sizes,
// manifest, database...): every such refusal becomes Corruption (422).
// Failures of the server itself (space, I/O, permissions) keep their codes.
Status AsArchiveRefusal(const Status& s);
// What a repository check found, for people; "" when it passed.
std::string CheckProblem(const Result<CheckReport>& report);
// "arkwiki-safety-....zip" from a path.
std::string FileNameOf(const std::string& path);
// Where an import kept the data it replaced, for people: the restore
// point's id, or the safety backup's file name.
std::string SafetyCopyName(const ImportOutcome& outcome);

}  // namespace arkwiki::web
