// Receives one file from a multipart/form-data request (field "file") and
// streams it to disk through UploadStore, so memory does not grow with the
// file's size. Oversize bodies get TooLarge before or while reading.
#pragma once

#include "app.h"
#include "arkwiki/storage/upload_store.h"

namespace arkwiki::web {

Result<Upload> ReceiveUpload(WikiApp& app, Exchange& ex, const Page& page);

}  // namespace arkwiki::web
