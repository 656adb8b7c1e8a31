#include "handlers_metrics.h"

#include <cstdlib>
#include <optional>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"

namespace arkwiki::web::metrics {
namespace {

// The size in a "backup.create" audit detail ("..., 12345 bytes, sha256 ...").
uint64_t BytesInDetail(const std::string& detail) {
  const size_t unit = detail.find(" bytes");
  if (unit == std::string::npos) return 0;
  const size_t begin = detail.find_last_not_of("0123456789", unit - 1);
  const std::string digits = detail.substr(begin == std::string::npos ? 0 : begin + 1,
                                           unit - (begin == std::string::npos ? 0 : begin + 1));
  return digits.empty() ? 0 : std::strtoull(digits.c_str(), nullptr, 10);
}

}  // namespace

bool IsAllowedAddress(const std::string& setting, const std::string& client) {
  const std::optional<std::string> allowed = CanonicalIpAddress(setting);
  return allowed && CanonicalIpAddress(client) == allowed;
}

BackupMetrics CollectBackupMetrics(BackupService& backups, const SiteSettings& settings) {
  BackupMetrics m;
  m.version = ARKWIKI_VERSION;
  m.instance = settings.instance_id;
  for (const AuditEntry& e : backups.RecentBackupAudit(50)) {
    if (e.action != "backup.create") continue;
    m.last_success_time = e.at;
    m.last_bytes = BytesInDetail(e.detail);
    break;
  }
  // The automatic backups, and the restore points themselves.
  const AutoBackupStatus status = backups.AutoStatus();
  if (status.last_success >= m.last_success_time && status.last_success > 0) {
    m.last_success_time = status.last_success;
    m.last_duration_seconds = status.last_duration_seconds;
    m.last_bytes = status.last_bytes;
  }
  m.failures_total = status.failures_total;
  m.last_check_time = status.last_check;
  m.last_check_passed = status.last_check_passed;
  m.last_test_restore_time = status.last_test_restore;
  m.last_test_restore_passed = status.last_test_restore_passed;
  if (auto points = backups.ListPoints(); points.ok()) {
    m.snapshot_count = points->size();
    for (const SnapshotInfo& p : *points) {
      if (p.trigger == SnapshotTrigger::kBeforeImport || p.created <= m.last_success_time ||
          p.id == status.last_success_point) {
        continue;
      }
      m.last_success_time = p.created;
      m.last_bytes = p.total_bytes;
      m.last_duration_seconds = 0;
    }
    m.repository_bytes = backups.RepositoryDiskBytes();
  }
  const int64_t now = NowUnixSeconds();
  for (const OffsiteTargetStatus& s : backups.OffsiteStatuses()) {
    const std::string state = backups.OffsiteStateOf(s, now);
    m.offsite.push_back({s.name, s.last_success, NewestCopy(s), s.failures_total,
                         s.bytes_sent_total, state == "ok" || state == "pending"});
  }
  return m;
}

void Serve(WikiApp& app, Exchange& ex) {
  const SiteSettings settings = app.settings();
  if (!IsAllowedAddress(settings.metrics_allow_address, ex.client)) {
    if (!ex.user) {
      return app.SendError(ex, Status::Unauthenticated("log in as an admin or use an API token"));
    }
    if (!ex.at_least(Role::kAdmin)) {
      return app.SendError(ex, Status::Forbidden("metrics need the admin role"));
    }
  }
  SendBody(ex, 200, kMetricsContentType, MetricsText(CollectBackupMetrics(app.backup(), settings)));
}

}  // namespace arkwiki::web::metrics
