#include "handlers_backup.h"

#include "arkwiki/core/log.h"
#include "handlers_restore.h"
#include "view_format.h"

namespace arkwiki::web::backup_pages {
namespace {

constexpr size_t kRecentBackupEntries = 8;

TemplateValue LiveCounts(BackupService& backup) {
  auto c = backup.WikiDataCounts();
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

TemplateValue SafetyBackups(BackupService& backup) {
  TemplateValue rows = TemplateValue::List{};
  auto list = backup.SafetyBackups();
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

TemplateValue RecentBackupAudit(BackupService& backup) {
  TemplateValue rows = TemplateValue::List{};
  for (const AuditEntry& e : backup.RecentBackupAudit(kRecentBackupEntries)) {
    rows.Append(TemplateValue::MakeMap({{"date", DateValue(e.at)},
                                        {"actor", e.actor},
                                        {"action", e.action},
                                        {"detail", e.detail}}));
  }
  return rows;
}

}  // namespace

void Overview(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const SiteSettings settings = backup.Settings();
  TemplateValue data;
  data.Set("counts", LiveCounts(backup));
  data.Set("import_max", FormatBytes(settings.import_max_bytes));
  data.Set("retention_days", settings.safety_backup_retention_days);
  SetList(&data, "safety_backups", SafetyBackups(backup));
  SetList(&data, "audit", RecentBackupAudit(backup));
  pages.RenderPage(ex, 200, "backup", "Backup & Import", std::move(data));
}

void Undo(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto id = backup.StartUndo(ex.user->name);
  if (!id.ok()) return pages.SendError(ex, id.status());
  restore_pages::ShowProgress(backup, pages, ex, 202, *id);
}

}  // namespace arkwiki::web::backup_pages
