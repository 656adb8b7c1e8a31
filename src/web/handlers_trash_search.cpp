// The trash (restore, purge) and full-text search.
#include "handlers_trash_search.h"

#include "arkwiki/core/log.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/core/url.h"
#include "arkwiki/core/utf8.h"
#include "audit_trail.h"
#include "page_links.h"
#include "view_format.h"

namespace arkwiki::web::trash_search {
namespace {

constexpr int64_t kSearchLimit = 50;

}  // namespace

void ShowTrash(WikiApp& app, Exchange& ex) {
  auto trashed = app.storage().pages().Trash();
  if (!trashed.ok()) return app.SendError(ex, trashed.status());
  TemplateValue rows = TemplateValue::List{};
  for (const Page& p : *trashed) {
    const std::string base = "/trash/" + UrlEncodeComponent(p.slug);
    rows.Append(TemplateValue::MakeMap({{"title", p.title},
                                        {"slug", p.slug},
                                        {"deleted", DateValue(p.deleted_at.value_or(p.updated_at))},
                                        {"restore_action", base + "/restore"},
                                        {"purge_action", base + "/purge"}}));
  }
  TemplateValue data;
  SetList(&data, "pages", std::move(rows));
  app.RenderPage(ex, 200, "trash", "Trash", std::move(data));
}

void Restore(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  Status s = app.storage().pages().RestoreFromTrash(slug);
  if (!s.ok()) return app.SendError(ex, s);
  RedirectWithFlash(ex, PageHref(slug), "Page restored from the trash.");
}

void Purge(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  std::string title = slug;
  if (auto page = app.storage().pages().Get(slug, true); page.ok()) title = page->title;
  Status s = app.storage().pages().Purge(slug);
  if (!s.ok()) return app.SendError(ex, s);
  AuditOrWarn(app, ex, AuditKind::kPagePurge, "slug=" + slug);
  // Files only this page used are now unreferenced; the page is already
  // gone, so a failure here only delays reclaiming their space.
  auto collected = app.storage().uploads().CollectGarbage();
  if (!collected.ok()) {
    LogWarning("upload garbage collection after purging '" + slug +
               "' failed: " + collected.status().ToString());
  }
  RedirectWithFlash(ex, "/trash", "“" + title + "” was deleted for good.");
}

void Search(WikiApp& app, Exchange& ex) {
  const std::string q = ToValidUtf8(ex.Query("q"));
  TemplateValue data = TemplateValue::MakeMap({{"q", q}, {"searched", !q.empty()}});
  if (!q.empty()) {
    SearchRequest request{q, ex.user.has_value(), kSearchLimit, {}};
    auto result = app.storage().pages().Search(request);
    if (!result.ok()) return app.SendError(ex, result.status());
    const std::vector<SearchHit>* hits = &result->hits;
    data.Set("truncated", result->truncated);
    if (result->ignored_terms > 0) data.Set("ignored_terms", result->ignored_terms);
    TemplateValue rows = TemplateValue::List{};
    bool exact = false;
    const std::string wanted = Slugify(q);
    for (const SearchHit& h : *hits) {
      exact |= h.slug == wanted;
      rows.Append(TemplateValue::MakeMap(
          {{"title", h.title}, {"href", PageHref(h.slug)}, {"snippet", MarkSnippet(h.snippet)}}));
    }
    data.Set("count", static_cast<int64_t>(hits->size()));
    data.Set("at_limit", static_cast<int64_t>(hits->size()) >= kSearchLimit);
    SetList(&data, "hits", std::move(rows));
    if (!exact && !wanted.empty() && ex.at_least(Role::kEditor)) {
      data.Set("create_href", "/new?title=" + UrlEncodeComponent(q));
    }
  }
  app.RenderPage(ex, 200, "search", q.empty() ? "Search" : "Search: " + q, std::move(data));
}

}  // namespace arkwiki::web::trash_search
