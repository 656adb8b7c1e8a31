// Off-site targets: the JSON API (/api/offsite/...), the forms on
// Settings -> Backup & Import, and what the page shows of each target and
// of each restore point on it. Routes in routes.cpp; admin only, and the
// forms carry the CSRF token as every form does. The passphrase and the
// secret access key are write-only: no answer or page shows them.
// Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"
#include "template.h"

namespace arkwiki::web::offsite {

// GET /api/offsite/targets.
void List(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/offsite/targets (201; a copy run starts), PUT
// /api/offsite/targets/{name} (fields not given keep their values),
// DELETE /api/offsite/targets/{name} (204; nothing on the target is removed).
void Add(BackupService& backup, const Renderer& pages, Exchange& ex);
void Edit(BackupService& backup, const Renderer& pages, Exchange& ex);
void Remove(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/offsite/targets/{name}/test: {"ok": bool, "message": "..."}.
void Test(BackupService& backup, const Renderer& pages, Exchange& ex);
// POST /api/offsite/copy (202): a copy run to every target, in the background.
void CopyNow(BackupService& backup, const Renderer& pages, Exchange& ex);

// The forms: POST /settings/backup/offsite (add), .../offsite/{name}/delete,
// .../offsite/{name}/test and .../offsite/copy.
void AddForm(BackupService& backup, const Renderer& pages, Exchange& ex);
void RemoveForm(BackupService& backup, const Renderer& pages, Exchange& ex);
void TestForm(BackupService& backup, const Renderer& pages, Exchange& ex);
void CopyForm(BackupService& backup, const Renderer& pages, Exchange& ex);

// Sets "offsite_targets" (list of {name, kind, location, state, red,
// last_success, last_error, copies}) and "has_offsite_targets".
void SetView(BackupService& backup, TemplateValue* data);
// For one restore point's row, given each target's status and its state
// (BackupService::OffsiteStateOf, in the same order): list of {target,
// state, red}, where state is "copied and checked", "copied, check
// failed", "not copied yet", "not copied" (red: the target is failing or
// stale), "not copied (its check failed)" or "not kept there".
TemplateValue PointTargets(const std::vector<OffsiteTargetStatus>& targets,
                           const std::vector<std::string>& states, const SnapshotInfo& point);

}  // namespace arkwiki::web::offsite
