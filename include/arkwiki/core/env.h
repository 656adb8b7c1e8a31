// Env: the one door from backup, restore and storage code to the file system.
//
// Everything that touches files goes through an Env so tests and drills can
// inject disk-full, I/O errors and crashes (see arkwiki/testing/fault_injection_env.h), the
// way LevelDB's Env does. Paths are plain strings; no call follows a symlink
// in its last component unless it says so.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki {

// A file opened for appending. Close() must be called; the destructor closes
// without reporting errors. After a failed Sync() the file's contents are
// unknown: callers abort the operation instead of retrying (see
// docs/design-notes.md#crash-safety-on-linux).
class WritableFile {
 public:
  virtual ~WritableFile() = default;
  virtual Status Append(std::string_view data) = 0;
  // fdatasync: the appended data is durable when this returns OK.
  virtual Status Sync() = 0;
  virtual Status Close() = 0;
  // Write-back hint (sync_file_range(2)) for [offset, offset + length), to
  // the end of the file when length is 0: starts writing those pages to
  // disk, and with `wait` first waits for their earlier write-back and then
  // for this one. It makes nothing durable (no metadata, no disk cache
  // flush): it only lets the disk work while the writer goes on, so that a
  // later Sync has little left to do. An error is a write error. The
  // default does nothing.
  virtual Status WriteBack(uint64_t offset, uint64_t length, bool wait) {
    (void)offset, (void)length, (void)wait;
    return Status::Ok();
  }
  // Asks that appends bypass the page cache (O_DIRECT) where they can: an
  // Append whose data address, length and starting file offset are all
  // multiples of kDirectIoAlignment then goes straight to the disk; any
  // other Append goes through the cache as before. For large sequential
  // files that are synced at the end anyway (a backup archive): copying
  // every byte into the page cache was the largest CPU cost of a backup,
  // and Sync then has only the metadata left. Returns false, and changes
  // nothing, where unsupported (the default).
  virtual bool UseDirectIo() { return false; }
};

// Alignment of address, length and offset for WritableFile::UseDirectIo.
inline constexpr size_t kDirectIoAlignment = 4096;

// A sync of one whole file system (syncfs(2)). Open it before a batch of
// unsynced writes; Sync() then makes everything written on that file system
// durable (file data, new files, directory entries, renames) and reports
// any write-back error there since the handle was opened. One Sync replaces
// a fsync per file: each of those is a journal commit and a disk cache
// flush. It also flushes what others wrote to the same file system.
class FileSystemSync {
 public:
  virtual ~FileSystemSync() = default;
  virtual Status Sync() = 0;
};

// A file read front to back.
class SequentialFile {
 public:
  virtual ~SequentialFile() = default;
  // Reads up to n bytes into buf; returns 0 at end of file.
  virtual Result<size_t> Read(char* buf, size_t n) = 0;
};

// A file read at arbitrary offsets; safe to call from several threads.
class RandomAccessFile {
 public:
  virtual ~RandomAccessFile() = default;
  // Reads up to n bytes at offset; a short count only at end of file.
  virtual Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const = 0;
  virtual uint64_t Size() const = 0;
};

enum class CreateMode {
  kExclusive,         // fail with kAlreadyExists if the path exists (O_EXCL)
  kExclusivePrivate,  // as kExclusive, and readable and writable by the owner only (0600)
  kTruncate,          // create or truncate
  kAppend,            // create if missing, keep the contents, write at the end (O_APPEND)
};

struct DirEntry {
  std::string name;
  enum class Type { kFile, kDir, kSymlink, kOther } type;
};

struct SpaceInfo {
  uint64_t available_bytes = 0;  // what an unprivileged writer may still use
  uint64_t capacity_bytes = 0;
};

class Env {
 public:
  virtual ~Env() = default;

  // The process-wide POSIX Env. Never deleted.
  static Env* Default();

  virtual Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) = 0;
  virtual Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(
      const std::string& path) = 0;
  // Opens with O_NOFOLLOW: a symlink at `path` is refused.
  virtual Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                                CreateMode mode) = 0;

  virtual Result<bool> FileExists(const std::string& path) = 0;
  virtual Result<uint64_t> GetFileSize(const std::string& path) = 0;
  // Entries except "." and "..", unsorted. Symlinks are reported, not followed.
  virtual Result<std::vector<DirEntry>> ListDir(const std::string& path) = 0;
  // The type of the entry at `path` itself, as ListDir reports it (a
  // symlink is kSymlink, whatever it points to); kNotFound when there is
  // none. Links among the directories above it are followed. The default
  // looks `path` up in ListDir of its directory; the POSIX Env uses lstat.
  virtual Result<DirEntry::Type> GetEntryType(const std::string& path);

  virtual Status CreateDir(const std::string& path) = 0;   // OK if it already exists
  virtual Status CreateDirs(const std::string& path) = 0;  // like mkdir -p
  virtual Status RemoveFile(const std::string& path) = 0;
  virtual Status RemoveDir(const std::string& path) = 0;  // empty directories only
  // Removes a tree without following symlinks. OK if `path` does not exist.
  virtual Status RemoveTree(const std::string& path) = 0;
  // rename(2): atomic replace of `to` within one file system.
  virtual Status Rename(const std::string& from, const std::string& to) = 0;
  // Atomically swaps two paths (renameat2 RENAME_EXCHANGE). kUnsupported
  // where the file system cannot.
  virtual Status Exchange(const std::string& a, const std::string& b) = 0;
  // Hard link; used to pin immutable files without copying them.
  virtual Status LinkFile(const std::string& from, const std::string& to) = 0;
  // Creates `to` (exclusively, like kExclusive) as a reflink of `from`
  // (ioctl FICLONE): a file of its own that shares `from`'s blocks until
  // either is written, so later damage to one does not reach the other, as
  // it would through a hard link. Nothing is synced. Unsupported, with `to`
  // not created, where the file system cannot (ext4, tmpfs, across file
  // systems): the caller copies instead. The default is Unsupported.
  virtual Status CloneFile(const std::string& from, const std::string& to) {
    return Status::Unsupported("cloning " + from + " to " + to + " is not supported");
  }
  // fsync on a directory, making renames and creations in it durable.
  virtual Status SyncDir(const std::string& path) = 0;
  virtual Result<SpaceInfo> GetSpaceInfo(const std::string& path) = 0;
  // A FileSystemSync for the file system holding the directory `dir`.
  virtual Result<std::unique_ptr<FileSystemSync>> NewFileSystemSync(const std::string& dir) = 0;
};

// Forwards every call to another Env; subclass it to override just one call.
class EnvWrapper : public Env {
 public:
  explicit EnvWrapper(Env* target) : target_(target) {}
  Env* target() const { return target_; }

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& p) override {
    return target_->NewSequentialFile(p);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    return target_->NewRandomAccessFile(p);
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    return target_->NewWritableFile(p, m);
  }
  Result<bool> FileExists(const std::string& p) override { return target_->FileExists(p); }
  Result<uint64_t> GetFileSize(const std::string& p) override { return target_->GetFileSize(p); }
  Result<std::vector<DirEntry>> ListDir(const std::string& p) override {
    return target_->ListDir(p);
  }
  Status CreateDir(const std::string& p) override { return target_->CreateDir(p); }
  Status CreateDirs(const std::string& p) override { return target_->CreateDirs(p); }
  Status RemoveFile(const std::string& p) override { return target_->RemoveFile(p); }
  Status RemoveDir(const std::string& p) override { return target_->RemoveDir(p); }
  Status RemoveTree(const std::string& p) override { return target_->RemoveTree(p); }
  Status Rename(const std::string& f, const std::string& t) override {
    return target_->Rename(f, t);
  }
  Status Exchange(const std::string& a, const std::string& b) override {
    return target_->Exchange(a, b);
  }
  Status LinkFile(const std::string& f, const std::string& t) override {
    return target_->LinkFile(f, t);
  }
  Status CloneFile(const std::string& f, const std::string& t) override {
    return target_->CloneFile(f, t);
  }
  Status SyncDir(const std::string& p) override { return target_->SyncDir(p); }
  Result<SpaceInfo> GetSpaceInfo(const std::string& p) override { return target_->GetSpaceInfo(p); }
  Result<std::unique_ptr<FileSystemSync>> NewFileSystemSync(const std::string& dir) override {
    return target_->NewFileSystemSync(dir);
  }

 private:
  Env* target_;
};

// Helpers built on Env.
// Writes `data` to `path` durably: temp file, fsync, rename, fsync dir.
Status WriteFileAtomically(Env* env, const std::string& path, std::string_view data);
// The same, with the bytes that `write` appends to the temp file; a failure
// of `write` leaves `path` as it was and no temp file.
Status WriteFileAtomically(Env* env, const std::string& path,
                           const std::function<Status(WritableFile* file)>& write);
Result<std::string> ReadFileToString(Env* env, const std::string& path,
                                     uint64_t max_bytes = 64ull << 20);
// Appends the source.Size() bytes of `source` to `file`, `block_bytes` at a
// time; IoError when `source` ends before that size.
Status AppendFileTo(const RandomAccessFile& source, WritableFile* file,
                    size_t block_bytes = size_t{1} << 20);
// A private file open for writing and for reading that has no name, so
// that a crash leaves nothing behind (scratch files).
struct UnnamedFile {
  std::unique_ptr<WritableFile> out;
  std::unique_ptr<RandomAccessFile> in;
};
// Creates `path` exclusively and private (0600), opens it for reading too,
// and removes its name. The Env's error, naming `path`; *left_named says
// whether a failure left the file created and named: removing it is then
// the caller's, who may wait until the cause has passed.
Result<UnnamedFile> CreateUnnamedFile(Env* env, const std::string& path, bool* left_named);
// $TMPDIR, or /tmp when it is unset or empty.
std::string TempDir();
// "a/b" + "c" -> "a/b/c".
std::string JoinPath(std::string_view a, std::string_view b);
std::string DirName(std::string_view path);
std::string BaseName(std::string_view path);

}  // namespace arkwiki
