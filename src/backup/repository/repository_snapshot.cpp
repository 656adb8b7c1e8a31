// Repository::Snapshot: writing one restore point, in the numbered steps of
// arkwiki/backup/repository.h.
#include <algorithm>
#include <set>
#include <vector>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/crash_point.h"
#include "arkwiki/core/free_space.h"
#include "arkwiki/core/hash.h"
#include "create/archive_body.h"
#include "create/db_snapshot.h"
#include "format/manifest_source.h"
#include "repository/object_store.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "verify/db_check.h"

namespace arkwiki {
namespace {

// Creates `path` with `data`, unsynced: the snapshot syncs the whole file
// system once before its manifest is written.
Status WriteNewFile(Env* env, const std::string& path, std::string_view data) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(path, CreateMode::kExclusive));
  ARKWIKI_RETURN_IF_ERROR(file->Append(data));
  return file->Close();
}

// manifest.json, streamed from the manifest (its text grows with the file
// count) in one pass, durably: temp name, fsync, rename, fsync dir.
Status WriteManifestFile(Env* env, const std::string& dir, const Manifest& manifest) {
  const std::string tmp = JoinPath(dir, std::string(kPointManifest) + ".tmp");
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewWritableFile(tmp, CreateMode::kExclusive));
  ARKWIKI_RETURN_IF_ERROR(
      StreamManifest(manifest, [&](std::string_view piece) { return file->Append(piece); }));
  ARKWIKI_RETURN_IF_ERROR(file->Sync());
  ARKWIKI_RETURN_IF_ERROR(file->Close());
  ARKWIKI_RETURN_IF_ERROR(env->Rename(tmp, JoinPath(dir, kPointManifest)));
  return env->SyncDir(dir);
}

// One upload the repository must store, and how.
struct PlannedCopy {
  size_t file = 0;      // index into the manifest's files
  bool packed = false;  // into a pack; otherwise a loose object
};

// Which uploads of `manifest` the repository must store: those it holds
// neither loose nor packed, holds loose with another size, or the last
// check found damaged. New small objects go into packs; a repair, or an
// object whose loose file is wrong, is stored loose (a loose object takes
// precedence over a packed copy). Only the loose objects are stat'ed:
// `loose` (ListLooseObjects) says which uploads have one.
Result<std::vector<PlannedCopy>> PlanCopies(Env* env, const RepoLayout& repo,
                                            const std::vector<Sha256Raw>& loose,
                                            const PackIndex& packs, const Manifest& manifest,
                                            const std::set<std::string>& damaged, uint64_t* bytes) {
  std::vector<PlannedCopy> copies;
  for (size_t i = 2; i < manifest.files.size(); ++i) {
    const Sha256Raw* raw = manifest.files.UploadHashAt(i);
    const uint64_t want = manifest.files.SizeAt(i);
    // The file's strings only where a path or a hex hash is needed.
    const bool is_loose = raw == nullptr || std::binary_search(loose.begin(), loose.end(), *raw);
    bool copy = !damaged.empty() && damaged.count(manifest.files[i].sha256) > 0;
    bool packed = false;
    if (!copy) {
      Result<uint64_t> size = Status::NotFound("not loose");
      if (is_loose) size = env->GetFileSize(repo.ObjectPath(manifest.files[i].sha256));
      if (!size.ok() && size.status().code() != StatusCode::kNotFound) return size.status();
      if (size.ok()) {
        copy = *size != want;
      } else {
        const PackEntry* entry = raw ? packs.Find(*raw) : nullptr;
        copy = entry == nullptr || entry->size != want;
        packed = copy && want < kPackObjectLimit;
      }
    }
    if (copy) {
      copies.push_back({i, packed});
      *bytes += want;
    }
  }
  return copies;
}

// Step 3: stores the planned uploads, each hashed as it is stored (see
// ObjectCopier for why no read-back follows), small new ones into packs.
Status StoreUploads(Env* env, const DataDirLayout& layout, const RepoLayout& repo,
                    const Manifest& manifest, const std::vector<PlannedCopy>& copies) {
  ObjectCopier copier(env, repo);
  PackWriter packer(env, repo);
  for (const PlannedCopy& c : copies) {
    const ManifestFile f = manifest.files[c.file];
    const std::string from = layout.UploadPath(f.sha256);
    Status s = c.packed ? packer.Add(from, f.sha256, f.size) : copier.Copy(from, f.sha256, f.size);
    if (s.code() == StatusCode::kNotFound) {
      return Status::Corruption("upload " + f.sha256 +
                                " is referenced by the database but missing from " +
                                layout.uploads);
    }
    ARKWIKI_RETURN_IF_ERROR(s);
  }
  ARKWIKI_RETURN_IF_ERROR(packer.Finish());
  CrashPoint("repository.snapshot.after_objects");
  return Status::Ok();
}

// Step 2: the database snapshot and settings file in `work`, and the
// manifest that names them and the uploads.
Result<Manifest> TakeDatabase(Env* env, const DataDirLayout& layout, const std::string& work,
                              int64_t created) {
  const std::string db_path = JoinPath(work, kDatabasePath);
  const std::string settings_path = JoinPath(work, kSettingsPath);
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(db_path)));
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(settings_path)));
  // Step 4 checks the copy's rows, as an import would.
  ARKWIKI_ASSIGN_OR_RETURN(DatabaseSnapshot db,
                           SnapshotDatabase(env, layout, db_path, RowCheck::kCallerChecks));
  ARKWIKI_ASSIGN_OR_RETURN(FileDigest db_digest, Sha256File(env, db_path));
  const std::string settings = SettingsJson(db.settings);
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, settings_path, settings));
  Manifest manifest = BuildManifest(db, db_digest, settings, created);
  // Every restore point must export as an archive an import accepts.
  ARKWIKI_RETURN_IF_ERROR(CheckArchiveLimits(manifest, ZipLimits{}));
  return manifest;
}

// Step 4: the database checked as an import would check it.
Status CheckDatabase(Env* env, const std::string& work) {
  Result<DatabaseCheck> checked =
      CheckUntrustedDatabase(env, JoinPath(work, kDatabasePath), [](const Sha256Raw&, uint64_t) {});
  if (checked.ok()) return Status::Ok();
  return Status::Corruption("the database snapshot failed its check: " +
                            checked.status().message());
}

// Step 5: durable, then the manifest, then the commit.
Status Commit(Env* env, const RepoLayout& repo, const std::string& work, const SnapshotInfo& info,
              const Manifest& manifest, FileSystemSync* fs_sync) {
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, JoinPath(work, kPointMeta), PointMetaJson(info)));
  ARKWIKI_RETURN_IF_ERROR(WriteNewFile(env, JoinPath(work, kPointCheck), CheckJson(info.check)));
  ARKWIKI_RETURN_IF_ERROR(fs_sync->Sync());
  CrashPoint("repository.snapshot.before_manifest");
  ARKWIKI_RETURN_IF_ERROR(WriteManifestFile(env, work, manifest));
  CrashPoint("repository.snapshot.before_commit");
  ARKWIKI_RETURN_IF_ERROR(env->Rename(work, repo.SnapshotDir(info.id)));
  if (Status s = env->SyncDir(repo.snapshots); !s.ok()) {
    // Not known to be durable: take it back, so that a failed snapshot
    // leaves no restore point. If that fails too, it stays, complete.
    (void)env->Rename(repo.SnapshotDir(info.id), JoinPath(repo.trash, info.id));
    return s;
  }
  return Status::Ok();
}

}  // namespace

Result<SnapshotInfo> Repository::Snapshot(const SnapshotRequest& request) {
  // 1. The lock, and what an interrupted run left.
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "writing a restore point"));
  ARKWIKI_RETURN_IF_ERROR(CleanWorkAreas(env_, repo));
  // Opened before the first write, so its Sync covers every one of them.
  ARKWIKI_ASSIGN_OR_RETURN(auto fs_sync, env_->NewFileSystemSync(repo.root));
  // 2. The database and settings, with uploads pinned until the end.
  ARKWIKI_ASSIGN_OR_RETURN(auto gc_pin, UploadsGcLock::AcquireShared(layout_));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env_, repo));
  SnapshotInfo info;
  info.created = NowUnixSeconds();
  info.id = NewSnapshotId(info.created, ids.empty() ? "" : ids.back());
  info.trigger = request.trigger;
  info.made_by = request.made_by;
  info.label = request.label;
  const std::string work = JoinPath(repo.tmp, info.id);
  ARKWIKI_ASSIGN_OR_RETURN(const Manifest manifest,
                           TakeDatabase(env_, layout_, work, info.created));
  // 3. The uploads objects/ lacks (or holds damaged); 4. the database checked.
  ARKWIKI_ASSIGN_OR_RETURN(std::set<std::string> damaged, ReadDamagedList(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(const PackIndex packs, PackIndex::Load(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(const std::vector<Sha256Raw> loose, ListLooseObjects(env_, repo));
  uint64_t copy_bytes = 0;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<PlannedCopy> copies,
                           PlanCopies(env_, repo, loose, packs, manifest, damaged, &copy_bytes));
  ARKWIKI_RETURN_IF_ERROR(
      CheckFreeSpace(env_, repo.objects, copy_bytes + (1 << 20), "the uploads of a restore point"));
  ARKWIKI_RETURN_IF_ERROR(StoreUploads(env_, layout_, repo, manifest, copies));
  ARKWIKI_RETURN_IF_ERROR(CheckDatabase(env_, work));
  // 5. The commit.
  info.total_bytes = static_cast<uint64_t>(manifest.counts.bytes);
  info.new_bytes = manifest.files.SizeAt(0) + manifest.files.SizeAt(1) + copy_bytes;
  info.file_count = manifest.files.size();
  info.check = {CheckStatus::State::kPassed, NowUnixSeconds(), ""};
  ARKWIKI_RETURN_IF_ERROR(Commit(env_, repo, work, info, manifest, fs_sync.get()));
  // Repaired objects leave the damaged list. Failing to rewrite it is not a
  // failed snapshot: an entry left behind only costs one more copy, and the
  // next check rewrites the list anyway.
  if (!damaged.empty()) {
    for (const PlannedCopy& c : copies) damaged.erase(manifest.files[c.file].sha256);
    (void)WriteDamagedList(env_, repo, damaged);
  }
  return info;
}

}  // namespace arkwiki
