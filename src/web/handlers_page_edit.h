// Editing a wiki page in the browser. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::wiki_pages {

void EditGet(WikiApp& app, Exchange& ex);
void EditPost(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::wiki_pages
