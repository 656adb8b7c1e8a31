#include "repository/repo_layout.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/file_lock.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

RepoLayout::RepoLayout(std::string dir)
    : root(std::move(dir)),
      format_file(JoinPath(root, "repository.json")),
      key_file(JoinPath(root, "key.json")),
      lock_file(JoinPath(root, "lock")),
      copy_lock(JoinPath(root, "copy.lock")),
      copy_tmp(JoinPath(root, "copy-tmp")),
      objects(JoinPath(root, "objects")),
      snapshots(JoinPath(root, "snapshots")),
      tmp(JoinPath(root, "tmp")),
      trash(JoinPath(root, "trash")),
      damaged_list(JoinPath(root, "damaged-objects")) {}

std::string RepoLayout::ObjectPath(const std::string& sha256) const {
  return JoinPath(JoinPath(objects, sha256.substr(0, 2)), sha256);
}

std::string RepoLayout::SnapshotDir(const std::string& id) const { return JoinPath(snapshots, id); }

std::string NewSnapshotId(int64_t unix_seconds, const std::string& newest) {
  // FormatIsoUtc gives "YYYY-MM-DDTHH:MM:SSZ"; the id drops '-' and ':'.
  std::string stamp;
  for (char c : FormatIsoUtc(unix_seconds)) {
    if (c != '-' && c != ':') stamp += c;
  }
  std::string id = stamp + "-" + RandomHex(3);
  id[stamp.size() + 1] = "01234567"[id[stamp.size() + 1] % 8];  // below 0x800000
  if (IsSnapshotId(newest) && id <= newest) {
    // Same second as the newest (or a clock set back): count up from it.
    const uint32_t next = std::stoul(newest.substr(newest.size() - 6), nullptr, 16) + 1;
    char digits[8];
    std::snprintf(digits, sizeof(digits), "%06x", next & 0xffffff);
    id = newest.substr(0, newest.size() - 6) + digits;
  }
  return id;
}

bool IsSnapshotId(const std::string& id) {
  // 20261202T131500Z-a1b2c3
  static constexpr char kShape[] = "99999999T999999Z-xxxxxx";
  if (id.size() != sizeof(kShape) - 1) return false;
  for (size_t i = 0; i < id.size(); ++i) {
    const char want = kShape[i];
    const char c = id[i];
    if (want == '9' && (c < '0' || c > '9')) return false;
    if (want == 'x' && !IsLowerHex(std::string_view(&id[i], 1), 1)) return false;
    if (want != '9' && want != 'x' && c != want) return false;
  }
  return true;
}

Result<std::unique_ptr<RepoLock>> RepoLock::Acquire(const RepoLayout& layout,
                                                    const std::string& purpose) {
  Result<int> fd = AcquireHolderLock(layout.lock_file, purpose);
  if (fd.status().code() == StatusCode::kBusy) {
    return Status::Busy("the backup repository " + layout.root + " is busy (" +
                        fd.status().message() + "); try again later");
  }
  ARKWIKI_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<RepoLock>(new RepoLock(*fd));
}

RepoLock::~RepoLock() { ::close(fd_); }

Result<std::unique_ptr<RepoCopyLock>> RepoCopyLock::AcquireShared(const RepoLayout& layout) {
  Result<int> fd = AcquireSharedLock(layout.copy_lock);
  if (fd.status().code() == StatusCode::kBusy) {
    return Status::Busy("the backup repository " + layout.root + " is busy (" +
                        fd.status().message() + "); the off-site copy waits for the next run");
  }
  ARKWIKI_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<RepoCopyLock>(new RepoCopyLock(*fd));
}

Result<std::unique_ptr<RepoCopyLock>> RepoCopyLock::AcquireExclusive(const RepoLayout& layout,
                                                                     const std::string& purpose) {
  Result<int> fd = AcquireHolderLock(layout.copy_lock, purpose);
  if (fd.status().code() == StatusCode::kBusy) {
    return Status::Busy("an off-site copy is reading the backup repository " + layout.root + "; " +
                        purpose + " waits until it ends");
  }
  ARKWIKI_RETURN_IF_ERROR(fd.status());
  return std::unique_ptr<RepoCopyLock>(new RepoCopyLock(*fd));
}

RepoCopyLock::~RepoCopyLock() { ::close(fd_); }

}  // namespace arkwiki
