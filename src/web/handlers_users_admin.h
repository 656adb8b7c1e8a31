// Settings → Users. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include <string>

#include "app.h"

namespace arkwiki::web::settings_pages {

// Shows the Users page; `error` (plain text) explains a refused change.
void ShowUsers(WikiApp& app, Exchange& ex, int status, const std::string& error);
void AddUser(WikiApp& app, Exchange& ex);
void SetRole(WikiApp& app, Exchange& ex);
void SetDisabled(WikiApp& app, Exchange& ex, bool disabled);
void ResetPassword(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::settings_pages
