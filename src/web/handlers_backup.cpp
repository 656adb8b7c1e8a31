// Settings → Backup & Import: the overview page, Create Backup (browser and
// POST /api/backups) and Undo last import. Import itself is in
// handlers_import.cpp, the restore API in handlers_restore_api.cpp.
#include <mutex>

#include "arkwiki/core/log.h"
#include "web/backup_routes.h"
#include "web/backup_stream.h"
#include "web/import_flow.h"
#include "web/import_jobs.h"
#include "web/page_view.h"

namespace arkwiki::web {
namespace {

constexpr int64_t kRecentAuditRows = 200;  // scanned for backup entries
constexpr size_t kRecentBackupEntries = 8;

TemplateValue LiveCounts(WikiApp& app) {
  auto c = app.storage().Counts();
  if (!c.ok()) {
    LogWarning("cannot count the wiki's data: " + c.status().ToString());
    return TemplateValue();
  }
  return TemplateValue::MakeMap({{"pages", c->pages},
                                 {"revisions", c->revisions},
                                 {"users", c->users},
                                 {"uploads", c->uploads},
                                 {"upload_bytes", FormatBytes(c->upload_bytes)},
                                 {"database_bytes", FormatBytes(c->database_bytes)}});
}

TemplateValue SafetyBackups(WikiApp& app, int64_t retention_days) {
  TemplateValue rows = TemplateValue::List{};
  auto list = Restorer(app.env(), app.layout()).ListSafetyBackups(retention_days);
  if (!list.ok()) {
    LogWarning("cannot list safety backups: " + list.status().ToString());
    return rows;
  }
  for (const SafetyBackup& b : *list) {
    rows.Append(TemplateValue::MakeMap({{"name", b.name},
                                        {"date", DateValue(b.created_at)},
                                        {"size", FormatBytes(static_cast<int64_t>(b.bytes))}}));
  }
  return rows;
}

// The newest backup.* and import entries of the audit log.
TemplateValue RecentBackupAudit(WikiApp& app) {
  TemplateValue rows = TemplateValue::List{};
  auto entries = app.storage().audit().List(kRecentAuditRows);
  if (!entries.ok()) return rows;
  size_t n = 0;
  for (const AuditEntry& e : *entries) {
    if (e.action.rfind("backup.", 0) != 0) continue;
    rows.Append(TemplateValue::MakeMap({{"date", DateValue(e.at)},
                                        {"actor", e.actor},
                                        {"action", e.action},
                                        {"detail", e.detail}}));
    if (++n == kRecentBackupEntries) break;
  }
  return rows;
}

void BackupPage(WikiApp& app, Exchange& ex) {
  const SiteSettings settings = app.settings();
  TemplateValue data;
  data.Set("counts", LiveCounts(app));
  data.Set("import_max", FormatBytes(settings.import_max_bytes));
  data.Set("retention_days", settings.safety_backup_retention_days);
  SetList(&data, "safety_backups", SafetyBackups(app, settings.safety_backup_retention_days));
  SetList(&data, "audit", RecentBackupAudit(app));
  app.RenderPage(ex, 200, "backup", "Backup & Import", std::move(data));
}

// Stages the newest safety backup and commits it as a background job.
void PostUndo(WikiApp& app, Exchange& ex) {
  Result<StagedImport> staged = Status::Busy(kBusyMessage);
  {
    std::unique_lock<std::mutex> lock(app.exclusive_operation(), std::try_to_lock);
    if (!lock.owns_lock()) return app.SendError(ex, Status::Busy(kBusyMessage));
    auto newest = NewestSafetyBackup(app);
    if (!newest.ok()) return app.SendError(ex, newest.status());
    staged =
        Restorer(app.env(), app.layout()).Stage(newest->path, ImportOptionsFor(app, ex.user->name));
  }
  if (!staged.ok()) return app.SendError(ex, staged.status());
  Status s =
      ImportJobs::Instance().Start(app, *staged, ImportOptionsFor(app, ex.user->name), "undo");
  if (!s.ok()) {
    (void)Restorer(app.env(), app.layout()).Discard(staged->id);
    return app.SendError(ex, s);
  }
  ShowImportProgress(app, ex, 202, staged->id);
}

}  // namespace

void RegisterBackupRoutes(WikiApp& app) {
  Router& r = app.router();
  r.Add("GET", "/settings/backup", Access::kAdmin, [&app](Exchange& ex) { BackupPage(app, ex); });
  r.Add("POST", "/settings/backup/create", Access::kAdmin,
        [&app](Exchange& ex) { SendBackupDownload(app, ex); });
  r.Add("POST", "/api/backups", Access::kAdmin,
        [&app](Exchange& ex) { SendBackupDownload(app, ex); });
  r.Add("POST", "/settings/backup/undo", Access::kAdmin,
        [&app](Exchange& ex) { PostUndo(app, ex); });
  RegisterImportRoutes(app);
  RegisterRestoreApiRoutes(app);
}

}  // namespace arkwiki::web
