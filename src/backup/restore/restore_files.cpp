#include "restore/restore_files.h"

#include "arkwiki/storage/db.h"

namespace arkwiki {

std::string StagingDir(const DataDirLayout& layout, const std::string& id) {
  return JoinPath(layout.staging, id);
}

std::string StagedLive(const DataDirLayout& layout, const std::string& id) {
  return JoinPath(StagingDir(layout, id), "live");
}

// One syncfs of the file system holding `root`, not a fsync per directory:
// each of those is a disk cache flush, and a staged upload set has a
// directory per hash prefix (up to 256): 266 fsyncs took 0.9 s.
Status SyncTree(Env* env, const std::string& root) {
  ARKWIKI_ASSIGN_OR_RETURN(auto fs_sync, env->NewFileSystemSync(root));
  return fs_sync->Sync();
}

Result<uint64_t> LiveDataBytes(Env* env, const DataDirLayout& layout) {
  uint64_t total = 0;
  for (const char* suffix : {"", "-wal"}) {
    auto size = env->GetFileSize(layout.database + suffix);
    if (size.ok()) total += *size;
  }
  auto shards = env->ListDir(layout.uploads);
  if (!shards.ok()) return total;
  for (const DirEntry& shard : *shards) {
    if (shard.type != DirEntry::Type::kDir) continue;
    std::string dir = JoinPath(layout.uploads, shard.name);
    ARKWIKI_ASSIGN_OR_RETURN(auto files, env->ListDir(dir));
    for (const DirEntry& f : files) {
      ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, env->GetFileSize(JoinPath(dir, f.name)));
      total += size;
    }
  }
  return total;
}

Result<std::vector<MissingUpload>> FindMissingUploads(Env* env, const DataDirLayout& layout,
                                                      const std::string& db_path) {
  DbOptions ro;
  ro.read_only = true;
  ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(db_path, ro));
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db->Query("SELECT p.slug, u.name, u.sha256, u.size FROM uploads u "
                                     "JOIN pages p ON p.id = u.page_id ORDER BY p.slug, u.name"));
  std::vector<MissingUpload> missing;
  for (const SqlRow& r : rows) {
    const auto size = static_cast<uint64_t>(r.Int(3));
    auto on_disk = env->GetFileSize(layout.UploadPath(r.Text(2)));
    if (on_disk.ok() && *on_disk == size) continue;
    if (!on_disk.ok() && on_disk.status().code() != StatusCode::kNotFound) return on_disk.status();
    missing.push_back({r.Text(0), r.Text(1), r.Text(2), size});
  }
  return missing;
}

Status LinkLiveUploads(Env* env, const DataDirLayout& layout, const std::string& uploads_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto gc_pin, UploadsGcLock::AcquireShared(layout));
  auto shards = env->ListDir(layout.uploads);
  if (!shards.ok() && shards.status().code() == StatusCode::kNotFound) return Status::Ok();
  ARKWIKI_RETURN_IF_ERROR(shards.status());
  for (const DirEntry& shard : *shards) {
    if (shard.type != DirEntry::Type::kDir) continue;
    const std::string from_dir = JoinPath(layout.uploads, shard.name);
    const std::string to_dir = JoinPath(uploads_dir, shard.name);
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(to_dir));
    ARKWIKI_ASSIGN_OR_RETURN(auto files, env->ListDir(from_dir));
    for (const DirEntry& f : files) {
      if (f.type != DirEntry::Type::kFile) continue;
      ARKWIKI_RETURN_IF_ERROR(env->LinkFile(JoinPath(from_dir, f.name), JoinPath(to_dir, f.name)));
    }
  }
  return Status::Ok();
}

}  // namespace arkwiki
