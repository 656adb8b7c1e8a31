// JSON API: health and pages. See README "JSON API" for the contract.
#include "handlers_api.h"

#include <Poco/JSON/Array.h>

#include "app.h"
#include "arkwiki/core/trim.h"
#include "arkwiki/core/url.h"
#include "backup_service.h"
#include "json_util.h"
#include "page_access.h"

namespace arkwiki::web::page_api {
namespace {

using Poco::JSON::Array;
using Poco::JSON::Object;

Status FillSaveRequest(WikiApp& app, const Object::Ptr& body, Exchange& ex, SavePageRequest* r) {
  ARKWIKI_ASSIGN_OR_RETURN(auto title, OptionalString(body, "title"));
  ARKWIKI_ASSIGN_OR_RETURN(auto markdown, OptionalString(body, "markdown"));
  if (!title || !markdown) return Status::InvalidArgument("'title' and 'markdown' are required");
  ARKWIKI_ASSIGN_OR_RETURN(r->parent_slug, OptionalString(body, "parent"));
  ARKWIKI_ASSIGN_OR_RETURN(r->visibility, OptionalString(body, "visibility"));
  ARKWIKI_ASSIGN_OR_RETURN(r->base_revision, OptionalInt(body, "base_revision"));
  ARKWIKI_ASSIGN_OR_RETURN(r->base_page_id, OptionalInt(body, "base_page_id"));
  ARKWIKI_ASSIGN_OR_RETURN(auto comment, OptionalString(body, "comment"));
  r->slug = ex.Param("slug");
  r->title = std::string(Trim(*title));  // as the edit form: a blank title is refused
  r->markdown = *markdown;
  r->comment = comment.value_or("");
  r->author = ex.user->name;
  r->default_visibility = app.settings().default_visibility;
  r->linked_slugs = LinkedSlugs(app, r->markdown);
  return Status::Ok();
}

}  // namespace

// Requests queuing this long without the queue draining mark the wiki busy.
constexpr int64_t kBusyAfterMs = 1000;

void Health(WikiApp& app, Exchange& ex) {
  Object::Ptr body = new Object;
  body->set("status", "ok");
  const LoadReport load = app.Load();
  body->set("waiting", load.waiting);
  body->set("waiting_ms", load.waiting_ms);
  body->set("searches_running", load.searches_running);
  body->set("load", load.waiting_ms >= kBusyAfterMs ? "busy" : "ok");
  const BackupHealth backup = app.backup().Health();
  Object::Ptr backup_json = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  backup_json->set("status", backup.status);
  if (backup.newest_good_age_seconds) {
    backup_json->set("newest_good_age_seconds", *backup.newest_good_age_seconds);
  } else {
    backup_json->set("newest_good_age_seconds", Poco::Dynamic::Var());
  }
  if (backup.last_error.empty()) {
    backup_json->set("last_error", Poco::Dynamic::Var());
  } else {
    backup_json->set("last_error", backup.last_error);
  }
  Array::Ptr offsite = new Array;
  for (const OffsiteHealth& h : backup.offsite) {
    Object::Ptr target = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
    target->set("target", h.target);
    target->set("status", h.status);
    target->set("newest_copy_age_seconds", h.newest_copy_age_seconds
                                               ? Poco::Dynamic::Var(*h.newest_copy_age_seconds)
                                               : Poco::Dynamic::Var());
    target->set("last_error",
                h.last_error.empty() ? Poco::Dynamic::Var() : Poco::Dynamic::Var(h.last_error));
    offsite->add(target);
  }
  backup_json->set("offsite", offsite);
  body->set("backup", backup_json);
  SendJson(ex, 200, body);
}

void ListPages(WikiApp& app, Exchange& ex) {
  auto pages = app.storage().pages().List(ex.user.has_value());
  if (!pages.ok()) return app.SendError(ex, pages.status());
  std::map<int64_t, std::string> slugs;
  for (const Page& p : *pages) slugs[p.id] = p.slug;
  Array::Ptr list = new Array;
  for (const Page& p : *pages) {
    list->add(PageToJson(p, p.parent_id ? slugs[*p.parent_id] : "", false));
  }
  Object::Ptr body = new Object;
  body->set("pages", list);
  SendJson(ex, 200, body);
}

void GetPage(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  auto page = VisiblePage(app, ex, slug);
  if (!page.ok()) {
    auto moved = app.storage().pages().ResolveRedirect(slug);
    if (moved.ok() && VisiblePage(app, ex, *moved).ok()) {
      return SendRedirect(ex, "/api/pages/" + UrlEncodeComponent(*moved), 301);
    }
    return app.SendError(ex, page.status());
  }
  SendJson(ex, 200, PageToJson(*page, ParentSlug(app, ex, *page), true));
}

void PutPage(WikiApp& app, Exchange& ex) {
  auto body = ReadJsonObject(ex);
  if (!body.ok()) return app.SendError(ex, body.status());
  SavePageRequest r;
  Status s = FillSaveRequest(app, *body, ex, &r);
  if (!s.ok()) return app.SendError(ex, s);
  auto page = app.storage().pages().Save(r);
  if (!page.ok()) return app.SendError(ex, page.status());
  SendJson(ex, page->current_revision == 1 ? 201 : 200,
           PageToJson(*page, ParentSlug(app, ex, *page), true));
}

void DeletePage(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  Status s = app.storage().pages().MoveToTrash(slug);
  if (!s.ok()) return app.SendError(ex, s);
  Object::Ptr body = new Object;
  body->set("slug", slug);
  body->set("trashed", true);
  SendJson(ex, 200, body);
}

void ListRevisions(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  auto revisions = app.storage().pages().Revisions(page->id);
  if (!revisions.ok()) return app.SendError(ex, revisions.status());
  Array::Ptr list = new Array;
  for (const Revision& r : *revisions) {
    Object::Ptr o = new Object;
    o->set("revision", r.number);
    o->set("title", r.title);
    o->set("author", r.author);
    o->set("comment", r.comment);
    o->set("created_at", r.created_at);
    list->add(o);
  }
  Object::Ptr body = new Object;
  body->set("slug", page->slug);
  body->set("revisions", list);
  SendJson(ex, 200, body);
}

void GetRevision(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  int64_t number = std::atoll(ex.Param("n").c_str());
  auto r = app.storage().pages().GetRevision(page->id, number);
  if (!r.ok()) return app.SendError(ex, r.status());
  Object::Ptr o = new Object;
  o->set("slug", page->slug);
  o->set("revision", r->number);
  o->set("title", r->title);
  o->set("markdown", r->markdown);
  o->set("author", r->author);
  o->set("comment", r->comment);
  o->set("created_at", r->created_at);
  SendJson(ex, 200, o);
}

}  // namespace arkwiki::web::page_api
