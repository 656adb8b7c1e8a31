// Wiki attachments ("uploads"): the JSON API, the page forms, serving files. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::uploads {

void ApiUpload(WikiApp& app, Exchange& ex);
void ApiListUploads(WikiApp& app, Exchange& ex);
void ApiDeleteUpload(WikiApp& app, Exchange& ex);
void HtmlUpload(WikiApp& app, Exchange& ex);
void HtmlDeleteUpload(WikiApp& app, Exchange& ex);
void ServeFile(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::uploads
