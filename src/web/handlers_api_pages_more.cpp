// JSON API: revert, rename, move, trash and search.
#include "handlers_api_pages_more.h"

#include <Poco/JSON/Array.h>

#include "app.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/utf8.h"
#include "audit_trail.h"
#include "json_util.h"
#include "page_access.h"

namespace arkwiki::web::page_api {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

void SendPage(WikiApp& app, Exchange& ex, const Result<Page>& page) {
  if (!page.ok()) return app.SendError(ex, page.status());
  SendJson(ex, 200, PageToJson(*page, ParentSlug(app, ex, *page), true));
}

}  // namespace

void Revert(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto revision = OptionalInt(*body, "revision");
  if (!revision.ok()) return app.SendError(ex, revision.status());
  if (!*revision) return app.SendError(ex, Status::InvalidArgument("'revision' is required"));
  SendPage(app, ex,
           app.storage().pages().Revert(
               ex.Param("slug"), **revision, ex.user->name,
               [&app](const std::string& markdown) { return LinkedSlugs(app, markdown); }));
}

void Rename(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex);
  if (!body.ok()) return app.SendError(ex, body.status());
  auto slug = OptionalString(*body, "slug");
  auto title = OptionalString(*body, "title");
  if (!slug.ok()) return app.SendError(ex, slug.status());
  if (!title.ok()) return app.SendError(ex, title.status());
  auto current = app.storage().pages().Get(ex.Param("slug"));
  if (!current.ok()) return app.SendError(ex, current.status());
  SendPage(app, ex,
           app.storage().pages().Rename(current->slug, slug->value_or(current->slug),
                                        title->value_or(current->title), ex.user->name));
}

// {"parent": "slug" (or "" or null for the top level; left out: stays),
//  "position": N (1-based among the new siblings; left out: the end, or
//  its current place when the parent stays)}.
void Move(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex);
  if (!body.ok()) return app.SendError(ex, body.status());
  MovePageRequest request;
  request.slug = ex.Param("slug");
  if ((*body)->has("parent")) {
    auto parent = OptionalString(*body, "parent");
    if (!parent.ok()) return app.SendError(ex, parent.status());
    request.parent_slug = parent->value_or("");
  }
  auto position = OptionalInt(*body, "position");
  if (!position.ok()) return app.SendError(ex, position.status());
  request.position = *position;
  auto moved = app.storage().pages().Move(request);
  if (!moved.ok()) return app.SendError(ex, moved.status());
  const std::string parent = ParentSlug(app, ex, *moved);
  AuditOrWarn(app, ex, AuditKind::kPageMove,
              "slug=" + moved->slug + ", parent=" + parent +
                  ", position=" + std::to_string(moved->sort_order));
  SendJson(ex, 200, PageToJson(*moved, parent, true));
}

void ListTrash(WikiApp& app, Exchange& ex) {
  auto pages = app.storage().pages().Trash();
  if (!pages.ok()) return app.SendError(ex, pages.status());
  Array::Ptr list = new Array;
  for (const Page& p : *pages) list->add(PageToJson(p, "", false));
  Object::Ptr body = new Object;
  body->set("pages", list);
  SendJson(ex, 200, body);
}

void RestoreFromTrash(WikiApp& app, Exchange& ex) {
  Status s = app.storage().pages().RestoreFromTrash(ex.Param("slug"));
  if (!s.ok()) return app.SendError(ex, s);
  SendPage(app, ex, app.storage().pages().Get(ex.Param("slug")));
}

void Purge(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  Status s = app.storage().pages().Purge(slug);
  if (!s.ok()) return app.SendError(ex, s);
  AuditOrWarn(app, ex, AuditKind::kPagePurge, "slug=" + slug);
  // Unreferenced files go now or at the next start.
  if (auto collected = app.storage().uploads().CollectGarbage(); !collected.ok()) {
    LogWarning("upload garbage collection after purging '" + slug +
               "' failed: " + collected.status().ToString());
  }
  Object::Ptr body = new Object;
  body->set("slug", ex.Param("slug"));
  body->set("purged", true);
  SendJson(ex, 200, body);
}

void Search(WikiApp& app, Exchange& ex) {
  const std::string q = ToValidUtf8(ex.Query("q"));
  auto result = app.storage().pages().Search(SearchRequest{q, ex.user.has_value(), 50, {}});
  if (!result.ok()) return app.SendError(ex, result.status());
  Array::Ptr list = new Array;
  for (const SearchHit& h : result->hits) {
    std::string snippet = h.snippet;
    for (char& c : snippet) {
      if (c == '\x01' || c == '\x02') c = '*';
    }
    Object::Ptr o = new Object;
    o->set("slug", h.slug);
    o->set("title", h.title);
    o->set("snippet", snippet);
    list->add(o);
  }
  Object::Ptr body = new Object;
  body->set("query", q);
  body->set("results", list);
  body->set("truncated", result->truncated);
  if (result->truncated) body->set("stopped_by", QueryStopName(result->stop));
  body->set("ignored_terms", result->ignored_terms);
  SendJson(ex, 200, body);
}

}  // namespace arkwiki::web::page_api
