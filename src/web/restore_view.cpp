#include "restore_view.h"

#include <Poco/JSON/Array.h>

#include <algorithm>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/url.h"
#include "view_format.h"

namespace arkwiki::web {

std::string RestorePageHref(const std::string& id, const std::string& suffix) {
  return "/settings/backup/import/" + UrlEncodeComponent(id) + (suffix.empty() ? "" : "/" + suffix);
}

std::string BackupDate(const std::string& iso) {
  const int64_t t = ParseIsoUtc(iso);
  return t < 0 ? iso : FormatDate(t);
}

TemplateValue CountsValue(const ManifestCounts& c) {
  return TemplateValue::MakeMap({{"pages", c.pages},
                                 {"revisions", c.revisions},
                                 {"users", c.users},
                                 {"uploads", c.uploads},
                                 {"bytes", FormatBytes(c.bytes)}});
}

TemplateValue SessionsValue(const SessionCarryOver& plan, const std::string& me) {
  TemplateValue names = TemplateValue::List{};
  for (const std::string& name : plan.logged_out) {
    names.Append(TemplateValue::MakeMap({{"name", name}}));
  }
  const bool me_out =
      std::find(plan.logged_out.begin(), plan.logged_out.end(), me) != plan.logged_out.end();
  TemplateValue v = TemplateValue::MakeMap({{"same_wiki", plan.same_wiki},
                                            {"has_logged_out", !plan.logged_out.empty()},
                                            {"you_logged_out", me_out}});
  v.Set("logged_out", std::move(names));
  return v;
}

Poco::JSON::Object::Ptr SessionsJson(const SessionCarryOver& plan) {
  Poco::JSON::Array::Ptr kept = new Poco::JSON::Array;
  for (const std::string& name : plan.kept) kept->add(name);
  Poco::JSON::Array::Ptr out = new Poco::JSON::Array;
  for (const std::string& name : plan.logged_out) out->add(name);
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("same_wiki", plan.same_wiki);
  o->set("kept", kept);
  o->set("logged_out", out);
  return o;
}

Poco::JSON::Object::Ptr CountsJson(const ManifestCounts& c) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("pages", c.pages);
  o->set("revisions", c.revisions);
  o->set("users", c.users);
  o->set("uploads", c.uploads);
  o->set("bytes", c.bytes);
  return o;
}

Poco::JSON::Object::Ptr ManifestJson(const Manifest& m) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("created_at", m.created_at);
  o->set("app_version", m.app_version);
  o->set("format_version", m.format_version);
  o->set("schema_version", m.schema_version);
  o->set("site_title", m.site_title);
  o->set("counts", CountsJson(m.counts));
  o->set("partial", m.partial());
  Poco::JSON::Array::Ptr omits = new Poco::JSON::Array;
  for (const std::string& part : m.omits) omits->add(part);
  o->set("omits", omits);
  return o;
}

TemplateValue PartialValue(const StagedImport& staged) {
  const std::vector<MissingUpload>& missing = staged.missing_uploads;
  TemplateValue rows = TemplateValue::List{};
  for (size_t i = 0; i < missing.size() && i < kShownMissing; ++i) {
    rows.Append(
        TemplateValue::MakeMap({{"page", missing[i].page},
                                {"name", missing[i].name},
                                {"size", FormatBytes(static_cast<int64_t>(missing[i].size))}}));
  }
  const size_t more = missing.size() - std::min(missing.size(), kShownMissing);
  TemplateValue v =
      TemplateValue::MakeMap({{"is_partial", staged.report.manifest.partial()},
                              {"has_missing", !missing.empty()},
                              {"missing_count", static_cast<int64_t>(missing.size())},
                              {"missing_more", more > 0 ? std::to_string(more) : std::string()}});
  v.Set("missing", std::move(rows));
  return v;
}

Poco::JSON::Object::Ptr MissingUploadsJson(const std::vector<MissingUpload>& missing) {
  Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
  for (size_t i = 0; i < missing.size() && i < kListedMissing; ++i) {
    Poco::JSON::Object::Ptr f = new Poco::JSON::Object;
    f->set("page", missing[i].page);
    f->set("name", missing[i].name);
    f->set("sha256", missing[i].sha256);
    f->set("size", missing[i].size);
    files->add(f);
  }
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("count", static_cast<Poco::UInt64>(missing.size()));
  o->set("files", files);
  o->set("truncated", missing.size() > kListedMissing);
  return o;
}

Poco::JSON::Object::Ptr RestoreJobJson(const RestoreJob& j) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("job", j.id);
  o->set("kind", j.kind);
  o->set("state", j.state);
  o->set("phase", j.phase);
  o->set("bytes_done", j.bytes_done);
  o->set("bytes_total", j.bytes_total);
  if (!j.message.empty()) o->set("message", j.message);
  o->set("started_at", j.started_at);
  if (j.state != "running") o->set("finished_at", j.finished_at);
  if (j.state == "done") {
    o->set("unavailable_ms", j.unavailable_millis);
    o->set("safety_backup", j.safety_backup);
    if (!j.safety_note.empty()) o->set("safety_note", j.safety_note);
    o->set("must_log_in_again", j.must_log_in_again);
    o->set("counts", CountsJson(j.restored.counts));
  }
  o->set("result_url", RestorePageHref(j.id, "result"));
  return o;
}

}  // namespace arkwiki::web
