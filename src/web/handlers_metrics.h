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

// The gauges: the last backup (the automatic backups, the newest restore
// point a backup made, or the newest "backup.create" audit entry, whichever
// is newest), failures and checks since the server started, and the
// restore points and the bytes their repository takes.
BackupMetrics CollectBackupMetrics(BackupService& backups, const SiteSettings& settings);

}  // namespace arkwiki::web::metrics
