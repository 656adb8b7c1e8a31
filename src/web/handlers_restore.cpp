#include "handlers_restore.h"

#include <cstdio>

#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"
#include "restore_diff_view.h"
#include "restore_view.h"
#include "view_format.h"

namespace arkwiki::web::restore_pages {
namespace {

bool WantsJson(const Exchange& ex) {
  return ex.request.get("Accept", "").find("application/json") != std::string::npos;
}

void SendReceiveError(const Renderer& pages, Exchange& ex, const Status& s) {
  if (WantsJson(ex)) return SendJsonError(ex, s);
  pages.SendError(ex, s);
}

void ShowPreview(BackupService& backup, const Renderer& pages, Exchange& ex,
                 const StagedImport& staged, int status, const std::string& error) {
  const Manifest& m = staged.report.manifest;
  TemplateValue data;
  data.Set("id", staged.id);
  data.Set("backup",
           TemplateValue::MakeMap(
               {{"created_at", BackupDate(m.created_at)},
                {"app_version", m.app_version},
                {"format_version", m.format_version},
                {"schema_version", m.schema_version},
                {"site_title", m.site_title},
                {"archive_size", FormatBytes(static_cast<int64_t>(staged.report.archive_bytes))},
                {"counts", CountsValue(m.counts)}}));
  if (auto current = backup.LiveDataCounts(); current.ok()) {
    data.Set("current", CountsValue(*current));
  }
  data.Set("current_site_title", backup.Settings().site_title);
  if (auto plan = backup.PlanSessions(staged); plan.ok()) {
    data.Set("sessions", SessionsValue(*plan, ex.user->name));
  }
  data.Set("partial", PartialValue(staged));
  if (auto diff = backup.Difference(staged, ex.user->name); diff.ok()) {
    data.Set("difference", DifferenceValue(*diff, staged.id));
  } else {
    LogWarning("could not compare the backup with the live data: " + diff.status().ToString());
    data.Set("difference_error", AsSentence(diff.status().message()));
  }
  data.Set("active", ActiveUsersValue(backup.RecentlyActiveUsers(ex.user->name)));
  data.Set("confirm_action", RestorePageHref(staged.id, "confirm"));
  data.Set("cancel_action", RestorePageHref(staged.id, "cancel"));
  data.Set("error", error);
  pages.RenderPage(ex, status, "import_preview", "Check the backup", std::move(data));
}

// A job exists for `id`: its progress (running) or result page.
bool RedirectToJob(BackupService& backup, Exchange& ex, const std::string& id) {
  auto job = backup.FindJob(id);
  if (!job) return false;
  SendRedirect(ex, RestorePageHref(id, job->state == "running" ? "progress" : "result"));
  return true;
}

TemplateValue ResultValue(const RestoreJob& job) {
  char millis[32];
  std::snprintf(millis, sizeof millis, "%.0f", job.unavailable_millis);
  return TemplateValue::MakeMap(
      {{"is_undo", job.kind == "undo"},
       {"actor", job.actor},
       {"failed", job.state == "failed"},
       {"message", AsSentence(job.message)},
       {"counts", CountsValue(job.restored.counts)},
       {"created_at", BackupDate(job.restored.created_at)},
       {"site_title", job.restored.site_title},
       {"safety_backup", job.safety_backup},
       {"safety_note", AsSentence(job.safety_note)},
       {"has_safety_note", !job.safety_note.empty()},
       {"unavailable_ms", std::string(millis)},
       {"must_log_in_again", job.must_log_in_again},
       {"login_href", "/login?next=" + UrlEncodeComponent(RestorePageHref(job.id, "result"))}});
}

Status NoSuchJob(const std::string& id) { return Status::NotFound("no import job '" + id + "'"); }

}  // namespace

void ReceiveArchive(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto staged = backup.StageFromRequest(ex);
  if (!staged.ok()) {
    LogWarning("import upload by " + ex.user->name + " refused: " + staged.status().ToString());
    return SendReceiveError(pages, ex, staged.status());
  }
  const std::string preview = RestorePageHref(staged->id);
  if (!WantsJson(ex)) return SendRedirect(ex, preview);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("preview_url", preview);
  SendJson(ex, 201, body);
}

void Preview(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(backup, ex, id)) return;
  auto staged = backup.LoadStaged(id);
  if (!staged.ok()) return pages.SendError(ex, staged.status());
  ShowPreview(backup, pages, ex, *staged, 200, "");
}

void Confirm(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(backup, ex, id)) return;
  auto staged = backup.LoadStaged(id);
  if (!staged.ok()) return pages.SendError(ex, staged.status());
  int status = 400;
  if (std::string error =
          backup.CheckConfirmation(ex, ex.Form("site_title"), ex.Form("password"), &status);
      !error.empty()) {
    return ShowPreview(backup, pages, ex, *staged, status, error);
  }
  // A database-only archive whose pages refer to uploads this wiki lacks
  // needs the box that names their count ticked (restore.h).
  const bool allow_missing = ex.Form("allow_missing_uploads") == "1";
  if (!staged->missing_uploads.empty() && !allow_missing) {
    return ShowPreview(backup, pages, ex, *staged, 409,
                       "Tick the box to restore without the " +
                           std::to_string(staged->missing_uploads.size()) +
                           " missing files, or cancel the import.");
  }
  Status s = backup.StartRestore(*staged, ex.user->name, "import", allow_missing);
  if (!s.ok()) {
    return ShowPreview(backup, pages, ex, *staged, HttpStatusFor(s), AsSentence(s.message()));
  }
  ShowProgress(backup, pages, ex, 202, id);
}

void Cancel(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(backup, ex, id)) return;
  Status s = backup.Discard(id);
  if (!s.ok()) return pages.SendError(ex, s);
  RedirectWithFlash(ex, "/settings/backup", "Import cancelled. Nothing was changed.");
}

void Progress(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  auto job = backup.FindJob(id);
  if (!job) return pages.SendError(ex, NoSuchJob(id));
  if (job->state != "running") return SendRedirect(ex, RestorePageHref(id, "result"));
  ShowProgress(backup, pages, ex, 200, id);
}

void Outcome(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  auto job = backup.FindJob(id);
  if (!job) return pages.SendError(ex, NoSuchJob(id));
  if (job->state == "running") return SendRedirect(ex, RestorePageHref(id, "progress"));
  const bool failed = job->state == "failed";
  pages.RenderPage(ex, 200, "import_result", failed ? "Import failed" : "Import finished",
                   ResultValue(*job));
}

void ShowProgress(BackupService& backup, const Renderer& pages, Exchange& ex, int status,
                  const std::string& id) {
  auto job = backup.FindJob(id);
  TemplateValue data = TemplateValue::MakeMap(
      {{"id", id},
       {"is_undo", job && job->kind == "undo"},
       {"status_url", "/api/restore/status?job=" + UrlEncodeComponent(id)},
       {"result_url", RestorePageHref(id, "result")},
       {"login_href", "/login?next=" + UrlEncodeComponent(RestorePageHref(id, "result"))}});
  pages.RenderPage(ex, status, "import_progress", "Restoring…", std::move(data));
}

}  // namespace arkwiki::web::restore_pages
