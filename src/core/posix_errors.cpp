#include "posix_errors.h"

#include <cerrno>
#include <cstring>

namespace arkwiki {

Status PosixError(const std::string& context, int err) {
  std::string message = context + ": " + std::strerror(err);
  switch (err) {
    case ENOENT:
    case ENOTDIR:
      return Status::NotFound(message);
    case ENOSPC:
    case EDQUOT:
      return Status::NoSpace(message);
    case EACCES:
    case EPERM:
    case EROFS:
      return Status::PermissionDenied(message);
    case EEXIST:
    case ENOTEMPTY:
      return Status::AlreadyExists(message);
    case ELOOP:
      return Status::InvalidArgument(message + " (refusing to follow a symlink)");
    default:
      return Status::IoError(message);
  }
}

}  // namespace arkwiki
