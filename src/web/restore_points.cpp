#include "restore_points.h"

#include <algorithm>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"

namespace arkwiki::web {

RestorePoints::RestorePoints(Env* env, DataDirLayout layout)
    : env_(env), layout_(std::move(layout)) {}

void RestorePoints::SetDir(const std::string& dir) {
  std::lock_guard<std::mutex> guard(mutex_);
  dir_ = dir;
  repository_.reset();
}

void RestorePoints::SetOptions(const RepositoryOptions& options) {
  std::lock_guard<std::mutex> guard(mutex_);
  options_ = options;
  repository_.reset();
}

Result<const OffsiteKey*> RestorePoints::Key() {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->key();
}

void RestorePoints::SetStaleAfter(int64_t seconds) {
  std::lock_guard<std::mutex> guard(mutex_);
  stale_after_seconds_ = seconds;
}

Status RestorePoints::Open() { return Repo().status(); }

Result<Repository*> RestorePoints::Repo() {
  std::lock_guard<std::mutex> guard(mutex_);
  if (!repository_) {
    const std::string dir = dir_.empty() ? DefaultBackupDir(layout_.root) : dir_;
    ARKWIKI_ASSIGN_OR_RETURN(repository_, Repository::Open(env_, layout_, dir, options_));
  }
  return repository_.get();
}

Result<SnapshotInfo> RestorePoints::Snapshot(const SnapshotRequest& request) {
  auto repo = Repo();
  Result<SnapshotInfo> point = repo.ok() ? (*repo)->Snapshot(request) : repo.status();
  if (!point.ok()) {
    LogWarning("restore point not made: " + point.status().ToString());
    RecordFailure(NowUnixSeconds(), point.status().message());
  }
  return point;
}

void RestorePoints::RecordFailure(int64_t at, const std::string& message) {
  std::lock_guard<std::mutex> guard(mutex_);
  if (at < last_failure_at_) return;
  last_failure_at_ = at;
  last_failure_ = message;
}

Result<std::vector<SnapshotInfo>> RestorePoints::List() {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->List();
}

Result<SnapshotInfo> RestorePoints::Find(const std::string& id) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> points, List());
  const auto found = std::find_if(points.begin(), points.end(),
                                  [&id](const SnapshotInfo& p) { return p.id == id; });
  if (found != points.end()) return *found;
  return Status::NotFound("no restore point " + id);
}

Status RestorePoints::Delete(const std::string& id) {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->Delete(id);
}

Status RestorePoints::Forget(const std::vector<std::string>& ids) {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->Forget(ids);
}

Result<PruneResult> RestorePoints::Prune() {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->Prune();
}

std::string RestorePoints::dir() {
  std::lock_guard<std::mutex> guard(mutex_);
  return dir_;
}

Result<CheckReport> RestorePoints::Check(double read_percent) {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  CheckOptions options;
  options.read_percent = read_percent;
  options.subset_seed = static_cast<uint64_t>(NowUnixSeconds() / kSecondsPerDay);
  return repo->Check(options);
}

Result<BackupResult> RestorePoints::Export(const std::string& id, ByteSink* out) {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->Export(id, out);
}

Result<BackupResult> RestorePoints::ExportToFile(const std::string& id, const std::string& path) {
  ARKWIKI_ASSIGN_OR_RETURN(Repository * repo, Repo());
  return repo->ExportToFile(id, path);
}

const SnapshotInfo* NewestGoodPoint(const std::vector<SnapshotInfo>& points) {
  auto good = std::find_if(points.rbegin(), points.rend(), [](const SnapshotInfo& p) {
    return p.check.state != CheckStatus::State::kFailed;
  });
  return good == points.rend() ? nullptr : &*good;
}

BackupHealth RestorePoints::Health(int64_t now) {
  BackupHealth health;
  int64_t failed_at = 0;
  int64_t stale_after = 0;
  {
    std::lock_guard<std::mutex> guard(mutex_);
    failed_at = last_failure_at_;
    health.last_error = last_failure_;
    stale_after = stale_after_seconds_;
  }
  auto points = List();
  if (!points.ok()) {
    health.status = "failing";
    health.last_error = points.status().message();
    return health;
  }
  const SnapshotInfo* good = NewestGoodPoint(*points);
  const SnapshotInfo* newest = points->empty() ? nullptr : &points->back();
  if (newest != nullptr && newest->check.state == CheckStatus::State::kFailed &&
      newest->check.checked_at >= failed_at) {
    health.last_error = newest->check.message;
    failed_at = newest->check.checked_at;
  }
  if (good != nullptr) health.newest_good_age_seconds = now - good->created;
  if ((failed_at > 0 && (good == nullptr || failed_at >= good->created)) ||
      (newest != nullptr && newest->check.state == CheckStatus::State::kFailed)) {
    health.status = "failing";
  } else if (good == nullptr || now - good->created > stale_after) {
    health.status = "stale";
  } else {
    health.status = "ok";
  }
  return health;
}

}  // namespace arkwiki::web
