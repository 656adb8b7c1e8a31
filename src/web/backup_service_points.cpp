// BackupService's restore point members (backup_service.h): each takes the
// exclusive lock that keeps one backup or import at a time, and writes what
// it did to the audit log.
#include <malloc.h>

#include <chrono>
#include <future>
#include <memory>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"

namespace arkwiki::web {
namespace {

constexpr double kFullRead = 100;  // "check now" re-hashes every stored object

std::string SizeText(uint64_t bytes) { return std::to_string(bytes) + " bytes"; }

}  // namespace

Result<SnapshotInfo> BackupService::CreatePoint(const std::string& actor,
                                                const std::string& label) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  SnapshotRequest request;
  request.trigger = SnapshotTrigger::kManual;
  request.made_by = actor;
  request.label = label;
  auto point = points_.Snapshot(request);
  ::malloc_trim(0);  // as after WriteBackup: the copy threads' arenas keep their memory
  Journal({0, "restore_point", point.ok() ? "ok" : "failed", actor, point.ok() ? point->id : "",
           point.ok() ? point->new_bytes : 0, 0, point.ok() ? "manual" : point.status().message()});
  if (!point.ok()) return point;
  RequestOffsiteCopy();
  Status s = app_.storage().audit().Append(actor, AuditKind::kBackupSnapshot,
                                           "restore point " + point->id + ", " +
                                               SizeText(point->new_bytes) + " new of " +
                                               SizeText(point->total_bytes));
  if (!s.ok()) LogWarning("restore point made but not written to the audit log: " + s.ToString());
  return point;
}

Status BackupService::DeletePoint(const std::string& id, const std::string& actor) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  ARKWIKI_RETURN_IF_ERROR(points_.Find(id).status());
  const Status deleted = points_.Delete(id);
  Journal({0, "forget", deleted.ok() ? "ok" : "failed", actor, id, 0, 0,
           deleted.ok() ? "deleted" : deleted.message()});
  ARKWIKI_RETURN_IF_ERROR(deleted);
  Status s = app_.storage().audit().Append(actor, AuditKind::kBackupDelete, "restore point " + id);
  if (!s.ok()) LogWarning("restore point deleted but not audited: " + s.ToString());
  return Status::Ok();
}

Result<SnapshotInfo> BackupService::CheckPoint(const std::string& id, const std::string& actor) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  return CheckPointLocked(id, actor);
}

Status BackupService::StartCheck(const std::string& id, const std::string& actor) {
  ARKWIKI_RETURN_IF_ERROR(points_.Find(id).status());
  auto started = std::make_shared<std::promise<Status>>();
  std::future<Status> ready = started->get_future();
  // The thread takes the lock itself, as a restore job does (StartRestore).
  ARKWIKI_RETURN_IF_ERROR(jobs_.Spawn([this, id, actor, started] {
    std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
    if (!lock.owns_lock()) return started->set_value(Status::Busy(kBusyMessage));
    started->set_value(Status::Ok());
    auto point = CheckPointLocked(id, actor);
    if (!point.ok()) LogWarning("check of restore point " + id + ": " + point.status().ToString());
  }));
  return ready.get();
}

Result<SnapshotInfo> BackupService::CheckPointLocked(const std::string& id,
                                                     const std::string& actor) {
  ARKWIKI_RETURN_IF_ERROR(points_.Find(id).status());
  const auto started = std::chrono::steady_clock::now();
  auto checked = points_.Check(kFullRead);
  const std::string problem = CheckProblem(checked);
  const int64_t now = NowUnixSeconds();
  Journal({now, "check", problem.empty() ? "ok" : "failed", actor, id,
           checked.ok() ? checked->bytes_hashed : 0, MillisSince(started), problem});
  RecordCheck(now, problem);
  ARKWIKI_ASSIGN_OR_RETURN(CheckReport report, std::move(checked));
  ARKWIKI_ASSIGN_OR_RETURN(SnapshotInfo point, points_.Find(id));
  Status s = app_.storage().audit().Append(
      actor, AuditKind::kBackupCheck,
      std::to_string(report.snapshots_checked) + " restore points checked, " +
          (report.ok() ? std::string("no damage")
                       : std::to_string(report.damaged.size() + report.snapshot_problems.size()) +
                             " problems found"));
  if (!s.ok()) LogWarning("check done but not written to the audit log: " + s.ToString());
  return point;
}

Result<BackupResult> BackupService::ExportPoint(const std::string& id, ByteSink* sink,
                                                const std::string& actor) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  auto result = points_.Export(id, sink);
  ::malloc_trim(0);
  Journal({0, "download", result.ok() ? "ok" : "failed", actor, id,
           result.ok() ? result->archive_bytes : 0, 0,
           result.ok() ? "sha256 " + result->archive_sha256 : result.status().message()});
  if (!result.ok()) return result;
  Status s =
      app_.storage().audit().Append(actor, AuditKind::kBackupDownload,
                                    "restore point " + id + ", " + SizeText(result->archive_bytes) +
                                        ", sha256 " + result->archive_sha256);
  if (!s.ok()) LogWarning("download done but not written to the audit log: " + s.ToString());
  return result;
}

std::string BackupService::PointFileName(const SnapshotInfo& point) {
  return arkwiki::BackupFileName(app_.settings().site_title, point.created);
}

Result<StagedImport> BackupService::StagePointLocked(const std::string& id,
                                                     const std::string& actor) {
  ARKWIKI_RETURN_IF_ERROR(points_.Find(id).status());
  // Staging and the server start's recovery own staging/: a crash between
  // here and Stage leaves only a file that the next start removes.
  ARKWIKI_RETURN_IF_ERROR(app_.env()->CreateDirs(app_.layout().staging));
  const std::string path = JoinPath(app_.layout().staging, "restore-point-" + id + ".zip");
  ARKWIKI_RETURN_IF_ERROR(points_.ExportToFile(id, path).status());
  auto staged = restorer_.Stage(path, OptionsFor(actor));
  Status removed = app_.env()->RemoveFile(path);
  if (!removed.ok())
    LogWarning("could not remove an exported restore point: " + removed.ToString());
  return staged;
}

Result<StagedImport> BackupService::StagePoint(const std::string& id, const std::string& actor) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  return StagePointLocked(id, actor);
}

Result<RestoreDone> BackupService::RestorePoint(const std::string& id, const std::string& actor,
                                                bool dry_run) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  RestoreDone done;
  ARKWIKI_ASSIGN_OR_RETURN(done.staged, StagePointLocked(id, actor));
  return FinishRestore(std::move(done), actor, dry_run);
}

BackupHealth BackupService::Health() {
  const int64_t now = NowUnixSeconds();
  BackupHealth health = points_.Health(now);
  for (const OffsiteTargetStatus& s : offsite_->Statuses()) {
    OffsiteHealth h{s.name, OffsiteStateOf(s, now), std::nullopt, s.last_error};
    if (const int64_t newest = NewestCopy(s); newest > 0) h.newest_copy_age_seconds = now - newest;
    if (h.status != "failing") h.last_error.clear();
    health.offsite.push_back(std::move(h));
  }
  return health;
}

}  // namespace arkwiki::web
