// /preferences: each logged-in user's theme, time zone and editor settings.
#include "handlers_preferences.h"

#include "app.h"

namespace arkwiki::web::settings_pages {
namespace {

TemplateValue Options(const std::vector<std::pair<std::string, std::string>>& choices,
                      const std::string& selected) {
  TemplateValue list = TemplateValue::List{};
  for (const auto& [value, label] : choices) {
    list.Append(TemplateValue::MakeMap(
        {{"value", value}, {"label", label}, {"selected", value == selected}}));
  }
  return list;
}

void ShowPreferences(WikiApp& app, Exchange& ex, std::map<std::string, std::string> prefs,
                     const std::string& error, int status) {
  TemplateValue data = TemplateValue::MakeMap(
      {{"themes", Options({{"system", "Same as my device"}, {"light", "Light"}, {"dark", "Dark"}},
                          prefs["theme"])},
       {"timezone", prefs["timezone"]},
       {"fonts", Options({{"mono", "Monospace"}, {"sans", "Proportional (sans-serif)"}},
                         prefs["editor_font"])},
       {"wraps", Options({{"on", "Wrap long lines"}, {"off", "Do not wrap (scroll sideways)"}},
                         prefs["editor_line_wrap"])},
       {"error", error}});
  app.RenderPage(ex, status, "preferences", "Preferences", std::move(data));
}

}  // namespace

void PreferencesGet(WikiApp& app, Exchange& ex) {
  auto prefs = app.storage().users().GetPreferences(ex.user->id);
  if (!prefs.ok()) return app.SendError(ex, prefs.status());
  ShowPreferences(app, ex, std::move(prefs).value(), "", 200);
}

void PreferencesPost(WikiApp& app, Exchange& ex) {
  std::map<std::string, std::string> prefs;
  for (const char* key : {"theme", "timezone", "editor_font", "editor_line_wrap"}) {
    prefs[key] = ex.Form(key);
  }
  Status s = app.storage().users().SetPreferences(ex.user->id, prefs);
  if (!s.ok()) {
    if (HttpStatusFor(s) >= 500) return app.SendError(ex, s);
    return ShowPreferences(app, ex, prefs, "Not saved: " + s.message() + ".", HttpStatusFor(s));
  }
  RedirectWithFlash(ex, "/preferences", "Preferences saved.");
}

}  // namespace arkwiki::web::settings_pages
