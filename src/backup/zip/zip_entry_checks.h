// Reader-side checks of one central-directory entry against what an arkwiki
// backup may contain. Messages follow zip_names.h: entry name, then problem.
#pragma once

#include "arkwiki/core/status.h"
#include "zip/zip_reader.h"

namespace arkwiki::zip {

// Unsupported for encryption, unknown flag bits or a method other than store
// or deflate; InvalidArgument for a non-ASCII name not flagged as UTF-8.
Status CheckEntryFeatures(const ZipEntry& entry);

// InvalidArgument for symlinks, directories, devices and any other
// non-regular file type in the external attributes.
Status CheckEntryFileType(const ZipEntry& entry);

// Corruption for inconsistent sizes (a stored entry whose sizes differ);
// TooLarge when the declared size or the compression ratio exceeds `limits`.
Status CheckEntrySizes(const ZipEntry& entry, const ZipLimits& limits);

}  // namespace arkwiki::zip
