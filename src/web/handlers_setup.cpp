#include "handlers_setup.h"

#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"
#include "handlers_auth.h"
#include "restore_view.h"
#include "view_format.h"

namespace arkwiki::web::setup_pages {
namespace {

// The login throttle's name for wrong setup codes: one name for every
// guess, so that a client's wrong codes count together (and the
// throttle's global limit bounds guesses spread over many addresses).
constexpr char kThrottleName[] = "(setup code)";

// The form's fields that are shown back after a refusal. The setup code,
// the passphrase and the secret key never are.
constexpr const char* kShownFields[] = {"path",   "endpoint",      "region", "bucket",
                                        "prefix", "access_key_id", "ca_file"};

void RenderForm(WikiApp& app, Exchange& ex, int status, const std::string& error) {
  const bool s3 = ex.Form("kind") == "s3";
  TemplateValue data =
      TemplateValue::MakeMap({{"csrf", auth::AnonymousFormToken(ex)},
                              {"error", error},
                              {"is_s3", s3},
                              {"path_style", ex.method == "GET" || ex.Form("path_style") == "on"}});
  for (const char* field : kShownFields) data.Set(field, ex.Form(field));
  app.RenderPage(ex, status, "setup", "Restore this wiki", std::move(data));
}

// The target the form describes. S3 uploads' resume state would go beside
// the data, as for configured targets; reading never writes it.
Result<OffsiteTargetSpec> SpecFromForm(WikiApp& app, const Exchange& ex) {
  OffsiteTargetSpec spec;
  const std::string kind = ex.Form("kind");
  if (kind == "directory") {
    spec.location = ex.Form("path");
    if (spec.location.empty() || spec.location[0] != '/') {
      return Status::InvalidArgument("give the target directory as an absolute path");
    }
    return spec;
  }
  if (kind != "s3") return Status::InvalidArgument("choose an S3 bucket or a directory");
  const std::string bucket = ex.Form("bucket");
  const std::string prefix = ex.Form("prefix");
  if (bucket.empty()) return Status::InvalidArgument("an S3 target needs a bucket");
  spec.endpoint = ex.Form("endpoint");
  if (spec.endpoint.empty()) return Status::InvalidArgument("an S3 target needs an endpoint URL");
  spec.location = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
  spec.region = ex.Form("region");
  spec.access_key_id = ex.Form("access_key_id");
  spec.secret_access_key = ex.Form("secret_access_key");
  spec.ca_file = ex.Form("ca_file");
  spec.path_style = ex.Form("path_style") == "on";
  spec.state_dir = JoinPath(JoinPath(app.layout().root, "offsite"), "s3-uploads");
  return spec;
}

// A refusal from the target, said so that a person can act on it.
std::string TargetProblem(const Status& s) {
  std::string said = s.message();
  if (!said.empty() && said.back() == '.') said.pop_back();
  if (s.code() == StatusCode::kPermissionDenied) {
    return "The target refused: " + said +
           ". Check the passphrase (and for S3 the access key and secret).";
  }
  return "Could not read the restore points: " + said + ".";
}

int TargetProblemStatus(const Status& s) {
  return s.code() == StatusCode::kPermissionDenied ? 403 : HttpStatusFor(s);
}

void RenderPoints(WikiApp& app, Exchange& ex, int status,
                  const FirstRunSetup::Connection& connection, const std::string& error) {
  TemplateValue points = TemplateValue::List{};
  for (size_t i = 0; i < connection.points.size(); ++i) {
    const OffsitePoint& p = connection.points[i];
    TemplateValue row = TemplateValue::MakeMap({{"id", p.info.id},
                                                {"created", BackupDate(p.manifest.created_at)},
                                                {"site_title", p.manifest.site_title},
                                                {"label", p.info.label},
                                                {"partial", p.manifest.partial()},
                                                {"chosen", i == 0}});
    row.Set("counts", CountsValue(p.manifest.counts));
    points.Append(std::move(row));
  }
  TemplateValue data = TemplateValue::MakeMap({{"csrf", auth::AnonymousFormToken(ex)},
                                               {"error", error},
                                               {"connection", connection.id},
                                               {"target", connection.target->Describe()}});
  data.Set("points", std::move(points));
  app.RenderPage(ex, status, "setup_points", "Choose a restore point", std::move(data));
}

void RenderDone(WikiApp& app, Exchange& ex, const RestoreDone& done) {
  const Manifest& m = done.staged.report.manifest;
  TemplateValue data =
      TemplateValue::MakeMap({{"site_title", m.site_title},
                              {"created_at", BackupDate(m.created_at)},
                              {"unavailable_ms", done.outcome->unavailable_millis}});
  data.Set("counts", CountsValue(m.counts));
  app.RenderPage(ex, 200, "setup_done", "The wiki was restored", std::move(data));
}

}  // namespace

void ShowForm(WikiApp& app, Exchange& ex) { RenderForm(app, ex, 200, ""); }

void Connect(WikiApp& app, Exchange& ex) {
  const int64_t now = NowUnixSeconds();
  LoginThrottle& throttle = app.throttle();
  if (int64_t wait = throttle.RetryAfter(kThrottleName, ex.client, now); wait > 0) {
    ex.response.set("Retry-After", std::to_string(wait));
    return RenderForm(
        app, ex, 429,
        "Too many wrong setup codes. Try again in " + std::to_string(wait) + " seconds.");
  }
  if (!app.setup().CodeMatches(ex.Form("code"))) {
    throttle.RecordFailure(kThrottleName, ex.client, now);
    LogWarning("wrong setup code from " + ex.client);
    return RenderForm(app, ex, 403,
                      "Wrong setup code. It is printed where the server started, and kept in "
                      "the file setup-code of the data directory.");
  }
  throttle.RecordSuccess(kThrottleName, ex.client);
  auto spec = SpecFromForm(app, ex);
  if (!spec.ok()) return RenderForm(app, ex, 400, spec.status().message());
  const std::string passphrase = ex.Form("passphrase");
  if (passphrase.empty()) return RenderForm(app, ex, 400, "Type the target's passphrase.");
  auto connection = app.setup().Connect(app.env(), app.layout().tmp, *spec, passphrase, now);
  if (!connection.ok()) {
    const Status& s = connection.status();
    LogWarning("setup: reading an off-site target failed: " + s.ToString());
    return RenderForm(app, ex, TargetProblemStatus(s), TargetProblem(s));
  }
  RenderPoints(app, ex, 200, **connection, "");
}

void Restore(WikiApp& app, Exchange& ex) {
  auto connection = app.setup().Find(ex.Form("connection"), NowUnixSeconds());
  if (!connection) {
    return RenderForm(app, ex, 409,
                      "The connection to the target has ended (it lasts 30 minutes, and not "
                      "past a restart of the server). Enter the setup code and the target again.");
  }
  const std::string id = ex.Form("point");
  bool known = false;
  for (const OffsitePoint& p : connection->points) known = known || p.info.id == id;
  if (!known) return RenderPoints(app, ex, 400, *connection, "Choose one of the restore points.");
  auto done = app.backup().RestoreFirstRun(connection->target.get(), *connection->key, id);
  if (!done.ok()) {
    const Status& s = done.status();
    LogWarning("setup: restoring " + id + " from " + connection->target->Describe() +
               " failed: " + s.ToString());
    return RenderPoints(app, ex, HttpStatusFor(s), *connection,
                        "The restore was refused, and nothing was changed: " + s.message());
  }
  LogInfo("setup: restored restore point " + id + " from " + connection->target->Describe());
  Status ended = app.setup().End();
  if (!ended.ok()) LogWarning("could not end the setup code: " + ended.ToString());
  RenderDone(app, ex, *done);
}

}  // namespace arkwiki::web::setup_pages
