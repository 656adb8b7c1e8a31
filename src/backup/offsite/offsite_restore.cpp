// Reading restore points back from a target: listing, and staging one as a
// local repository for the import (arkwiki/backup/offsite.h).
#include <algorithm>
#include <map>
#include <memory>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/offsite.h"
#include "format/manifest_parser.h"
#include "offsite/offsite_fetch.h"
#include "offsite/offsite_record.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"

namespace arkwiki {
namespace {

Result<OffsitePoint> ToPoint(const OffsiteRecord& record) {
  Result<SnapshotInfo> info = ParsePointMeta(record.point_json);
  if (!info.ok()) return info.status().WithContext("off-site restore point " + record.id);
  Result<Manifest> manifest = ParseManifest(record.manifest_text);
  if (!manifest.ok()) return manifest.status().WithContext("off-site restore point " + record.id);
  OffsitePoint point{std::move(*info), std::move(*manifest)};
  point.info.id = record.id;
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

// Stages the files of one pack, each into its own new file: `entries` are
// (offset, index into `files`), sorted by offset. A file named twice is
// staged once.
Status StagePack(Env* env, OffsiteTarget* target, const OffsiteKey& key, const RepoLayout& repo,
                 const std::string& id, const ManifestFiles& files, const std::string& pack,
                 const std::vector<std::pair<uint64_t, size_t>>& entries) {
  std::vector<std::unique_ptr<FileByteSink>> outs;
  std::vector<PackSlice> slices;
  std::vector<std::string> dests;
  Status s;
  for (const auto& [offset, i] : entries) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, files, i));
    const ManifestFile file = files[i];
    ARKWIKI_ASSIGN_OR_RETURN(std::string dest, StagedPath(repo, id, file));
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dest));
    if (exists && !UploadEntryHash(file.path).empty()) continue;
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
    auto out = FileByteSink::Create(env, dest, CreateMode::kExclusive);
    if (!out.ok()) {
      s = out.status();
      break;
    }
    slices.push_back({std::move(name), file, offset, out->get(), Status::Ok()});
    outs.push_back(std::move(out).value());
    dests.push_back(std::move(dest));
  }
  if (s.ok() && !slices.empty()) s = FetchPacked(target, key, pack, &slices);
  for (size_t i = 0; s.ok() && i < slices.size(); ++i) {
    s = slices[i].result;
    if (s.ok()) s = outs[i]->Close();
  }
  if (!s.ok()) {
    // As StageFile: a refused pack leaves no partial file behind.
    outs.clear();
    for (const std::string& dest : dests) (void)env->RemoveFile(dest);
  }
  return s;
}

}  // namespace

Result<std::vector<OffsitePoint>> ListTargetPoints(OffsiteTarget* target, const OffsiteKey& key) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target));
  std::vector<OffsitePoint> points;
  for (const std::string& id : ids) {
    ARKWIKI_ASSIGN_OR_RETURN(OffsiteRecord record, ReadRecord(target, key, id));
    ARKWIKI_ASSIGN_OR_RETURN(OffsitePoint point, ToPoint(record));
    point.manifest.files = ManifestFiles();  // frees it: a listing shows no file
    points.push_back(std::move(point));
  }
  return points;
}

Result<std::string> StageTargetPoint(Env* env, OffsiteTarget* target, const OffsiteKey& key,
                                     const std::string& wanted, const std::string& staging_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string id, ResolveId(target, wanted));
  ARKWIKI_ASSIGN_OR_RETURN(OffsiteRecord record, ReadRecord(target, key, id));
  ARKWIKI_ASSIGN_OR_RETURN(OffsitePoint point, ToPoint(record));
  RepoLayout repo(staging_dir);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.format_file));
  if (exists) return Status::AlreadyExists(staging_dir + " already holds a repository");
  const ManifestFiles& files = point.manifest.files;
  const std::string where = "restore point " + id + " on " + target->Describe();
  for (const auto& file : files) {  // every path first: nothing written yet
    ARKWIKI_RETURN_IF_ERROR(StagedPath(repo, id, file).status().WithContext(where));
  }
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(repo.SnapshotDir(id)));
  // Packed files are staged pack by pack, each pack read once; 16 bytes a
  // file meanwhile.
  std::map<std::string, std::vector<std::pair<uint64_t, size_t>>> by_pack;
  for (size_t i = 0; i < files.size(); ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, files, i));
    if (auto at = record.packed.Find(name)) {
      by_pack[std::string(at->pack)].emplace_back(at->offset, i);
      continue;
    }
    const ManifestFile file = files[i];
    ARKWIKI_ASSIGN_OR_RETURN(std::string dest, StagedPath(repo, id, file));
    ARKWIKI_RETURN_IF_ERROR(StageFile(env, target, key, name, file, dest).WithContext(where));
  }
  for (auto& [pack, entries] : by_pack) {
    std::sort(entries.begin(), entries.end());
    ARKWIKI_RETURN_IF_ERROR(
        StagePack(env, target, key, repo, id, files, pack, entries).WithContext(where));
  }
  const std::string dir = repo.SnapshotDir(id);
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, JoinPath(dir, kPointMeta), record.point_json));
  // The manifest last: it marks the staged point complete (ListPointIds).
  ARKWIKI_RETURN_IF_ERROR(
      WriteFileAtomically(env, JoinPath(dir, kPointManifest), record.manifest_text));
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, repo.format_file, RepositoryJson()));
  return id;
}

}  // namespace arkwiki
