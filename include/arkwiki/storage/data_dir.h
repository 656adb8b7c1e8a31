// The data directory's layout, and the lock that says who holds it.
//
//   DATA/
//     arkwiki.lock        flock()ed by a running server or an offline restore
//     live/               everything a backup holds; swapped whole on import
//       arkwiki.db        the SQLite database (plus -wal/-shm while open)
//       uploads/ab/<sha256>   upload contents, named by their SHA-256,
//                         immutable once written
//     tmp/                in-flight uploads and snapshots; emptied at start
//     staging/            an import being checked; emptied at start
//     safety/             automatic safety backups taken before each import
//     cache/render/       rendered page HTML (the web layer's RenderCache);
//                         never backed up, safe to delete at any time
//     restore-intent      the durable marker of an import swap in progress
//     setup-code          the one-time code of the browser's first-run restore
//                         (/setup), mode 0600; only while the wiki has no users
//     uploads-gc.lock     flock()ed shared while a backup reads upload files
//                         (from any process) and exclusively by garbage
//                         collection, which skips its turn while it is held
#pragma once

#include <string>

#include "arkwiki/core/env.h"

namespace arkwiki {

struct DataDirLayout {
  explicit DataDirLayout(std::string root);
  std::string root;
  std::string lock_file;
  std::string live;
  std::string database;
  std::string uploads;
  std::string tmp;
  std::string staging;
  std::string safety;
  std::string cache;  // derived data only: never in a backup, safe to delete
  std::string intent_marker;
  std::string setup_code;       // outside live/: no backup ever holds it
  std::string uploads_gc_lock;  // shared by backups reading uploads, exclusive for GC
  std::string UploadPath(const std::string& sha256) const;
};

// Creates the directories a fresh install needs. Idempotent.
Status PrepareDataDir(Env* env, const DataDirLayout& layout);

// A warning for the log when group or others may enter the data directory
// or live/ (one made before arkwiki created everything owner-only, or by
// hand): they hold password hashes and private pages. Empty when both
// are their owner's alone, or cannot be read.
std::string DataDirPrivacyWarning(const DataDirLayout& layout);

// An exclusive advisory lock on DATA/arkwiki.lock, released on destruction
// (and by the kernel if the process dies). The file records the holder's pid
// and purpose so a refusal can say who holds it.
class DataDirLock {
 public:
  static Result<std::unique_ptr<DataDirLock>> Acquire(const DataDirLayout& layout,
                                                      const std::string& purpose);
  // True if some process holds the lock right now (nothing is taken).
  static Result<bool> IsHeld(const DataDirLayout& layout, std::string* holder);
  ~DataDirLock();

 private:
  explicit DataDirLock(int fd) : fd_(fd) {}
  int fd_;
};

// A flock on DATA/uploads-gc.lock. Backups hold it shared while they read
// upload files; garbage collection takes it exclusively without waiting.
class UploadsGcLock {
 public:
  static Result<std::unique_ptr<UploadsGcLock>> AcquireShared(const DataDirLayout& layout);
  // nullptr (and OK) when a backup holds it.
  static Result<std::unique_ptr<UploadsGcLock>> TryAcquireExclusive(const DataDirLayout& layout);
  ~UploadsGcLock();

 private:
  explicit UploadsGcLock(int fd) : fd_(fd) {}
  int fd_;
};

}  // namespace arkwiki
