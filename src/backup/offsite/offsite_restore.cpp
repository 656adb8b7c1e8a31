// Reading restore points back from a target: listing, and staging one as a
// local repository for the import (arkwiki/backup/offsite.h).
#include <algorithm>
#include <memory>
#include <set>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/offsite.h"
#include "offsite/offsite_fetch.h"
#include "offsite/offsite_record.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"

namespace arkwiki {
namespace {

// The point's info and its manifest, whose files go to `files`.
Result<OffsitePoint> ToPoint(const ReadBackRecord& read, ManifestFileStore* files) {
  const std::string& id = read.record.id;
  Result<SnapshotInfo> info = ParsePointMeta(read.record.point_json);
  if (!info.ok()) return info.status().WithContext("off-site restore point " + id);
  Result<Manifest> manifest = ParseRecordManifest(read, files);
  if (!manifest.ok()) return manifest.status().WithContext("off-site restore point " + id);
  OffsitePoint point{std::move(*info), std::move(*manifest)};
  point.info.id = id;
  return point;
}

Result<std::string> ResolveId(OffsiteTarget* target, const std::string& id) {
  if (id != "latest") return id;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target));
  if (ids.empty()) return Status::NotFound("no restore point on " + target->Describe());
  return ids.back();
}

// Destination of manifest file `file` in the staged repository. The record
// comes from the target, so its paths are refused here, before anything is
// written, unless they are the archive's own: an upload named by its own
// SHA-256, the database or the settings. (The import's check of the
// exported archive comes too late: a path such as "../../x" would already
// have been written outside the staging directory.)
Result<std::string> StagedPath(const RepoLayout& repo, const std::string& id,
                               const ManifestFile& file) {
  const std::string_view upload = UploadEntryHash(file.path);
  if (!upload.empty() && upload == file.sha256) return repo.ObjectPath(std::string(upload));
  if (file.path == kDatabasePath || file.path == kSettingsPath) {
    return JoinPath(repo.SnapshotDir(id), file.path);
  }
  return Status::Corruption("the record lists " + file.path +
                            ", which has no place in an arkwiki backup");
}

Status StageFile(Env* env, OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, const std::string& dest) {
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dest));
  // Only an upload may be named twice (two pages, one file); a second
  // database or settings entry fails the exclusive create below.
  if (exists && !UploadEntryHash(file.path).empty()) return Status::Ok();
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, FileByteSink::Create(env, dest, CreateMode::kExclusive));
  Status s = FetchFile(target, key, name, file, out.get());
  if (s.ok()) s = out->Close();
  if (!s.ok()) {
    // A refused object leaves no partial file behind; the refusal matters
    // more than a failure to remove it.
    out.reset();
    (void)env->RemoveFile(dest);
  }
  return s;
}

// A staged file created at its first byte (at Close when it has none) and
// closed as soon as its slice ends (PackSlice::done): a pack of 50,000
// small files holds one descriptor at a time, not one a file.
class LazyStagedFile final : public ByteSink {
 public:
  LazyStagedFile(Env* env, std::string dest) : env_(env), dest_(std::move(dest)) {}
  Status Write(std::string_view data) override {
    ARKWIKI_RETURN_IF_ERROR(Open());
    return file_->Write(data);
  }
  Status Close() {
    ARKWIKI_RETURN_IF_ERROR(Open());
    Status s = file_->Close();
    file_.reset();
    return s;
  }

 private:
  Status Open() {
    if (file_) return Status::Ok();
    ARKWIKI_ASSIGN_OR_RETURN(file_, FileByteSink::Create(env_, dest_, CreateMode::kExclusive));
    return Status::Ok();
  }
  Env* env_;
  std::string dest_;
  std::unique_ptr<FileByteSink> file_;
};

// Stages the files of one pack, each into its own new file: `slices`
// sorted by offset, their `out` unset. An upload named twice is staged
// once; one object under two paths is staged by a second read of the pack.
Status StagePack(Env* env, OffsiteTarget* target, const OffsiteKey& key, const RepoLayout& repo,
                 const std::string& id, const std::string& pack, std::vector<PackSlice>* slices) {
  std::vector<PackSlice> again = TakeRepeats(slices);
  std::vector<std::unique_ptr<LazyStagedFile>> outs;
  std::vector<PackSlice> staged;
  std::vector<std::string> dests;
  std::set<std::string> named;
  for (PackSlice& slice : *slices) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string dest, StagedPath(repo, id, slice.file));
    const bool upload = !UploadEntryHash(slice.file.path).empty();
    if (!named.insert(dest).second) {
      if (upload) continue;
      return Status::Corruption("the record lists " + slice.file.path + " twice");
    }
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dest));
    if (exists && upload) continue;
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
    auto out = std::make_unique<LazyStagedFile>(env, dest);
    slice.out = out.get();
    slice.done = [file = out.get()] { return file->Close(); };
    staged.push_back(std::move(slice));
    outs.push_back(std::move(out));
    dests.push_back(std::move(dest));
  }
  Status s = staged.empty() ? Status::Ok() : FetchPacked(target, key, pack, &staged);
  for (size_t i = 0; s.ok() && i < staged.size(); ++i) s = staged[i].result;
  if (!s.ok()) {
    // As StageFile: a refused pack leaves no partial file behind.
    outs.clear();
    for (const std::string& dest : dests) (void)env->RemoveFile(dest);
    return s;
  }
  if (again.empty()) return Status::Ok();
  return StagePack(env, target, key, repo, id, pack, &again);
}

}  // namespace

Result<std::vector<OffsitePoint>> ListTargetPoints(OffsiteTarget* target, const OffsiteKey& key,
                                                   const OffsiteScratch& scratch) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target));
  std::vector<OffsitePoint> points;
  for (const std::string& id : ids) {
    ARKWIKI_ASSIGN_OR_RETURN(ReadBackRecord read, ReadRecord(target, key, id, scratch, false));
    ManifestFileStore files = NewFileStore(scratch);  // dropped: a listing shows no file
    ARKWIKI_ASSIGN_OR_RETURN(OffsitePoint point, ToPoint(read, &files));
    points.push_back(std::move(point));
  }
  return points;
}

Result<std::string> StageTargetPoint(Env* env, OffsiteTarget* target, const OffsiteKey& key,
                                     const std::string& wanted, const std::string& staging_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string id, ResolveId(target, wanted));
  RepoLayout repo(staging_dir);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.format_file));
  if (exists) return Status::AlreadyExists(staging_dir + " already holds a repository");
  // The record and, past a few thousand files, its file list go to unnamed
  // scratch files in the staging directory.
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(staging_dir));
  OffsiteScratch scratch;
  scratch.env = env;
  scratch.dir = staging_dir;
  ARKWIKI_ASSIGN_OR_RETURN(ReadBackRecord read, ReadRecord(target, key, id, scratch));
  ManifestFileStore files = NewFileStore(scratch);
  ARKWIKI_RETURN_IF_ERROR(ToPoint(read, &files).status());
  const std::string where = "restore point " + id + " on " + target->Describe();
  {
    ManifestFileStore::Cursor cursor = files.Walk();  // every path first: nothing written yet
    for (;;) {
      ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
      if (f == nullptr) break;
      ARKWIKI_RETURN_IF_ERROR(StagedPath(repo, id, f->Get()).status().WithContext(where));
    }
  }
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(repo.SnapshotDir(id)));
  // Loose files are staged as they come; packed ones pack by pack after.
  PackedReadPlan plan = PackedReadPlan::ForFiles(files.size());
  ManifestFileStore::Cursor cursor = files.Walk();
  for (size_t i = 0;; ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(const ManifestFileStore::File* f, cursor.Next());
    if (f == nullptr) break;
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, *f));
    if (auto at = read.packed.Find(name)) {
      plan.Note(i, at->pack);
      continue;
    }
    const ManifestFile file = f->Get();
    ARKWIKI_ASSIGN_OR_RETURN(std::string dest, StagedPath(repo, id, file));
    ARKWIKI_RETURN_IF_ERROR(StageFile(env, target, key, name, file, dest).WithContext(where));
  }
  ARKWIKI_RETURN_IF_ERROR(plan.Read(
      files, [&](const ManifestFileStore::File& f) { return SliceOf(key, read.packed, f); },
      [&](const std::string& pack, std::vector<PackSlice>* slices) {
        return StagePack(env, target, key, repo, id, pack, slices).WithContext(where);
      }));
  const std::string dir = repo.SnapshotDir(id);
  ARKWIKI_RETURN_IF_ERROR(
      WriteFileAtomically(env, JoinPath(dir, kPointMeta), read.record.point_json));
  // The manifest last: it marks the staged point complete (ListPointIds).
  ARKWIKI_RETURN_IF_ERROR(
      WriteFileAtomically(env, JoinPath(dir, kPointManifest),
                          [&](WritableFile* file) { return AppendFileTo(*read.manifest, file); }));
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, repo.format_file, RepositoryJson()));
  return id;
}

}  // namespace arkwiki
