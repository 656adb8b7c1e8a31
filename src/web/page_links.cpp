#include "page_links.h"

#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/core/url.h"
#include "html.h"

namespace arkwiki::web {

std::string PageHref(const std::string& slug, const std::string& suffix) {
  std::string href = "/wiki/" + UrlEncodeComponent(slug);
  if (!suffix.empty()) href += "/" + suffix;
  return href;
}

void SendPageNotFound(WikiApp& app, Exchange& ex, const std::string& slug) {
  bool can_create = ex.at_least(Role::kEditor) && IsValidSlug(slug);
  TemplateValue data =
      TemplateValue::MakeMap({{"slug", slug},
                              {"can_create", can_create},
                              {"search_href", "/search?q=" + UrlEncodeComponent(slug)}});
  if (can_create) data.Set("create_href", PageHref(slug, "edit"));
  app.RenderPage(ex, 404, "page_missing", "Page not found", std::move(data));
}

std::optional<Page> PageOrRespond(WikiApp& app, Exchange& ex, const std::string& suffix) {
  const std::string slug = ex.Param("slug");
  auto page = VisiblePage(app, ex, slug);
  if (page.ok()) return std::move(page).value();
  if (page.status().code() != StatusCode::kNotFound) {
    app.SendError(ex, page.status());
    return std::nullopt;
  }
  // A renamed page: follow the redirect, unless the target is hidden.
  auto moved = app.storage().pages().ResolveRedirect(slug);
  if (moved.ok() && VisiblePage(app, ex, *moved).ok()) {
    const std::string& uri = ex.request.getURI();
    size_t q = uri.find('?');
    SendRedirect(ex, PageHref(*moved, suffix) + (q == std::string::npos ? "" : uri.substr(q)), 301);
    return std::nullopt;
  }
  SendPageNotFound(app, ex, slug);
  return std::nullopt;
}

TemplateValue PageLinkValue(const Page& page) {
  return TemplateValue::MakeMap({{"slug", page.slug},
                                 {"title", page.title},
                                 {"href", PageHref(page.slug)},
                                 {"private", page.visibility == "private"}});
}

}  // namespace arkwiki::web
