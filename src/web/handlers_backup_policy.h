// The automatic backup policy: GET/PUT /api/backup-policy, the form on
// Settings → Backup & Import, and the page's "Automatic backups" status.
// Routes in routes.cpp. Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"
#include "template.h"

namespace arkwiki::web::backup_policy {

void Get(BackupService& backup, const Renderer& pages, Exchange& ex);
void Put(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/policy.
void Form(BackupService& backup, const Renderer& pages, Exchange& ex);
// Sets "policy" (the form's values) and "auto" (the status) on the page data.
void SetView(BackupService& backup, TemplateValue* data);

}  // namespace arkwiki::web::backup_policy
