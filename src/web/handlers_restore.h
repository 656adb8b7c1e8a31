// Settings → Backup & Import → Import Backup, in the browser: the archive
// (backup.js sends the raw body with a progress bar; a plain multipart form
// works too), preview, confirm with site title and password, progress and
// result. Private to the web layer.
#pragma once

#include <string>

#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web::restore_pages {

// POST /settings/backup/import: receives and stages the archive, then
// redirects (or answers {"preview_url"} to Accept: application/json).
void ReceiveArchive(BackupService& backup, const Renderer& pages, Exchange& ex);
// GET /settings/backup/import/{id}.
void Preview(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/import/{id}/confirm: starts the restore job.
void Confirm(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/import/{id}/cancel.
void Cancel(BackupService& backup, const Renderer& pages, Exchange& ex);
// GET /settings/backup/import/{id}/progress.
void Progress(BackupService& backup, const Renderer& pages, Exchange& ex);
// GET /settings/backup/import/{id}/result.
void Outcome(BackupService& backup, const Renderer& pages, Exchange& ex);

// Renders the progress page of restore job `id` (polled by backup.js).
void ShowProgress(BackupService& backup, const Renderer& pages, Exchange& ex, int status,
                  const std::string& id);

}  // namespace arkwiki::web::restore_pages
