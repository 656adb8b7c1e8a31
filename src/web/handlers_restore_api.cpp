#include "handlers_restore_api.h"

#include <Poco/JSON/Array.h>

#include "reauthentication.h"
#include "restore_diff_view.h"
#include "restore_view.h"

namespace arkwiki::web::restore_api {
namespace {

void SendDryRun(BackupService& backup, Exchange& ex, const RestoreDone& done) {
  Poco::JSON::Object::Ptr preview = new Poco::JSON::Object;
  preview->set("backup", ManifestJson(done.staged.report.manifest));
  Poco::JSON::Object::Ptr current = new Poco::JSON::Object;
  if (done.current) current->set("counts", CountsJson(*done.current));
  current->set("site_title", backup.Settings().site_title);
  preview->set("current", current);
  if (done.sessions) preview->set("sessions", SessionsJson(*done.sessions));
  if (done.staged.report.manifest.partial()) {
    preview->set("missing_uploads", MissingUploadsJson(done.staged.missing_uploads));
  }
  if (done.difference) preview->set("difference", DifferenceJson(*done.difference));
  if (!done.difference_error.empty()) preview->set("difference_error", done.difference_error);
  preview->set("active_users", ActiveUsersJson(done.active_users));
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
  body->set("safety_backup", SafetyCopyName(outcome));
  if (!outcome.safety_point.empty()) body->set("safety_point", outcome.safety_point);
  if (!outcome.safety_note.empty()) body->set("safety_note", outcome.safety_note);
  body->set("unavailable_ms", outcome.unavailable_millis);
  body->set("sessions_kept_for", kept);
  Poco::JSON::Array::Ptr ended = new Poco::JSON::Array;
  for (const std::string& name : outcome.users_logged_out) ended->add(name);
  body->set("sessions_ended_for", ended);
  SendJson(ex, 200, body);
}

}  // namespace

void SendRestoreDone(BackupService& backup, Exchange& ex, const RestoreDone& done) {
  if (!done.outcome) return SendDryRun(backup, ex, done);
  SendRestored(ex, done.staged, *done.outcome);
}

void Restore(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string dry_run_text = ex.Query("dry_run");
  const bool dry_run = dry_run_text == "1" || dry_run_text == "true";
  if (!dry_run && RefuseUnconfirmedApiCall(backup.app(), ex, kReplaceAllAction)) return;
  const std::string allow = ex.Query("allow_missing_uploads");
  auto done = backup.RestoreFromRequest(ex, dry_run, allow == "1" || allow == "true");
  if (!done.ok()) return pages.SendError(ex, done.status());
  SendRestoreDone(backup, ex, *done);
}

void JobStatus(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Query("job");
  auto job = backup.FindJob(id);
  if (!job) return pages.SendError(ex, Status::NotFound("no import job '" + id + "'"));
  SendJson(ex, 200, RestoreJobJson(*job));
}

}  // namespace arkwiki::web::restore_api
