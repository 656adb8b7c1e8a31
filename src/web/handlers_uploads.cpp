// Uploads: attach (multipart), list, delete, and serve /files/<slug>/<name>.
#include "handlers_uploads.h"

#include <Poco/JSON/Array.h>

#include "app.h"
#include "arkwiki/core/url.h"
#include "file_server.h"
#include "json_util.h"
#include "page_access.h"
#include "upload_receiver.h"

namespace arkwiki::web::uploads {
void ApiUpload(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  auto upload = ReceiveUpload(app, ex, *page);
  if (!upload.ok()) return app.SendError(ex, upload.status());
  SendJson(ex, 201, UploadToJson(*upload));
}

void ApiListUploads(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  auto uploads = app.storage().uploads().List(page->id);
  if (!uploads.ok()) return app.SendError(ex, uploads.status());
  Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
  for (const Upload& u : *uploads) list->add(UploadToJson(u));
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("uploads", list);
  SendJson(ex, 200, body);
}

void ApiDeleteUpload(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  Status s = app.storage().uploads().Delete(page->id, ex.Param("name"));
  if (!s.ok()) return app.SendError(ex, s);
  Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
  body->set("deleted", ex.Param("name"));
  SendJson(ex, 200, body);
}

void HtmlUpload(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  auto upload = ReceiveUpload(app, ex, *page);
  if (!upload.ok()) return app.SendError(ex, upload.status());
  RedirectWithFlash(ex, "/wiki/" + UrlEncodeComponent(page->slug), "Uploaded " + upload->name);
}

void HtmlDeleteUpload(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  Status s = app.storage().uploads().Delete(page->id, ex.Param("name"));
  if (!s.ok()) return app.SendError(ex, s);
  RedirectWithFlash(ex, "/wiki/" + UrlEncodeComponent(page->slug), "Deleted " + ex.Param("name"));
}

void ServeFile(WikiApp& app, Exchange& ex) {
  const std::string slug = ex.Param("slug");
  auto page = VisiblePage(app, ex, slug);
  if (!page.ok()) {
    // A renamed page's text still links its files at the old slug: follow
    // the rename, as a page view does, unless the page is hidden.
    auto moved = app.storage().pages().ResolveRedirect(slug);
    if (page.status().code() == StatusCode::kNotFound && moved.ok() &&
        VisiblePage(app, ex, *moved).ok()) {
      return SendRedirect(
          ex, "/files/" + UrlEncodeComponent(*moved) + "/" + UrlEncodeComponent(ex.Param("name")),
          301);
    }
    return app.SendError(ex, page.status());
  }
  auto upload = app.storage().uploads().Get(page->id, ex.Param("name"));
  if (!upload.ok()) return app.SendError(ex, upload.status());
  ServeUpload(app, ex, *upload);
}

}  // namespace arkwiki::web::uploads
