#include "renderer.h"

#include <map>

#include "arkwiki/core/log.h"
#include "arkwiki/core/utf8.h"

namespace arkwiki::web {

TemplateValue Renderer::BaseData(const Exchange& ex) const {
  SiteSettings settings = settings_();
  TemplateValue data;
  data.Set("site_title", settings.site_title);
  data.Set("theme", ex.theme);
  data.Set("timezone", ex.timezone);
  data.Set("query", ToValidUtf8(ex.Query("q")));
  data.Set("csrf", ex.csrf);
  data.Set("is_editor", ex.at_least(Role::kEditor));
  data.Set("is_admin", ex.at_least(Role::kAdmin));
  if (ex.user) {
    data.Set("user",
             TemplateValue::MakeMap({{"name", ex.user->name}, {"role", RoleName(ex.user->role)}}));
  }
  if (ex.query.count("flash")) {
    data.Set("flash", TemplateValue::MakeMap({{"kind", ex.Query("flash_kind", "success")},
                                              {"text", ex.Query("flash")}}));
  }
  return data;
}

void Renderer::RenderPage(Exchange& ex, int status, const std::string& content_template,
                          const std::string& title, TemplateValue data) const {
  TemplateValue base = BaseData(ex);
  for (const auto& [k, v] : base.AsMap()) {
    if (!data.Find(k)) data.Set(k, v);
  }
  auto content = templates_->Render(content_template, data);
  if (!content.ok()) {
    LogError("template " + content_template + ": " + content.status().ToString());
    SendBody(ex, 500, "text/plain; charset=utf-8", "internal error rendering this page\n");
    return;
  }
  base.Set("page_title", title);
  base.Set("content", std::move(content).value());
  if (const TemplateValue* flash = data.Find("flash")) base.Set("flash", *flash);
  auto page = templates_->Render("layout", base);
  if (!page.ok()) {
    LogError("template layout: " + page.status().ToString());
    SendBody(ex, 500, "text/plain; charset=utf-8", "internal error rendering this page\n");
    return;
  }
  SendBody(ex, status, "text/html; charset=utf-8", page.value());
}

void Renderer::SendError(Exchange& ex, const Status& status) const {
  int code = HttpStatusFor(status);
  if (status.message() == "method not allowed") code = 405;
  if (code >= 500) LogError(ex.method + " " + ex.path + ": " + status.ToString());
  if (ex.is_api()) {
    if (code == 405) {
      Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
      body->set("error", "method not allowed");
      return SendJson(ex, 405, body);
    }
    return SendJsonError(ex, status);
  }
  static const std::map<int, std::string> kTitles = {
      {400, "Bad request"},        {401, "Please log in"},
      {403, "Not allowed"},        {404, "Not found"},
      {405, "Method not allowed"}, {409, "Conflict"},
      {413, "Too large"},          {422, "Cannot use this file"},
      {429, "Too many attempts"},  {500, "Something went wrong"},
      {503, "Maintenance"},        {507, "Out of disk space"}};
  auto it = kTitles.find(code);
  std::string title = it == kTitles.end() ? "Error" : it->second;
  // Server-side failures keep their details in the error log only.
  std::string text = code == 500 ? "The server could not complete this request. The error log "
                                   "has the details."
                                 : status.message();
  RenderPage(ex, code, "error", title,
             TemplateValue::MakeMap({{"status", code}, {"title", title}, {"message", text}}));
}

void Renderer::SendMessage(Exchange& ex, int status, const std::string& title,
                           const std::string& text) const {
  RenderPage(ex, status, "message", title,
             TemplateValue::MakeMap({{"title", title}, {"message", text}}));
}

}  // namespace arkwiki::web
