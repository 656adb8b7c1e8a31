// Cross-checks between a backup's ZIP entries, its manifest and its database.
#pragma once

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/db_snapshot.h"
#include "arkwiki/backup/zip_reader.h"

namespace arkwiki {

// The entries must be exactly manifest.json plus the manifest's files, each
// path allowed by the format, each size as the manifest says, with the
// database and the settings present and each upload named by its hash.
Status CheckEntrySet(const ZipReader& zip, const Manifest& manifest);
// counts.bytes must equal the sum of the files' sizes.
Status CheckManifestByteCount(const Manifest& manifest);
// The database's counts and upload hashes must agree with the manifest.
Status CheckDatabaseMatchesManifest(const DatabaseCheck& db, const Manifest& manifest);

}  // namespace arkwiki
