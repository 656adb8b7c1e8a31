// Serves an upload's bytes: ETag (its SHA-256), conditional GET, single
// byte ranges, and a Content-Disposition that cannot be used to inject
// headers or pick a dangerous file name.
#pragma once

#include "app.h"
#include "arkwiki/storage/upload_store.h"

namespace arkwiki::web {

void ServeUpload(WikiApp& app, Exchange& ex, const Upload& upload);
// attachment/inline; filename="ascii"; filename*=UTF-8''percent-encoded
std::string ContentDisposition(const std::string& name, bool inline_display);

}  // namespace arkwiki::web
