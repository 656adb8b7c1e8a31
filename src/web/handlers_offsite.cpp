#include "handlers_offsite.h"

#include <Poco/JSON/Array.h>

#include <algorithm>
#include <charconv>

#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/core/clock.h"
#include "json_util.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::offsite {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

constexpr char kBackupPage[] = "/settings/backup";
// Off-site targets decide where every backup goes, so changing them needs
// reauthentication (reauthentication.h).
constexpr char kOffsiteAction[] = "Changing off-site targets";

// The fields a target is given by, in the API and the form.
const std::vector<std::string>& FieldNames() {
  static const std::vector<std::string> names = {"name",
                                                 "kind",
                                                 "path",
                                                 "bucket",
                                                 "prefix",
                                                 "endpoint",
                                                 "region",
                                                 "path_style",
                                                 "access_key_id",
                                                 "secret_access_key",
                                                 "ca_file",
                                                 "passphrase",
                                                 "passphrase_file",
                                                 "keep_last",
                                                 "keep_daily",
                                                 "keep_weekly",
                                                 "keep_monthly",
                                                 "prune_grace_hours"};
  return names;
}

Result<int> Count(const std::string& key, const std::string& text) {
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0) {
    return Status::InvalidArgument(key + " must be a whole number");
  }
  return value;
}

// "s3://bucket/prefix" -> {bucket, prefix}.
std::pair<std::string, std::string> BucketAndPrefix(const std::string& location) {
  if (!IsS3Location(location)) return {};
  const std::string rest = location.substr(5);
  const size_t slash = rest.find('/');
  if (slash == std::string::npos) return {rest, ""};
  return {rest.substr(0, slash), rest.substr(slash + 1)};
}

// Applies the given `fields` to `t`; a field not given keeps its value,
// and an empty secret or passphrase keeps the stored one (they are
// write-only, so a form cannot show them back).
Status Apply(const std::map<std::string, std::string>& fields, OffsiteTargetConfig* t) {
  for (const auto& [key, value] : fields) {
    if (std::find(FieldNames().begin(), FieldNames().end(), key) == FieldNames().end()) {
      return Status::InvalidArgument("'" + key + "' is not an off-site target setting");
    }
  }
  auto field = [&](const char* key) -> const std::string* {
    auto it = fields.find(key);
    return it == fields.end() ? nullptr : &it->second;
  };
  const bool was_s3 = IsS3Location(t->spec.location);
  std::string kind = was_s3 ? "s3" : "directory";
  if (const std::string* k = field("kind")) kind = *k;
  if (kind == "directory") {
    if (const std::string* path = field("path")) t->spec.location = *path;
    if (was_s3 && !field("path")) t->spec.location.clear();
  } else if (kind == "s3") {
    auto [bucket, prefix] = BucketAndPrefix(t->spec.location);
    if (const std::string* b = field("bucket")) bucket = *b;
    if (const std::string* p = field("prefix")) prefix = *p;
    if (bucket.empty()) return Status::InvalidArgument("an s3 target needs a bucket");
    t->spec.location = "s3://" + bucket + (prefix.empty() ? "" : "/" + prefix);
  } else {
    return Status::InvalidArgument("kind must be s3 or directory");
  }
  const std::pair<const char*, std::string*> plain[] = {{"endpoint", &t->spec.endpoint},
                                                        {"region", &t->spec.region},
                                                        {"access_key_id", &t->spec.access_key_id},
                                                        {"ca_file", &t->spec.ca_file},
                                                        {"passphrase_file", &t->passphrase_file}};
  for (const auto& [key, target] : plain) {
    if (const std::string* v = field(key)) *target = *v;
  }
  if (const std::string* v = field("secret_access_key"); v && !v->empty()) {
    t->spec.secret_access_key = *v;
  }
  if (const std::string* v = field("passphrase"); v && !v->empty()) {
    t->passphrase = *v;
    t->passphrase_file.clear();
  }
  if (!t->passphrase_file.empty()) t->passphrase.clear();
  if (const std::string* v = field("path_style")) {
    t->spec.path_style = *v == "true" || *v == "1" || *v == "on";
  }
  const std::pair<const char*, int*> counts[] = {{"keep_last", &t->retention.keep_last},
                                                 {"keep_daily", &t->retention.keep_daily},
                                                 {"keep_weekly", &t->retention.keep_weekly},
                                                 {"keep_monthly", &t->retention.keep_monthly},
                                                 {"prune_grace_hours", &t->prune_grace_hours}};
  for (const auto& [key, target] : counts) {
    if (const std::string* v = field(key); v && !v->empty()) {
      ARKWIKI_ASSIGN_OR_RETURN(*target, Count(key, *v));
    }
  }
  return Status::Ok();
}

Result<OffsiteTargetConfig> Find(BackupService& backup, const std::string& name) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteTargetConfig> all, backup.offsite().Targets());
  auto it = std::find_if(all.begin(), all.end(),
                         [&](const OffsiteTargetConfig& t) { return t.name == name; });
  if (it != all.end()) return *it;
  return Status::NotFound("no off-site target '" + name + "'");
}

Poco::Dynamic::Var TimeOrNull(int64_t unix_seconds) {
  if (unix_seconds <= 0) return {};
  return FormatIsoUtc(unix_seconds);
}

Object::Ptr StatusJson(BackupService& backup, const OffsiteTargetStatus& s, int64_t now) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("state", backup.OffsiteStateOf(s, now));
  o->set("description", s.description);
  o->set("repository_id",
         s.repository_id.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(s.repository_id));
  o->set("last_attempt", TimeOrNull(s.last_attempt));
  o->set("last_success", TimeOrNull(s.last_success));
  o->set("last_failure", TimeOrNull(s.last_failure));
  o->set("last_error", s.last_error);
  o->set("failures_total", static_cast<Poco::UInt64>(s.failures_total));
  o->set("bytes_sent_total", static_cast<Poco::UInt64>(s.bytes_sent_total));
  o->set("newest_copy", TimeOrNull(NewestCopy(s)));
  o->set("checked", s.points_known ? Poco::Dynamic::Var(s.checked) : Poco::Dynamic::Var());
  Array::Ptr points = new Array;
  for (const auto& [id, created] : s.points) points->add(id);
  o->set("restore_points", s.points_known ? Poco::Dynamic::Var(points) : Poco::Dynamic::Var());
  return o;
}

Object::Ptr TargetJson(BackupService& backup, const OffsiteTargetConfig& t,
                       const std::vector<OffsiteTargetStatus>& statuses, int64_t now) {
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  const bool s3 = IsS3Location(t.spec.location);
  o->set("name", t.name);
  o->set("kind", s3 ? "s3" : "directory");
  o->set("location", t.spec.location);
  if (s3) {
    const auto [bucket, prefix] = BucketAndPrefix(t.spec.location);
    o->set("bucket", bucket);
    o->set("prefix", prefix);
    o->set("endpoint", t.spec.endpoint);
    o->set("region", t.spec.region);
    o->set("path_style", t.spec.path_style);
    o->set("access_key_id", t.spec.access_key_id);
    o->set("secret_access_key_set", !t.spec.secret_access_key.empty());
    o->set("ca_file", t.spec.ca_file);
  } else {
    o->set("path", t.spec.location);
  }
  o->set("passphrase_set", !t.passphrase.empty() || !t.passphrase_file.empty());
  o->set("passphrase_file", t.passphrase_file);
  o->set("keep_last", t.retention.keep_last);
  o->set("keep_daily", t.retention.keep_daily);
  o->set("keep_weekly", t.retention.keep_weekly);
  o->set("keep_monthly", t.retention.keep_monthly);
  const auto status = std::find_if(statuses.begin(), statuses.end(),
                                   [&](const OffsiteTargetStatus& s) { return s.name == t.name; });
  // The repository id is known once a copy or a test has unlocked the
  // target, or targets.conf records it.
  o->set("restore_command",
         OffsiteRestoreCommand(t.spec, status == statuses.end() ? "" : status->repository_id));
  o->set("prune_grace_hours", t.prune_grace_hours);
  if (status != statuses.end()) o->set("status", StatusJson(backup, *status, now));
  return o;
}

void SendTarget(BackupService& backup, const Renderer& pages, Exchange& ex, int code,
                const std::string& name) {
  auto t = Find(backup, name);
  if (!t.ok()) return pages.SendError(ex, t.status());
  SendJson(ex, code, TargetJson(backup, *t, backup.OffsiteStatuses(), NowUnixSeconds()));
}

// Adds (or, with `name`, edits) a target from `fields`, and starts a copy
// run so that the new settings are used at once.
Status Save(BackupService& backup, const std::map<std::string, std::string>& fields,
            const std::string& name) {
  OffsiteTargetConfig t;
  if (!name.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(t, Find(backup, name));
    if (auto it = fields.find("name"); it != fields.end() && it->second != name) {
      return Status::InvalidArgument("a target's name cannot be changed; add a new target");
    }
  } else {
    auto it = fields.find("name");
    t.name = it == fields.end() ? "" : it->second;
  }
  ARKWIKI_RETURN_IF_ERROR(Apply(fields, &t));
  ARKWIKI_RETURN_IF_ERROR(backup.offsite().Save(t, /*replace=*/!name.empty()));
  backup.RequestOffsiteCopy();
  return Status::Ok();
}

Result<std::map<std::string, std::string>> BodyFields(Exchange& ex) {
  ARKWIKI_ASSIGN_OR_RETURN(Object::Ptr body, ReadJsonObject(ex, 64 << 10));
  return ObjectToStringMap(body);
}

void Flash(Exchange& ex, const Status& s, const std::string& done) {
  if (s.ok()) return RedirectWithFlash(ex, kBackupPage, done);
  RedirectWithFlash(ex, kBackupPage, "Not saved: " + AsSentence(s.message()), "error");
}

}  // namespace

void List(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto all = backup.offsite().Targets();
  if (!all.ok()) return pages.SendError(ex, all.status());
  const auto statuses = backup.OffsiteStatuses();
  const int64_t now = NowUnixSeconds();
  Array::Ptr list = new Array;
  for (const OffsiteTargetConfig& t : *all) list->add(TargetJson(backup, t, statuses, now));
  Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("targets", list);
  body->set("stale_after_seconds", backup.OffsiteStaleAfter());
  SendJson(ex, 200, body);
}

void Add(BackupService& backup, const Renderer& pages, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(backup.app(), ex, kOffsiteAction)) return;
  auto fields = BodyFields(ex);
  if (!fields.ok()) return pages.SendError(ex, fields.status());
  Status s = Save(backup, *fields, "");
  if (!s.ok()) return pages.SendError(ex, s);
  SendTarget(backup, pages, ex, 201, fields->at("name"));
}

void Edit(BackupService& backup, const Renderer& pages, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(backup.app(), ex, kOffsiteAction)) return;
  auto fields = BodyFields(ex);
  if (!fields.ok()) return pages.SendError(ex, fields.status());
  Status s = Save(backup, *fields, ex.Param("name"));
  if (!s.ok()) return pages.SendError(ex, s);
  SendTarget(backup, pages, ex, 200, ex.Param("name"));
}

void Remove(BackupService& backup, const Renderer& pages, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(backup.app(), ex, kOffsiteAction)) return;
  Status s = backup.offsite().Remove(ex.Param("name"));
  if (!s.ok()) return pages.SendError(ex, s);
  AddCommonHeaders(ex);
  ex.response.setStatusAndReason(Poco::Net::HTTPResponse::HTTP_NO_CONTENT);
  ex.response.setContentLength(0);
  SendHead(ex);
}

void Test(BackupService& backup, const Renderer& pages, Exchange& ex) {
  auto problem = backup.offsite().Test(ex.Param("name"));
  if (!problem.ok()) return pages.SendError(ex, problem.status());
  Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("ok", problem->empty());
  body->set("message", problem->empty() ? std::string("the target answers") : *problem);
  SendJson(ex, 200, body);
}

void CopyNow(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  backup.RequestOffsiteCopy();
  Object::Ptr body = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  body->set("started", true);
  SendJson(ex, 202, body);
}

void AddForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  if (RefuseUnconfirmedForm(backup.app(), ex, kOffsiteAction, kBackupPage)) return;
  std::map<std::string, std::string> fields;
  for (const std::string& key : FieldNames()) {
    if (key == "path_style") continue;
    if (std::string value = ex.Form(key); !value.empty()) fields[key] = value;
  }
  fields["path_style"] = ex.Form("path_style").empty() ? "false" : "true";
  Flash(ex, Save(backup, fields, ""),
        "Off-site target " + fields["name"] + " added. The restore points are being copied.");
}

void RemoveForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  if (RefuseUnconfirmedForm(backup.app(), ex, kOffsiteAction, kBackupPage)) return;
  Flash(ex, backup.offsite().Remove(ex.Param("name")),
        "Off-site target " + ex.Param("name") + " removed; what it holds was left there.");
}

void TestForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  auto problem = backup.offsite().Test(ex.Param("name"));
  if (problem.ok() && problem->empty()) {
    return RedirectWithFlash(ex, kBackupPage, "Off-site target " + ex.Param("name") + " answers.");
  }
  const std::string why = problem.ok() ? *problem : problem.status().message();
  RedirectWithFlash(ex, kBackupPage,
                    "Off-site target " + ex.Param("name") + " failed the test: " + AsSentence(why),
                    "error");
}

void CopyForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  backup.RequestOffsiteCopy();
  RedirectWithFlash(ex, kBackupPage,
                    "Copying to the off-site targets. Reload this page to see the result.");
}

void SetView(BackupService& backup, TemplateValue* data) {
  TemplateValue rows = TemplateValue::List{};
  const int64_t now = NowUnixSeconds();
  auto all = backup.offsite().Targets();
  for (const OffsiteTargetStatus& s : backup.OffsiteStatuses()) {
    const std::string state = backup.OffsiteStateOf(s, now);
    std::string location = s.description;
    std::string kind = "directory";
    std::string restore_command;
    if (all.ok()) {
      for (const OffsiteTargetConfig& t : *all) {
        if (t.name != s.name) continue;
        if (IsS3Location(t.spec.location)) kind = "s3";
        restore_command = OffsiteRestoreCommand(t.spec, s.repository_id);
      }
    }
    rows.Append(TemplateValue::MakeMap(
        {{"name", s.name},
         {"kind", kind},
         {"location", location},
         {"state", state},
         {"red", state == "failing" || state == "stale"},
         {"last_success", s.last_success > 0 ? DateValue(s.last_success) : TemplateValue()},
         {"last_error", state == "failing" ? s.last_error : std::string()},
         {"copies", s.points_known ? std::to_string(s.points.size()) : std::string("?")},
         {"repository_id", s.repository_id},
         {"restore_command", restore_command}}));
  }
  SetList(data, "offsite_targets", std::move(rows));
}

TemplateValue PointTargets(const std::vector<OffsiteTargetStatus>& targets,
                           const std::vector<std::string>& states, const SnapshotInfo& point) {
  TemplateValue cells = TemplateValue::List{};
  for (size_t i = 0; i < targets.size() && i < states.size(); ++i) {
    const OffsiteTargetStatus& s = targets[i];
    const std::string& target_state = states[i];
    const bool target_red = target_state == "failing" || target_state == "stale";
    std::string state;
    bool red = false;
    if (s.points.count(point.id) != 0) {
      state = s.checked ? "copied and checked" : "copied, check failed";
      red = !s.checked;
    } else if (s.points_known && !s.points.empty() && point.created < NewestCopy(s)) {
      state = "not kept there";
    } else if (point.check.state == CheckStatus::State::kFailed) {
      state = "not copied (its check failed)";
    } else {
      state = target_red ? "not copied" : "not copied yet";
      red = target_red;
    }
    cells.Append(TemplateValue::MakeMap({{"target", s.name}, {"state", state}, {"red", red}}));
  }
  return cells;
}

}  // namespace arkwiki::web::offsite
