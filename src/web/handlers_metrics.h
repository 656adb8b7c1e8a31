// GET /metrics: the backup gauges in Prometheus text format. Route in
// routes.cpp. Private to the web layer.
#pragma once

#include "app.h"
#include "backup_service.h"
#include "metrics_text.h"

namespace arkwiki::web::metrics {

// Readable by an admin (session or API token), or without a login from the
// one address in the metrics_allow_address setting: 401 for anonymous
// requests from elsewhere, 403 for users below admin.
void Serve(WikiApp& app, Exchange& ex);

// Whether `client` (the peer's address) is the configured one; an empty or
// unparsable setting allows no address.
bool IsAllowedAddress(const std::string& setting, const std::string& client);

// The gauges from what the server records today: the newest "backup.create"
// audit entry gives the last success time and its size. The repository
// fields (failures, checks, test restores, restore points, repository
// bytes) stay 0 until the store of restore points feeds them.
BackupMetrics CollectBackupMetrics(BackupService& backups, const SiteSettings& settings);

}  // namespace arkwiki::web::metrics
