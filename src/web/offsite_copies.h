// OffsiteCopies: the server's off-site copies of restore points
// (arkwiki/backup/offsite.h, docs/offsite.md). It owns the targets of
// DATA/offsite/targets.conf, the worker thread that copies new restore
// points to them, and what each target's last copy did. BackupService owns
// it. Private to the web layer.
//
// A copy run (Run), started by Request() after a restore point is written:
//   1. reads targets.conf (a file that cannot be read fails every target);
//   2. for each target, by name, one at a time:
//      a. opens it, takes its lock (OffsiteTargetLock, held until e ends)
//         and unlocks its key with the passphrase, or starts an off-site
//         repository on an empty target; the first open records the
//         repository's id in targets.conf, and later runs refuse a target
//         that holds another repository, or none;
//      b. lists the restore points on it (each record decrypted and checked);
//      c. copies, oldest first, every local restore point newer than the
//         newest one on the target whose check did not fail
//         (OffsiteCopier::Copy: objects first, the record last);
//      d. applies the target's retention (PruneTarget);
//      e. checks the target: every record, and every object a record names
//         there with its size (CheckTarget, re-hashing nothing);
//   3. records per target what it did (Statuses), and returns it for the
//      journal and the webhook.
// A run holds the repository's copy lock (RepoCopyLock) shared while it
// copies, not the lock of the server's backup jobs: restore points,
// downloads, imports and checks go on beside it, and a prune, by the
// server or the CLI, is refused as busy until it ends. While a CLI copy or
// prune of a target holds that target's lock, the run's step for it fails
// as busy ("another off-site copy or prune of ... is running"), journalled
// like any other failure, and the next run does its work; the other
// targets go on. A crash or failure at any step leaves the
// target as offsite.h says: earlier points intact, at most objects no record
// names, which the next run reuses.
//
// A run stopped by Stop() (the server stopping) stops at its target's next
// safe point: before the next object or record (OffsiteCopier), before
// each request to an S3 target's server and its next retry, during the
// wait before a retry, at its next send or receive on the socket (one
// waiting for an answer ends within the target's io_timeout_ms), and
// before the prune and the check. That target's result fails with
// "cancelled: server stopping" (OffsiteRunResult::cancelled; journaled,
// no alert), the target is left as after a failure at that step (its
// interrupted multipart upload resumes on the next run), and the targets
// after it are not started.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "arkwiki/backup/offsite_config.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/cancellation.h"
#include "arkwiki/core/env.h"

namespace arkwiki::web {

// What the server knows about one target, since it started (the journal
// gives back the last success and failure after a restart).
struct OffsiteTargetStatus {
  std::string name;
  std::string description;  // OffsiteTarget::Describe(): no secrets
  // The target's key object's, else the one targets.conf pins; empty until
  // either is known.
  std::string repository_id;
  int64_t last_attempt = 0;  // Unix seconds; 0 = none
  int64_t last_success = 0;
  int64_t last_failure = 0;
  std::string last_error;  // the last failure's message
  uint64_t failures_total = 0;
  uint64_t bytes_sent_total = 0;
  // The restore points on the target after the last successful run (id ->
  // creation time), and whether that run's check of the target passed.
  std::map<std::string, int64_t> points;
  bool points_known = false;
  bool checked = false;
  int64_t checked_at = 0;
};

// "pending": not tried since the server started and nothing recalled;
// "failing": the last run failed; "stale": the newest restore point on the
// target is older than `stale_after` seconds, or there is none while the
// wiki has one (`local_good_point`); "ok" otherwise.
std::string OffsiteState(const OffsiteTargetStatus& s, int64_t now, int64_t stale_after,
                         bool local_good_point);
// The creation time of the newest restore point on the target; 0 = none.
int64_t NewestCopy(const OffsiteTargetStatus& s);

// What a run did for one target.
struct OffsiteRunResult {
  std::string target;
  bool ok = false;
  std::string message;  // the error, or a summary
  std::string newest_point;
  uint64_t bytes_sent = 0;
  uint64_t duration_ms = 0;
  bool cancelled = false;  // stopped by Stop(): failed, but not the target's fault
};

class OffsiteCopies {
 public:
  using Runner = std::function<void()>;

  OffsiteCopies(Env* env, std::string data_dir);
  ~OffsiteCopies();  // Stop()
  OffsiteCopies(const OffsiteCopies&) = delete;
  OffsiteCopies& operator=(const OffsiteCopies&) = delete;

  // Starts the worker thread; each Request() makes it call `run` (which
  // takes the caller's lock and calls Run). Requests while a run waits or
  // runs are folded into one more run.
  void Start(Runner run);
  void Request();
  // Refuses further requests, cancels the run in progress and joins the
  // worker. The run stops at its next safe point (see "A run stopped by
  // Stop()" above), so this waits for no slow target.
  void Stop();
  // True once no run is waiting or running, false at the deadline (tests).
  bool WaitIdle(std::chrono::milliseconds timeout);
  // What Stop() raises (tests wait on it to meet the stop).
  const Cancellation& cancellation() const { return cancel_; }

  std::string ConfigPath() const;
  Result<std::vector<OffsiteTargetConfig>> Targets();
  // Adds `target`, or replaces the one of its name (`replace`: NotFound if
  // there is none; else AlreadyExists if there is), and saves targets.conf.
  // A replaced target keeps its pinned repository_id while its location
  // and endpoint stay the same.
  Status Save(const OffsiteTargetConfig& target, bool replace);
  Status Remove(const std::string& name);
  // Reaches the target and, when it holds a key object, unlocks it with the
  // passphrase: "" when that works (and a pinned target holds its pinned
  // repository), else what failed, for people.
  Result<std::string> Test(const std::string& name);

  // One copy run (the steps above); it runs beside the backup jobs.
  // `local_key`: the key of an encrypted repository (nullptr for a plain
  // one), which the copy decrypts with.
  std::vector<OffsiteRunResult> Run(const std::string& backup_dir,
                                    const std::vector<SnapshotInfo>& local, int64_t now,
                                    const OffsiteKey* local_key = nullptr);
  // Every configured target's status, by name (a target never tried is
  // "pending"); a target that cannot be read shows as one failing entry.
  std::vector<OffsiteTargetStatus> Statuses();
  // A journal entry from before a restart ("offsite_copy", subject the
  // target's name): the last success or failure it records.
  void Recall(const std::string& target, bool ok, int64_t at, const std::string& message);
  // The targets that went stale since the last call said so (one alert
  // per stale period).
  std::vector<std::string> NewlyStale(int64_t now, int64_t stale_after, bool local_good_point);

 private:
  OffsiteRunResult CopyTo(const OffsiteTargetConfig& config, const std::string& backup_dir,
                          const std::vector<SnapshotInfo>& local, int64_t now,
                          const OffsiteKey* local_key);
  // Step 2a, after the first open of a target: records the repository it
  // holds in targets.conf (OffsiteTargetConfig::repository_id), unless
  // the target was removed, moved or pinned since `config` was read.
  Status PinRepository(const OffsiteTargetConfig& config, const std::string& repository_id);
  void Loop();

  Env* env_;
  std::string data_dir_;
  std::mutex config_mu_;  // one writer of targets.conf at a time
  std::mutex status_mu_;
  // Per target name, raised when the target moves or is removed: a run
  // that began before leaves status_ alone (its results are the old
  // place's).
  std::map<std::string, uint64_t> placement_;
  std::map<std::string, OffsiteTargetStatus> status_;
  std::map<std::string, int64_t> stale_alerted_;
  std::mutex mu_;  // the worker's state below
  std::condition_variable cv_;
  bool pending_ = false;
  bool running_ = false;
  bool stop_ = false;
  // Raised by Stop(); the run in progress polls it (targets, copier).
  Cancellation cancel_;
  Runner run_;
  std::thread worker_;
};

}  // namespace arkwiki::web
