// BackupScheduler: the thread that runs automatic backups, repository checks,
// test restores and the staleness alert when they are due. It knows only when; what a run
// does is ScheduledWork's (BackupService implements it, tests give fakes).
//
// The thread sleeps on a condition variable until the earliest due time of
// the current plan. Stop() and Wake() (the policy changed, or a test moved
// its clock) wake it at once. The clock is injected: with a fake clock a
// test advances time, calls Wake() and waits with WaitForCycles() until the
// scheduler has looked at the new time; RunDueNow() runs one cycle on the
// caller's thread. No wall-clock wait is needed to test it.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

#include "arkwiki/backup/schedule.h"
#include "arkwiki/core/status.h"

namespace arkwiki::web {

// What the scheduler needs to decide, read afresh before every cycle.
struct SchedulePlan {
  BackupSchedule backup;
  BackupSchedule check;
  // Start of the newest restore point a backup made (any trigger but
  // before-import); nullopt when there is none.
  std::optional<int64_t> last_backup;
  // The last repository check, or the oldest restore point when none was
  // checked yet; nullopt when there is nothing to check.
  std::optional<int64_t> last_check;
  // Test restores of the newest restore point, timed as checks are: the
  // last one, or the oldest restore point when none ran yet.
  BackupSchedule test_restore;
  std::optional<int64_t> last_test_restore;
};

class ScheduledWork {
 public:
  virtual ~ScheduledWork() = default;
  virtual SchedulePlan Plan(int64_t now) = 0;
  // One scheduled backup with retention and prune. kBusy when another
  // backup or import holds the lock: the scheduler tries again later.
  virtual Status RunBackup(int64_t now) = 0;
  virtual Status RunCheck(int64_t now) = 0;
  virtual Status RunTestRestore(int64_t now) = 0;
  // Looks at the backups' age and alerts when they are stale.
  virtual void CheckStale(int64_t now) = 0;
};

class BackupScheduler {
 public:
  using Clock = std::function<int64_t()>;  // Unix seconds
  // Called once on the scheduler's thread, before its first cycle: the
  // server lowers the thread's CPU and I/O priority there
  // (thread_priority.h), so that what it runs (and the threads that starts)
  // leaves the cores to page views.
  using ThreadStart = std::function<void()>;
  // After a busy lock or a failed run, the next attempt waits this long.
  static constexpr int64_t kBusyRetrySeconds = 60;
  static constexpr int64_t kFailureRetrySeconds = int64_t{15} * 60;
  // The staleness look happens at least this often.
  static constexpr int64_t kStaleLookSeconds = 3600;

  BackupScheduler(ScheduledWork* work, Clock clock, ThreadStart on_thread_start = {});
  ~BackupScheduler();  // Stop()
  BackupScheduler(const BackupScheduler&) = delete;
  BackupScheduler& operator=(const BackupScheduler&) = delete;

  // Starts the thread; its first cycle runs at once (a run missed while the
  // server was down is due then).
  void Start();
  // Wakes the thread, waits for the run in progress (if any) to end, and
  // joins it. Idempotent.
  void Stop();
  // Makes the thread re-read the plan and the clock now. Returns a ticket
  // for WaitUntilHandled.
  uint64_t Wake();
  // Blocks until a cycle that began after Wake() returned `ticket` has
  // completed, or Stop() was called.
  void WaitUntilHandled(uint64_t ticket);

  // Runs whatever is due at the clock's time on the caller's thread, and
  // returns when the next cycle should run (for tests and the thread).
  int64_t RunDueNow();
  // Cycles completed (by the thread or RunDueNow).
  uint64_t cycles() const;

 private:
  void Loop();
  std::optional<int64_t> Attempt(const BackupSchedule& schedule, std::optional<int64_t> last,
                                 std::optional<int64_t>* retry_at, int64_t now,
                                 const std::function<Status(int64_t)>& run);

  ScheduledWork* work_;
  Clock clock_;
  ThreadStart on_thread_start_;
  std::mutex run_mu_;  // one cycle at a time
  mutable std::mutex mu_;
  std::condition_variable wake_;
  std::condition_variable cycled_;
  bool stop_ = false;
  uint64_t wake_seq_ = 0;     // Wake() calls
  uint64_t started_seq_ = 0;  // wake_seq_ when the thread's current cycle began
  uint64_t handled_seq_ = 0;  // wake_seq_ when its last completed cycle began
  uint64_t cycles_ = 0;
  // Guarded by run_mu_: no new attempt before these after a failure.
  std::optional<int64_t> backup_retry_at_;
  std::optional<int64_t> check_retry_at_;
  std::optional<int64_t> test_restore_retry_at_;
  std::thread thread_;
};

}  // namespace arkwiki::web
