// Receives the backup archive sent for a restore and streams it to
// `staging`/archive-<random>[-<name>].zip, split (split_archive.h: its
// large stored entries in files of their own beside it, which an import
// moves into place instead of writing them again), so server memory stays
// flat whatever the archive's size. Private to the web layer.
#pragma once

#include <string>

#include "arkwiki/backup/split_archive.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "exchange.h"

namespace arkwiki::web {

// Accepts the archive either as the raw request body (any content type but
// multipart, e.g. application/zip: what backup.js and scripts send) or as
// the field "file" of a multipart/form-data form (a browser without
// JavaScript). Bodies over `max_bytes` get TooLarge, before reading when the
// client declared the length. On any failure nothing is left behind.
// Returns the received archive; the caller removes it (RemoveSplitArchive).
Result<SplitArchive> ReceiveArchive(Env* env, const std::string& staging, Exchange& ex,
                                    int64_t max_bytes);

}  // namespace arkwiki::web
