// Repository::Open: creating or opening a repository, and the key of an
// encrypted one (format: docs/backup-repository.md#encrypted-repository).
#include "arkwiki/backup/repository.h"
#include "repository/manifest_chunks.h"
#include "repository/object_store.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

// True when the repository holds no restore point and no object, so that
// making it encrypted converts nothing.
Result<bool> HoldsNothing(Env* env, const RepoLayout& repo) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env, repo));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<Sha256Raw> loose, ListLooseObjects(env, repo));
  ARKWIKI_ASSIGN_OR_RETURN(PackIndex packs, PackIndex::Load(env, repo));
  return ids.empty() && loose.empty() && packs.packs().empty() && packs.unreadable().empty();
}

// A new repository key in key.json, then repository.json as format version
// 3: the second write is the commit, so a crash between them leaves a
// repository that is still plain (and whose key.json the next run
// replaces).
Result<std::unique_ptr<OffsiteKey>> MakeEncrypted(Env* env, const RepoLayout& repo,
                                                  const RepositoryOptions& options) {
  if (options.passphrase.empty()) {
    return Status::InvalidArgument(
        "backup_encrypt is on but no passphrase was given: set backup_passphrase_file to a "
        "file (mode 0600) whose first line is the passphrase");
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto key, OffsiteKey::Create(options.passphrase, options.kdf));
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, repo.key_file, key->key_object()));
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, repo.format_file, RepositoryJson(true)));
  return key;
}

Result<std::unique_ptr<OffsiteKey>> UnlockKey(Env* env, const RepoLayout& repo,
                                              const RepositoryOptions& options) {
  if (options.passphrase.empty()) {
    return Status::PermissionDenied("the backup repository " + repo.root +
                                    " is encrypted: set backup_passphrase_file to the file "
                                    "holding its passphrase");
  }
  Result<std::string> key_object = ReadFileToString(env, repo.key_file, 1 << 16);
  if (!key_object.ok()) {
    return Status::Corruption("the backup repository " + repo.root +
                              " is encrypted but its key.json cannot be read (" +
                              key_object.status().message() + ")");
  }
  Result<std::unique_ptr<OffsiteKey>> key = OffsiteKey::Unlock(*key_object, options.passphrase);
  if (key.status().code() == StatusCode::kPermissionDenied) {
    return Status::PermissionDenied("wrong passphrase for the encrypted backup repository " +
                                    repo.root + " (or its key.json was altered)");
  }
  ARKWIKI_RETURN_IF_ERROR(key.status().WithContext(repo.key_file));
  return std::move(key).value();
}

// True when a restore point's manifest, or its manifest's chunk list, is an
// encrypted stream (it starts with the magic of
// arkwiki/backup/offsite_crypto.h).
Result<bool> AnyPointSealed(Env* env, const RepoLayout& repo) {
  static constexpr std::string_view kSealedMagic = "ARKWOFF1";
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<std::string> ids, ListPointIds(env, repo));
  for (const std::string& id : ids) {
    auto file = env->NewRandomAccessFile(JoinPath(repo.SnapshotDir(id), kPointManifest));
    if (file.status().code() == StatusCode::kNotFound) {
      file = env->NewRandomAccessFile(JoinPath(repo.SnapshotDir(id), kManifestChunksPath));
    }
    if (file.status().code() == StatusCode::kNotFound) continue;  // deleted since listed
    ARKWIKI_RETURN_IF_ERROR(file.status());
    char head[kSealedMagic.size()] = {};
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, (*file)->ReadAt(0, head, sizeof(head)));
    if (std::string_view(head, n) == kSealedMagic) return true;
  }
  return false;
}

// A repository whose repository.json says plain must show no sign of
// encryption: repository.json is its one file in the clear that decides,
// and whoever can write the backup disk could otherwise rewrite it and have
// the next restore point written there in plaintext. Corruption when it
// holds sealed restore points, or a key.json and anything at all. A
// key.json in one that holds nothing is what a crash in MakeEncrypted
// leaves: removed (under the lock) unless `options` asks for encryption,
// which replaces it.
Status RefuseSignsOfEncryption(Env* env, const RepoLayout& repo, const RepositoryOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(bool sealed, AnyPointSealed(env, repo));
  ARKWIKI_ASSIGN_OR_RETURN(bool keyed, env->FileExists(repo.key_file));
  if (!sealed && !keyed) return Status::Ok();
  Status tampered = Status::Corruption(
      "the backup repository " + repo.root + " holds encrypted files (" +
      (sealed ? "sealed restore points" : "key.json") +
      ") but its repository.json says it is plain: it was changed; restore repository.json "
      "from a copy (format_version 3), or move the repository aside");
  if (sealed) return tampered;
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "checking its encryption"));
  ARKWIKI_ASSIGN_OR_RETURN(bool empty, HoldsNothing(env, repo));
  if (!empty) return tampered;
  if (options.encrypt) return Status::Ok();
  return env->RemoveFile(repo.key_file);
}

// The key an existing repository needs: unlocked when it is encrypted, new
// when `options` asks for encryption of one that holds nothing, none for a
// plain one.
Result<std::unique_ptr<OffsiteKey>> KeyForExisting(Env* env, const RepoLayout& repo,
                                                   const RepositoryOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, repo.format_file, 1 << 20));
  Result<RepositoryFormat> format = ParseRepositoryJson(text);
  ARKWIKI_RETURN_IF_ERROR(format.status().WithContext(repo.format_file));
  if (format->encrypted) return UnlockKey(env, repo, options);
  ARKWIKI_RETURN_IF_ERROR(RefuseSignsOfEncryption(env, repo, options));
  if (!options.encrypt) return std::unique_ptr<OffsiteKey>();
  ARKWIKI_ASSIGN_OR_RETURN(auto lock, RepoLock::Acquire(repo, "setting up encryption"));
  ARKWIKI_ASSIGN_OR_RETURN(bool empty, HoldsNothing(env, repo));
  if (!empty) {
    return Status::InvalidArgument(
        "backup_encrypt is on, but the backup repository " + repo.root +
        " already holds plain restore points, which are not converted: point backup_dir at a "
        "new directory for an encrypted repository, or turn backup_encrypt off");
  }
  return MakeEncrypted(env, repo, options);
}

}  // namespace

Repository::Repository(Env* env, DataDirLayout layout, std::string dir,
                       std::unique_ptr<OffsiteKey> key)
    : raw_env_(env),
      key_(std::move(key)),
      env_(env),
      layout_(std::move(layout)),
      dir_(std::move(dir)) {
  if (key_) {
    sealed_env_ = std::make_unique<SealedRepoEnv>(raw_env_, RepoLayout(dir_), *key_);
    env_ = sealed_env_.get();
  }
}

Repository::~Repository() = default;

Result<std::unique_ptr<Repository>> Repository::Open(Env* env, const DataDirLayout& layout,
                                                     const std::string& dir,
                                                     const RepositoryOptions& options) {
  ARKWIKI_RETURN_IF_ERROR(CheckBackupDirPlacement(layout, dir));
  const RepoLayout repo(dir);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.format_file));
  std::unique_ptr<OffsiteKey> key;
  if (exists) {
    ARKWIKI_ASSIGN_OR_RETURN(key, KeyForExisting(env, repo, options));
  } else {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(repo.root));
    if (options.encrypt) {
      ARKWIKI_ASSIGN_OR_RETURN(key, MakeEncrypted(env, repo, options));
    } else {
      ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(env, repo.format_file, RepositoryJson()));
    }
  }
  for (const std::string* sub : {&repo.objects, &repo.snapshots, &repo.tmp, &repo.trash}) {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDir(*sub));
  }
  std::unique_ptr<Repository> opened(new Repository(env, layout, dir, std::move(key)));
  opened->manifest_files_held_ = options.manifest_files_held;
  return opened;
}

}  // namespace arkwiki
