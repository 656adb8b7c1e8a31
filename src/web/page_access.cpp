#include "page_access.h"

#include "markdown.h"

namespace arkwiki::web {

Result<Page> VisiblePage(WikiApp& app, const Exchange& ex, const std::string& slug) {
  auto page = app.storage().pages().Get(slug);
  if (!page.ok()) return page.status();
  if (page->visibility == "private" && !ex.user) {
    return Status::NotFound("no page '" + slug + "'");
  }
  return page;
}

std::string ParentSlug(WikiApp& app, const Page& page) {
  if (!page.parent_id) return "";
  auto parent = app.storage().pages().GetById(*page.parent_id);
  return parent.ok() ? parent->slug : "";
}

std::vector<std::string> LinkedSlugs(WikiApp& app, const std::string& markdown) {
  (void)app;
  return RenderMarkdown(markdown, [](const std::string&) { return true; }).linked_slugs;
}

}  // namespace arkwiki::web
