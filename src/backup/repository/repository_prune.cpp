// Repository::Prune: removing objects (uploads and database chunks) that
// no restore point names, loose ones and then whole packs.
//
// Crash-safe because it only ever removes an object that no complete
// manifest names, and it holds the repository lock, so no snapshot can be
// adding a manifest that names one meanwhile. A crash part-way leaves some
// unneeded objects, which the next prune removes.
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/crash_point.h"
#include "repository/db_chunks.h"
#include "repository/object_marks.h"
#include "repository/object_store.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

// Removes the files in objects/<prefix>/ that `keep` lacks.
Status PruneDir(Env* env, const std::string& dir, ObjectMarks& keep, PruneResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, env->ListDir(dir));
  for (const DirEntry& e : entries) {
    Sha256Raw raw;
    if (e.type == DirEntry::Type::kFile && ParseSha256Hex(e.name, &raw) &&
        keep.ContainsStored(raw)) {
      ++result->objects_kept;
      continue;
    }
    const std::string path = JoinPath(dir, e.name);
    Result<uint64_t> size = env->GetFileSize(path);
    ARKWIKI_RETURN_IF_ERROR(e.type == DirEntry::Type::kDir ? env->RemoveTree(path)
                                                           : env->RemoveFile(path));
    ++result->objects_removed;
    result->bytes_removed += size.ok() ? *size : 0;
    if (result->objects_removed == 1) CrashPoint("repository.prune.after_first_removal");
  }
  return Status::Ok();
}

// Removes each pack none of whose objects `keep` names. A pack that holds
// any named object is kept whole, with its unnamed objects: a pack is never
// rewritten. A pack whose index cannot be read is kept too (its objects are
// unknown); `backup check` reports the objects that need it as missing.
// One pack's index is read at a time, with its objects' names.
Status PrunePacks(Env* env, const RepoLayout& repo, ObjectMarks& keep, PruneResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> packs, ListPacks(env, repo));
  std::vector<PackEntry> entries;
  for (const std::string& name : packs) {
    entries.clear();
    Status s = ReadPackEntries(env, PacksDir(repo), name, 0, &entries);
    if (s.code() == StatusCode::kCorruption) continue;  // kept: its objects are unknown
    ARKWIKI_RETURN_IF_ERROR(s);
    uint64_t named = 0;
    for (const PackEntry& e : entries) named += keep.ContainsStored(e.sha256) ? 1 : 0;
    if (named > 0) {
      result->objects_kept += named;
      continue;
    }
    const std::string path = JoinPath(PacksDir(repo), name);
    Result<uint64_t> size = env->GetFileSize(path);
    ARKWIKI_RETURN_IF_ERROR(env->RemoveFile(path));
    result->objects_removed += entries.size();
    result->bytes_removed += size.ok() ? *size : 0;
    if (++result->packs_removed == 1) CrashPoint("repository.prune.after_pack_removal");
  }
  return Status::Ok();
}

}  // namespace

Result<PruneResult> Repository::Prune(const std::vector<std::string>& forget) {
  const RepoLayout repo(dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "pruning"));
  ARKWIKI_ASSIGN_OR_RETURN(auto copies_out, RepoCopyLock::AcquireExclusive(repo, "pruning"));
  ARKWIKI_RETURN_IF_ERROR(CleanWorkAreas(env_, repo));
  ARKWIKI_RETURN_IF_ERROR(DeletePointsLocked(env_, repo, forget));
  // No copy runs: what a crashed one spooled can go.
  ARKWIKI_RETURN_IF_ERROR(env_->RemoveTree(repo.copy_tmp));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env_, repo));
  // Manifests stored as chunks read through the stored objects. Each named
  // object is marked in their pack index (ObjectMarks), not gathered in a
  // set: a set beside the index would hold 40 bytes more an object.
  const PackIndex* packs = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenStoredObjects(raw_env_, repo, key_.get(), &packs));
  ARKWIKI_ASSIGN_OR_RETURN(const std::string scratch, ManifestScratchDir());
  ObjectMarks keep(*packs, key_.get());
  const auto marked = [](const ObjectRef&, ObjectMarks::Marked) { return Status::Ok(); };
  for (const std::string& id : ids) {
    Result<std::vector<ChunkRef>> manifest_chunks =
        ReadPointChunks(env_, repo.SnapshotDir(id), kManifestChunks);
    // Its files past manifest_files_held_ go to a scratch file.
    ManifestFileStore files = ManifestFileStore::InDir(raw_env_, scratch, manifest_files_held_);
    Result<Manifest> manifest = manifest_chunks.ok()
                                    ? ReadPointManifest(stored.get(), repo.SnapshotDir(id), &files)
                                    : Result<Manifest>(manifest_chunks.status());
    if (files.failed()) return manifest.status();  // the scratch file's: not the point's
    if (!manifest.ok()) {
      return Status::Corruption("not pruning: the manifest of restore point " + id +
                                " cannot be read (" + manifest.status().message() +
                                "), so the objects it needs are unknown; delete that restore "
                                "point first if it is beyond repair");
    }
    ARKWIKI_RETURN_IF_ERROR(keep.MarkUploads(files, marked));
    ARKWIKI_RETURN_IF_ERROR(keep.MarkChunks(*manifest_chunks, marked));
    Result<std::vector<ChunkRef>> chunks = ReadPointChunks(env_, repo.SnapshotDir(id));
    if (!chunks.ok()) {
      return Status::Corruption("not pruning: the database chunk list of restore point " + id +
                                " cannot be read (" + chunks.status().message() +
                                "), so the chunks it needs are unknown; delete that restore "
                                "point first if it is beyond repair");
    }
    ARKWIKI_RETURN_IF_ERROR(keep.MarkChunks(*chunks, marked));
  }
  // Objects are removed by their stored names, through the raw files.
  PruneResult result;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> prefixes, raw_env_->ListDir(repo.objects));
  for (const DirEntry& p : prefixes) {
    if (p.type != DirEntry::Type::kDir || JoinPath(repo.objects, p.name) == PacksDir(repo)) {
      continue;
    }
    ARKWIKI_RETURN_IF_ERROR(PruneDir(raw_env_, JoinPath(repo.objects, p.name), keep, &result));
  }
  ARKWIKI_RETURN_IF_ERROR(PrunePacks(raw_env_, repo, keep, &result));
  return result;
}

}  // namespace arkwiki
