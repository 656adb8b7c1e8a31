#include "backup_service.h"

#include <algorithm>
#include <future>

#include "app.h"
#include "archive_receiver.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/trim.h"
#include "reauthentication.h"

namespace arkwiki::web {
namespace {

constexpr int64_t kRecentAuditRows = 200;  // scanned for backup entries

}  // namespace

Status AsArchiveRefusal(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
    case StatusCode::kNoSpace:
    case StatusCode::kIoError:
    case StatusCode::kPermissionDenied:
    case StatusCode::kBusy:
    case StatusCode::kCorruption:
    case StatusCode::kUnsupported:  // 422 already, and its JSON code says why
      return s;
    default:
      return Status::Corruption(s.message());
  }
}

namespace {

// The time in a safety backup's name, "arkwiki-safety-YYYY-MM-DDTHHMMSSZ-...";
// 0 when it has none.
int64_t SafetyStampTime(const std::string& name) {
  const std::string prefix = "arkwiki-safety-";
  constexpr size_t kStampChars = 18;
  if (name.rfind(prefix, 0) != 0 || name.size() < prefix.size() + kStampChars) return 0;
  const std::string stamp = name.substr(prefix.size(), kStampChars);
  const int64_t t =
      ParseIsoUtc(stamp.substr(0, 13) + ":" + stamp.substr(13, 2) + ":" + stamp.substr(15, 3));
  return t < 0 ? 0 : t;
}

}  // namespace

BackupService::BackupService(WikiApp& app)
    : app_(app),
      restorer_(app.env(), app.layout()),
      points_(app.env(), app.layout()),
      journal_(app.env(), BackupJournal::JournalDir(app.layout().root)) {
  InitSchedule();
  RecallFromJournal();
}

BackupService::~BackupService() { Shutdown(); }

ImportOptions BackupService::OptionsFor(const std::string& actor) {
  const SiteSettings settings = app_.settings();
  ImportOptions options;
  options.limits.max_archive_bytes = static_cast<uint64_t>(settings.import_max_bytes);
  options.safety_retention_days = settings.safety_backup_retention_days;
  options.actor = actor;
  // The data an import replaces is kept as a restore point; the caller
  // holds exclusive_ whenever Commit runs.
  options.safety_point = [this, actor]() -> Result<std::string> {
    SnapshotRequest request;
    request.trigger = SnapshotTrigger::kBeforeImport;
    request.made_by = actor;
    request.label = "before import";
    auto point = points_.Snapshot(request);
    Journal({0, "restore_point", point.ok() ? "ok" : "failed", actor, point.ok() ? point->id : "",
             point.ok() ? point->new_bytes : 0, 0,
             point.ok() ? "before-import" : point.status().message()});
    ARKWIKI_RETURN_IF_ERROR(point.status());
    RequestOffsiteCopy();  // the copy runs beside the import
    return point->id;
  };
  return options;
}

SiteSettings BackupService::Settings() { return app_.settings(); }

Result<StagedImport> BackupService::ReceiveAndStage(Exchange& ex) {
  const ImportOptions options = OptionsFor(ex.user->name);
  ARKWIKI_ASSIGN_OR_RETURN(SplitArchive archive,
                           ReceiveArchive(app_.env(), app_.layout().staging, ex,
                                          static_cast<int64_t>(options.limits.max_archive_bytes)));
  auto staged = restorer_.Stage(archive, options);
  Status removed = RemoveSplitArchive(app_.env(), archive);
  if (!removed.ok()) LogWarning("could not remove the received archive: " + removed.ToString());
  if (!staged.ok()) return AsArchiveRefusal(staged.status());
  return staged;
}

Result<StagedImport> BackupService::StageFromRequest(Exchange& ex) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) {
    DiscardOversizeBody(ex);
    return Status::Busy(kBusyMessage);
  }
  return ReceiveAndStage(ex);
}

Result<StagedImport> BackupService::StageFile(const std::string& path, const std::string& actor) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  return restorer_.Stage(path, OptionsFor(actor));
}

Result<StagedImport> BackupService::LoadStaged(const std::string& id) {
  auto staged = restorer_.LoadStaged(id);
  if (!staged.ok()) return Status::NotFound(kNotStagedMessage);
  return staged;
}

Status BackupService::Discard(const std::string& id) { return restorer_.Discard(id); }

std::string BackupService::CheckConfirmation(Exchange& ex, const std::string& typed_title,
                                             const std::string& password, int* http_status) {
  *http_status = 400;
  if (Trim(typed_title) != Trim(app_.settings().site_title)) {
    return "The site title you typed does not match. Type it exactly as shown.";
  }
  return CheckPasswordConfirmation(app_, ex, password, kReplaceAllAction, http_status);
}

Result<ImportOutcome> BackupService::Commit(const StagedImport& staged, const std::string& actor,
                                            int own_requests, bool allow_missing_uploads) {
  ImportOptions options = OptionsFor(actor);
  options.allow_missing_uploads = allow_missing_uploads;
  const std::string id = staged.id;
  if (own_requests == 0) {
    options.progress = [this, id](const std::string& phase, uint64_t done, uint64_t total) {
      jobs_.Update(id, [&](RestoreJob& j) {
        j.phase = phase;
        j.bytes_done = done;
        j.bytes_total = total;
      });
    };
  }
  CommitHooks hooks;
  // Between these two hooks app_.storage() is closed: nothing here may use it.
  hooks.enter_maintenance = [this, own_requests] { return app_.EnterMaintenance(own_requests); };
  hooks.leave_maintenance = [this] { return app_.LeaveMaintenance(); };
  auto outcome = restorer_.Commit(staged, options, hooks);
  if (app_.maintenance()) {
    // Commit failed after entering maintenance and did not leave it (e.g. it
    // could not remove the intent marker). The live directory holds exactly
    // the old or the new data, so serving it again is right.
    LogError("import ended inside maintenance; reopening the data directory");
    Status reopened = app_.LeaveMaintenance();
    if (!reopened.ok()) LogError("still in maintenance: " + reopened.ToString());
  }
  if (!outcome.ok()) (void)restorer_.Discard(id);  // best effort: Recover clears staging too
  return outcome;
}

Status BackupService::StartRestore(const StagedImport& staged, const std::string& actor,
                                   const std::string& kind, bool allow_missing_uploads) {
  auto started = std::make_shared<std::promise<Status>>();
  std::future<Status> ready = started->get_future();
  // The thread takes the lock itself: a std::mutex must be unlocked by the
  // thread that locked it, so the request thread cannot hand it over.
  Status spawned = jobs_.Spawn([this, staged, actor, kind, allow_missing_uploads, started] {
    std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
    if (!lock.owns_lock()) return started->set_value(Status::Busy(kBusyMessage));
    RestoreJob job;
    job.id = staged.id;
    job.kind = kind;
    job.actor = actor;
    job.restored = staged.report.manifest;
    job.restored.files.clear();
    job.started_at = NowUnixSeconds();
    jobs_.Add(std::move(job));
    started->set_value(Status::Ok());
    RunJob(staged, actor, kind, allow_missing_uploads);
  });
  ARKWIKI_RETURN_IF_ERROR(spawned);
  return ready.get();
}

void BackupService::RunJob(const StagedImport& staged, const std::string& actor,
                           const std::string& kind, bool allow_missing_uploads) {
  const std::string id = staged.id;
  // own_requests 0: this thread is no request. EnterMaintenance waits for
  // every request in flight, including the confirming one if it has not
  // finished yet; new ones get 503 meanwhile.
  auto outcome = Commit(staged, actor, 0, allow_missing_uploads);
  RecordImport(kind, staged, actor, outcome);
  if (!outcome.ok()) {
    LogError("import " + id + " failed: " + outcome.status().ToString());
    return jobs_.Update(id, [&](RestoreJob& j) {
      j.state = "failed";
      j.message = outcome.status().message();
      j.finished_at = NowUnixSeconds();
    });
  }
  const auto& kept = outcome->users_kept_sessions;
  const bool relogin = std::find(kept.begin(), kept.end(), actor) == kept.end();
  if (kind == "undo" && !app_.maintenance()) {
    Status s = app_.storage().audit().Append(
        actor, AuditKind::kBackupUndo,
        "brought back the state before the last import; safety copy of the replaced data: " +
            SafetyCopyName(*outcome));
    if (!s.ok()) LogWarning("undo done but not written to the audit log: " + s.ToString());
  }
  jobs_.Update(id, [&](RestoreJob& j) {
    j.state = "done";
    j.phase = "done";
    j.unavailable_millis = outcome->unavailable_millis;
    j.safety_backup = SafetyCopyName(*outcome);
    j.safety_note = outcome->safety_note;
    j.must_log_in_again = relogin;
    j.finished_at = NowUnixSeconds();
  });
}

Result<std::string> BackupService::StartUndo(const std::string& actor) {
  Result<StagedImport> staged = Status::Busy(kBusyMessage);
  {
    std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
    if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
    ARKWIKI_ASSIGN_OR_RETURN(SafetyCopy newest, NewestSafetyCopy());
    staged = newest.point_id.empty() ? restorer_.Stage(newest.archive_path, OptionsFor(actor))
                                     : StagePointLocked(newest.point_id, actor);
  }
  if (!staged.ok()) return staged.status();
  Status s = StartRestore(*staged, actor, "undo");
  if (!s.ok()) {
    (void)restorer_.Discard(staged->id);  // best effort: Recover clears staging too
    return s;
  }
  return staged->id;
}

Result<RestoreDone> BackupService::RestoreFromRequest(Exchange& ex, bool dry_run,
                                                      bool allow_missing_uploads) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) {
    DiscardOversizeBody(ex);
    return Status::Busy(kBusyMessage);
  }
  RestoreDone done;
  ARKWIKI_ASSIGN_OR_RETURN(done.staged, ReceiveAndStage(ex));
  return FinishRestore(std::move(done), ex.user->name, dry_run, allow_missing_uploads);
}

Result<RestoreDone> BackupService::FinishRestore(RestoreDone done, const std::string& actor,
                                                 bool dry_run, bool allow_missing_uploads) {
  if (dry_run) {
    auto counts = CountLiveData(app_.env(), app_.layout());
    if (counts.ok()) done.current = *counts;
    auto sessions = restorer_.PlanSessions(done.staged);
    if (sessions.ok()) done.sessions = *sessions;
    AddDifference(done, actor);
    Status s = restorer_.Discard(done.staged.id);
    if (!s.ok()) LogWarning("could not discard a dry-run staging: " + s.ToString());
    return done;
  }
  // own_requests 1: this request is in flight and waits inside the swap.
  auto outcome = Commit(done.staged, actor, 1, allow_missing_uploads);
  RecordImport("import", done.staged, actor, outcome);
  ARKWIKI_ASSIGN_OR_RETURN(done.outcome, std::move(outcome));
  return done;
}

Result<std::vector<SafetyBackup>> BackupService::SafetyBackups() {
  return restorer_.ListSafetyBackups();
}

Status BackupService::PruneSafetyBackups() {
  return restorer_.PruneSafetyBackups(app_.settings().safety_backup_retention_days);
}

Result<BackupService::SafetyCopy> BackupService::NewestSafetyCopy() {
  ARKWIKI_ASSIGN_OR_RETURN(auto backups, restorer_.ListSafetyBackups());
  ARKWIKI_ASSIGN_OR_RETURN(auto points, points_.List());
  // A restore over data too damaged to archive kept that data as a
  // directory (restore.h); undoing it would bring back an older copy
  // instead, so refuse and say where the data is.
  auto entries = app_.env()->ListDir(app_.layout().safety);
  std::string kept;
  if (entries.ok()) {
    for (const DirEntry& e : *entries) {
      const std::string suffix = "-unarchived";
      if (e.type == DirEntry::Type::kDir && e.name.size() > suffix.size() &&
          e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          e.name > kept) {
        kept = e.name;
      }
    }
  }
  const SnapshotInfo* point = nullptr;
  for (const SnapshotInfo& p : points) {
    if (p.trigger == SnapshotTrigger::kBeforeImport) point = &p;  // oldest first
  }
  const int64_t point_at = point != nullptr ? point->created : -1;
  const int64_t archive_at = backups.empty() ? -1 : backups.front().created_at;
  if (!kept.empty() && SafetyStampTime(kept) >= std::max(point_at, archive_at)) {
    return Status::Conflict(
        "the last import replaced data that could not be archived, so it "
        "cannot be undone here; that data is kept as it was in " +
        JoinPath(app_.layout().safety, kept));
  }
  if (point != nullptr && point_at >= archive_at) return SafetyCopy{point->id, ""};
  if (backups.empty()) {
    return Status::NotFound(
        "there is no safety copy yet: a restore point is made before each import");
  }
  return SafetyCopy{"", backups.front().path};
}

Result<ManifestCounts> BackupService::LiveDataCounts() {
  return CountLiveData(app_.env(), app_.layout());
}

Result<WikiCounts> BackupService::WikiDataCounts() { return app_.storage().Counts(); }

std::vector<AuditEntry> BackupService::RecentBackupAudit(size_t max_entries) {
  std::vector<AuditEntry> out;
  auto entries = app_.storage().audit().List(kRecentAuditRows);
  if (!entries.ok()) return out;
  for (AuditEntry& e : *entries) {
    if (e.action.rfind("backup.", 0) != 0) continue;
    out.push_back(std::move(e));
    if (out.size() == max_entries) break;
  }
  return out;
}

std::string SafetyCopyName(const ImportOutcome& outcome) {
  return outcome.safety_point.empty() ? FileNameOf(outcome.safety_backup)
                                      : "restore point " + outcome.safety_point;
}

std::string FileNameOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

}  // namespace arkwiki::web
