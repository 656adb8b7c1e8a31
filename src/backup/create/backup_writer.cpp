#include "arkwiki/backup/backup_writer.h"

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/slug.h"
#include "create/archive_body.h"
#include "create/db_snapshot.h"
#include "format/archive_limits_store.h"
#include "format/manifest_file_store.h"

namespace arkwiki {
namespace {

// Removes the snapshot file however WriteBackup leaves.
class ScopedFile {
 public:
  ScopedFile(Env* env, std::string path) : env_(env), path_(std::move(path)) {}
  ~ScopedFile() { (void)env_->RemoveFile(path_); }  // absent if the snapshot failed
  const std::string& path() const { return path_; }

 private:
  Env* env_;
  std::string path_;
};

}  // namespace

std::string BackupFileName(const std::string& site_title, int64_t unix_seconds) {
  std::string slug = Slugify(site_title);
  // Keep file names ASCII: non-ASCII letters become nothing.
  std::string ascii;
  for (char c : slug) {
    if (static_cast<unsigned char>(c) < 0x80) ascii += c;
  }
  while (!ascii.empty() && ascii.back() == '-') ascii.pop_back();
  if (ascii.empty()) ascii = "wiki";
  return "arkwiki-backup-" + ascii + "-" + FormatFileStampUtc(unix_seconds) + ".zip";
}

Result<BackupResult> WriteBackup(Env* env, const DataDirLayout& layout, ByteSink* out,
                                 const BackupOptions& options) {
  BackupResult result;
  BackupProgress progress{"snapshot", 0, 0};
  if (options.progress) options.progress(progress);
  const std::string scratch = options.scratch_dir.empty() ? layout.tmp : options.scratch_dir;
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(scratch));
  // Hold off upload garbage collection before the snapshot is taken, so
  // every file the snapshot names stays until the archive is finished.
  ARKWIKI_ASSIGN_OR_RETURN(auto gc_pin, UploadsGcLock::AcquireShared(layout));
  ScopedFile snapshot(env, JoinPath(scratch, "backup-" + RandomHex(8) + ".db"));
  ARKWIKI_ASSIGN_OR_RETURN(DatabaseSnapshot info, SnapshotDatabase(env, layout, snapshot.path()));
  result.snapshot_copy_millis = info.copy_millis;
  ARKWIKI_ASSIGN_OR_RETURN(FileDigest db_digest, Sha256File(env, snapshot.path()));
  const std::string settings = SettingsJson(info.settings);
  // One timestamp for the manifest's created_at and every entry's mtime.
  const int64_t created_at = NowUnixSeconds();
  if (options.database_only) info.upload_rows.reset();  // the rows stay in the database
  // The list of files spills to scratch past manifest_files_held.
  ManifestFileStore files = ManifestFileStore::InDir(env, scratch, options.manifest_files_held);
  ARKWIKI_ASSIGN_OR_RETURN(result.manifest,
                           BuildManifest(&info, db_digest, settings, created_at, &files));
  if (options.database_only) {
    result.manifest.format_version = kPartialArchiveFormatVersion;
    result.manifest.omits = {kPartUploads};
  }
  ARKWIKI_RETURN_IF_ERROR(CheckArchiveLimits(result.manifest, files, options.limits));
  if (options.before_write) ARKWIKI_RETURN_IF_ERROR(options.before_write(result.manifest));

  ArchiveParts parts;
  parts.manifest = &result.manifest;
  parts.files = &files;
  parts.database_path = snapshot.path();
  parts.settings = settings;
  parts.uploads = &layout;
  parts.created_at = created_at;
  parts.scratch_dir = scratch;
  ARKWIKI_RETURN_IF_ERROR(WriteArchiveBody(env, parts, out, options, &result));
  return result;
}

Result<BackupResult> WriteBackupToFile(Env* env, const DataDirLayout& layout,
                                       const std::string& path, const BackupOptions& options) {
  return WriteArchiveToFile(env, path, options, [&](ByteSink* out, const BackupOptions& opts) {
    return WriteBackup(env, layout, out, opts);
  });
}

}  // namespace arkwiki
