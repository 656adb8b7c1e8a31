#include "arkwiki/core/file_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace arkwiki {

namespace {

// Opens the lock file and flocks it with `operation` | LOCK_NB; Busy with
// the holder's text when another open file description holds it.
Result<int> OpenAndLock(const std::string& path, int operation) {
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) return Status::PermissionDenied("cannot open " + path + ": " + std::strerror(errno));
  if (::flock(fd, operation | LOCK_NB) != 0) {
    std::string holder(256, '\0');
    ssize_t n = ::pread(fd, holder.data(), holder.size(), 0);
    holder.resize(n > 0 ? static_cast<size_t>(n) : 0);
    ::close(fd);
    return Status::Busy(holder.empty() ? std::string("unknown") : holder);
  }
  return fd;
}

}  // namespace

Result<int> AcquireSharedLock(const std::string& path) { return OpenAndLock(path, LOCK_SH); }

Result<int> AcquireHolderLock(const std::string& path, const std::string& purpose) {
  ARKWIKI_ASSIGN_OR_RETURN(int fd, OpenAndLock(path, LOCK_EX));
  std::string info = "pid " + std::to_string(::getpid()) + ", " + purpose;
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, info.data(), info.size(), 0) < 0) {
    // The lock itself is held; the description is only a courtesy.
  }
  return fd;
}

}  // namespace arkwiki
