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
  SendRedirect(ex, "/wiki/" + UrlEncodeComponent(page->slug) +
                       "?flash=" + UrlEncodeComponent("Uploaded " + upload->name));
}

void HtmlDeleteUpload(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  Status s = app.storage().uploads().Delete(page->id, ex.Param("name"));
  if (!s.ok()) return app.SendError(ex, s);
  SendRedirect(ex, "/wiki/" + UrlEncodeComponent(page->slug) +
                       "?flash=" + UrlEncodeComponent("Deleted " + ex.Param("name")));
}

void ServeFile(WikiApp& app, Exchange& ex) {
  auto page = VisiblePage(app, ex, ex.Param("slug"));
  if (!page.ok()) return app.SendError(ex, page.status());
  auto upload = app.storage().uploads().Get(page->id, ex.Param("name"));
  if (!upload.ok()) return app.SendError(ex, upload.status());
  ServeUpload(app, ex, *upload);
}

}  // namespace arkwiki::web::uploads
