#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"

namespace arkwiki {

std::string JoinPath(std::string_view a, std::string_view b) {
  if (a.empty()) return std::string(b);
  std::string out(a);
  if (out.back() != '/') out += '/';
  out += b;
  return out;
}

std::string DirName(std::string_view path) {
  size_t pos = path.find_last_of('/');
  if (pos == std::string_view::npos) return ".";
  if (pos == 0) return "/";
  return std::string(path.substr(0, pos));
}

std::string BaseName(std::string_view path) {
  size_t pos = path.find_last_of('/');
  return std::string(pos == std::string_view::npos ? path : path.substr(pos + 1));
}

Result<DirEntry::Type> Env::GetEntryType(const std::string& path) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<DirEntry> entries, ListDir(DirName(path)));
  const std::string name = BaseName(path);
  for (const DirEntry& e : entries) {
    if (e.name == name) return e.type;
  }
  return Status::NotFound("no " + path);
}

Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data) {
  return WriteFileAtomically(env, path, [&](WritableFile* file) { return file->Append(data); });
}

Status WriteFileAtomically(Env* env, const std::string& path,
                           const std::function<Status(WritableFile* file)>& write) {
  static std::atomic<uint64_t> counter{0};
  std::string tmp =
      path + ".tmp-" + std::to_string(::getpid()) + "-" + std::to_string(counter.fetch_add(1));
  auto file = env->NewWritableFile(tmp, CreateMode::kExclusive);
  if (!file.ok()) return file.status();
  Status s = write(file->get());
  if (s.ok()) s = (*file)->Sync();
  Status close = (*file)->Close();
  if (s.ok()) s = close;
  if (s.ok()) s = env->Rename(tmp, path);
  if (!s.ok()) {
    (void)env->RemoveFile(tmp);  // best effort; the original error matters more
    return s;
  }
  return env->SyncDir(DirName(path));
}

Result<std::string> ReadFileToString(Env* env, const std::string& path, uint64_t max_bytes) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(path));
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->Read(buf, sizeof buf));
    if (n == 0) break;
    if (out.size() + n > max_bytes) {
      return Status::TooLarge(path + " is larger than " + std::to_string(max_bytes) + " bytes");
    }
    out.append(buf, n);
  }
  return out;
}

Status AppendFileTo(const RandomAccessFile& source, WritableFile* file, size_t block_bytes) {
  std::vector<char> block(block_bytes);
  const uint64_t size = source.Size();
  for (uint64_t offset = 0; offset < size;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, source.ReadAt(offset, block.data(), block.size()));
    if (n == 0) return Status::IoError("the source ended early at byte " + std::to_string(offset));
    ARKWIKI_RETURN_IF_ERROR(file->Append(std::string_view(block.data(), n)));
    offset += n;
  }
  return Status::Ok();
}

Result<UnnamedFile> CreateUnnamedFile(Env* env, const std::string& path, bool* left_named) {
  *left_named = false;
  UnnamedFile f;
  auto out = env->NewWritableFile(path, CreateMode::kExclusivePrivate);
  if (!out.ok()) return out.status().WithContext("creating scratch file " + path);
  f.out = std::move(out).value();
  *left_named = true;
  auto in = env->NewRandomAccessFile(path);
  if (!in.ok()) return in.status().WithContext("opening scratch file " + path);
  f.in = std::move(in).value();
  ARKWIKI_RETURN_IF_ERROR(env->RemoveFile(path).WithContext("removing scratch file " + path));
  *left_named = false;
  return f;
}

std::string TempDir() {
  const char* tmp = std::getenv("TMPDIR");
  return tmp != nullptr && *tmp != '\0' ? tmp : "/tmp";
}

}  // namespace arkwiki
