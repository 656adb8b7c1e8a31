// Admin Settings: the overview, system configuration and the audit log.
#include "handlers_settings.h"

#include "app.h"
#include "arkwiki/core/log.h"
#include "audit_trail.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::settings_pages {
namespace {

constexpr int64_t kAuditPerPage = 100;

// The settings the System form edits, in SettingKeys() order.
std::vector<std::string> EditableKeys() {
  std::vector<std::string> keys;
  for (const auto& k : SettingKeys()) {
    if (k != "instance_id") keys.push_back(k);
  }
  return keys;
}

void ShowSystem(WikiApp& app, Exchange& ex, const std::map<std::string, std::string>& values,
                const std::string& error, int status) {
  TemplateValue data;
  for (const auto& [k, v] : values) data.Set(k, v);
  data.Set("is_private_default",
           values.count("default_visibility") && values.at("default_visibility") == "private");
  for (const char* key : {"upload_max_bytes", "import_max_bytes"}) {
    auto it = values.find(key);
    auto bytes = it == values.end() ? std::nullopt : ParseCount(it->second);
    if (bytes) data.Set(std::string(key) + "_human", FormatBytes(*bytes));
  }
  data.Set("error", error);
  data.Set("instance_id", app.settings().instance_id);
  app.RenderPage(ex, status, "settings_system", "System configuration", std::move(data));
}

}  // namespace

void Overview(WikiApp& app, Exchange& ex) {
  TemplateValue data;
  if (auto c = app.storage().Counts(); c.ok()) {
    data.Set("counts",
             TemplateValue::MakeMap({{"pages", c->pages},
                                     {"revisions", c->revisions},
                                     {"users", c->users},
                                     {"uploads", c->uploads},
                                     {"upload_bytes", FormatBytes(c->upload_bytes)},
                                     {"database_bytes", FormatBytes(c->database_bytes)}}));
  }
  app.RenderPage(ex, 200, "settings", "Settings", std::move(data));
}

void SystemGet(WikiApp& app, Exchange& ex) {
  auto current = app.storage().settings().Load();
  if (!current.ok()) return app.SendError(ex, current.status());
  ShowSystem(app, ex, SettingsToMap(*current), "", 200);
}

void SystemPost(WikiApp& app, Exchange& ex) {
  auto current = app.storage().settings().Load();
  if (!current.ok()) return app.SendError(ex, current.status());
  const std::map<std::string, std::string> before = SettingsToMap(*current);
  std::map<std::string, std::string> posted, changed;
  for (const auto& key : EditableKeys()) {
    std::string value = ex.Form(key);
    posted[key] = value;
    auto it = before.find(key);
    if (it == before.end() || it->second != value) changed[key] = value;
  }
  if (changed.empty()) return RedirectWithFlash(ex, "/settings/system", "Nothing to change.");
  int status = 403;
  if (const std::string refused =
          CheckReauthentication(app, ex, ex.Form("password"), kSettingsAction, &status);
      !refused.empty()) {
    return ShowSystem(app, ex, posted, refused, status);
  }
  Status s = app.storage().settings().Update(changed);
  if (!s.ok()) {
    if (HttpStatusFor(s) >= 500) return app.SendError(ex, s);
    return ShowSystem(app, ex, posted, "Not saved: " + s.message() + ".", HttpStatusFor(s));
  }
  std::string detail;
  for (const auto& [k, v] : changed) {
    if (!detail.empty()) detail += ", ";
    detail.append(k).append("=").append(SettingValueForLog(k, v));
  }
  AuditOrWarn(app, ex, AuditKind::kSettingsUpdate, detail);
  RedirectWithFlash(ex, "/settings/system", "Settings saved.");
}

void Audit(WikiApp& app, Exchange& ex) {
  int64_t page = std::max<int64_t>(1, ParseCount(ex.Query("page", "1")).value_or(1));
  if (page > 1'000'000) page = 1'000'000;
  // One extra row tells whether a next page exists.
  auto entries = app.storage().audit().List(kAuditPerPage + 1, (page - 1) * kAuditPerPage);
  if (!entries.ok()) return app.SendError(ex, entries.status());
  const bool has_next = static_cast<int64_t>(entries->size()) > kAuditPerPage;
  if (has_next) entries->pop_back();
  TemplateValue rows = TemplateValue::List{};
  for (const AuditEntry& e : *entries) {
    rows.Append(TemplateValue::MakeMap({{"date", DateValue(e.at)},
                                        {"actor", e.actor},
                                        {"action", e.action},
                                        {"detail", e.detail}}));
  }
  TemplateValue data = TemplateValue::MakeMap({{"page", page}});
  SetList(&data, "entries", std::move(rows));
  if (page > 1) data.Set("prev_href", "/settings/audit?page=" + std::to_string(page - 1));
  if (has_next) data.Set("next_href", "/settings/audit?page=" + std::to_string(page + 1));
  app.RenderPage(ex, 200, "settings_audit", "Audit log", std::move(data));
}

}  // namespace arkwiki::web::settings_pages
