// BackupService's off-site copies (backup_service.h, offsite_copies.h): the
// copy run after each restore point, and what it did, for the journal and
// the webhook.
#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"

namespace arkwiki::web {

void BackupService::RequestOffsiteCopy() {
  auto targets = offsite_->Targets();
  // A targets.conf that cannot be read is reported by the run.
  if (targets.ok() && targets->empty()) return;
  offsite_->Request();
}

int64_t BackupService::OffsiteStaleAfter() {
  const BackupSchedule schedule = Policy().backup;
  const int64_t now = NowUnixSeconds();
  const auto first = NextRun(schedule, now, now);
  const auto second = first ? NextRun(schedule, *first, *first) : std::nullopt;
  if (!first || !second || *second <= *first) return RestorePoints::kDefaultStaleAfterSeconds;
  return 2 * (*second - *first);
}

bool BackupService::HaveGoodPoint() {
  auto points = points_.List();
  return points.ok() && NewestGoodPoint(*points) != nullptr;
}

std::string BackupService::OffsiteStateOf(const OffsiteTargetStatus& status, int64_t now) {
  return OffsiteState(status, now, OffsiteStaleAfter(), HaveGoodPoint());
}

void BackupService::RunOffsiteCopies() {
  auto targets = offsite_->Targets();
  if (targets.ok() && targets->empty()) return;
  // Not under exclusive_: a copy only reads the repository, under its copy
  // lock (RepoCopyLock), so downloads, imports, restore points and checks
  // go on beside a target that takes hours; only a prune waits for it.
  auto points = points_.List();
  if (!points.ok()) {
    LogWarning("off-site copies: cannot list the restore points: " + points.status().ToString());
    return;
  }
  const std::string configured = points_.dir();
  const std::string dir = configured.empty() ? DefaultBackupDir(app_.layout().root) : configured;
  const int64_t now = NowUnixSeconds();
  // An encrypted repository's key: the list above opened the repository.
  auto local_key = points_.Key();
  if (!local_key.ok()) {
    LogWarning("off-site copies: " + local_key.status().ToString());
    return;
  }
  for (const OffsiteRunResult& r : offsite_->Run(dir, *points, now, *local_key)) {
    Journal(
        {now, "offsite_copy", r.ok ? "ok" : "failed", "", r.target, r.bytes_sent, r.duration_ms,
         r.ok && !r.newest_point.empty() ? r.message + "; newest " + r.newest_point : r.message});
    // A copy the server's own stop cancelled is journaled, not alerted.
    if (!r.ok && !r.cancelled) {
      Alert("offsite_copy_failed", now, "off-site copy to " + r.target + " failed: " + r.message,
            {{"target", r.target}});
    }
  }
}

}  // namespace arkwiki::web
