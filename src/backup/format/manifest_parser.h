// Reading manifest.json (private to the backup layer; the format is in
// archive_format.h).
#pragma once

#include <cstddef>
#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "format/manifest_file_store.h"

namespace arkwiki {

// Parses and checks the checksum, format name and version (Unsupported when
// newer than this build) and the shape of every field. Corruption otherwise.
Result<Manifest> ParseManifest(const std::string& bytes);
// The same for manifest.json in `file`, read in pieces (twice: to parse, then
// for the checksum), so that memory does not grow with the text: ~200 bytes
// per file listed. `files_hint` sizes the file list up front.
Result<Manifest> ParseManifestFile(const RandomAccessFile& file, size_t files_hint = 0);
// The same, but the files go to `files` (empty), which may spill them to
// its scratch file, and the result's `files` is left empty: memory does not
// grow with the file count. Also the store's error (NoSpace, IoError).
Result<Manifest> ParseManifestFile(const RandomAccessFile& file, ManifestFileStore* files);

}  // namespace arkwiki
