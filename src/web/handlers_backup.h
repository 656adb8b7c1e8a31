// Settings → Backup & Import: the overview page and Undo last import. The
// download is in backup_stream.h, the restore pages in handlers_restore.h.
// Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web::backup_pages {

// GET /settings/backup.
void Overview(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/undo: restores the newest safety backup as a job.
void Undo(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/backups/verify ("Check a backup file"): the body is a backup
// archive, as for POST /api/restore; answers 200 with the JSON of
// `arkwiki backup verify --json` whether the archive passed ("ok") or not.
// Errors about the request itself (too large, malformed) are the usual
// error responses.
void CheckArchive(BackupService& backup, const Renderer& pages, Exchange& ex);

}  // namespace arkwiki::web::backup_pages
