#include "repository/repo_layout.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

#include "arkwiki/core/clock.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {

RepoLayout::RepoLayout(std::string dir)
    : root(std::move(dir)),
      format_file(JoinPath(root, "repository.json")),
      lock_file(JoinPath(root, "lock")),
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
  int fd = ::open(layout.lock_file.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd < 0) {
    return Status::PermissionDenied("cannot open " + layout.lock_file + ": " +
                                    std::strerror(errno));
  }
  if (::flock(fd, LOCK_EX | LOCK_NB) != 0) {
    std::string holder(256, '\0');
    ssize_t n = ::pread(fd, holder.data(), holder.size(), 0);
    holder.resize(n > 0 ? static_cast<size_t>(n) : 0);
    ::close(fd);
    return Status::Busy("the backup repository " + layout.root + " is busy (" +
                        (holder.empty() ? std::string("unknown") : holder) + "); try again later");
  }
  std::string info = "pid " + std::to_string(::getpid()) + ", " + purpose;
  if (::ftruncate(fd, 0) != 0 || ::pwrite(fd, info.data(), info.size(), 0) < 0) {
    // The lock itself is held; the description is only a courtesy.
  }
  return std::unique_ptr<RepoLock>(new RepoLock(fd));
}

RepoLock::~RepoLock() { ::close(fd_); }

}  // namespace arkwiki
