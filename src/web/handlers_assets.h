// The embedded static assets (/assets/<name>). Routes in routes.cpp.
// Private to the web layer.
#pragma once

#include "app.h"

namespace arkwiki::web::assets {

void ServeAsset(WikiApp& app, Exchange& ex);

}  // namespace arkwiki::web::assets
