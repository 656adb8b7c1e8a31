// Database snapshots for backups, and the hardened check of a database file
// that came from an archive.
#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki {

struct SnapshotInfo {
  int schema_version = 0;
  ManifestCounts counts;  // bytes left 0: the writer fills it in
  std::map<std::string, std::string> settings;
  // Every distinct upload content as its archive entry, sorted by hash.
  ManifestFiles uploads;
  double copy_millis = 0;  // time spent in the online backup step
};

// Copies the live database at `layout.database` to `dest` with SQLite's
// online backup API from a separate read-only connection, in one step, so
// the copy is one consistent point in time and writers (WAL mode) are never
// blocked. Checks free space in dest's directory first (NoSpace names the
// path, the bytes needed and the bytes free). Then, in the copy only:
// removes login sessions and switches the journal mode to DELETE so the file
// stands alone. Reads counts, settings and the upload list from the copy.
// First refuses a live database whose schema is not exactly arkwiki's
// (Corruption "the live database has been tampered with: ..."). On failure
// nothing is left at `dest`.
Result<SnapshotInfo> SnapshotDatabase(Env* env, const DataDirLayout& layout,
                                      const std::string& dest);

struct DatabaseCheck {
  int schema_version = 0;
  ManifestCounts counts;  // bytes left 0
};

// Opens a database file from an archive as untrusted input: read-only,
// SQLITE_DBCONFIG_DEFENSIVE, trusted_schema=OFF, triggers and views off,
// cell_size_check=ON, mmap_size=0. Checks application_id, refuses a schema
// newer than this build, and one that is not exactly what its version's
// migrations produce (schema_catalog.h: an extra trigger, view, index or
// table of any name, or a changed one, is named); only then runs
// integrity_check and foreign_key_check and reads any row. Refuses -wal or
// -journal files beside it. Corruption/Unsupported on failure.
// Calls on_upload_hash with every distinct upload hash the database refers
// to, in ascending order (a malformed one is Corruption).
Result<DatabaseCheck> CheckUntrustedDatabase(
    Env* env, const std::string& path, const std::function<void(const Sha256Raw&)>& on_upload_hash);

// NoSpace naming the directory, the bytes needed and the bytes free, when
// `dir` has less than needed_bytes available.
Status CheckFreeSpace(Env* env, const std::string& dir, uint64_t needed_bytes,
                      const std::string& purpose);

}  // namespace arkwiki
