// The copy engine (steps and crash behaviour: arkwiki/backup/offsite.h).
#include <algorithm>
#include <map>
#include <vector>

#include "arkwiki/backup/offsite.h"
#include "offsite/hashing_tee.h"
#include "offsite/offsite_record.h"
#include "repository/object_store.h"
#include "repository/packed_env.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"

namespace arkwiki {
namespace {

constexpr size_t kReadBlock = size_t{1} << 20;

// The names of the objects on the target, with their sizes.
using PresentObjects = std::map<std::string, uint64_t>;

Result<PresentObjects> ListPresent(OffsiteTarget* target) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> objects, target->List(kObjectsPrefix));
  PresentObjects present;
  for (const OffsiteObject& o : objects) present[BaseName(o.key)] = o.size;
  return present;
}

// Encrypts `from` into the new file `spool` as the object `bound_key`,
// checking that its bytes are `file`'s. Returns the SHA-256 of the
// encrypted bytes, which the target may need before it sends them.
Result<std::string> EncryptToSpool(Env* env, const std::string& from, const ManifestFile& file,
                                   const OffsiteKey& key, const std::string& bound_key,
                                   const std::string& spool) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env->NewSequentialFile(from));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, FileByteSink::Create(env, spool, CreateMode::kExclusive));
  HashingTee sealed(out.get());
  EncryptingSink encrypt(key, bound_key, &sealed);
  Sha256 sha;
  uint64_t size = 0;
  std::vector<char> buf(kReadBlock);
  while (true) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buf.data(), buf.size()));
    if (n == 0) break;
    sha.Update(buf.data(), n);
    size += n;
    ARKWIKI_RETURN_IF_ERROR(encrypt.Write(std::string_view(buf.data(), n)));
  }
  ARKWIKI_RETURN_IF_ERROR(encrypt.Finish());
  ARKWIKI_RETURN_IF_ERROR(out->Close());
  if (size != file.size || sha.FinishHex() != file.sha256) {
    return Status::Corruption("the local copy of " + file.path + " (" + from +
                              ") no longer matches its restore point; run `arkwiki backup check`");
  }
  return sealed.FinishHex();
}

Status PutSpooled(Env* env, OffsiteTarget* target, const std::string& key, const std::string& spool,
                  const std::string& sha256_hex) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewRandomAccessFile(spool));
  return target->PutHashed(key, *file, sha256_hex);
}

struct CopyContext {
  Env* env;
  const RepoLayout& repo;
  OffsiteTarget* target;
  const OffsiteKey& key;
  PresentObjects* present;
  const Cancellation* cancel;
};

// Local path of manifest file `file` of restore point `id`.
std::string LocalPath(const RepoLayout& repo, const std::string& id, const ManifestFile& file) {
  const std::string_view upload = UploadEntryHash(file.path);
  if (!upload.empty()) return repo.ObjectPath(std::string(upload));
  return JoinPath(repo.SnapshotDir(id), file.path);
}

// Step 3 for one file: sends it unless the target holds it whole.
Status SendFile(const CopyContext& c, const std::string& id, const ManifestFiles& files, size_t i,
                OffsiteCopyResult* result) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string name, FileObjectName(c.key, files, i));
  const uint64_t sealed_size = EncryptedSize(files.SizeAt(i));
  auto it = c.present->find(name);
  if (it != c.present->end() && it->second == sealed_size) {
    ++result->objects_present;
    return Status::Ok();
  }
  const ManifestFile file = files[i];
  const std::string spool = JoinPath(c.repo.copy_tmp, "offsite-" + RandomHex(8));
  Result<std::string> sealed_sha256 =
      EncryptToSpool(c.env, LocalPath(c.repo, id, file), file, c.key, ObjectKey(name), spool);
  Status s = sealed_sha256.status();
  if (s.ok()) s = PutSpooled(c.env, c.target, ObjectKey(name), spool, *sealed_sha256);
  (void)c.env->RemoveFile(spool);  // a leftover goes with the next prune
  ARKWIKI_RETURN_IF_ERROR(s.WithContext("copying " + file.path + " to " + c.target->Describe()));
  (*c.present)[name] = sealed_size;
  ++result->objects_sent;
  result->bytes_sent += sealed_size;
  return Status::Ok();
}

Result<OffsiteCopyResult> CopyLocked(const CopyContext& c, const std::string& id) {
  if (!IsSnapshotId(id)) return Status::NotFound("no restore point '" + id + "'");
  const std::string dir = c.repo.SnapshotDir(id);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, c.env->FileExists(JoinPath(dir, kPointManifest)));
  if (!exists) return Status::NotFound("no restore point " + id + " in " + c.repo.root);
  ARKWIKI_ASSIGN_OR_RETURN(SnapshotInfo info, ReadPointInfo(c.env, c.repo, id));
  if (info.check.state == CheckStatus::State::kFailed) {
    return Status::Corruption("restore point " + id + " failed its last check (" +
                              info.check.message + "); it is not copied off-site");
  }
  OffsiteRecord record{c.key.repository_id(), id, "", ""};
  ARKWIKI_ASSIGN_OR_RETURN(record.point_json,
                           ReadFileToString(c.env, JoinPath(dir, kPointMeta), 1 << 20));
  ARKWIKI_ASSIGN_OR_RETURN(record.manifest_text,
                           ReadFileToString(c.env, JoinPath(dir, kPointManifest), 256 << 20));
  ARKWIKI_ASSIGN_OR_RETURN(Manifest manifest, ReadPointManifest(c.env, dir));
  OffsiteCopyResult result;
  result.id = id;
  ARKWIKI_RETURN_IF_ERROR(c.env->CreateDirs(c.repo.copy_tmp));
  for (size_t i = 0; i < manifest.files.size(); ++i) {
    ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
    ARKWIKI_RETURN_IF_ERROR(SendFile(c, id, manifest.files, i, &result));
  }
  // The last place to stop: once the record is put, the point is on the target.
  ARKWIKI_RETURN_IF_ERROR(CheckCancelled(c.cancel));
  ARKWIKI_ASSIGN_OR_RETURN(std::string sealed,
                           EncryptBytes(c.key, RecordKey(id), RecordPlaintext(record)));
  result.bytes_sent += sealed.size();
  ARKWIKI_RETURN_IF_ERROR(c.target->Put(RecordKey(id), StringFile(std::move(sealed))));
  return result;
}

}  // namespace

Result<std::unique_ptr<OffsiteKey>> UnlockTarget(OffsiteTarget* target,
                                                 std::string_view passphrase) {
  StringByteSink text;
  Status s = target->Get(kKeyObjectKey, kMaxKeyObjectBytes, &text);
  if (s.code() == StatusCode::kNotFound) {
    return Status::NotFound("no arkwiki off-site copy at " + target->Describe() +
                            " (it has no key object)");
  }
  ARKWIKI_RETURN_IF_ERROR(s);
  return OffsiteKey::Unlock(text.data(), passphrase);
}

Result<std::unique_ptr<OffsiteKey>> UnlockOrInitTarget(OffsiteTarget* target,
                                                       std::string_view passphrase,
                                                       const KdfParams& params, bool* created) {
  if (created) *created = false;
  auto key = UnlockTarget(target, passphrase);
  if (key.status().code() != StatusCode::kNotFound) return key;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<OffsiteObject> held, target->List(""));
  if (!held.empty()) {
    return Status::Conflict(target->Describe() +
                            " holds objects but no key object; refusing to start an off-site "
                            "repository there (choose an empty directory or prefix)");
  }
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<OffsiteKey> made,
                           OffsiteKey::Create(passphrase, params));
  ARKWIKI_RETURN_IF_ERROR(target->Put(kKeyObjectKey, StringFile(made->key_object())));
  if (created) *created = true;
  return made;
}

OffsiteCopier::OffsiteCopier(Env* env, std::string backup_dir, OffsiteTarget* target,
                             const OffsiteKey& key, const Cancellation* cancel)
    : env_(env), backup_dir_(std::move(backup_dir)), target_(target), key_(key), cancel_(cancel) {}

Result<OffsiteCopyResult> OffsiteCopier::Copy(const std::string& id) {
  ARKWIKI_ASSIGN_OR_RETURN(std::optional<OffsiteCopyResult> copied, CopyIfPresent(id));
  if (!copied) return Status::NotFound("no restore point '" + id + "' in " + backup_dir_);
  return std::move(*copied);
}

Result<std::optional<OffsiteCopyResult>> OffsiteCopier::CopyIfPresent(const std::string& id) {
  RepoLayout repo(backup_dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoCopyLock::AcquireShared(repo));
  if (!IsSnapshotId(id)) return std::optional<OffsiteCopyResult>();
  ARKWIKI_ASSIGN_OR_RETURN(bool exists,
                           env_->FileExists(JoinPath(repo.SnapshotDir(id), kPointManifest)));
  if (!exists) return std::optional<OffsiteCopyResult>();
  ARKWIKI_ASSIGN_OR_RETURN(PresentObjects present, ListPresent(target_));
  // Packed objects are read out of their packs and sent as objects.
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenPackedObjects(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(OffsiteCopyResult r,
                           CopyLocked({stored.get(), repo, target_, key_, &present, cancel_}, id));
  return std::optional<OffsiteCopyResult>(std::move(r));
}

Result<std::vector<OffsiteCopyResult>> OffsiteCopier::CopyMissing() {
  RepoLayout repo(backup_dir_);
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoCopyLock::AcquireShared(repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> local, ListPointIds(env_, repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> remote, ListRecordIds(target_));
  ARKWIKI_ASSIGN_OR_RETURN(PresentObjects present, ListPresent(target_));
  ARKWIKI_ASSIGN_OR_RETURN(auto stored, OpenPackedObjects(env_, repo));
  std::vector<OffsiteCopyResult> results;
  for (const std::string& id : local) {
    if (std::binary_search(remote.begin(), remote.end(), id)) continue;
    Result<SnapshotInfo> info = ReadPointInfo(env_, repo, id);
    // Deleted since it was listed (a delete runs beside a copy): not copied.
    if (info.status().code() == StatusCode::kNotFound) continue;
    ARKWIKI_RETURN_IF_ERROR(info.status());
    if (info->check.state == CheckStatus::State::kFailed) continue;
    ARKWIKI_ASSIGN_OR_RETURN(
        OffsiteCopyResult r,
        CopyLocked({stored.get(), repo, target_, key_, &present, cancel_}, id));
    results.push_back(std::move(r));
  }
  return results;
}

}  // namespace arkwiki
