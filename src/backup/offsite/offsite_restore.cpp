// Reading restore points back from a target: listing, and staging one as a
// local repository for the import (arkwiki/backup/offsite.h).
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

// Destination of manifest file `file` in the staged repository.
std::string StagedPath(const RepoLayout& repo, const std::string& id, const ManifestFile& file) {
  const std::string_view upload = UploadEntryHash(file.path);
  if (!upload.empty()) return repo.ObjectPath(std::string(upload));
  return JoinPath(repo.SnapshotDir(id), file.path);
}

Status StageFile(Env* env, OffsiteTarget* target, const OffsiteKey& key, const std::string& name,
                 const ManifestFile& file, const std::string& dest) {
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dest));
  if (exists) return Status::Ok();  // an upload two manifest entries name
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(DirName(dest)));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, FileByteSink::Create(env, dest, CreateMode::kExclusive));
  ARKWIKI_RETURN_IF_ERROR(FetchFile(target, key, name, file, out.get()));
  return out->Close();
}

}  // namespace

Result<std::vector<OffsitePoint>> ListTargetPoints(OffsiteTarget* target, const OffsiteKey& key) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListRecordIds(target));
  std::vector<OffsitePoint> points;
  for (const std::string& id : ids) {
    ARKWIKI_ASSIGN_OR_RETURN(OffsiteRecord record, ReadRecord(target, key, id));
    ARKWIKI_ASSIGN_OR_RETURN(OffsitePoint point, ToPoint(record));
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
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(repo.SnapshotDir(id)));
  const ManifestFiles& files = point.manifest.files;
  for (size_t i = 0; i < files.size(); ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(key, files, i));
    const ManifestFile file = files[i];
    ARKWIKI_RETURN_IF_ERROR(StageFile(env, target, key, name, file, StagedPath(repo, id, file))
                                .WithContext("restore point " + id + " on " + target->Describe()));
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
