#include "restore_diff_view.h"

#include <Poco/JSON/Array.h>

#include "restore_view.h"
#include "view_format.h"

namespace arkwiki::web {
namespace {

TemplateValue PageVersionValue(const PageVersion& v) {
  return TemplateValue::MakeMap({{"title", v.title},
                                 {"revision", v.revision},
                                 {"edited_by", v.edited_by},
                                 {"edited_at", FormatDate(v.edited_at)}});
}

template <typename T, typename ToValue>
TemplateValue ListValue(const BoundedList<T>& list, ToValue to_value, const std::string& staged_id,
                        DiffList which) {
  TemplateValue entries = TemplateValue::List{};
  for (const T& entry : list.first) entries.Append(to_value(entry));
  TemplateValue v =
      TemplateValue::MakeMap({{"title", DiffListTitle(which)},
                              {"list", DiffListName(which)},
                              {"total", list.total},
                              {"shown", static_cast<uint64_t>(list.first.size())},
                              {"has_entries", list.total > 0},
                              {"has_more", !list.complete()},
                              {"show_all_href", RestorePageHref(staged_id, "difference") +
                                                    "?list=" + DiffListName(which)}});
  v.Set("entries", std::move(entries));
  return v;
}

TemplateValue SettingChangeValue(const SettingChange& c) {
  return TemplateValue::MakeMap({{"key", c.key},
                                 {"in_backup", c.in_backup.value_or("(not set)")},
                                 {"now", c.now.value_or("(not set)")}});
}

}  // namespace

const char* DiffListTitle(DiffList list) {
  switch (list) {
    case DiffList::kPagesAdded:
      return "Pages the import adds";
    case DiffList::kPagesRemoved:
      return "Pages the import removes";
    case DiffList::kPagesChanged:
      return "Pages the import changes";
    case DiffList::kUsersAdded:
      return "Users the import adds";
    case DiffList::kUsersRemoved:
      return "Users the import removes";
    case DiffList::kUsersChanged:
      return "Users whose role the import changes";
  }
  return "";
}

Poco::JSON::Object::Ptr ActiveUsersJson(const std::vector<std::string>& names) {
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const std::string& name : names) list->add(name);
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("window_minutes", kActiveWindowMinutes);
  o->set("count", names.size());
  o->set("names", list);
  return o;
}

TemplateValue PageChangeValue(const PageChange& c) {
  TemplateValue v = TemplateValue::MakeMap({{"slug", c.slug},
                                            {"href", "/wiki/" + c.slug},
                                            {"edited_since_backup", c.edited_since_backup}});
  if (c.in_backup) v.Set("in_backup", PageVersionValue(*c.in_backup));
  if (c.now) v.Set("now", PageVersionValue(*c.now));
  return v;
}

TemplateValue UserChangeValue(const UserChange& c) {
  auto describe = [](const std::optional<UserVersion>& u) -> std::string {
    if (!u) return "(none)";
    return u->role + (u->disabled ? ", disabled" : "");
  };
  return TemplateValue::MakeMap(
      {{"name", c.name}, {"in_backup", describe(c.in_backup)}, {"now", describe(c.now)}});
}

TemplateValue DifferenceValue(const RestoreDiff& d, const std::string& id) {
  TemplateValue v = TemplateValue::MakeMap(
      {{"pages_added", ListValue(d.pages_added, PageChangeValue, id, DiffList::kPagesAdded)},
       {"pages_removed", ListValue(d.pages_removed, PageChangeValue, id, DiffList::kPagesRemoved)},
       {"pages_changed", ListValue(d.pages_changed, PageChangeValue, id, DiffList::kPagesChanged)},
       {"pages_edited_since_backup", d.pages_edited_since_backup},
       {"has_edited_since_backup", d.pages_edited_since_backup > 0},
       {"users_added", ListValue(d.users_added, UserChangeValue, id, DiffList::kUsersAdded)},
       {"users_removed", ListValue(d.users_removed, UserChangeValue, id, DiffList::kUsersRemoved)},
       {"users_changed", ListValue(d.users_changed, UserChangeValue, id, DiffList::kUsersChanged)},
       {"importer_loses_admin", d.importer_loses_admin},
       {"upload_files_added", d.uploads.files_added},
       {"upload_bytes_added", FormatBytes(static_cast<int64_t>(d.uploads.bytes_added))},
       {"upload_files_removed", d.uploads.files_removed},
       {"upload_bytes_removed", FormatBytes(static_cast<int64_t>(d.uploads.bytes_removed))}});
  TemplateValue settings = TemplateValue::List{};
  for (const SettingChange& c : d.settings_changed.first) settings.Append(SettingChangeValue(c));
  v.Set("settings", std::move(settings));
  v.Set("has_settings", d.settings_changed.total > 0);
  return v;
}

TemplateValue ActiveUsersValue(const std::vector<std::string>& names) {
  TemplateValue list = TemplateValue::List{};
  for (const std::string& name : names) list.Append(TemplateValue::MakeMap({{"name", name}}));
  TemplateValue v = TemplateValue::MakeMap({{"count", static_cast<uint64_t>(names.size())},
                                            {"minutes", kActiveWindowMinutes},
                                            {"has_active", !names.empty()}});
  v.Set("names", std::move(list));
  return v;
}

}  // namespace arkwiki::web
