// The restore API for scripts. Private to the web layer.
#pragma once

#include <string_view>

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

// For every API call that replaces or deletes backed-up data: a browser
// session must confirm with the X-Confirm-Password header or a recent
// login (reauthentication.h). Discards the request's body, sends the
// refusal (401, 403 or 429) and returns true when it does not hold.
bool RefuseUnconfirmed(BackupService& backup, Exchange& ex, std::string_view action);
// The JSON of a restore: its preview for a dry run, else what it did.
void SendRestoreDone(BackupService& backup, Exchange& ex, const RestoreDone& done);

}  // namespace arkwiki::web::restore_api
