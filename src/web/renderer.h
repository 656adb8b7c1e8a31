// Renderer: turns template data into HTML pages and Status values into
// error responses (an HTML page, or {"error": ...} for the API). Handlers
// that need nothing else of the server take a Renderer. Private to the web
// layer.
#pragma once

#include <functional>
#include <string>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/settings_store.h"
#include "arkwiki/web/template.h"
#include "exchange.h"

namespace arkwiki::web {

class Renderer {
 public:
  // `templates` must outlive the renderer; `settings` gives the site
  // settings every page shows (site title).
  Renderer(const TemplateSet* templates, std::function<SiteSettings()> settings)
      : templates_(templates), settings_(std::move(settings)) {}

  // Renders `content_template` with `data`, wraps it in the layout, sends it.
  void RenderPage(Exchange& ex, int status, const std::string& content_template,
                  const std::string& title, TemplateValue data) const;
  // An error page (HTML) or {"error": ...} (API) for a failed Status.
  void SendError(Exchange& ex, const Status& status) const;
  void SendMessage(Exchange& ex, int status, const std::string& title,
                   const std::string& text) const;
  // Template data common to every page (user, flags, csrf, theme).
  TemplateValue BaseData(const Exchange& ex) const;
  SiteSettings settings() const { return settings_(); }

 private:
  const TemplateSet* templates_;
  std::function<SiteSettings()> settings_;
};

}  // namespace arkwiki::web
