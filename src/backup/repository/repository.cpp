// Repository: listing, deleting and exporting restore points. Opening is in
// repository_open.cpp; the snapshot, prune and check steps are in
// repository_snapshot.cpp, repository_prune.cpp and repository_check.cpp.
#include "arkwiki/backup/repository.h"

#include <filesystem>
#include <system_error>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/backup/offsite_config.h"
#include "arkwiki/core/clock.h"
#include "create/archive_body.h"
#include "format/archive_limits_store.h"
#include "format/manifest_file_store.h"
#include "repository/object_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

constexpr const char* kTriggerNames[] = {"manual", "scheduled", "before-import", "cli"};

// The absolute, normalised form of `path`, resolving the symlinks of its
// existing part, so that two spellings of one directory compare equal.
std::filesystem::path Resolve(const std::string& path) {
  std::error_code ec;
  std::filesystem::path p = std::filesystem::weakly_canonical(std::filesystem::absolute(path), ec);
  return ec ? std::filesystem::path(path).lexically_normal() : p;
}

// True when `inner` is `outer` or below it.
bool IsWithin(const std::filesystem::path& inner, const std::filesystem::path& outer) {
  auto o = outer.begin();
  auto i = inner.begin();
  for (; o != outer.end(); ++o, ++i) {
    if (o->empty()) continue;  // a trailing separator
    if (i == inner.end() || *i != *o) return false;
  }
  return true;
}

}  // namespace

const char* SnapshotTriggerName(SnapshotTrigger trigger) {
  return kTriggerNames[static_cast<int>(trigger)];
}

Result<SnapshotTrigger> ParseSnapshotTrigger(const std::string& text) {
  for (int i = 0; i < 4; ++i) {
    if (text == kTriggerNames[i]) return static_cast<SnapshotTrigger>(i);
  }
  return Status::InvalidArgument("unknown restore point trigger '" + text +
                                 "' (manual, scheduled, before-import or cli)");
}

const char* CheckStateName(CheckStatus::State state) {
  switch (state) {
    case CheckStatus::State::kPassed:
      return "passed";
    case CheckStatus::State::kFailed:
      return "failed";
    case CheckStatus::State::kUnknown:
      break;
  }
  return "unknown";
}

std::string DefaultBackupDir(const std::string& data_dir) { return JoinPath(data_dir, "backups"); }

Status CheckBackupDirPlacement(const DataDirLayout& layout, const std::string& backup_dir) {
  if (backup_dir.empty()) return Status::InvalidArgument("the backup directory is empty");
  const std::filesystem::path repo = Resolve(backup_dir);
  const std::filesystem::path live = Resolve(layout.live);
  if (IsWithin(repo, live) || IsWithin(live, repo)) {
    return Status::InvalidArgument("the backup directory " + backup_dir +
                                   " must not be inside or hold the live data " + layout.live +
                                   ": an import would replace it, or a backup would contain it");
  }
  return Status::Ok();
}

Result<RepositoryOptions> RepositoryOptionsFromConfig(Env* env, const DataDirLayout& layout,
                                                      const std::string& backup_dir, bool encrypt,
                                                      const std::string& passphrase_file) {
  RepositoryOptions options;
  options.encrypt = encrypt;
  if (passphrase_file.empty()) return options;
  const std::filesystem::path file = Resolve(passphrase_file);
  if (IsWithin(file, Resolve(layout.live)) || IsWithin(file, Resolve(backup_dir))) {
    return Status::InvalidArgument("backup_passphrase_file " + passphrase_file +
                                   " must lie outside the live data " + layout.live +
                                   " and outside the backup directory " + backup_dir +
                                   ": a backup would hold it next to what it protects");
  }
  ARKWIKI_ASSIGN_OR_RETURN(options.passphrase,
                           ReadPassphraseFile(env, passphrase_file, "backup_passphrase_file"));
  return options;
}

Result<std::vector<SnapshotInfo>> Repository::List() {
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env_, repo));
  std::vector<SnapshotInfo> points;
  points.reserve(ids.size());
  for (const std::string& id : ids) {
    ARKWIKI_ASSIGN_OR_RETURN(SnapshotInfo info, ReadPointInfo(env_, repo, id));
    points.push_back(std::move(info));
  }
  return points;
}

Status Repository::Delete(const std::string& id) { return Forget({id}); }

Status Repository::Forget(const std::vector<std::string>& ids) {
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "deleting restore points"));
  ARKWIKI_RETURN_IF_ERROR(CleanWorkAreas(env_, repo));
  return DeletePointsLocked(env_, repo, ids);
}

Result<std::string> Repository::ManifestScratchDir() const {
  if (!key_) return RepoLayout(dir_).tmp;  // cleaned by each locked run
  ARKWIKI_RETURN_IF_ERROR(raw_env_->CreateDirs(layout_.tmp));
  return layout_.tmp;
}

Result<BackupResult> Repository::Export(const std::string& id, ByteSink* out,
                                        const BackupOptions& options) {
  const RepoLayout repo(dir_);
  if (!IsSnapshotId(id)) return Status::NotFound("no restore point " + id);
  const std::string dir = repo.SnapshotDir(id);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, PointIsComplete(env_, dir));
  if (!exists) return Status::NotFound("no restore point " + id);
  // Packed objects read as files at the same paths, a chunked manifest or
  // database as one file.
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenStoredObjects(raw_env_, repo, key_.get()));
  BackupResult result;
  // The list of files spills past manifest_files_held_, and the central
  // directory waits, in the caller's scratch directory or the data
  // directory's tmp/: never in the repository, which an export only reads
  // (it takes no lock, and a locked run empties the repository's tmp/).
  const std::string scratch = options.scratch_dir.empty() ? layout_.tmp : options.scratch_dir;
  ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(scratch));
  ManifestFileStore files = ManifestFileStore::InDir(raw_env_, scratch, manifest_files_held_);
  ARKWIKI_ASSIGN_OR_RETURN(result.manifest, ReadPointManifest(stored.get(), dir, &files));
  ARKWIKI_ASSIGN_OR_RETURN(const std::vector<ManifestFile> own, files.First(2));
  if (own.size() < 2) {
    return Status::Corruption("restore point " + id + ": its manifest lists no database");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::string settings,
                           ReadFileToString(env_, JoinPath(dir, kSettingsPath)));
  if (Sha256Hex(settings) != own[1].sha256) {
    return Status::Corruption("restore point " + id + ": " + kSettingsPath + " is damaged");
  }
  ARKWIKI_ASSIGN_OR_RETURN(result.manifest.files, files.ToManifestFiles());
  ARKWIKI_RETURN_IF_ERROR(CheckArchiveLimits(result.manifest, files, options.limits));
  if (options.before_write) ARKWIKI_RETURN_IF_ERROR(options.before_write(result.manifest));
  // The objects stand where the live uploads would: objects/<aa>/<sha256>
  // (a packed object too, read through PackedObjectsEnv).
  DataDirLayout uploads(layout_.root);
  uploads.uploads = repo.objects;
  ArchiveParts parts;
  parts.manifest = &result.manifest;
  parts.files = &files;
  parts.database_path = JoinPath(dir, kDatabasePath);
  parts.settings = settings;
  parts.uploads = &uploads;
  parts.created_at = ParseIsoUtc(result.manifest.created_at);
  parts.scratch_dir = scratch;
  ARKWIKI_RETURN_IF_ERROR(WriteArchiveBody(stored.get(), parts, out, options, &result));
  return result;
}

Result<BackupResult> Repository::ExportToFile(const std::string& id, const std::string& path,
                                              const BackupOptions& options) {
  return WriteArchiveToFile(env_, path, options, [&](ByteSink* out, const BackupOptions& opts) {
    return Export(id, out, opts);
  });
}

}  // namespace arkwiki
