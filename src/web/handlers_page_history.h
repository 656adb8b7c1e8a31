// A wiki page's history, old revisions, diffs and revert, in the browser. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::wiki_pages {

void History(WikiApp& app, Exchange& ex);
void ShowRevision(WikiApp& app, Exchange& ex);
void Diff(WikiApp& app, Exchange& ex);
void Revert(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::wiki_pages
