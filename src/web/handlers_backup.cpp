#include "handlers_backup.h"

#include <Poco/JSON/ParseHandler.h>
#include <Poco/JSON/Parser.h>

#include "arkwiki/backup/verify_json.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "handlers_backup_journal.h"
#include "handlers_backup_policy.h"
#include "handlers_offsite.h"
#include "handlers_restore.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::backup_pages {
namespace {

constexpr size_t kRecentBackupEntries = 8;
constexpr size_t kShownPoints = 50;  // newest first; the rest are counted

TemplateValue PointRow(const SnapshotInfo& p, TemplateValue offsite) {
  const bool failed = p.check.state == CheckStatus::State::kFailed;
  return TemplateValue::MakeMap(
      {{"id", p.id},
       {"date", DateValue(p.created)},
       {"trigger", std::string(SnapshotTriggerName(p.trigger))},
       {"made_by", p.made_by},
       {"label", p.label},
       {"size", FormatBytes(static_cast<int64_t>(p.total_bytes))},
       {"new_size", FormatBytes(static_cast<int64_t>(p.new_bytes))},
       {"check_state", std::string(CheckStateName(p.check.state))},
       {"check_failed", failed},
       {"check_message", p.check.message},
       {"check_date", p.check.checked_at > 0 ? DateValue(p.check.checked_at) : TemplateValue()},
       {"offsite", std::move(offsite)}});
}

// The newest kShownPoints restore points, and how many more there are.
void SetPoints(BackupService& backup, TemplateValue* data) {
  TemplateValue rows = TemplateValue::List{};
  auto points = backup.ListPoints();
  if (!points.ok()) {
    LogWarning("cannot list restore points: " + points.status().ToString());
    data->Set("points_error",
              "The restore points cannot be listed: " + AsSentence(points.status().message()));
    SetList(data, "points", std::move(rows));
    return;
  }
  const std::vector<OffsiteTargetStatus> targets = backup.OffsiteStatuses();
  std::vector<std::string> states;
  states.reserve(targets.size());
  const int64_t now = NowUnixSeconds();
  for (const OffsiteTargetStatus& t : targets) states.push_back(backup.OffsiteStateOf(t, now));
  size_t shown = 0;
  for (auto it = points->rbegin(); it != points->rend() && shown < kShownPoints; ++it, ++shown) {
    rows.Append(PointRow(*it, offsite::PointTargets(targets, states, *it)));
  }
  SetList(data, "points", std::move(rows));
  const size_t more = points->size() - shown;
  data->Set("points_more", more > 0 ? std::to_string(more) : std::string());
}

TemplateValue LiveCounts(BackupService& backup) {
  auto c = backup.WikiDataCounts();
  if (!c.ok()) {
    LogWarning("cannot count the wiki's data: " + c.status().ToString());
    return TemplateValue();
  }
  return TemplateValue::MakeMap(
      {{"pages", c->pages},
       {"revisions", c->revisions},
       {"users", c->users},
       {"uploads", c->uploads},
       {"upload_bytes", FormatBytes(c->upload_bytes)},
       {"database_bytes", FormatBytes(c->database_bytes)},
       // Estimates: the archive holds these bytes, some deflated.
       {"full_estimate", FormatBytes(c->database_bytes + c->upload_bytes)},
       {"database_estimate", FormatBytes(c->database_bytes)}});
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

void ShowOverview(BackupService& backup, const Renderer& pages, Exchange& ex, int status,
                  const std::string& undo_error) {
  const SiteSettings settings = backup.Settings();
  TemplateValue data;
  data.Set("undo_error", undo_error);
  data.Set("counts", LiveCounts(backup));
  data.Set("import_max", FormatBytes(settings.import_max_bytes));
  data.Set("retention_days", settings.safety_backup_retention_days);
  SetList(&data, "safety_backups", SafetyBackups(backup));
  SetList(&data, "audit", RecentBackupAudit(backup));
  SetPoints(backup, &data);
  backup_policy::SetView(backup, &data);
  backup_journal::SetView(backup, &data);
  offsite::SetView(backup, &data);
  pages.RenderPage(ex, status, "backup", "Backup & Import", std::move(data));
}

}  // namespace

void Overview(BackupService& backup, const Renderer& pages, Exchange& ex) {
  ShowOverview(backup, pages, ex, 200, "");
}

void Undo(BackupService& backup, const Renderer& pages, Exchange& ex) {
  int status = 403;
  if (std::string refused =
          CheckReauthentication(backup.app(), ex, ex.Form("password"), kReplaceAllAction, &status);
      !refused.empty()) {
    return ShowOverview(backup, pages, ex, status, refused);
  }
  auto id = backup.StartUndo(ex.user->name);
  if (!id.ok()) return pages.SendError(ex, id.status());
  restore_pages::ShowProgress(backup, pages, ex, 202, *id);
}

void CheckArchive(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto check = backup.CheckArchiveFromRequest(ex);
  if (!check.ok()) return pages.SendError(ex, check.status());
  const int code = check->report.ok() ? 0 : VerifyExitCode(check->report.status());
  const std::string text = VerifyJson(check->file, check->report, check->seconds, code);
  // The CLI's text, as an object for SendJson (its keys in the same order):
  // one renderer for both.
  Poco::JSON::Parser parser(new Poco::JSON::ParseHandler(/*preserveObjectOrder=*/true));
  SendJson(ex, 200, parser.parse(text).extract<Poco::JSON::Object::Ptr>());
}

}  // namespace arkwiki::web::backup_pages
