// Paths inside a repository of restore points, restore point ids, and the
// repository lock (private to the backup layer; the format is described in
// arkwiki/backup/repository.h and docs/backup-repository.md).
#pragma once

#include <memory>
#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

inline constexpr char kRepositoryFormatName[] = "arkwiki-repository";
// 1: loose objects only. 2: small objects may also be in pack files
// (repository/pack_store.h). 3: an encrypted repository
// (repository/sealed_env.h), with "encryption" naming the cipher. 4:
// restore points may hold their database as chunks (repository/db_chunks.h),
// plain or, with "encryption", encrypted. 5: chunks may be stored as gzip
// members (repository/chunk_codec.h), and a restore point may hold its
// manifest as chunks (repository/manifest_chunks.h), which an arkwiki that
// reads version 4 would not see as a restore point at all (its prune would
// remove every object only such points need). Older repositories are read
// as they are and upgraded (durably, keeping "encryption") before the first
// pack, or the first chunk, is written; a new one is written as version 5.
inline constexpr int kRepositoryFormatVersion = 5;
inline constexpr int kPackedFormatVersion = 2;
inline constexpr int kEncryptedFormatVersion = 3;
inline constexpr int kChunkedFormatVersion = 5;
inline constexpr char kRepositoryCipher[] = "xchacha20poly1305-secretstream";

struct RepoLayout {
  explicit RepoLayout(std::string dir);
  std::string root;
  std::string format_file;   // repository.json
  std::string key_file;      // key.json (an encrypted repository's wrapped key)
  std::string lock_file;     // lock
  std::string copy_lock;     // copy.lock
  std::string copy_tmp;      // copy-tmp/
  std::string objects;       // objects/
  std::string snapshots;     // snapshots/
  std::string tmp;           // tmp/
  std::string trash;         // trash/
  std::string damaged_list;  // damaged-objects
  std::string ObjectPath(const std::string& sha256) const;
  std::string SnapshotDir(const std::string& id) const;
};

// Files inside a restore point's directory.
inline constexpr char kPointManifest[] = "manifest.json";
inline constexpr char kPointMeta[] = "restore-point.json";
inline constexpr char kPointCheck[] = "check.json";

// "YYYYMMDDTHHMMSSZ-" and 6 hex digits. Sorts after `newest` (the newest
// existing id, or ""), so ids sort by creation: within the second of
// `newest` the digits count up from it, otherwise they are random (below
// 0x800000, leaving room to count up).
std::string NewSnapshotId(int64_t unix_seconds, const std::string& newest);
// True for text shaped as NewSnapshotId makes it (so an id from a user can
// never name a path outside snapshots/).
bool IsSnapshotId(const std::string& id);

// An exclusive flock on the repository's lock file, held while a snapshot,
// delete, prune or check runs (not while an off-site copy runs: see
// RepoCopyLock), by the server and the CLI alike; released on
// destruction and by the kernel if the process dies. The file records the
// holder's pid and purpose so a refusal can say who holds it.
class RepoLock {
 public:
  // Busy, naming the holder, when another holder has it.
  static Result<std::unique_ptr<RepoLock>> Acquire(const RepoLayout& layout,
                                                   const std::string& purpose);
  ~RepoLock();
  RepoLock(const RepoLock&) = delete;
  RepoLock& operator=(const RepoLock&) = delete;

 private:
  explicit RepoLock(int fd) : fd_(fd) {}
  int fd_;
};

// The flock on copy.lock between off-site copies and prune, the one step
// that removes objects. Copies hold it shared and never hold RepoLock, so
// they run beside snapshots, deletes, checks and each other, and a target
// that takes hours holds up no local restore point. A prune holds it
// exclusively (inside RepoLock), so no object a copy reads vanishes under
// it; while a copy runs, a prune is refused as busy and the next one does
// its work.
class RepoCopyLock {
 public:
  // Busy while a prune runs.
  static Result<std::unique_ptr<RepoCopyLock>> AcquireShared(const RepoLayout& layout);
  // Busy while a copy runs, saying so.
  static Result<std::unique_ptr<RepoCopyLock>> AcquireExclusive(const RepoLayout& layout,
                                                                const std::string& purpose);
  ~RepoCopyLock();
  RepoCopyLock(const RepoCopyLock&) = delete;
  RepoCopyLock& operator=(const RepoCopyLock&) = delete;

 private:
  explicit RepoCopyLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace arkwiki
