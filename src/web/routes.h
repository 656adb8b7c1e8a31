// Every route the server answers, in one table (routes.cpp). Private to the
// web layer.
#pragma once

#include "app.h"

namespace arkwiki::web {

// Adds every route to app.router(). Handlers of Backup & Import take the
// BackupService and the Renderer; the others take the WikiApp.
void RegisterRoutes(WikiApp& app);

}  // namespace arkwiki::web
