// Viewing wiki pages in the browser: home, page, all pages, new page. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::wiki_pages {

void ViewPage(WikiApp& app, Exchange& ex);
void Home(WikiApp& app, Exchange& ex);
void AllPages(WikiApp& app, Exchange& ex);
void NewPage(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::wiki_pages
