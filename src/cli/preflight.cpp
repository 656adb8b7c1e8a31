#include "preflight.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string_view>
#include <utility>
#include <vector>

namespace arkwiki::cli {
namespace {

Status PathError(int err, const std::string& what, const std::string& path) {
  const std::string message = "cannot use " + what + " " + path + ": " + std::strerror(err);
  if (err == ENOENT) return Status::NotFound(message);
  return Status::PermissionDenied(message);
}

std::string Parent(const std::string& path) {
  const size_t slash = path.find_last_of('/');
  if (slash == std::string::npos) return ".";
  return slash == 0 ? "/" : path.substr(0, slash);
}

// Creates and removes a probe file: unlike access(2), this also catches a
// read-only file system.
Status ProbeWrite(const std::string& dir, const std::string& what) {
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0) return PathError(errno, what, dir);
  if (!S_ISDIR(st.st_mode)) return PathError(ENOTDIR, what, dir);
  std::string probe = dir + "/.arkwiki-write-check-XXXXXX";
  const int fd = ::mkstemp(probe.data());
  if (fd < 0) return PathError(errno, what, dir);
  ::close(fd);
  ::unlink(probe.c_str());
  return Status::Ok();
}

// The entry's type, asking the file system when readdir does not say.
unsigned char TypeOf(int dir_fd, const dirent& e) {
  if (e.d_type != DT_UNKNOWN) return e.d_type;
  struct stat st {};
  if (::fstatat(dir_fd, e.d_name, &st, AT_SYMLINK_NOFOLLOW) != 0) return DT_UNKNOWN;
  if (S_ISDIR(st.st_mode)) return DT_DIR;
  return S_ISREG(st.st_mode) ? DT_REG : DT_UNKNOWN;
}

}  // namespace

Status CheckOutputDirFor(const std::string& file) {
  return ProbeWrite(Parent(file), "the output directory");
}

Status CheckWritableDir(const std::string& dir, const std::string& role) {
  std::string existing = dir;
  struct stat st {};
  while (::lstat(existing.c_str(), &st) != 0 && errno == ENOENT && existing != "/" &&
         existing != ".") {
    existing = Parent(existing);
  }
  return ProbeWrite(existing, role);
}

Status CheckFilesReadable(const std::string& dir, const std::string& role) {
  std::vector<std::string> pending = {dir};
  while (!pending.empty()) {
    const std::string current = pending.back();
    pending.pop_back();
    DIR* d = ::opendir(current.c_str());
    if (d == nullptr) {
      if (errno == ENOENT && current == dir) continue;
      return PathError(errno, role, current);
    }
    Status status;
    while (const dirent* e = ::readdir(d)) {
      const std::string_view name = e->d_name;
      if (name == "." || name == "..") continue;
      std::string path = current;
      path += '/';
      path += name;
      const unsigned char type = TypeOf(::dirfd(d), *e);
      if (type == DT_DIR) {
        pending.push_back(std::move(path));
      } else if (type == DT_REG && ::faccessat(::dirfd(d), e->d_name, R_OK, AT_EACCESS) != 0) {
        status = PathError(errno, role, path);
        break;
      }
    }
    ::closedir(d);
    if (!status.ok()) return status;
  }
  return Status::Ok();
}

}  // namespace arkwiki::cli
