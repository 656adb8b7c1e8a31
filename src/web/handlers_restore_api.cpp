// POST /api/restore: the import flow for scripts. The body is the ZIP
// (application/zip), streamed to staging under the import size cap; it is
// checked completely, then (unless ?dry_run=1) committed in this request.
// GET /api/restore/status?job=ID: a browser import job's state (polled by
// backup.js; answers 503 while the swap runs, like every request then).
#include <Poco/JSON/Array.h>

#include <mutex>

#include "arkwiki/core/log.h"
#include "web/backup_routes.h"
#include "web/import_flow.h"
#include "web/import_jobs.h"

namespace arkwiki::web {
namespace {

void SendDryRun(WikiApp& app, Exchange& ex, const StagedImport& staged) {
  Poco::JSON::Object::Ptr preview = new Poco::JSON::Object;
  preview->set("backup", ManifestJson(staged.report.manifest));
  Poco::JSON::Object::Ptr current = new Poco::JSON::Object;
  auto counts = CountLiveData(app.env(), app.layout());
  if (counts.ok()) current->set("counts", CountsJson(*counts));
  current->set("site_title", app.settings().site_title);
  preview->set("current", current);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("status", "ok");
  body->set("dry_run", true);
  body->set("preview", preview);
  SendJson(ex, 200, body);
}

void SendRestored(Exchange& ex, const StagedImport& staged, const ImportOutcome& outcome) {
  Poco::JSON::Array::Ptr kept = new Poco::JSON::Array;
  for (const std::string& name : outcome.users_kept_sessions) kept->add(name);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("status", "restored");
  body->set("manifest", ManifestJson(staged.report.manifest));
  body->set("counts", CountsJson(staged.report.manifest.counts));
  body->set("safety_backup", FileNameOf(outcome.safety_backup));
  if (!outcome.safety_note.empty()) body->set("safety_note", outcome.safety_note);
  body->set("unavailable_ms", outcome.unavailable_millis);
  body->set("sessions_kept_for", kept);
  SendJson(ex, 200, body);
}

void PostRestore(WikiApp& app, Exchange& ex) {
  std::unique_lock<std::mutex> lock(app.exclusive_operation(), std::try_to_lock);
  if (!lock.owns_lock()) {
    DiscardOversizeBody(ex);
    return app.SendError(ex, Status::Busy(kBusyMessage));
  }
  auto staged = ReceiveAndStage(app, ex);
  if (!staged.ok()) return app.SendError(ex, staged.status());
  Restorer restorer(app.env(), app.layout());
  const std::string dry_run = ex.Query("dry_run");
  if (dry_run == "1" || dry_run == "true") {
    SendDryRun(app, ex, *staged);
    Status s = restorer.Discard(staged->id);
    if (!s.ok()) LogWarning("could not discard a dry-run staging: " + s.ToString());
    return;
  }
  // own_requests 1: this request is in flight and waits inside the swap.
  auto outcome = CommitImport(app, *staged, ImportOptionsFor(app, ex.user->name), 1, nullptr);
  if (!outcome.ok()) {
    (void)restorer.Discard(staged->id);
    return app.SendError(ex, outcome.status());
  }
  SendRestored(ex, *staged, *outcome);
}

void GetStatus(WikiApp& app, Exchange& ex) {
  auto job = ImportJobs::Instance().Find(ex.Query("job"));
  if (!job) return app.SendError(ex, Status::NotFound("no import job '" + ex.Query("job") + "'"));
  SendJson(ex, 200, ImportJobJson(*job));
}

}  // namespace

void RegisterRestoreApiRoutes(WikiApp& app) {
  app.router().Add("POST", "/api/restore", Access::kAdmin,
                   [&app](Exchange& ex) { PostRestore(app, ex); });
  app.router().Add("GET", "/api/restore/status", Access::kAdmin,
                   [&app](Exchange& ex) { GetStatus(app, ex); });
}

}  // namespace arkwiki::web
