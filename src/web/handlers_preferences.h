// A user's own preferences. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::settings_pages {

void PreferencesGet(WikiApp& app, Exchange& ex);
void PreferencesPost(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::settings_pages
