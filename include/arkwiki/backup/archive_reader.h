// Verifying, and optionally extracting, a backup archive (archive_format.h).
//
// This is the read side only: it can check and unpack an archive into a
// directory it is given, and nothing else (restore.h decides what to do with
// the result). It never uses Poco::Zip::Decompress, which is unsafe for
// untrusted archives (see src/backup/zip/zip_reader.h).
//
// Every check runs before the result is trusted: the ZIP structure and each
// entry's name, type, method and size caps (ZipStreamReader); the manifest
// and its checksum; that the entries are manifest.json and then the
// manifest's files in its order (so no name appears twice); each file's size,
// CRC-32 and SHA-256 as it streams; and the database, opened hardened. The
// first problem found is returned, in words an admin can act on.
#pragma once

#include <functional>
#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/backup/split_archive.h"
#include "arkwiki/core/env.h"

namespace arkwiki {

struct VerifyOptions {
  ZipLimits limits;
  // When set, every file is written below this directory (which must exist
  // and be empty) under its archive path. Files are created exclusively and
  // never through links. On failure the caller removes the directory.
  // Extracted files are NOT synced one by one (that cost a journal commit
  // and a disk flush per file): the caller makes them durable before it
  // relies on them, as Restorer::Stage does with one Env::NewFileSystemSync
  // opened before this call. Write-back of large files is started early.
  std::string extract_dir;
  // Where the database is unpacked for its check when not extracting;
  // default $TMPDIR or /tmp. The temporary copy is always removed.
  std::string scratch_dir;
  std::function<void(uint64_t bytes_done, uint64_t bytes_total)> progress;
  // Called once the manifest and the list of entries are checked, before
  // anything is extracted or hashed; an error aborts the verification
  // (Restorer::Stage checks free space for the import here).
  // Gets the manifest's `files` as the report will: held, or for a large
  // archive only counted (ManifestFiles::held()).
  std::function<Status(const Manifest&)> before_extract;
  // How many of the manifest's files are held in memory (40 bytes each);
  // past this the list is written to a scratch file (beside the database's
  // copy: scratch_dir, or extract_dir), read back for each check, and
  // removed however the verification ends. VerifyReport::manifest's `files`
  // then holds only their count. Tests set it low.
  size_t manifest_files_held = size_t{1} << 16;
  // When set, the archive was received split (split_archive.h) and
  // `archive_path` is its rest file: it is read through its pieces, and
  // when extracting, a stored entry whose data is exactly one piece gets
  // that piece as its file: moved, not read, once the sums taken as it
  // arrived match the entry's CRC-32 and the manifest's SHA-256. The caller
  // still removes the split archive, what remains of it.
  const SplitArchive* split = nullptr;
};

// What the check of the archive's database found.
struct DatabaseCheck {
  int schema_version = 0;
  ManifestCounts counts;  // bytes left 0
};

struct VerifyReport {
  Manifest manifest;  // its `files` only counted past VerifyOptions::manifest_files_held
  DatabaseCheck database;
  uint64_t archive_bytes = 0;
  uint64_t files_checked = 0;
  uint64_t bytes_checked = 0;  // uncompressed bytes hashed
};

Result<VerifyReport> VerifyArchive(Env* env, const std::string& archive_path,
                                   const VerifyOptions& options = {});

// Reads and checks only the manifest (structure + checksum, and that its
// files add up to counts.bytes), for `inspect`. Of `options`, only limits,
// scratch_dir and manifest_files_held apply: as in a verification, past
// manifest_files_held the files are spilled to scratch_dir while they are
// summed, and the result's `files` only counts them.
Result<Manifest> ReadManifest(Env* env, const std::string& archive_path,
                              const VerifyOptions& options);
// The same with VerifyOptions' defaults but `limits` (spilling to $TMPDIR).
Result<Manifest> ReadManifest(Env* env, const std::string& archive_path,
                              const ZipLimits& limits = {});

}  // namespace arkwiki
