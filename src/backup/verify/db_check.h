// The hardened check of a database file that came from an archive (private
// to the backup layer).
#pragma once

#include <functional>
#include <string>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

// Opens a database file from an archive as untrusted input: read-only,
// SQLITE_DBCONFIG_DEFENSIVE, trusted_schema=OFF, triggers and views off,
// cell_size_check=ON, mmap_size=0. Checks application_id, refuses a schema
// newer than this build, and one that is not exactly what its version's
// migrations produce (schema_catalog.h: an extra trigger, view, index or
// table of any name, or a changed one, is named); only then runs
// integrity_check and foreign_key_check and reads any row; then every row
// must pass CheckRowsAreValid (row_check.h), the API's own rules. Refuses -wal or
// -journal files beside it. Corruption/Unsupported on failure.
// Calls on_upload_hash with every distinct upload hash the database refers
// to, in ascending order, and the size its rows record (a malformed hash,
// or rows that disagree on the size, is Corruption). Above
// kUploadRowsPerRun upload rows, sorts them in runs written to scratch files
// `path`.upload-rows-*.run through `env` (40 bytes a row; removed before it
// returns; named after the database, so that a cleanup that removes a
// database left by a crash by its name's prefix removes them too), so a
// full disk there is NoSpace.
// With `cancel`, a raised request stops the check within a few thousand
// SQLite steps (kCancelled), so its caller need not wait for a check whose
// outcome no longer matters.
using UploadHashCallback = std::function<void(const Sha256Raw& hash, uint64_t size)>;
Result<DatabaseCheck> CheckUntrustedDatabase(Env* env, const std::string& path,
                                             const UploadHashCallback& on_upload_hash,
                                             const Cancellation* cancel = nullptr);

}  // namespace arkwiki
