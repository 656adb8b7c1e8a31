// Login and logout. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include <string>

#include "app.h"

namespace arkwiki::web::auth {

// The CSRF token for a form sent before any login (the login form, the
// first-run setup): a double-submit token in a cookie of its own, set here
// when the request lacks one; a logged-in session's token otherwise.
std::string AnonymousFormToken(Exchange& ex);

void ShowLogin(WikiApp& app, Exchange& ex, int status, const std::string& error);
void PostLogin(WikiApp& app, Exchange& ex);
void PostLogout(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::auth
