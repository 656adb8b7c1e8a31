// Reading pages: the home page, /wiki/{slug}, the page tree and /new.
#include "handlers_pages.h"

#include <algorithm>
#include <map>
#include <set>

#include "arkwiki/core/slug.h"
#include "arkwiki/core/url.h"
#include "html.h"
#include "markdown.h"
#include "page_links.h"
#include "router.h"
#include "view_format.h"

namespace arkwiki::web::wiki_pages {
namespace {

TemplateValue LinkList(const std::vector<Page>& pages) {
  TemplateValue list = TemplateValue::List{};
  for (const Page& p : pages) list.Append(PageLinkValue(p));
  return list;
}

TemplateValue UploadList(WikiApp& app, const Page& page) {
  TemplateValue list = TemplateValue::List{};
  auto uploads = app.storage().uploads().List(page.id);
  if (!uploads.ok()) return list;  // the page itself is still worth showing
  for (const Upload& u : *uploads) {
    const std::string name = UrlEncodeComponent(u.name);
    list.Append(TemplateValue::MakeMap(
        {{"name", u.name},
         {"href", "/files/" + UrlEncodeComponent(page.slug) + "/" + name},
         {"size", FormatBytes(u.size)},
         {"is_image", u.content_type.rfind("image/", 0) == 0},
         {"delete_action", PageHref(page.slug, "uploads/" + name + "/delete")}}));
  }
  return list;
}

TemplateValue Actions(const Page& page, const Exchange& ex) {
  // The upload form is multipart, which the app does not pre-parse, so its
  // CSRF token travels in the query string.
  return TemplateValue::MakeMap({{"edit", PageHref(page.slug, "edit")},
                                 {"upload", PageHref(page.slug, "uploads") + "?csrf=" + ex.csrf},
                                 {"history", PageHref(page.slug, "history")},
                                 {"rename", PageHref(page.slug, "rename")},
                                 {"move", PageHref(page.slug, "move")},
                                 {"delete", PageHref(page.slug, "delete")},
                                 {"order", PageHref(page.slug, "order")},
                                 {"new_child", "/new?parent=" + UrlEncodeComponent(page.slug)}});
}

void AddRelations(WikiApp& app, const Exchange& ex, const Page& page, TemplateValue* data) {
  const bool include_private = ex.user.has_value();
  PageStore& pages = app.storage().pages();
  SetList(data, "breadcrumbs", LinkList(VisibleAncestors(app, ex, page)));
  if (auto c = pages.Children(page.id, include_private); c.ok()) {
    TemplateValue children = TemplateValue::List{};
    int64_t position = 1;
    for (const Page& p : *c) {
      TemplateValue item = PageLinkValue(p);
      item.Set("position", position++);
      children.Append(std::move(item));
    }
    // More children than one form may order: each is moved to its place
    // with Move instead.
    data->Set("orderable", c->size() <= kMaxOrderedChildren);
    SetList(data, "children", std::move(children));
  }
  if (auto b = pages.Backlinks(page.slug, include_private); b.ok()) {
    SetList(data, "backlinks", LinkList(*b));
  }
}

void ShowPage(WikiApp& app, Exchange& ex, const Page& page) {
  TemplateValue data = TemplateValue::MakeMap({{"title", page.title},
                                               {"slug", page.slug},
                                               {"html", PageHtml(app, ex, page.markdown)},
                                               {"private", page.visibility == "private"},
                                               {"revision", page.current_revision},
                                               {"updated", DateValue(page.updated_at)},
                                               {"actions", Actions(page, ex)}});
  auto rev = app.storage().pages().GetRevision(page.id, page.current_revision);
  if (rev.ok()) data.Set("author", rev->author);
  AddRelations(app, ex, page, &data);
  SetList(&data, "uploads", UploadList(app, page));
  app.RenderPage(ex, 200, "page_view", page.title, std::move(data));
}

using ChildrenOf = std::map<std::optional<int64_t>, std::vector<const Page*>>;

// Appends the tree under the top level as nested <ul> lists, depth first.
// Without recursion: a tree from older or imported data may be deeper than
// saves allow (kMaxPageLevels), thousands of levels, and a recursion that
// deep overflows a worker thread's stack. A page met twice is skipped.
void AppendTree(const ChildrenOf& kids, std::string* html) {
  struct Level {
    const std::vector<const Page*>* pages;
    size_t next = 0;
  };
  std::vector<Level> open;
  std::set<int64_t> seen;
  auto open_list = [&](std::optional<int64_t> parent) {
    auto it = kids.find(parent);
    if (it == kids.end()) return false;
    *html += "<ul>";
    open.push_back({&it->second});
    return true;
  };
  open_list(std::nullopt);
  while (!open.empty()) {
    Level& level = open.back();
    if (level.next == level.pages->size()) {
      open.pop_back();
      *html += "</ul>";
      if (!open.empty()) *html += "</li>";  // the page whose list this was
      continue;
    }
    const Page* p = (*level.pages)[level.next++];
    if (!seen.insert(p->id).second) continue;
    *html +=
        "<li><a href=\"" + HtmlEscape(PageHref(p->slug)) + "\">" + HtmlEscape(p->title) + "</a>";
    if (p->visibility == "private") *html += " <span class=\"badge\">private</span>";
    if (!open_list(p->id)) *html += "</li>";
  }
}

}  // namespace

void ViewPage(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  if (!IsValidSlug(slug)) {
    // "/wiki/Some Title" typed by hand: send it to the slug it would have.
    std::string fixed = Slugify(slug);
    if (!fixed.empty() && fixed != slug) return SendRedirect(ex, PageHref(fixed), 301);
  }
  if (auto page = PageOrRespond(app, ex, "")) ShowPage(app, ex, *page);
}

void Home(WikiApp& app, Exchange& ex) {
  auto home = VisiblePage(app, ex, "home");
  if (home.ok()) return ShowPage(app, ex, *home);
  if (home.status().code() != StatusCode::kNotFound) return app.SendError(ex, home.status());
  auto top = app.storage().pages().Children(std::nullopt, ex.user.has_value());
  if (!top.ok()) return app.SendError(ex, top.status());
  TemplateValue data = TemplateValue::MakeMap(
      {{"pages", LinkList(*top)}, {"create_href", PageHref("home", "edit") + "?title=Home"}});
  app.RenderPage(ex, 200, "welcome", "Welcome", std::move(data));
}

void AllPages(WikiApp& app, Exchange& ex) {
  auto pages = app.storage().pages().List(ex.user.has_value());
  if (!pages.ok()) return app.SendError(ex, pages.status());
  std::set<int64_t> ids;
  for (const Page& p : *pages) ids.insert(p.id);
  // A page whose parent is hidden from this visitor is shown at the top.
  ChildrenOf kids;
  for (const Page& p : *pages) {
    bool parent_shown = p.parent_id && ids.count(*p.parent_id);
    kids[parent_shown ? p.parent_id : std::nullopt].push_back(&p);
  }
  for (auto& [parent, list] : kids) {
    std::stable_sort(list.begin(), list.end(), [](const Page* a, const Page* b) {
      return a->sort_order < b->sort_order;  // List() is already sorted by title
    });
  }
  std::string tree;
  AppendTree(kids, &tree);
  TemplateValue data = TemplateValue::MakeMap(
      {{"tree", tree}, {"count", static_cast<int64_t>(pages->size())}, {"empty", pages->empty()}});
  app.RenderPage(ex, 200, "page_tree", "All pages", std::move(data));
}

void NewPage(WikiApp& app, Exchange& ex) {
  const std::string title = ex.Query("title");
  const std::string parent = ex.Query("parent");
  std::string error;
  if (!title.empty()) {
    std::string slug = Slugify(title);
    if (!slug.empty()) {
      std::string next = PageHref(slug, "edit") + "?title=" + UrlEncodeComponent(title);
      if (!parent.empty()) next += "&parent=" + UrlEncodeComponent(parent);
      return SendRedirect(ex, next, 303);
    }
    error = "That title has no letters or digits to make a page address from.";
  }
  TemplateValue data =
      TemplateValue::MakeMap({{"title", title}, {"parent", parent}, {"error", error}});
  app.RenderPage(ex, error.empty() ? 200 : 400, "page_new", "New page", std::move(data));
}

}  // namespace arkwiki::web::wiki_pages
