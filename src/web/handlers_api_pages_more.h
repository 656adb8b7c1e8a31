// The pages JSON API, continued: revert, rename, trash and search. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::page_api {

void Revert(WikiApp& app, Exchange& ex);
void Rename(WikiApp& app, Exchange& ex);
void Move(WikiApp& app, Exchange& ex);
void ListTrash(WikiApp& app, Exchange& ex);
void RestoreFromTrash(WikiApp& app, Exchange& ex);
void Purge(WikiApp& app, Exchange& ex);
void Search(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::page_api
