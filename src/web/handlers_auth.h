// Login and logout. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include <string>

#include "app.h"

namespace arkwiki::web::auth {

void ShowLogin(WikiApp& app, Exchange& ex, int status, const std::string& error);
void PostLogin(WikiApp& app, Exchange& ex);
void PostLogout(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::auth
