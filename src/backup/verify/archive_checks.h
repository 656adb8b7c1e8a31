// Cross-checks between a backup's ZIP entries, its manifest and its database.
#pragma once

#include <memory>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/archive_reader.h"
#include "format/manifest_file_store.h"
#include "zip/zip_stream_reader.h"

namespace arkwiki {

// The entries must be exactly manifest.json plus the manifest's files, in
// that order (as arkwiki writes them), each path allowed by the format, each
// size as the manifest says, with the database and the settings present and
// each upload named by its hash. The manifest's paths are distinct even
// ignoring case, so this also refuses duplicate entry names (ZipStreamReader
// leaves them to its caller) with ZipReader's errors. Reads the central
// directory once more; memory does not grow with the entry count.
Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest,
                     const ManifestFileStore& files);
// The same for manifest.files (held).
Status CheckEntrySet(const ZipStreamReader& zip, const Manifest& manifest);
// counts.bytes must equal the sum of the files' sizes.
Status CheckManifestByteCount(const Manifest& manifest, const ManifestFileStore& files);
// The database's schema version and counts must agree with the manifest.
Status CheckDatabaseMatchesManifest(const DatabaseCheck& db, const Manifest& manifest);

// The database's upload hashes, fed in ascending order without repeats (as
// CheckUntrustedDatabase gives them), must be exactly the manifest's
// uploads. Add() only notes the first difference, so that a caller can
// report other problems first; Finish() reports it (also an error reading
// the list's scratch file). Memory: none per file when the manifest lists
// its uploads in hash order, as arkwiki writes them (they are read in step
// from the list); else 40 bytes per upload. The database's list is never
// held.
class UploadHashMatcher {
 public:
  explicit UploadHashMatcher(const ManifestFiles& files);
  // `files` must outlive the matcher.
  explicit UploadHashMatcher(const ManifestFileStore& files);
  UploadHashMatcher(const UploadHashMatcher&) = delete;
  UploadHashMatcher& operator=(const UploadHashMatcher&) = delete;

  void Add(const Sha256Raw& hash);
  // Also notes when the database's rows record another size for the upload
  // than the archive holds.
  void Add(const Sha256Raw& hash, uint64_t size);
  Status Finish() const;

 private:
  struct Archived {
    Sha256Raw hash{};
    uint64_t size = 0;
  };
  void Start();
  void Advance();

  std::unique_ptr<ManifestFileStore> owned_;  // a copy of a ManifestFiles
  const ManifestFileStore& files_;
  ManifestFileStore::Cursor cursor_;
  std::vector<Archived> sorted_;  // the uploads by hash, when not listed so
  size_t next_ = 0;               // in sorted_
  Archived current_;              // the first upload not yet matched
  bool has_current_ = false;
  uint64_t matched_size_ = 0;  // the size of the upload last matched
  size_t added_ = 0;
  Status first_difference_;
};

}  // namespace arkwiki
