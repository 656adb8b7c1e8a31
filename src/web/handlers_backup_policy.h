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
// POST /api/backup-test-restore (202: started in the background; the
// outcome shows in the policy's status and the journal) and the Settings
// button's POST /settings/backup/test-restore.
void TestRestoreNow(BackupService& backup, const Renderer& pages, Exchange& ex);
void TestRestoreForm(BackupService& backup, const Renderer& pages, Exchange& ex);
// Sets "policy" (the form's values) and "auto" (the status) on the page data.
void SetView(BackupService& backup, TemplateValue* data);

}  // namespace arkwiki::web::backup_policy
