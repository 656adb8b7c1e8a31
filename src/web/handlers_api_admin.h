// The admin JSON API: settings, the current user, users, tokens, audit log. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::admin_api {

void GetSettings(WikiApp& app, Exchange& ex);
void PutSettings(WikiApp& app, Exchange& ex);
void GetPreferences(WikiApp& app, Exchange& ex);
void PutPreferences(WikiApp& app, Exchange& ex);
void GetMe(WikiApp&, Exchange& ex);
void ListUsers(WikiApp& app, Exchange& ex);
void CreateUser(WikiApp& app, Exchange& ex);
void UpdateUser(WikiApp& app, Exchange& ex);
void CreateToken(WikiApp& app, Exchange& ex);
void RevokeToken(WikiApp& app, Exchange& ex);
void ListAudit(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::admin_api
