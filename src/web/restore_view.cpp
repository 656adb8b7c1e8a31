#include "restore_view.h"

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
