// Writing a backup archive (format: archive_format.h).
//
// The writer takes a consistent snapshot of the database, then streams one
// ZIP to any ByteSink — a file, stdout, or an HTTP response — without
// seeking, so the first bytes leave at once and memory stays flat whatever
// the size of the upload set. Upload files are read from the live data
// directory: they are immutable and named by their hash, and garbage
// collection is held off (UploadsGcLock) until the archive is finished, so
// every file the snapshot refers to is there. Each upload is hashed as it
// streams and must match its name, so a file damaged on disk fails the
// backup instead of producing an archive that lies.
#pragma once

#include <functional>
#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/env.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki {

struct BackupProgress {
  std::string phase;  // "snapshot", "database", "uploads", "done"
  uint64_t bytes_done = 0;
  uint64_t bytes_total = 0;
};

struct BackupOptions {
  // Directory for the temporary database snapshot; default: the data
  // directory's tmp/. The snapshot is removed whatever happens.
  std::string scratch_dir;
  std::function<void(const BackupProgress&)> progress;
  // Called once the manifest is known and before the first byte is written;
  // an error aborts the backup (used for the free-space check of a file).
  std::function<Status(const Manifest&)> before_write;
  // The caps the archive must stay within: by default what a restore
  // accepts. A wiki that would exceed one (entry count, sizes, a manifest
  // string) is refused before anything is written (CheckArchiveLimits),
  // rather than given a backup no import would take.
  ZipLimits limits;
  // A "database only" backup: the database and the settings without the
  // upload files, marked partial in its manifest (archive_format.h).
  bool database_only = false;
  // Files of the archive's list held in memory; past this many, the list
  // waits in a scratch file in scratch_dir (40 bytes a file) and
  // BackupResult::manifest's files are only counted.
  size_t manifest_files_held = size_t{1} << 16;
};

struct BackupResult {
  Manifest manifest;  // its files only counted past BackupOptions::manifest_files_held
  uint64_t archive_bytes = 0;
  std::string archive_sha256;
  double snapshot_copy_millis = 0;  // time inside SQLite's backup step
};

Result<BackupResult> WriteBackup(Env* env, const DataDirLayout& layout, ByteSink* out,
                                 const BackupOptions& options = {});

// Writes a backup to `path` safely: into a temporary name in the same
// directory, synced as it goes, then renamed into place and the directory
// synced. Checks free space first (a cautious estimate: database plus
// uploads). On any failure, or if the process dies, nothing is left under
// `path` (a killed process may leave "<path>.partial-<random>").
Result<BackupResult> WriteBackupToFile(Env* env, const DataDirLayout& layout,
                                       const std::string& path, const BackupOptions& options = {});

// arkwiki-backup-<site-slug>-<YYYY-MM-DD>T<HHMMSS>Z.zip
std::string BackupFileName(const std::string& site_title, int64_t unix_seconds);

}  // namespace arkwiki
