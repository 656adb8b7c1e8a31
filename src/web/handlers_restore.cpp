// Settings → Backup & Import → Import: upload (backup.js sends the raw
// body with a progress bar; a plain multipart form works too), preview,
// confirm with site title and password, progress and result.
#include <mutex>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/url.h"
#include "web/backup_routes.h"
#include "web/import_flow.h"
#include "web/import_jobs.h"
#include "web/page_view.h"

namespace arkwiki::web {
namespace {

std::string ImportHref(const std::string& id, const std::string& suffix = "") {
  return "/settings/backup/import/" + UrlEncodeComponent(id) + (suffix.empty() ? "" : "/" + suffix);
}

bool WantsJson(const Exchange& ex) {
  return ex.request.get("Accept", "").find("application/json") != std::string::npos;
}

void SendUploadError(WikiApp& app, Exchange& ex, const Status& s) {
  if (WantsJson(ex)) return SendJsonError(ex, s);
  app.SendError(ex, s);
}

void PostUpload(WikiApp& app, Exchange& ex) {
  Result<StagedImport> staged = Status::Busy(kBusyMessage);
  {
    std::unique_lock<std::mutex> lock(app.exclusive_operation(), std::try_to_lock);
    if (!lock.owns_lock()) {
      DiscardOversizeBody(ex);
      return SendUploadError(app, ex, Status::Busy(kBusyMessage));
    }
    staged = ReceiveAndStage(app, ex);
  }
  if (!staged.ok()) {
    LogWarning("import upload by " + ex.user->name + " refused: " + staged.status().ToString());
    return SendUploadError(app, ex,
                           staged.status().code() == StatusCode::kNotFound
                               ? Status::Corruption(staged.status().message())
                               : staged.status());
  }
  const std::string preview = ImportHref(staged->id);
  if (!WantsJson(ex)) return SendRedirect(ex, preview);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("preview_url", preview);
  SendJson(ex, 201, body);
}

// A manifest's created_at the way the UI shows dates ("2026-11-26 17:28 UTC").
std::string BackupDate(const std::string& iso) {
  const int64_t t = ParseIsoUtc(iso);
  return t < 0 ? iso : FormatDate(t);
}

void ShowPreview(WikiApp& app, Exchange& ex, const StagedImport& staged, int status,
                 const std::string& error) {
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
  if (auto current = CountLiveData(app.env(), app.layout()); current.ok()) {
    data.Set("current", CountsValue(*current));
  }
  data.Set("current_site_title", app.settings().site_title);
  data.Set("confirm_action", ImportHref(staged.id, "confirm"));
  data.Set("cancel_action", ImportHref(staged.id, "cancel"));
  data.Set("error", error);
  app.RenderPage(ex, status, "import_preview", "Check the backup", std::move(data));
}

// A job exists for `id`: its progress (running) or result page.
bool RedirectToJob(Exchange& ex, const std::string& id) {
  auto job = ImportJobs::Instance().Find(id);
  if (!job) return false;
  SendRedirect(ex, ImportHref(id, job->state == "running" ? "progress" : "result"));
  return true;
}

void GetPreview(WikiApp& app, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(ex, id)) return;
  auto staged = Restorer(app.env(), app.layout()).LoadStaged(id);
  if (!staged.ok()) {
    return app.SendError(ex, Status::NotFound("this import is no longer staged (it was "
                                              "cancelled, or the server restarted); upload "
                                              "the backup again"));
  }
  ShowPreview(app, ex, *staged, 200, "");
}

std::string Trimmed(const std::string& s) {
  size_t b = s.find_first_not_of(" \t\r\n");
  size_t e = s.find_last_not_of(" \t\r\n");
  return b == std::string::npos ? "" : s.substr(b, e - b + 1);
}

// The typed site title and the admin's password; an error text if wrong.
std::string CheckConfirmation(WikiApp& app, Exchange& ex, int* status) {
  *status = 400;
  if (Trimmed(ex.Form("site_title")) != Trimmed(app.settings().site_title)) {
    return "The site title you typed does not match. Type it exactly as shown.";
  }
  const int64_t now = NowUnixSeconds();
  if (int64_t wait = app.throttle().RetryAfter(ex.user->name, ex.client, now); wait > 0) {
    *status = 429;
    return "Too many wrong passwords. Try again in " + std::to_string(wait) + " seconds.";
  }
  if (!app.storage().users().Authenticate(ex.user->name, ex.Form("password")).ok()) {
    app.throttle().RecordFailure(ex.user->name, ex.client, now);
    LogWarning("wrong password confirming an import, user '" + ex.user->name + "'");
    *status = 401;
    return "Wrong password.";
  }
  return "";
}

void PostConfirm(WikiApp& app, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(ex, id)) return;
  auto staged = Restorer(app.env(), app.layout()).LoadStaged(id);
  if (!staged.ok()) return app.SendError(ex, Status::NotFound("this import is no longer staged"));
  int status = 400;
  if (std::string error = CheckConfirmation(app, ex, &status); !error.empty()) {
    return ShowPreview(app, ex, *staged, status, error);
  }
  Status s =
      ImportJobs::Instance().Start(app, *staged, ImportOptionsFor(app, ex.user->name), "import");
  if (!s.ok()) return ShowPreview(app, ex, *staged, HttpStatusFor(s), AsSentence(s.message()));
  ShowImportProgress(app, ex, 202, id);
}

void PostCancel(WikiApp& app, Exchange& ex) {
  const std::string id = ex.Param("id");
  if (RedirectToJob(ex, id)) return;
  Status s = Restorer(app.env(), app.layout()).Discard(id);
  if (!s.ok()) return app.SendError(ex, s);
  RedirectWithFlash(ex, "/settings/backup", "Import cancelled. Nothing was changed.");
}

void GetProgress(WikiApp& app, Exchange& ex) {
  const std::string id = ex.Param("id");
  auto job = ImportJobs::Instance().Find(id);
  if (!job) return app.SendError(ex, Status::NotFound("no import job '" + id + "'"));
  if (job->state != "running") return SendRedirect(ex, ImportHref(id, "result"));
  ShowImportProgress(app, ex, 200, id);
}

TemplateValue ResultValue(const ImportJob& job) {
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
       {"login_href", "/login?next=" + UrlEncodeComponent(ImportHref(job.id, "result"))}});
}

void GetResult(WikiApp& app, Exchange& ex) {
  const std::string id = ex.Param("id");
  auto job = ImportJobs::Instance().Find(id);
  if (!job) return app.SendError(ex, Status::NotFound("no import job '" + id + "'"));
  if (job->state == "running") return SendRedirect(ex, ImportHref(id, "progress"));
  const bool failed = job->state == "failed";
  app.RenderPage(ex, 200, "import_result", failed ? "Import failed" : "Import finished",
                 ResultValue(*job));
}

}  // namespace

void ShowImportProgress(WikiApp& app, Exchange& ex, int status, const std::string& id) {
  auto job = ImportJobs::Instance().Find(id);
  TemplateValue data = TemplateValue::MakeMap(
      {{"id", id},
       {"is_undo", job && job->kind == "undo"},
       {"status_url", "/api/restore/status?job=" + UrlEncodeComponent(id)},
       {"result_url", ImportHref(id, "result")},
       {"login_href", "/login?next=" + UrlEncodeComponent(ImportHref(id, "result"))}});
  app.RenderPage(ex, status, "import_progress", "Restoring…", std::move(data));
}

void RegisterImportRoutes(WikiApp& app) {
  Router& r = app.router();
  auto bind = [&app](void (*f)(WikiApp&, Exchange&)) {
    return [&app, f](Exchange& ex) { f(app, ex); };
  };
  r.Add("POST", "/settings/backup/import", Access::kAdmin, bind(PostUpload));
  r.Add("GET", "/settings/backup/import/{id}", Access::kAdmin, bind(GetPreview));
  r.Add("POST", "/settings/backup/import/{id}/confirm", Access::kAdmin, bind(PostConfirm));
  r.Add("POST", "/settings/backup/import/{id}/cancel", Access::kAdmin, bind(PostCancel));
  r.Add("GET", "/settings/backup/import/{id}/progress", Access::kAdmin, bind(GetProgress));
  r.Add("GET", "/settings/backup/import/{id}/result", Access::kAdmin, bind(GetResult));
}

}  // namespace arkwiki::web
