// Reading one file back from a target (private to the backup layer).
#pragma once

#include <string>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/manifest_files.h"
#include "arkwiki/backup/offsite_crypto.h"
#include "arkwiki/backup/offsite_target.h"

namespace arkwiki {

// Gets the object `name`, decrypts it into `out` (nullptr: only check it)
// and compares its SHA-256 and size with `file`. Corruption, naming the file
// and the object, for any difference; reading stops as soon as the object
// is longer than the encrypted size of `file` (the caller discards what
// reached `out`). NotFound when the object is missing. Adds the bytes
// decrypted to *plain_bytes when given.
Status FetchFile(OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, ByteSink* out, uint64_t* plain_bytes = nullptr);

}  // namespace arkwiki
