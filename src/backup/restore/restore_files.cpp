#include "restore/restore_files.h"

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

}  // namespace arkwiki
