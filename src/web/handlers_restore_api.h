// The restore API for scripts. Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web::restore_api {

// POST /api/restore: the body is the ZIP (application/zip), streamed to
// staging under the import size cap; it is checked completely, then (unless
// ?dry_run=1) restored within this request.
void Restore(BackupService& backup, const Renderer& pages, Exchange& ex);
// GET /api/restore/status?job=ID: a browser restore job's state (polled by
// backup.js; answers 503 while the swap runs, like every request then).
void JobStatus(BackupService& backup, const Renderer& pages, Exchange& ex);

// The JSON of a restore: its preview for a dry run, else what it did.
void SendRestoreDone(BackupService& backup, Exchange& ex, const RestoreDone& done);

}  // namespace arkwiki::web::restore_api
