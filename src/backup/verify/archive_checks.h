// Cross-checks between a backup's ZIP entries, its manifest and its database.
#pragma once

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/archive_reader.h"
#include "zip/zip_stream_reader.h"

namespace arkwiki {

// The entries must be exactly manifest.json plus the manifest's files, in
// that order (as arkwiki writes them), each path allowed by the format, each
// size as the manifest says, with the database and the settings present and
// each upload named by its hash. The manifest's paths are distinct even
// ignoring case, so this also refuses duplicate entry names (ZipStreamReader
// leaves them to its caller) with ZipReader's errors. Reads the central
// directory once more; memory does not grow with the entry count.
Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest);
// counts.bytes must equal the sum of the files' sizes.
Status CheckManifestByteCount(const Manifest& manifest);
// The database's schema version and counts must agree with the manifest.
Status CheckDatabaseMatchesManifest(const DatabaseCheck& db, const Manifest& manifest);

// The database's upload hashes, fed in ascending order without repeats (as
// CheckUntrustedDatabase gives them), must be exactly the manifest's
// uploads. Add() only notes the first difference, so that a caller can
// report other problems first; Finish() reports it. Memory: 4 bytes per
// manifest file; the database's list is never held.
class UploadHashMatcher {
 public:
  explicit UploadHashMatcher(const ManifestFiles& files);
  void Add(const Sha256Raw& hash);
  // Also notes when the database's rows record another size for the upload
  // than the archive holds.
  void Add(const Sha256Raw& hash, uint64_t size);
  Status Finish() const;

 private:
  const ManifestFiles& files_;
  std::vector<uint32_t> archived_;  // the manifest's uploads, by hash
  size_t next_ = 0;                 // first of archived_ not yet matched
  size_t added_ = 0;
  Status first_difference_;
};

}  // namespace arkwiki
