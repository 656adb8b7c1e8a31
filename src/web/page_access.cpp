#include "page_access.h"

#include <algorithm>
#include <unordered_set>

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

bool MayView(const Exchange& ex, const Page& page) {
  if (page.deleted_at && !ex.at_least(Role::kEditor)) return false;
  return page.visibility != "private" || ex.user.has_value();
}

std::string ParentSlug(WikiApp& app, const Exchange& ex, const Page& page) {
  if (!page.parent_id) return "";
  auto parent = app.storage().pages().GetById(*page.parent_id);
  return parent.ok() && MayView(ex, *parent) ? parent->slug : "";
}

std::vector<Page> VisibleAncestors(WikiApp& app, const Exchange& ex, const Page& page) {
  auto chain = app.storage().pages().Ancestors(page);
  if (!chain.ok()) return {};
  auto hidden = std::find_if(chain->rbegin(), chain->rend(),
                             [&ex](const Page& p) { return !MayView(ex, p); });
  return std::vector<Page>(hidden.base(), chain->end());
}

bool LinkLeadsToAPage(WikiApp& app, const Exchange& ex, const std::string& slug) {
  if (VisiblePage(app, ex, slug).ok()) return true;
  auto moved = app.storage().pages().ResolveRedirect(slug);
  return moved.ok() && VisiblePage(app, ex, *moved).ok();
}

std::vector<std::string> LinkedSlugs(WikiApp& app, const std::string& markdown) {
  return app.render_cache().Get(markdown).linked_slugs;
}

std::string PageHtml(WikiApp& app, const Exchange& ex, const std::string& markdown) {
  RenderedMarkdown base = app.render_cache().Get(markdown);
  // One lookup per linked page, up to a point (50,000 lookups took 3.4 s
  // for one view); past it, one query lists the pages the visitor may see.
  constexpr size_t kLookupsBeforeListing = 64;
  if (base.linked_slugs.size() > kLookupsBeforeListing) {
    auto pages = app.storage().pages().List(ex.user.has_value());
    auto redirects = app.storage().pages().Redirects();
    if (pages.ok() && redirects.ok()) {
      std::unordered_set<std::string> visible;
      for (const Page& p : *pages) visible.insert(p.slug);
      for (const auto& [old_slug, slug] : *redirects) {
        if (visible.count(slug) != 0) visible.insert(old_slug);
      }
      return MarkMissingLinks(base,
                              [&](const std::string& slug) { return visible.count(slug) != 0; });
    }
  }
  return MarkMissingLinks(base,
                          [&](const std::string& slug) { return LinkLeadsToAPage(app, ex, slug); });
}

}  // namespace arkwiki::web
