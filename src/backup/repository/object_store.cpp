#include "repository/object_store.h"

#include <memory>
#include <sstream>
#include <vector>

#include "arkwiki/core/hash.h"

namespace arkwiki {
namespace {

constexpr size_t kCopyBlock = 1 << 20;

// Copies `from` to the new file `to`, returning the SHA-256 and size of the
// bytes copied.
Result<FileDigest> CopyHashing(Env* env, const std::string& from, const std::string& to) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env->NewSequentialFile(from));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, env->NewWritableFile(to, CreateMode::kExclusive));
  std::vector<char> buffer(kCopyBlock);
  Sha256 hash;
  FileDigest digest;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buffer.data(), buffer.size()));
    if (n == 0) break;
    hash.Update(buffer.data(), n);
    digest.size += n;
    ARKWIKI_RETURN_IF_ERROR(out->Append(std::string_view(buffer.data(), n)));
  }
  ARKWIKI_RETURN_IF_ERROR(out->Close());
  digest.sha256 = hash.FinishHex();
  return digest;
}

}  // namespace

Status CopyObject(Env* env, const RepoLayout& repo, const std::string& from,
                  const std::string& sha256, uint64_t size) {
  const std::string tmp = JoinPath(repo.tmp, "object-" + RandomHex(8));
  Result<FileDigest> copied = CopyHashing(env, from, tmp);
  Status s = copied.status();
  if (s.ok() && (copied->sha256 != sha256 || copied->size != size)) {
    s = Status::Corruption("upload file " + from +
                           " is damaged: its content no longer matches its hash");
  }
  const std::string target = repo.ObjectPath(sha256);
  if (s.ok()) s = env->CreateDir(DirName(target));
  if (s.ok()) s = env->Rename(tmp, target);
  if (!s.ok()) (void)env->RemoveFile(tmp);  // the copy's own failure is what matters
  return s;
}

Status VerifyObject(Env* env, const RepoLayout& repo, const std::string& sha256, uint64_t size,
                    uint64_t* bytes_hashed) {
  const std::string path = repo.ObjectPath(sha256);
  Result<FileDigest> digest = Sha256File(env, path);
  if (!digest.ok()) {
    if (digest.status().code() == StatusCode::kNotFound) return Status::NotFound("missing");
    return digest.status();
  }
  *bytes_hashed += digest->size;
  if (digest->size != size) return Status::Corruption("wrong size");
  if (digest->sha256 != sha256) return Status::Corruption("damaged");
  return Status::Ok();
}

Status CleanWorkAreas(Env* env, const RepoLayout& repo) {
  for (const std::string* dir : {&repo.tmp, &repo.trash}) {
    ARKWIKI_RETURN_IF_ERROR(env->RemoveTree(*dir));
    ARKWIKI_RETURN_IF_ERROR(env->CreateDir(*dir));
  }
  return Status::Ok();
}

Result<std::set<std::string>> ReadDamagedList(Env* env, const RepoLayout& repo) {
  std::set<std::string> damaged;
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.damaged_list));
  if (!exists) return damaged;
  ARKWIKI_ASSIGN_OR_RETURN(std::string text, ReadFileToString(env, repo.damaged_list));
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (IsLowerHex(line, 64)) damaged.insert(line);
  }
  return damaged;
}

Status WriteDamagedList(Env* env, const RepoLayout& repo, const std::set<std::string>& damaged) {
  if (damaged.empty()) {
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(repo.damaged_list));
    return exists ? env->RemoveFile(repo.damaged_list) : Status::Ok();
  }
  std::string text;
  for (const std::string& sha : damaged) text += sha + "\n";
  return WriteFileAtomically(env, repo.damaged_list, text);
}

}  // namespace arkwiki
