#include "arkwiki/backup/restore_diff_json.h"

#include <Poco/JSON/Array.h>

#include "arkwiki/core/clock.h"

namespace arkwiki {
namespace {

Poco::JSON::Object::Ptr PageVersionJson(const PageVersion& v) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("title", v.title);
  o->set("revision", v.revision);
  o->set("edited_by", v.edited_by);
  o->set("edited_at", FormatIsoUtc(v.edited_at));
  return o;
}

Poco::JSON::Object::Ptr UserVersionJson(const UserVersion& v) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("role", v.role);
  o->set("disabled", v.disabled);
  return o;
}

template <typename T, typename ToJson>
Poco::JSON::Object::Ptr ListJson(const BoundedList<T>& list, ToJson to_json) {
  Poco::JSON::Array::Ptr entries = new Poco::JSON::Array;
  for (const T& entry : list.first) entries->add(to_json(entry));
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("total", list.total);
  o->set("entries", entries);
  return o;
}

Poco::JSON::Object::Ptr SettingChangeJson(const SettingChange& c) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("key", c.key);
  if (c.in_backup) o->set("in_backup", *c.in_backup);
  if (c.now) o->set("now", *c.now);
  return o;
}

}  // namespace

Poco::JSON::Object::Ptr PageChangeJson(const PageChange& c) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("slug", c.slug);
  if (c.in_backup) o->set("in_backup", PageVersionJson(*c.in_backup));
  if (c.now) o->set("now", PageVersionJson(*c.now));
  o->set("edited_since_backup", c.edited_since_backup);
  return o;
}

Poco::JSON::Object::Ptr UserChangeJson(const UserChange& c) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("name", c.name);
  if (c.in_backup) o->set("in_backup", UserVersionJson(*c.in_backup));
  if (c.now) o->set("now", UserVersionJson(*c.now));
  return o;
}

Poco::JSON::Object::Ptr DifferenceJson(const RestoreDiff& d) {
  Poco::JSON::Object::Ptr pages = new Poco::JSON::Object;
  pages->set("added", ListJson(d.pages_added, PageChangeJson));
  pages->set("removed", ListJson(d.pages_removed, PageChangeJson));
  pages->set("changed", ListJson(d.pages_changed, PageChangeJson));
  pages->set("edited_since_backup", d.pages_edited_since_backup);
  Poco::JSON::Object::Ptr users = new Poco::JSON::Object;
  users->set("added", ListJson(d.users_added, UserChangeJson));
  users->set("removed", ListJson(d.users_removed, UserChangeJson));
  users->set("changed", ListJson(d.users_changed, UserChangeJson));
  users->set("importer_loses_admin", d.importer_loses_admin);
  Poco::JSON::Object::Ptr uploads = new Poco::JSON::Object;
  uploads->set("files_added", d.uploads.files_added);
  uploads->set("bytes_added", d.uploads.bytes_added);
  uploads->set("files_removed", d.uploads.files_removed);
  uploads->set("bytes_removed", d.uploads.bytes_removed);
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("pages", pages);
  o->set("users", users);
  o->set("uploads", uploads);
  o->set("settings", ListJson(d.settings_changed, SettingChangeJson));
  return o;
}

}  // namespace arkwiki
