// The directory target (steps and crash behaviour: arkwiki/backup/directory_target.h).
#include "arkwiki/backup/directory_target.h"

#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <functional>
#include <optional>
#include <vector>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "offsite/shown_text.h"

namespace arkwiki {
namespace {

constexpr char kIncoming[] = ".incoming";
constexpr size_t kCopyBlock = size_t{1} << 20;
// A Put in progress appends to its .part file block by block, from local
// files: one not written to for a day is taken for a crashed Put's. The
// times are the target's clock against this machine's, as for the prune's
// grace period: a skew of minutes does not matter against a day. Should a
// writer stall for longer, its Put fails when it renames the file, and its
// copy fails with it; nothing is lost.
constexpr int64_t kStaleIncomingSeconds = int64_t{24} * 3600;

// The entry's own mtime (a link's, not its target's; a Put writes a new
// file and renames it into place); kNotFound once it is gone. Metadata the
// Env does not model; reading it changes nothing.
Result<int64_t> ModifiedTime(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    const int err = errno;
    if (err == ENOENT) return Status::NotFound("no " + path);
    return Status::IoError("stat " + path + ": " + std::strerror(err));
  }
  return static_cast<int64_t>(st.st_mtime);
}

// Appends a streamed object to the file, refusing bytes past its size.
class AppendingSink final : public ByteSink {
 public:
  AppendingSink(WritableFile* file, uint64_t size) : file_(file), size_(size) {}
  Status Write(std::string_view data) override {
    if (data.size() > size_ - written_) {
      return Status::Corruption("the object grew past the " + std::to_string(size_) +
                                " bytes announced for it");
    }
    ARKWIKI_RETURN_IF_ERROR(file_->Append(data));
    written_ += data.size();
    return Status::Ok();
  }
  uint64_t written() const { return written_; }

 private:
  WritableFile* file_;
  uint64_t size_;
  uint64_t written_ = 0;
};

bool IsKeyChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '.' ||
         c == '_' || c == '-';
}

// Relative, no empty, "." or ".." component, no hidden (dot-first) name.
bool IsValidKey(const std::string& key) {
  if (key.empty() || key.size() > 1024) return false;
  size_t start = 0;
  while (start <= key.size()) {
    size_t end = key.find('/', start);
    if (end == std::string::npos) end = key.size();
    const std::string_view part(key.data() + start, end - start);
    if (part.empty() || part[0] == '.') return false;
    if (!std::all_of(part.begin(), part.end(), IsKeyChar)) return false;
    start = end + 1;
  }
  return true;
}

class DirectoryTarget : public OffsiteTarget {
 public:
  DirectoryTarget(Env* env, std::string root) : env_(env), root_(std::move(root)) {}

  std::string Describe() const override { return "directory " + root_; }

  Status Put(const std::string& key, const RandomAccessFile& source) override {
    return PutWith(key, [&](WritableFile* file) { return AppendFileTo(source, file, kCopyBlock); });
  }

  // Written straight to the temporary file Put renames into place.
  uint64_t MaxStreamedSize() const override { return UINT64_MAX; }

  Status PutStreamed(const std::string& key, StreamedObject* object) override {
    return PutWith(key, [&](WritableFile* file) {
      AppendingSink sink(file, object->Size());
      ARKWIKI_RETURN_IF_ERROR(object->WriteTo(&sink));
      if (sink.written() == object->Size()) return Status::Ok();
      return Status::Corruption("the object ended at byte " + std::to_string(sink.written()) +
                                " of the " + std::to_string(object->Size()) + " announced for it");
    });
  }

  Status Get(const std::string& key, uint64_t max_bytes, ByteSink* sink) override {
    ARKWIKI_RETURN_IF_ERROR(CheckKey(key));
    ARKWIKI_RETURN_IF_ERROR(CheckRealDirs(key, Use::kRead));
    ARKWIKI_RETURN_IF_ERROR(CheckRegularFile(key));
    ARKWIKI_ASSIGN_OR_RETURN(auto file, env_->NewSequentialFile(JoinPath(root_, key)));
    std::vector<char> buf(kCopyBlock);
    for (uint64_t delivered = 0;;) {
      // One byte past max_bytes is enough to know the object is too long.
      const uint64_t room = max_bytes - delivered;  // delivered <= max_bytes
      const size_t want = room < buf.size() ? static_cast<size_t>(room) + 1 : buf.size();
      ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->Read(buf.data(), want));
      if (n == 0) return Status::Ok();
      if (n > max_bytes - delivered) {
        return Status::Corruption("off-site object " + key + " in " + root_ +
                                  " is longer than the " + std::to_string(max_bytes) +
                                  " bytes it may hold; reading stopped there");
      }
      ARKWIKI_RETURN_IF_ERROR(sink->Write(std::string_view(buf.data(), n)));
      delivered += n;
    }
  }

  Result<uint64_t> Stat(const std::string& key) override {
    ARKWIKI_RETURN_IF_ERROR(CheckKey(key));
    ARKWIKI_RETURN_IF_ERROR(CheckRealDirs(key, Use::kRead));
    ARKWIKI_RETURN_IF_ERROR(CheckRegularFile(key));
    return env_->GetFileSize(JoinPath(root_, key));
  }

  Result<std::vector<OffsiteObject>> List(const std::string& prefix) override {
    // Walk only below the deepest directory the prefix names.
    const size_t slash = prefix.rfind('/');
    const std::string start = slash == std::string::npos ? "" : prefix.substr(0, slash);
    if (!start.empty()) {
      ARKWIKI_RETURN_IF_ERROR(CheckKey(start));
      Status dirs = CheckRealDirs(start + "/", Use::kList);
      if (dirs.code() == StatusCode::kNotFound) return std::vector<OffsiteObject>();
      ARKWIKI_RETURN_IF_ERROR(dirs);
    }
    std::vector<OffsiteObject> out;
    ARKWIKI_RETURN_IF_ERROR(Walk(start, prefix, &out));
    std::sort(out.begin(), out.end(),
              [](const OffsiteObject& a, const OffsiteObject& b) { return a.key < b.key; });
    return out;
  }

  // unlink(2) of a link removes the link, never what it points to; a link
  // among the key's directories would reach outside the target, and is
  // refused.
  Status Remove(const std::string& key) override {
    ARKWIKI_RETURN_IF_ERROR(CheckKey(key));
    Status dirs = CheckRealDirs(key, Use::kRemove);
    if (dirs.code() == StatusCode::kNotFound) return Status::Ok();
    ARKWIKI_RETURN_IF_ERROR(dirs);
    Status s = env_->RemoveFile(JoinPath(root_, key));
    return s.code() == StatusCode::kNotFound ? Status::Ok() : s;
  }

 private:
  static Status CheckKey(const std::string& key) {
    if (IsValidKey(key)) return Status::Ok();
    return Status::InvalidArgument("not a valid off-site object key: '" + ShownText(key) + "'");
  }

  // The type of the entry at `rel` (relative to the root), not following a
  // link there; nullopt when there is none.
  Result<std::optional<DirEntry::Type>> EntryType(const std::string& rel) {
    Result<DirEntry::Type> type = env_->GetEntryType(JoinPath(root_, rel));
    if (type.status().code() == StatusCode::kNotFound) return std::optional<DirEntry::Type>();
    if (!type.ok()) return type.status();
    return std::optional<DirEntry::Type>(*type);
  }

  // Put writes only regular files. A planted FIFO would block the open
  // forever, and a link would read a file of this machine, so anything
  // else under a key is refused before it is opened.
  Status CheckRegularFile(const std::string& key) {
    ARKWIKI_ASSIGN_OR_RETURN(auto type, EntryType(key));
    if (!type) return Status::NotFound("no off-site object " + key + " in " + root_);
    if (*type == DirEntry::Type::kFile) return Status::Ok();
    return Status::Corruption("off-site object " + key + " in " + root_ +
                              " is not a regular file (a link, a FIFO or a device); refused");
  }

  enum class Use { kRead, kList, kWrite, kRemove };
  static const char* Verb(Use use) {
    switch (use) {
      case Use::kRead:
        return "read";
      case Use::kList:
        return "list";
      case Use::kWrite:
        return "write";
      case Use::kRemove:
        return "remove";
    }
    return "use";
  }

  // Nothing may follow a link planted in place of one of the key's
  // directories (the part of `key` before each '/') out of the target: a
  // read would read this machine's files, a write write them, and a prune
  // remove them. Each must be a directory; for a write .incoming too, and
  // a missing key directory ends the check (the Put makes it under the
  // ones checked); otherwise a missing one is kNotFound. (A link swapped
  // in between this check and the use is not caught: that needs openat2's
  // RESOLVE_NO_SYMLINKS.)
  Status CheckRealDirs(const std::string& key, Use use) {
    const bool writing = use == Use::kWrite;
    std::vector<std::string> dirs;
    if (writing) dirs.emplace_back(kIncoming);
    for (size_t slash = key.find('/'); slash != std::string::npos;
         slash = key.find('/', slash + 1)) {
      dirs.push_back(key.substr(0, slash));
    }
    for (const std::string& rel : dirs) {
      ARKWIKI_ASSIGN_OR_RETURN(auto type, EntryType(rel));
      // A missing .incoming (another writer removed it) is made again before
      // the create (CreatePart); the key's directories are still checked.
      if (!type && writing && rel == kIncoming) continue;
      if (!type && writing) break;  // made by this Put, under directories already checked
      if (!type) return Status::NotFound("no off-site object " + key + " in " + root_);
      if (*type != DirEntry::Type::kDir) {
        return Status::Corruption(JoinPath(root_, rel) +
                                  " is not a directory (a link?); refusing to " + Verb(use) +
                                  " through it");
      }
    }
    return Status::Ok();
  }

  Status Explain(const Status& s) const {
    if (s.code() == StatusCode::kNoSpace) {
      return Status::NoSpace("the target directory " + root_ +
                             " is full; free space there or choose another target (" + s.message() +
                             ")");
    }
    return s.ok() ? s : s.WithContext("off-site target directory " + root_);
  }

  // Writes the object with `write` to a new file in .incoming, makes it
  // durable and renames it to `key`; on any failure removes it.
  Status PutWith(const std::string& key, const std::function<Status(WritableFile*)>& write) {
    ARKWIKI_RETURN_IF_ERROR(CheckKey(key));
    const std::string incoming = JoinPath(root_, kIncoming);
    ARKWIKI_RETURN_IF_ERROR(Explain(env_->CreateDir(incoming)));
    ARKWIKI_RETURN_IF_ERROR(Explain(CheckRealDirs(key, Use::kWrite)));
    const std::string temp = JoinPath(incoming, RandomHex(8) + ".part");
    Status s = WriteDurably(key, temp, write);
    if (s.ok()) s = Publish(temp, JoinPath(root_, key));
    if (!s.ok()) {
      // Best effort: the failure being reported matters more than these.
      (void)env_->RemoveFile(temp);
      (void)env_->RemoveDir(incoming);  // only when empty: another Put may use it
    }
    return Explain(s);
  }

  // Another writer's opening or failed Put removes .incoming when it finds
  // it empty, which may fall between this Put's CreateDir and its create:
  // the directory is then made and checked again, a few times.
  Result<std::unique_ptr<WritableFile>> CreatePart(const std::string& key,
                                                   const std::string& temp) {
    for (int attempt = 1;; ++attempt) {
      auto file = env_->NewWritableFile(temp, CreateMode::kExclusive);
      if (file.ok() || file.status().code() != StatusCode::kNotFound || attempt == 4) return file;
      ARKWIKI_RETURN_IF_ERROR(env_->CreateDir(JoinPath(root_, kIncoming)));
      ARKWIKI_RETURN_IF_ERROR(CheckRealDirs(key, Use::kWrite));
    }
  }

  Status WriteDurably(const std::string& key, const std::string& temp,
                      const std::function<Status(WritableFile*)>& write) {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, CreatePart(key, temp));
    ARKWIKI_RETURN_IF_ERROR(write(file.get()));
    ARKWIKI_RETURN_IF_ERROR(file->Sync());
    return file->Close();
  }

  // Renames `temp` to `path` and makes the name durable, with the
  // directories it had to create.
  Status Publish(const std::string& temp, const std::string& path) {
    std::vector<std::string> created;
    for (std::string dir = DirName(path); dir.size() > root_.size(); dir = DirName(dir)) {
      ARKWIKI_ASSIGN_OR_RETURN(bool exists, env_->FileExists(dir));
      if (exists) break;
      created.push_back(dir);
    }
    ARKWIKI_RETURN_IF_ERROR(env_->CreateDirs(DirName(path)));
    ARKWIKI_RETURN_IF_ERROR(env_->Rename(temp, path));
    ARKWIKI_RETURN_IF_ERROR(env_->SyncDir(DirName(path)));
    for (const std::string& dir : created) ARKWIKI_RETURN_IF_ERROR(env_->SyncDir(DirName(dir)));
    return Status::Ok();
  }

  Status Walk(const std::string& rel, const std::string& prefix, std::vector<OffsiteObject>* out) {
    auto entries = env_->ListDir(rel.empty() ? root_ : JoinPath(root_, rel));
    if (entries.status().code() == StatusCode::kNotFound) return Status::Ok();
    if (!entries.ok()) return entries.status();
    for (const DirEntry& e : *entries) {
      // Only names arkwiki could have written: a planted name with control
      // characters or escapes never reaches a message.
      if (e.name.empty() || e.name[0] == '.' ||
          !std::all_of(e.name.begin(), e.name.end(), IsKeyChar)) {
        continue;
      }
      const std::string key = rel.empty() ? e.name : rel + "/" + e.name;
      const bool may_match =
          key.compare(0, prefix.size(), prefix, 0, std::min(prefix.size(), key.size())) == 0;
      if (!may_match) continue;
      if (e.type == DirEntry::Type::kDir) {
        ARKWIKI_RETURN_IF_ERROR(Walk(key, prefix, out));
      } else if (e.type == DirEntry::Type::kFile && key.size() >= prefix.size()) {
        // One removed since ListDir (a prune from elsewhere) is not listed.
        const std::string path = JoinPath(root_, key);
        Result<uint64_t> size = env_->GetFileSize(path);
        Result<int64_t> modified = size.ok() ? ModifiedTime(path) : Result<int64_t>(size.status());
        if (!modified.ok() && modified.status().code() == StatusCode::kNotFound) continue;
        ARKWIKI_RETURN_IF_ERROR(modified.status());
        out->push_back({key, *size, *modified});
      }
    }
    return Status::Ok();
  }

  Env* env_;
  std::string root_;
};

// kNotFound as done: another writer removed it first.
Status GoneIsDone(const Status& s) { return s.code() == StatusCode::kNotFound ? Status::Ok() : s; }

// Removes what crashed Puts left in `incoming`: each entry (a link itself,
// never what it points to) not modified for kStaleIncomingSeconds. A
// younger .part file may be another writer's Put in progress (another
// arkwiki process, which may not hold the target's lock yet, or another
// machine writing the same NAS); removing it would fail that writer's copy.
// Anything in place of the directory itself (a link) goes, as a Put would
// refuse it. Another writer may remove the same entries at the same time.
Status RemoveStaleIncoming(Env* env, const std::string& incoming, int64_t now) {
  Result<DirEntry::Type> type = env->GetEntryType(incoming);
  if (!type.ok()) return GoneIsDone(type.status());
  if (*type != DirEntry::Type::kDir) return GoneIsDone(env->RemoveTree(incoming));
  Result<std::vector<DirEntry>> entries = env->ListDir(incoming);
  if (!entries.ok()) return GoneIsDone(entries.status());
  for (const DirEntry& e : *entries) {
    const std::string path = JoinPath(incoming, e.name);
    Result<int64_t> modified = ModifiedTime(path);
    if (!modified.ok()) {
      ARKWIKI_RETURN_IF_ERROR(GoneIsDone(modified.status()));
      continue;
    }
    if (now - *modified < kStaleIncomingSeconds) continue;
    ARKWIKI_RETURN_IF_ERROR(GoneIsDone(env->RemoveTree(path)));
  }
  (void)env->RemoveDir(incoming);  // only when empty; a Put makes it again
  return Status::Ok();
}

}  // namespace

Result<std::unique_ptr<OffsiteTarget>> OpenDirectoryTarget(Env* env, const std::string& dir,
                                                           bool for_writing) {
  if (dir.empty()) return Status::InvalidArgument("the target directory is empty");
  if (for_writing) {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(dir));
    ARKWIKI_RETURN_IF_ERROR(RemoveStaleIncoming(env, JoinPath(dir, kIncoming), NowUnixSeconds()));
  } else {
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, env->FileExists(dir));
    if (!exists) return Status::NotFound("no off-site target directory " + dir);
  }
  std::string root = dir;
  while (root.size() > 1 && root.back() == '/') root.pop_back();
  return std::unique_ptr<OffsiteTarget>(new DirectoryTarget(env, root));
}

}  // namespace arkwiki
