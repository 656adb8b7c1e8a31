// The lock of one off-site target (arkwiki/backup/offsite.h).
#include <unistd.h>

#include <filesystem>
#include <system_error>

#include "arkwiki/backup/offsite.h"
#include "arkwiki/core/file_lock.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

std::string OffsiteTargetLock::PathFor(const std::string& backup_dir, const OffsiteTarget& target) {
  // 64 bits of the hash: two targets of one machine never meet by chance.
  return JoinPath(backup_dir, "offsite-" + Sha256Hex(target.Describe()).substr(0, 16) + ".lock");
}

Result<std::unique_ptr<OffsiteTargetLock>> OffsiteTargetLock::Acquire(const std::string& backup_dir,
                                                                      const OffsiteTarget& target,
                                                                      const std::string& purpose) {
  std::error_code ec;
  if (!std::filesystem::is_directory(backup_dir, ec)) {
    return Status::NotFound("no backup directory " + backup_dir +
                            " to hold the lock of the off-site target " + target.Describe());
  }
  Result<int> fd = AcquireHolderLock(PathFor(backup_dir, target), purpose);
  if (fd.status().code() == StatusCode::kBusy) {
    return Status::Busy("another off-site copy or prune of " + target.Describe() + " is running (" +
                        fd.status().message() + "); try again later");
  }
  ARKWIKI_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<OffsiteTargetLock>(new OffsiteTargetLock(*fd));
}

OffsiteTargetLock::~OffsiteTargetLock() { ::close(fd_); }

}  // namespace arkwiki
