// Settings → API tokens. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include <string>

#include "app.h"

namespace arkwiki::web::settings_pages {

// Renders the tokens page. `new_token` is shown once, right after creation.
void ShowTokens(WikiApp& app, Exchange& ex, int status, const std::string& error,
                const std::string& new_token);
void CreateToken(WikiApp& app, Exchange& ex);
void RevokeToken(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::settings_pages
