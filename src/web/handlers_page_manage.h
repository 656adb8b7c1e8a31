// Renaming, deleting and ordering wiki pages in the browser. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::wiki_pages {

void RenameGet(WikiApp& app, Exchange& ex);
void RenamePost(WikiApp& app, Exchange& ex);
void DeleteGet(WikiApp& app, Exchange& ex);
void DeletePost(WikiApp& app, Exchange& ex);
// Form fields "order:<slug>" = position. Children not in the form keep
// their relative place after the ones that are.
void OrderPost(WikiApp& app, Exchange& ex);
// Moving a page: another parent (or the top level) and a place among its
// pages. Fields "parent" (a slug, "" = top level) and "position" (1-based,
// empty = the end).
void MoveGet(WikiApp& app, Exchange& ex);
void MovePost(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::wiki_pages
