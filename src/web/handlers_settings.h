// Settings: the overview, system configuration and the audit log. Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::settings_pages {

void Overview(WikiApp& app, Exchange& ex);
void SystemGet(WikiApp& app, Exchange& ex);
void SystemPost(WikiApp& app, Exchange& ex);
void Audit(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::settings_pages
