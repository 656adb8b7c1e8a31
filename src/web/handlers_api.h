// The pages JSON API: health, list, read, write and delete pages, revisions. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::page_api {

void Health(WikiApp&, Exchange& ex);
void ListPages(WikiApp& app, Exchange& ex);
void GetPage(WikiApp& app, Exchange& ex);
void PutPage(WikiApp& app, Exchange& ex);
void DeletePage(WikiApp& app, Exchange& ex);
void ListRevisions(WikiApp& app, Exchange& ex);
void GetRevision(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::page_api
