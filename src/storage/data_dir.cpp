#include "arkwiki/storage/data_dir.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "arkwiki/core/file_lock.h"

namespace arkwiki {

DataDirLayout::DataDirLayout(std::string r)
    : root(std::move(r)),
      lock_file(JoinPath(root, "arkwiki.lock")),
      live(JoinPath(root, "live")),
      database(JoinPath(live, "arkwiki.db")),
      uploads(JoinPath(live, "uploads")),
      tmp(JoinPath(root, "tmp")),
      staging(JoinPath(root, "staging")),
      safety(JoinPath(root, "safety")),
      cache(JoinPath(root, "cache")),
      intent_marker(JoinPath(root, "restore-intent")),
      setup_code(JoinPath(root, "setup-code")),
      uploads_gc_lock(JoinPath(root, "uploads-gc.lock")) {}

std::string DataDirLayout::UploadPath(const std::string& sha256) const {
  return JoinPath(JoinPath(uploads, sha256.substr(0, 2)), sha256);
}

Status PrepareDataDir(Env* env, const DataDirLayout& layout) {
  for (const std::string* dir :
       {&layout.root, &layout.live, &layout.uploads, &layout.tmp, &layout.safety}) {
    ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(*dir));
  }
  return Status::Ok();
}

// Modes are metadata the Env does not model; reading them changes nothing.
std::string DataDirPrivacyWarning(const DataDirLayout& layout) {
  for (const std::string* dir : {&layout.root, &layout.live}) {
    struct stat st {};
    if (::stat(dir->c_str(), &st) == 0 && (st.st_mode & (S_IRWXG | S_IRWXO)) != 0) {
      return "other users of this machine may read " + *dir +
             ", which holds password hashes and private pages; run: chmod -R go-rwx " +
             layout.root + " (docs/operations.md, File permissions)";
    }
  }
  return "";
}

Result<std::unique_ptr<DataDirLock>> DataDirLock::Acquire(const DataDirLayout& layout,
                                                          const std::string& purpose) {
  Result<int> fd = AcquireHolderLock(layout.lock_file, purpose);
  if (fd.status().code() == StatusCode::kBusy) {
    return Status::Busy("the data directory " + layout.root + " is in use by another process (" +
                        fd.status().message() + ")");
  }
  ARKWIKI_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<DataDirLock>(new DataDirLock(*fd));
}

Result<bool> DataDirLock::IsHeld(const DataDirLayout& layout, std::string* holder) {
  int fd = ::open(layout.lock_file.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    if (errno == ENOENT) return false;
    return Status::PermissionDenied("cannot open " + layout.lock_file + ": " +
                                    std::strerror(errno));
  }
  bool held = ::flock(fd, LOCK_SH | LOCK_NB) != 0;
  if (holder != nullptr) {
    holder->assign(256, '\0');
    ssize_t n = ::pread(fd, holder->data(), holder->size(), 0);
    holder->resize(n > 0 ? static_cast<size_t>(n) : 0);
  }
  ::close(fd);
  return held;
}

DataDirLock::~DataDirLock() { ::close(fd_); }

static Result<int> OpenGcLock(const DataDirLayout& layout) {
  int fd = ::open(layout.uploads_gc_lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return Status::PermissionDenied("cannot open " + layout.uploads_gc_lock + ": " +
                                    std::strerror(errno));
  }
  return fd;
}

Result<std::unique_ptr<UploadsGcLock>> UploadsGcLock::AcquireShared(const DataDirLayout& layout) {
  ARKWIKI_ASSIGN_OR_RETURN(int fd, OpenGcLock(layout));
  while (::flock(fd, LOCK_SH) != 0) {
    if (errno != EINTR) {
      int err = errno;
      ::close(fd);
      return Status::IoError("cannot lock " + layout.uploads_gc_lock + ": " + std::strerror(err));
    }
  }
  return std::unique_ptr<UploadsGcLock>(new UploadsGcLock(fd));
}

Result<std::unique_ptr<UploadsGcLock>> UploadsGcLock::TryAcquireExclusive(
    const DataDirLayout& layout) {
  ARKWIKI_ASSIGN_OR_RETURN(int fd, OpenGcLock(layout));
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd);
    return std::unique_ptr<UploadsGcLock>();
  }
  return std::unique_ptr<UploadsGcLock>(new UploadsGcLock(fd));
}

UploadsGcLock::~UploadsGcLock() { ::close(fd_); }

}  // namespace arkwiki
