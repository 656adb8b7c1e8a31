// Rename, move, delete (to the trash) and ordering a page's children.
#include "handlers_page_manage.h"

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "arkwiki/core/slug.h"
#include "audit_trail.h"
#include "html.h"
#include "page_links.h"
#include "view_format.h"

namespace arkwiki::web::wiki_pages {
namespace {

void ShowRename(WikiApp& app, Exchange& ex, const Page& page, const std::string& new_title,
                const std::string& new_slug, const std::string& error, int status) {
  TemplateValue data = TemplateValue::MakeMap({{"page", PageLinkValue(page)},
                                               {"new_title", new_title},
                                               {"new_slug", new_slug},
                                               {"error", error},
                                               {"action", PageHref(page.slug, "rename")}});
  app.RenderPage(ex, status, "page_rename", "Rename " + page.title, std::move(data));
}

// The places `page` can move to: the top level and every live page that is
// not the page itself or below it, by title.
TemplateValue ParentChoices(WikiApp& app, const Page& page) {
  TemplateValue list = TemplateValue::List{};
  list.Append(TemplateValue::MakeMap(
      {{"slug", ""}, {"title", "(top level)"}, {"selected", !page.parent_id.has_value()}}));
  auto pages = app.storage().pages().List(true);
  if (!pages.ok()) return list;
  // The page and every page below it, found from the top down: one pass
  // over the pages however deep the tree.
  std::map<int64_t, std::vector<int64_t>> children;
  for (const Page& p : *pages) {
    if (p.parent_id) children[*p.parent_id].push_back(p.id);
  }
  std::set<int64_t> below{page.id};
  for (std::vector<int64_t> todo{page.id}; !todo.empty();) {
    const int64_t id = todo.back();
    todo.pop_back();
    auto it = children.find(id);
    if (it == children.end()) continue;
    for (int64_t child : it->second) {
      if (below.insert(child).second) todo.push_back(child);
    }
  }
  for (const Page& p : *pages) {
    if (below.count(p.id) != 0) continue;
    list.Append(TemplateValue::MakeMap(
        {{"slug", p.slug}, {"title", p.title}, {"selected", page.parent_id == p.id}}));
  }
  return list;
}

void ShowMove(WikiApp& app, Exchange& ex, const Page& page, const std::string& error, int status) {
  TemplateValue data = TemplateValue::MakeMap({{"page", PageLinkValue(page)},
                                               {"error", error},
                                               {"position", page.sort_order},
                                               {"action", PageHref(page.slug, "move")}});
  data.Set("parents", ParentChoices(app, page));
  app.RenderPage(ex, status, "page_move", "Move " + page.title, std::move(data));
}

}  // namespace

void MoveGet(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "move");
  if (!page) return;
  ShowMove(app, ex, *page, "", 200);
}

void MovePost(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "move");
  if (!page) return;
  MovePageRequest request;
  request.slug = page->slug;
  request.parent_slug = ex.Form("parent");
  const std::string position = ex.Form("position");
  if (!position.empty()) {
    request.position = ParseCount(position);
    if (!request.position || *request.position < 1) {
      return ShowMove(app, ex, *page, "Not moved: the position is a whole number from 1.", 400);
    }
  }
  auto moved = app.storage().pages().Move(request);
  if (moved.ok()) {
    AuditOrWarn(app, ex, AuditKind::kPageMove,
                "slug=" + moved->slug + ", parent=" + *request.parent_slug +
                    ", position=" + std::to_string(moved->sort_order));
    return RedirectWithFlash(ex, PageHref(moved->slug), "Page moved.");
  }
  const int code = HttpStatusFor(moved.status());
  if (code >= 500) return app.SendError(ex, moved.status());
  ShowMove(app, ex, *page, "Not moved: " + moved.status().message() + ".", code);
}

void RenameGet(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "rename");
  if (!page) return;
  ShowRename(app, ex, *page, page->title, page->slug, "", 200);
}

void RenamePost(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "rename");
  if (!page) return;
  std::string title = ex.Form("new_title");
  std::string slug = ex.Form("new_slug");
  // An empty address means "make one from the new title".
  if (slug.empty()) slug = Slugify(title);
  if (!IsValidSlug(slug)) {
    std::string hint = Slugify(slug);
    return ShowRename(app, ex, *page, title, slug,
                      "“" + slug +
                          "” cannot be a page address: use lowercase letters, digits "
                          "and dashes" +
                          (hint.empty() ? "" : ", such as “" + hint + "”") + ".",
                      400);
  }
  auto renamed = app.storage().pages().Rename(page->slug, slug, title, ActorName(ex));
  if (renamed.ok()) {
    return RedirectWithFlash(ex, PageHref(renamed->slug), "Page renamed.");
  }
  int code = HttpStatusFor(renamed.status());
  if (code >= 500) return app.SendError(ex, renamed.status());
  ShowRename(app, ex, *page, title, slug, "Not renamed: " + renamed.status().message() + ".", code);
}

void DeleteGet(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "delete");
  if (!page) return;
  int64_t children = 0;
  if (auto c = app.storage().pages().Children(page->id, true); c.ok()) {
    children = static_cast<int64_t>(c->size());
  }
  TemplateValue data = TemplateValue::MakeMap({{"page", PageLinkValue(*page)},
                                               {"children", children},
                                               {"has_children", children > 0},
                                               {"action", PageHref(page->slug, "delete")}});
  app.RenderPage(ex, 200, "page_delete", "Delete " + page->title, std::move(data));
}

void DeletePost(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "delete");
  if (!page) return;
  Status s = app.storage().pages().MoveToTrash(page->slug);
  if (!s.ok()) return app.SendError(ex, s);
  RedirectWithFlash(ex, "/pages", "“" + page->title + "” was moved to the trash.");
}

// Form fields "order:<slug>" = position. Children not in the form keep
// their relative place after the ones that are.
void OrderPost(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "order");
  if (!page) return;
  auto children = app.storage().pages().Children(page->id, true);
  if (!children.ok()) return app.SendError(ex, children.status());
  std::vector<std::pair<int64_t, std::string>> order;
  int64_t fallback = 1'000'000;
  for (const Page& child : *children) {
    auto pos = ParseCount(ex.Form("order:" + child.slug));
    order.emplace_back(pos.value_or(fallback++), child.slug);
  }
  std::stable_sort(order.begin(), order.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  std::vector<std::string> slugs;
  slugs.reserve(order.size());
  for (auto& [pos, slug] : order) slugs.push_back(std::move(slug));
  Status s = app.storage().pages().SetChildOrder(page->id, slugs);
  if (!s.ok()) return app.SendError(ex, s);
  RedirectWithFlash(ex, PageHref(page->slug), "Order of child pages saved.");
}

}  // namespace arkwiki::web::wiki_pages
