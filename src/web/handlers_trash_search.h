// The trash and search pages. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::trash_search {

void ShowTrash(WikiApp& app, Exchange& ex);
void Restore(WikiApp& app, Exchange& ex);
void Purge(WikiApp& app, Exchange& ex);
void Search(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::trash_search
