// The archive a backup writes, from its parts (private to the backup layer).
//
// WriteBackup takes a database snapshot of the live wiki and hands the parts
// to WriteArchiveBody; a restore point of the repository (repository/) hands
// over its stored parts instead. Both get byte-identical archives from the
// same parts, since this is the one place that lays out the ZIP.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/hash.h"
#include "create/db_snapshot.h"
#include "format/manifest_file_store.h"

namespace arkwiki {

// config/settings.json: the settings as a JSON object of strings.
std::string SettingsJson(const std::map<std::string, std::string>& settings);

// The manifest of an archive holding `snapshot`'s database (digest `db`),
// `settings` (SettingsJson) and the snapshot's uploads, made at
// `created_at`. Its files go to `files`, which spills them past its limit:
// the database, the settings, then the uploads merged from
// snapshot->upload_rows (which it consumes); Finish is called. The
// manifest's own list is files->ToManifestFiles(): only counted when the
// store spilled. The store's error when its scratch file fails.
Result<Manifest> BuildManifest(DatabaseSnapshot* snapshot, const FileDigest& db,
                               const std::string& settings, int64_t created_at,
                               ManifestFileStore* files);

// The parts of an archive. Every pointer must outlive the call.
struct ArchiveParts {
  const Manifest* manifest = nullptr;        // every field but its list of files
  const ManifestFileStore* files = nullptr;  // the list: the database, the settings, the uploads
  std::string database_path;                 // hashes to manifest's database entry
  std::string settings;                      // the bytes of config/settings.json
  const DataDirLayout* uploads = nullptr;    // each upload at UploadPath(sha256)
  int64_t created_at = 0;                    // every entry's mtime
  std::string scratch_dir;                   // for the spooled central directory
};

// Streams the archive of `parts` to `out`. Each file is hashed as it streams
// and must match the manifest (Corruption names a damaged upload file; an
// upload missing from `parts.uploads` is Corruption too). Does not call
// options.before_write. On success sets archive_bytes and archive_sha256.
Status WriteArchiveBody(Env* env, const ArchiveParts& parts, ByteSink* out,
                        const BackupOptions& options, BackupResult* result);

// Writes what `produce` streams to `path` safely: into a temporary name in
// the same directory, synced as it goes, then renamed into place and the
// directory synced. `produce` gets `options` with a before_write that also
// checks free space (a cautious estimate: the manifest's bytes plus
// headers). On any failure nothing is left under `path` (a killed process
// may leave "<path>.partial-<random>").
using ArchiveProducer =
    std::function<Result<BackupResult>(ByteSink* out, const BackupOptions& options)>;
Result<BackupResult> WriteArchiveToFile(Env* env, const std::string& path,
                                        const BackupOptions& options,
                                        const ArchiveProducer& produce);

}  // namespace arkwiki
