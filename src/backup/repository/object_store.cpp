#include "repository/object_store.h"

#include <algorithm>
#include <cstdlib>
#include <memory>
#include <new>
#include <sstream>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/hash.h"
#include "repository/point_json.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

constexpr size_t kCopyBlock = 1 << 20;

// The SHA-256 and size of what `in` yields, read through `buffer`.
Result<FileDigest> HashStream(SequentialFile* in, char* buffer, size_t capacity) {
  Sha256 hash;
  FileDigest digest;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buffer, capacity));
    if (n == 0) break;
    hash.Update(buffer, n);
    digest.size += n;
  }
  digest.sha256 = hash.FinishHex();
  return digest;
}

}  // namespace

ObjectCopier::ObjectCopier(Env* env, const RepoLayout& repo, const OffsiteKey* key)
    : env_(env),
      repo_(repo),
      key_(key),
      buffer_(static_cast<char*>(std::aligned_alloc(kDirectIoAlignment, 2 * kCopyBlock))) {
  if (buffer_ == nullptr) throw std::bad_alloc();
}

ObjectCopier::~ObjectCopier() {
  writer_.reset();  // joins the writer thread before its buffers go
  std::free(buffer_);
}

Status ObjectCopier::Copy(const std::string& from, const std::string& sha256, uint64_t size) {
  // tmp/ is emptied under the repository lock before a snapshot: a counter
  // names the temporary files uniquely.
  const std::string tmp = JoinPath(repo_.tmp, "object-" + std::to_string(next_tmp_++));
  bool cloned = false;
  const std::string name = key_ ? SealedObjectName(*key_, sha256) : sha256;
  Result<FileDigest> stored = Status::Unsupported("no reflinks");
  if (key_) {
    stored = SealHashing(from, tmp, name);
  } else if (try_clone_) {
    stored = CloneHashing(from, tmp, &cloned);
  }
  if (!key_ && !cloned && stored.status().code() == StatusCode::kUnsupported) {
    try_clone_ = false;  // the same file systems: the next clone would fail too
    stored = CopyHashing(from, tmp, size);
  }
  Status s = stored.status();
  if (s.ok() && (stored->sha256 != sha256 || stored->size != size)) {
    s = Status::Corruption("upload file " + from +
                           " is damaged: its content no longer matches its hash");
  }
  if (s.ok()) s = Place(tmp, name);
  if (!s.ok()) {
    (void)env_->RemoveFile(tmp);  // the copy's own failure is what matters
    return s;
  }
  if (cloned) ++cloned_;
  return Status::Ok();
}

Status ObjectCopier::StoreBytes(const std::string& sha256, std::string_view bytes) {
  const std::string tmp = JoinPath(repo_.tmp, "object-" + std::to_string(next_tmp_++));
  const std::string name = key_ ? SealedObjectName(*key_, sha256) : sha256;
  std::string sealed;
  if (key_) {
    ARKWIKI_ASSIGN_OR_RETURN(sealed, EncryptBytes(*key_, ObjectBinding(name), bytes));
    bytes = sealed;
  }
  Status s = [&]() -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(tmp, CreateMode::kExclusive));
    ARKWIKI_RETURN_IF_ERROR(out->Append(bytes));
    ARKWIKI_RETURN_IF_ERROR(out->Close());
    return Place(tmp, name);
  }();
  if (!s.ok()) (void)env_->RemoveFile(tmp);  // the store's own failure is what matters
  return s;
}

// A reflink of `from` at `to`, then the clone's bytes hashed. Unsupported
// (and *cloned false) where the file system has no reflinks.
Result<FileDigest> ObjectCopier::CloneHashing(const std::string& from, const std::string& to,
                                              bool* cloned) {
  ARKWIKI_RETURN_IF_ERROR(env_->CloneFile(from, to));
  *cloned = true;
  return HashFile(to);
}

// Copies `from` (expected to hold `size` bytes) to the new file `to`,
// returning the SHA-256 and size of the bytes written. Each block is hashed
// before it is handed to the writer thread, and its buffer is reused only
// after the writer is done with it.
Result<FileDigest> ObjectCopier::CopyHashing(const std::string& from, const std::string& to,
                                             uint64_t size) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env_->NewSequentialFile(from));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, env_->NewWritableFile(to, CreateMode::kExclusive));
  // Whole aligned blocks bypass the page cache, which the one syncfs before
  // the manifest would otherwise have to write out; small files stay cached.
  const bool large = size >= kCopyBlock;
  if (large) (void)out->UseDirectIo();
  if (writer_ == nullptr) writer_ = std::make_unique<BlockWriter>();
  Sha256 hash;
  FileDigest digest;
  Status s;
  for (char* block = buffer_;; block = block == buffer_ ? buffer_ + kCopyBlock : buffer_) {
    Result<size_t> n = in->Read(block, kCopyBlock);
    if (!n.ok() || *n == 0) {
      s = n.status();
      break;
    }
    hash.Update(block, *n);
    digest.size += *n;
    s = writer_->Append(out.get(), std::string_view(block, *n));
    if (!s.ok()) break;
  }
  // Always waited for: the writer must be done with `out` before it closes.
  Status written = writer_->Wait();
  ARKWIKI_RETURN_IF_ERROR(s.ok() ? written : s);
  // Starts writing the cached tail back now, so the syncfs has less to do.
  if (large) ARKWIKI_RETURN_IF_ERROR(out->WriteBack(0, 0, /*wait=*/false));
  ARKWIKI_RETURN_IF_ERROR(out->Close());
  digest.sha256 = hash.FinishHex();
  return digest;
}

// Seals `from` into the new file `to` as the object `name`, returning the
// SHA-256 and size of the plaintext sealed.
Result<FileDigest> ObjectCopier::SealHashing(const std::string& from, const std::string& to,
                                             const std::string& name) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env_->NewSequentialFile(from));
  ARKWIKI_ASSIGN_OR_RETURN(auto out, FileByteSink::Create(env_, to, CreateMode::kExclusive));
  EncryptingSink seal(*key_, ObjectBinding(name), out.get());
  Sha256 hash;
  FileDigest digest;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, in->Read(buffer_, kCopyBlock));
    if (n == 0) break;
    hash.Update(buffer_, n);
    digest.size += n;
    ARKWIKI_RETURN_IF_ERROR(seal.Write(std::string_view(buffer_, n)));
  }
  ARKWIKI_RETURN_IF_ERROR(seal.Finish());
  ARKWIKI_RETURN_IF_ERROR(out->Close());
  digest.sha256 = hash.FinishHex();
  return digest;
}

Result<FileDigest> ObjectCopier::HashFile(const std::string& path) {
  ARKWIKI_ASSIGN_OR_RETURN(auto in, env_->NewSequentialFile(path));
  return HashStream(in.get(), buffer_, kCopyBlock);
}

// Renames the finished temporary file over objects/<aa>/<name>, creating
// the fan-out directory on its first use in this run.
Status ObjectCopier::Place(const std::string& tmp, const std::string& name) {
  const std::string target = repo_.ObjectPath(name);
  std::string dir = DirName(target);
  if (made_dirs_.count(dir) == 0) {
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDir(dir));
    made_dirs_.insert(std::move(dir));
  }
  return env_->Rename(tmp, target);
}

Status VerifyObject(Env* env, const RepoLayout& repo, const std::string& sha256, uint64_t size,
                    uint64_t* bytes_hashed) {
  const std::string path = repo.ObjectPath(sha256);
  Result<std::unique_ptr<SequentialFile>> in = env->NewSequentialFile(path);
  if (!in.ok()) {
    if (in.status().code() == StatusCode::kNotFound) return Status::NotFound("missing");
    // A sealed object whose length no encrypted stream has.
    if (in.status().code() == StatusCode::kCorruption) return Status::Corruption("wrong size");
    return in.status();
  }
  // Sized to the object (one spare byte shows a longer file in one read):
  // zero-filling a 1 MiB buffer per object cost more than hashing small ones.
  std::vector<char> buffer(static_cast<size_t>(std::min<uint64_t>(size + 1, kCopyBlock)));
  Result<FileDigest> read = HashStream(in->get(), buffer.data(), buffer.size());
  // An encrypted object that fails to authenticate is damaged like one
  // whose hash is wrong.
  if (read.status().code() == StatusCode::kCorruption) return Status::Corruption("damaged");
  ARKWIKI_ASSIGN_OR_RETURN(FileDigest digest, std::move(read));
  *bytes_hashed += digest.size;
  if (digest.size != size) return Status::Corruption("wrong size");
  if (digest.sha256 != sha256) return Status::Corruption("damaged");
  return Status::Ok();
}

Result<std::vector<Sha256Raw>> ListLooseObjects(Env* env, const RepoLayout& repo) {
  std::vector<Sha256Raw> loose;
  Result<std::vector<DirEntry>> prefixes = env->ListDir(repo.objects);
  if (!prefixes.ok() && prefixes.status().code() == StatusCode::kNotFound) return loose;
  ARKWIKI_RETURN_IF_ERROR(prefixes.status());
  for (const DirEntry& p : *prefixes) {
    if (p.type != DirEntry::Type::kDir || !IsLowerHex(p.name, 2)) continue;
    ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries,
                             env->ListDir(JoinPath(repo.objects, p.name)));
    for (const DirEntry& e : entries) {
      Sha256Raw raw;
      if (e.name.compare(0, 2, p.name) == 0 && ParseSha256Hex(e.name, &raw)) loose.push_back(raw);
    }
  }
  std::sort(loose.begin(), loose.end());
  return loose;
}

Status CleanWorkAreas(Env* env, const RepoLayout& repo) {
  for (const std::string* dir : {&repo.tmp, &repo.trash}) {
    ARKWIKI_RETURN_IF_ERROR(env->RemoveTree(*dir));
    ARKWIKI_RETURN_IF_ERROR(env->CreateDir(*dir));
  }
  return Status::Ok();
}

Status DeletePointsLocked(Env* env, const RepoLayout& repo, const std::vector<std::string>& ids) {
  for (const std::string& id : ids) {
    if (!IsSnapshotId(id)) return Status::NotFound("no restore point " + id);
    const std::string dir = repo.SnapshotDir(id);
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, PointIsComplete(env, dir));
    if (!exists) return Status::NotFound("no restore point " + id);
    const std::string trash = JoinPath(repo.trash, id);
    ARKWIKI_RETURN_IF_ERROR(env->Rename(dir, trash));
    ARKWIKI_RETURN_IF_ERROR(env->SyncDir(repo.snapshots));
    ARKWIKI_RETURN_IF_ERROR(env->RemoveTree(trash));
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
