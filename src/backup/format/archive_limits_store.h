// CheckArchiveLimits for a file list held in a ManifestFileStore (private
// to the backup layer): a backup of many files spills its list to scratch
// rather than hold it (manifest_file_store.h).
#pragma once

#include "arkwiki/backup/archive_limits.h"
#include "format/manifest_file_store.h"

namespace arkwiki {

// As CheckArchiveLimits(manifest, limits), for `header` (whose own list is
// ignored) listing `files`; the store's error when its scratch file cannot
// be read.
Status CheckArchiveLimits(const Manifest& header, const ManifestFileStore& files,
                          const ZipLimits& limits);

}  // namespace arkwiki
