// Restore points over HTTP: the JSON API (/api/restore-points) and the
// Settings → Backup & Import actions. Admin only; every call goes through
// the BackupService, which answers Busy (409) while another backup or
// import runs. Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web::restore_points {

// GET /api/restore-points: every restore point, newest first.
void List(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/restore-points (optional JSON body {"label": "..."}): makes one
// now; 201 with it.
void Create(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/restore-points/{id}/restore[?dry_run=1]: POST /api/restore with
// the restore point as the archive.
void Restore(BackupService& backup, const Renderer& pages, Exchange& ex);
// DELETE /api/restore-points/{id}: confirmed as a restore is; 204.
void Delete(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/restore-points/{id}/check: checks the repository; the point.
void Check(BackupService& backup, const Renderer& pages, Exchange& ex);

// The Settings page's forms; each ends in a redirect with a message.
// POST /settings/backup/points: "Back up now".
void BackUpNowForm(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/points/{id}/restore: stages it, then the import
// preview page (which confirms and restores as for an uploaded backup).
void RestoreForm(BackupService& backup, const Renderer& pages, Exchange& ex);
void CheckForm(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /settings/backup/points/{id}/delete (password field, or a recent
// login).
void DeleteForm(BackupService& backup, const Renderer& pages, Exchange& ex);

}  // namespace arkwiki::web::restore_points
