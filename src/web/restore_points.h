// RestorePoints: the server's one Repository of restore points
// (arkwiki/backup/repository.h), opened on first use, and what the server
// remembers about it between requests: the last failed snapshot, for the
// backup health that GET /api/health reports. BackupService owns it and
// calls every operation that writes under its exclusive lock; List and
// Health only read (a restore point is complete once it is listed), so
// they run without it. The Repository's own lock keeps the CLI out.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "arkwiki/backup/repository.h"

namespace arkwiki::web {

// What GET /api/health says about one off-site target.
struct OffsiteHealth {
  std::string target;
  std::string status;  // OffsiteState: ok | failing | stale | pending
  std::optional<int64_t> newest_copy_age_seconds;
  std::string last_error;
};

// What GET /api/health says about backups.
struct BackupHealth {
  // "ok": the newest restore point that did not fail its check is younger
  // than the stale threshold, and nothing failed since it was made;
  // "failing": the newest restore point failed its check, or the last
  // snapshot attempt failed after the newest good point;
  // "stale": no good restore point, or the newest is too old.
  std::string status;
  std::optional<int64_t> newest_good_age_seconds;
  std::string last_error;              // the newest failure's message; empty when none
  std::vector<OffsiteHealth> offsite;  // BackupService fills it
};

class RestorePoints {
 public:
  // A good restore point older than this makes the backups "stale". Twice a
  // daily schedule's interval, and the default when no schedule is set.
  static constexpr int64_t kDefaultStaleAfterSeconds = int64_t{48} * 3600;

  RestorePoints(Env* env, DataDirLayout layout);

  // The repository's directory; "" (the default) is DATA/backups. Call it
  // before the first use.
  void SetDir(const std::string& dir);
  // How the repository is opened (encryption and its passphrase). Call it
  // before the first use.
  void SetOptions(const RepositoryOptions& options);
  void SetStaleAfter(int64_t seconds);
  // Opens (creating if needed) the repository now: the server calls it at
  // start so that a refused placement stops it there.
  Status Open();

  Result<SnapshotInfo> Snapshot(const SnapshotRequest& request);
  Result<std::vector<SnapshotInfo>> List();
  // NotFound for an unknown id.
  Result<SnapshotInfo> Find(const std::string& id);
  Status Delete(const std::string& id);
  // Repository::Forget and Repository::Prune.
  Status Forget(const std::vector<std::string>& ids);
  Result<PruneResult> Prune();
  // The key of an encrypted repository; nullptr for a plain one.
  Result<const OffsiteKey*> Key();
  // The directory SetDir gave ("" for DATA/backups).
  std::string dir();
  // Checks every restore point, re-hashing `read_percent` of the objects.
  Result<CheckReport> Check(double read_percent);
  Result<BackupResult> Export(const std::string& id, ByteSink* out);
  Result<BackupResult> ExportToFile(const std::string& id, const std::string& path);

  BackupHealth Health(int64_t now);
  // Records a failure for Health (a failed snapshot records its own): a
  // test restore that did not pass, or one the journal remembers from
  // before a restart.
  void RecordFailure(int64_t at, const std::string& message);

 private:
  Result<Repository*> Repo();

  Env* env_;
  DataDirLayout layout_;
  std::mutex mutex_;  // guards the members below
  std::string dir_;
  RepositoryOptions options_;
  std::unique_ptr<Repository> repository_;
  int64_t stale_after_seconds_ = kDefaultStaleAfterSeconds;
  int64_t last_failure_at_ = 0;
  std::string last_failure_;
};

// The newest point (of `points`, oldest first) that did not fail its check,
// or nullptr.
const SnapshotInfo* NewestGoodPoint(const std::vector<SnapshotInfo>& points);

}  // namespace arkwiki::web
