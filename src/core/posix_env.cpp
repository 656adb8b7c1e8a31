// The POSIX Env. Errors carry the path and strerror so a person can act.
#include <dirent.h>
#include <fcntl.h>
#include <linux/fs.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "arkwiki/core/env.h"
#include "posix_errors.h"

namespace arkwiki {
namespace {

// The type of an entry by its st_mode (lstat: a link is a link).
DirEntry::Type TypeOfMode(mode_t mode) {
  if (S_ISREG(mode)) return DirEntry::Type::kFile;
  if (S_ISDIR(mode)) return DirEntry::Type::kDir;
  if (S_ISLNK(mode)) return DirEntry::Type::kSymlink;
  return DirEntry::Type::kOther;
}

class PosixWritableFile final : public WritableFile {
 public:
  PosixWritableFile(std::string path, int fd, uint64_t offset)
      : path_(std::move(path)), fd_(fd), offset_(offset) {}
  ~PosixWritableFile() override {
    if (fd_ >= 0) ::close(fd_);
  }
  Status Append(std::string_view data) override {
    if (direct_wanted_) SetDirect(Aligned(data));
    while (!data.empty()) {
      ssize_t n = ::write(fd_, data.data(), data.size());
      if (n < 0) {
        if (errno == EINTR) continue;
        if (errno == EINVAL && direct_on_) {  // the file system refused O_DIRECT here
          direct_wanted_ = false;
          SetDirect(false);
          continue;
        }
        return PosixError("write " + path_, errno);
      }
      data.remove_prefix(static_cast<size_t>(n));
      offset_ += static_cast<uint64_t>(n);
      if (!data.empty() && direct_on_) SetDirect(false);  // short: the rest may be unaligned
    }
    return Status::Ok();
  }
  bool UseDirectIo() override {
    direct_wanted_ = true;
    return true;
  }
  Status Sync() override {
    if (::fdatasync(fd_) != 0) return PosixError("fdatasync " + path_, errno);
    return Status::Ok();
  }
  Status WriteBack(uint64_t offset, uint64_t length, bool wait) override {
    const unsigned flags =
        wait ? SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER
             : SYNC_FILE_RANGE_WRITE;
    if (::sync_file_range(fd_, static_cast<off_t>(offset), static_cast<off_t>(length), flags) !=
        0) {
      return PosixError("write back " + path_, errno);
    }
    return Status::Ok();
  }
  Status Close() override {
    int fd = fd_;
    fd_ = -1;
    if (fd >= 0 && ::close(fd) != 0) return PosixError("close " + path_, errno);
    return Status::Ok();
  }

 private:
  bool Aligned(std::string_view data) const {
    constexpr uint64_t kMask = kDirectIoAlignment - 1;
    return (reinterpret_cast<uintptr_t>(data.data()) & kMask) == 0 && (data.size() & kMask) == 0 &&
           (offset_ & kMask) == 0;
  }
  // Switches O_DIRECT on or off for the writes that follow; a file system
  // that refuses it leaves the file buffered for good.
  void SetDirect(bool on) {
    if (on == direct_on_) return;
    const int flags = ::fcntl(fd_, F_GETFL);
    if (flags >= 0 && ::fcntl(fd_, F_SETFL, on ? flags | O_DIRECT : flags & ~O_DIRECT) == 0) {
      direct_on_ = on;
    } else if (on) {
      direct_wanted_ = false;
    }
  }

  std::string path_;
  int fd_;
  uint64_t offset_;  // where the next write lands
  bool direct_wanted_ = false;
  bool direct_on_ = false;
};

class PosixSequentialFile final : public SequentialFile {
 public:
  PosixSequentialFile(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixSequentialFile() override { ::close(fd_); }
  Result<size_t> Read(char* buf, size_t n) override {
    for (;;) {
      ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return PosixError("read " + path_, errno);
    }
  }

 private:
  std::string path_;
  int fd_;
};

class PosixRandomAccessFile final : public RandomAccessFile {
 public:
  PosixRandomAccessFile(std::string path, int fd, uint64_t size)
      : path_(std::move(path)), fd_(fd), size_(size) {}
  ~PosixRandomAccessFile() override { ::close(fd_); }
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    size_t done = 0;
    while (done < n) {
      ssize_t r = ::pread(fd_, buf + done, n - done, static_cast<off_t>(offset + done));
      if (r < 0) {
        if (errno == EINTR) continue;
        return PosixError("read " + path_, errno);
      }
      if (r == 0) break;
      done += static_cast<size_t>(r);
    }
    return done;
  }
  uint64_t Size() const override { return size_; }

 private:
  std::string path_;
  int fd_;
  uint64_t size_;
};

// Holds the directory open from creation, so that syncfs reports write-back
// errors from that moment on (the file's error cursor starts at open).
class PosixFileSystemSync final : public FileSystemSync {
 public:
  PosixFileSystemSync(std::string path, int fd) : path_(std::move(path)), fd_(fd) {}
  ~PosixFileSystemSync() override { ::close(fd_); }
  Status Sync() override {
    if (::syncfs(fd_) != 0) return PosixError("syncfs " + path_, errno);
    return Status::Ok();
  }

 private:
  std::string path_;
  int fd_;
};

Result<int> OpenForRead(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) return PosixError("open " + path, errno);
  return fd;
}

class PosixEnv final : public Env {
 public:
  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override {
    ARKWIKI_ASSIGN_OR_RETURN(int fd, OpenForRead(path));
    ::posix_fadvise(fd, 0, 0, POSIX_FADV_SEQUENTIAL);
    return std::unique_ptr<SequentialFile>(new PosixSequentialFile(path, fd));
  }

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    ARKWIKI_ASSIGN_OR_RETURN(int fd, OpenForRead(path));
    struct stat st {};
    if (::fstat(fd, &st) != 0) {
      int err = errno;
      ::close(fd);
      return PosixError("stat " + path, err);
    }
    return std::unique_ptr<RandomAccessFile>(
        new PosixRandomAccessFile(path, fd, static_cast<uint64_t>(st.st_size)));
  }

  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        CreateMode mode) override {
    int flags = O_WRONLY | O_CREAT | O_CLOEXEC | O_NOFOLLOW;
    switch (mode) {
      case CreateMode::kExclusive:
      case CreateMode::kExclusivePrivate:
        flags |= O_EXCL;
        break;
      case CreateMode::kTruncate:
        flags |= O_TRUNC;
        break;
      case CreateMode::kAppend:
        flags |= O_APPEND;
        break;
    }
    int fd = ::open(path.c_str(), flags, mode == CreateMode::kExclusivePrivate ? 0600 : 0644);
    if (fd < 0) return PosixError("create " + path, errno);
    off_t end = 0;
    if (mode == CreateMode::kAppend && (end = ::lseek(fd, 0, SEEK_END)) < 0) {
      int err = errno;
      ::close(fd);
      return PosixError("seek " + path, err);
    }
    return std::unique_ptr<WritableFile>(
        new PosixWritableFile(path, fd, static_cast<uint64_t>(end)));
  }

  Result<bool> FileExists(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) == 0) return true;
    if (errno == ENOENT || errno == ENOTDIR) return false;
    return PosixError("stat " + path, errno);
  }

  Result<uint64_t> GetFileSize(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return PosixError("stat " + path, errno);
    return static_cast<uint64_t>(st.st_size);
  }

  Result<std::vector<DirEntry>> ListDir(const std::string& path) override;
  Result<DirEntry::Type> GetEntryType(const std::string& path) override {
    struct stat st {};
    if (::lstat(path.c_str(), &st) != 0) return PosixError("stat " + path, errno);
    return TypeOfMode(st.st_mode);
  }
  Status CreateDir(const std::string& path) override {
    if (::mkdir(path.c_str(), 0755) == 0 || errno == EEXIST) return Status::Ok();
    return PosixError("mkdir " + path, errno);
  }
  Status CreateDirs(const std::string& path) override;
  Status RemoveFile(const std::string& path) override {
    if (::unlink(path.c_str()) != 0) return PosixError("remove " + path, errno);
    return Status::Ok();
  }
  Status RemoveDir(const std::string& path) override {
    if (::rmdir(path.c_str()) != 0) return PosixError("rmdir " + path, errno);
    return Status::Ok();
  }
  Status RemoveTree(const std::string& path) override;
  Status Rename(const std::string& from, const std::string& to) override {
    if (::rename(from.c_str(), to.c_str()) != 0) {
      return PosixError("rename " + from + " -> " + to, errno);
    }
    return Status::Ok();
  }
  Status Exchange(const std::string& a, const std::string& b) override {
    if (::syscall(SYS_renameat2, AT_FDCWD, a.c_str(), AT_FDCWD, b.c_str(), RENAME_EXCHANGE) != 0) {
      int err = errno;
      if (err == EINVAL || err == ENOSYS) {
        return Status::Unsupported("atomic exchange of " + a + " and " + b +
                                   " is not supported by this file system");
      }
      return PosixError("exchange " + a + " <-> " + b, err);
    }
    return Status::Ok();
  }
  Status LinkFile(const std::string& from, const std::string& to) override {
    if (::link(from.c_str(), to.c_str()) != 0) {
      return PosixError("link " + from + " -> " + to, errno);
    }
    return Status::Ok();
  }
  Status CloneFile(const std::string& from, const std::string& to) override;
  Status SyncDir(const std::string& path) override {
    int fd = ::open(path.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open directory " + path, errno);
    int rc = ::fsync(fd);
    int err = errno;
    ::close(fd);
    if (rc != 0) return PosixError("fsync directory " + path, err);
    return Status::Ok();
  }
  Result<std::unique_ptr<FileSystemSync>> NewFileSystemSync(const std::string& dir) override {
    int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) return PosixError("open directory " + dir, errno);
    return std::unique_ptr<FileSystemSync>(new PosixFileSystemSync(dir, fd));
  }
  Result<SpaceInfo> GetSpaceInfo(const std::string& path) override {
    struct statvfs st {};
    if (::statvfs(path.c_str(), &st) != 0) return PosixError("statvfs " + path, errno);
    SpaceInfo info;
    info.available_bytes = static_cast<uint64_t>(st.f_bavail) * st.f_frsize;
    info.capacity_bytes = static_cast<uint64_t>(st.f_blocks) * st.f_frsize;
    return info;
  }
};

Status PosixEnv::CloneFile(const std::string& from, const std::string& to) {
  ARKWIKI_ASSIGN_OR_RETURN(int in, OpenForRead(from));
  int out = ::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (out < 0) {
    int err = errno;
    ::close(in);
    return PosixError("create " + to, err);
  }
  int err = ::ioctl(out, FICLONE, in) == 0 ? 0 : errno;
  ::close(in);
  if (::close(out) != 0 && err == 0) err = errno;
  if (err == 0) return Status::Ok();
  ::unlink(to.c_str());
  // What file systems and kernels that cannot reflink answer.
  if (err == EOPNOTSUPP || err == EXDEV || err == EINVAL || err == ENOTTY || err == ENOSYS) {
    return Status::Unsupported("reflink " + from + " -> " + to + ": " + std::strerror(err));
  }
  return PosixError("reflink " + from + " -> " + to, err);
}

Result<std::vector<DirEntry>> PosixEnv::ListDir(const std::string& path) {
  DIR* dir = ::opendir(path.c_str());
  if (dir == nullptr) return PosixError("list " + path, errno);
  std::vector<DirEntry> entries;
  errno = 0;
  while (struct dirent* e = ::readdir(dir)) {
    std::string name = e->d_name;
    if (name == "." || name == "..") continue;
    DirEntry::Type type = DirEntry::Type::kOther;
    if (e->d_type == DT_UNKNOWN) {
      struct stat st {};
      if (::lstat(JoinPath(path, name).c_str(), &st) == 0) type = TypeOfMode(st.st_mode);
    } else {
      type = TypeOfMode(DTTOIF(e->d_type));
    }
    entries.push_back({std::move(name), type});
  }
  int err = errno;
  ::closedir(dir);
  if (err != 0) return PosixError("list " + path, err);
  return entries;
}

Status PosixEnv::CreateDirs(const std::string& path) {
  if (path.empty()) return Status::Ok();
  std::string prefix;
  size_t pos = 0;
  while (pos != std::string::npos) {
    pos = path.find('/', pos + 1);
    prefix = path.substr(0, pos);
    if (prefix.empty()) continue;
    ARKWIKI_RETURN_IF_ERROR(CreateDir(prefix));
  }
  return Status::Ok();
}

Status PosixEnv::RemoveTree(const std::string& path) {
  struct stat st {};
  if (::lstat(path.c_str(), &st) != 0) {
    if (errno == ENOENT) return Status::Ok();
    return PosixError("stat " + path, errno);
  }
  if (!S_ISDIR(st.st_mode)) return RemoveFile(path);
  ARKWIKI_ASSIGN_OR_RETURN(auto entries, ListDir(path));
  for (const auto& e : entries) {
    ARKWIKI_RETURN_IF_ERROR(RemoveTree(JoinPath(path, e.name)));
  }
  return RemoveDir(path);
}

}  // namespace

Env* Env::Default() {
  static auto* env = new PosixEnv();
  return env;
}

}  // namespace arkwiki
