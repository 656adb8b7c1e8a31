// BackupScheduler with a fake clock and fake work: a due run happens and
// not before, a run missed while the server was down runs once at start,
// busy and failed runs are retried later rather than at once, a policy
// change is seen at once, Stop ends a wait promptly, and the thread-start
// hook (where the server lowers the thread's priority) runs on the
// scheduler's thread before its first run. Threads meet at
// Wake/WaitUntilHandled; nothing waits on the wall clock.
#include "backup_scheduler.h"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <thread>
#include <vector>

namespace arkwiki::web {
namespace {

constexpr int64_t kT0 = 1796169600;  // 2026-12-02T00:00:00Z, a Wednesday
constexpr int64_t kHour = 3600;

class FakeWork : public ScheduledWork {
 public:
  SchedulePlan Plan(int64_t /*now*/) override {
    std::lock_guard<std::mutex> lock(mu_);
    return plan_;
  }
  Status RunBackup(int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    backups_.push_back(now);
    backup_thread_ = std::this_thread::get_id();
    if (result_.ok()) plan_.last_backup = now;
    return result_;
  }
  Status RunCheck(int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    checks_.push_back(now);
    plan_.last_check = now;
    return Status::Ok();
  }
  Status RunTestRestore(int64_t now) override {
    std::lock_guard<std::mutex> lock(mu_);
    test_restores_.push_back(now);
    if (test_restore_result_.ok()) plan_.last_test_restore = now;
    return test_restore_result_;
  }
  void CheckStale(int64_t /*now*/) override { ++stale_looks_; }

  void SetPlan(const SchedulePlan& plan) {
    std::lock_guard<std::mutex> lock(mu_);
    plan_ = plan;
  }
  void SetResult(Status result) {
    std::lock_guard<std::mutex> lock(mu_);
    result_ = std::move(result);
  }
  std::vector<int64_t> backups() {
    std::lock_guard<std::mutex> lock(mu_);
    return backups_;
  }
  std::vector<int64_t> checks() {
    std::lock_guard<std::mutex> lock(mu_);
    return checks_;
  }
  std::vector<int64_t> test_restores() {
    std::lock_guard<std::mutex> lock(mu_);
    return test_restores_;
  }
  void SetTestRestoreResult(Status result) {
    std::lock_guard<std::mutex> lock(mu_);
    test_restore_result_ = std::move(result);
  }
  int stale_looks() const { return stale_looks_; }
  std::thread::id backup_thread() {
    std::lock_guard<std::mutex> lock(mu_);
    return backup_thread_;
  }

 private:
  std::mutex mu_;
  SchedulePlan plan_;
  Status result_ = Status::Ok();
  std::vector<int64_t> backups_;
  std::thread::id backup_thread_;
  std::vector<int64_t> checks_;
  std::vector<int64_t> test_restores_;
  Status test_restore_result_ = Status::Ok();
  std::atomic<int> stale_looks_{0};
};

class BackupSchedulerTest : public ::testing::Test {
 protected:
  BackupScheduler::Clock Clock() {
    return [this] { return now_.load(); };
  }
  // Wakes the scheduler's thread and waits until it has looked at the clock.
  void Cycle(BackupScheduler& scheduler) { scheduler.WaitUntilHandled(scheduler.Wake()); }

  std::atomic<int64_t> now_{kT0};
  FakeWork work_;
};

TEST_F(BackupSchedulerTest, RunsWhenDueAndNotBefore) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::EveryHours(1);
  plan.last_backup = kT0;
  work_.SetPlan(plan);
  BackupScheduler scheduler(&work_, Clock());
  now_ = kT0 + 10 * 60;
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + kHour);
  EXPECT_TRUE(work_.backups().empty());
  now_ = kT0 + kHour;
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + 2 * kHour);
  EXPECT_EQ(work_.backups(), std::vector<int64_t>{kT0 + kHour});
}

TEST_F(BackupSchedulerTest, AMissedRunRunsOnceAtStart) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::Daily(2, 30);
  plan.last_backup = kT0 - 3 * 24 * kHour;  // three slots missed
  work_.SetPlan(plan);
  now_ = kT0 + 10 * kHour;
  BackupScheduler scheduler(&work_, Clock());
  scheduler.Start();
  Cycle(scheduler);
  Cycle(scheduler);
  EXPECT_EQ(work_.backups(), std::vector<int64_t>{kT0 + 10 * kHour});
  // The next one is the next slot.
  now_ = kT0 + 24 * kHour + 2 * kHour + 30 * 60;
  Cycle(scheduler);
  EXPECT_EQ(work_.backups().size(), 2u);
  scheduler.Stop();
}

TEST_F(BackupSchedulerTest, WithNoRestorePointARunIsDueAtOnce) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::EveryHours(1);
  work_.SetPlan(plan);
  BackupScheduler scheduler(&work_, Clock());
  (void)scheduler.RunDueNow();
  EXPECT_EQ(work_.backups(), std::vector<int64_t>{kT0});
}

TEST_F(BackupSchedulerTest, ABusyLockIsRetriedAMinuteLaterNotAtOnce) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::EveryHours(1);
  work_.SetPlan(plan);
  work_.SetResult(Status::Busy("an import runs"));
  BackupScheduler scheduler(&work_, Clock());
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + BackupScheduler::kBusyRetrySeconds);
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + BackupScheduler::kBusyRetrySeconds);
  EXPECT_EQ(work_.backups().size(), 1u);
  work_.SetResult(Status::Ok());
  now_ = kT0 + BackupScheduler::kBusyRetrySeconds;
  (void)scheduler.RunDueNow();
  EXPECT_EQ(work_.backups().size(), 2u);
}

TEST_F(BackupSchedulerTest, AFailedRunIsRetriedLaterNotAtOnce) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::Daily(2, 30);
  work_.SetPlan(plan);
  work_.SetResult(Status::IoError("no space left on device"));
  BackupScheduler scheduler(&work_, Clock());
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + BackupScheduler::kFailureRetrySeconds);
  now_ = kT0 + BackupScheduler::kFailureRetrySeconds - 1;
  (void)scheduler.RunDueNow();
  EXPECT_EQ(work_.backups().size(), 1u);
  now_ = kT0 + BackupScheduler::kFailureRetrySeconds;
  (void)scheduler.RunDueNow();
  EXPECT_EQ(work_.backups().size(), 2u);
}

TEST_F(BackupSchedulerTest, APolicyChangeIsSeenAtOnce) {
  BackupScheduler scheduler(&work_, Clock());
  scheduler.Start();
  Cycle(scheduler);
  EXPECT_TRUE(work_.backups().empty());  // off
  SchedulePlan plan;
  plan.backup = BackupSchedule::EveryHours(6);
  work_.SetPlan(plan);
  Cycle(scheduler);
  EXPECT_EQ(work_.backups(), std::vector<int64_t>{kT0});
  scheduler.Stop();
}

TEST_F(BackupSchedulerTest, ChecksRunOnTheirOwnSchedule) {
  SchedulePlan plan;
  plan.check = BackupSchedule::Weekly(0, 3, 30);
  plan.last_check = kT0 - 8 * 24 * kHour;
  work_.SetPlan(plan);
  BackupScheduler scheduler(&work_, Clock());
  (void)scheduler.RunDueNow();
  (void)scheduler.RunDueNow();
  EXPECT_EQ(work_.checks(), std::vector<int64_t>{kT0});
  EXPECT_TRUE(work_.backups().empty());
  EXPECT_EQ(work_.stale_looks(), 0);  // backups are off: no staleness alert
}

TEST_F(BackupSchedulerTest, NothingToCheckRunsNoCheck) {
  SchedulePlan plan;
  plan.check = BackupSchedule::EveryHours(1);
  work_.SetPlan(plan);  // last_check unset: no restore point
  BackupScheduler scheduler(&work_, Clock());
  (void)scheduler.RunDueNow();
  EXPECT_TRUE(work_.checks().empty());
}

TEST_F(BackupSchedulerTest, TestRestoresRunOnTheirOwnScheduleAndRetryAfterAFailure) {
  SchedulePlan plan;
  plan.test_restore = BackupSchedule::Weekly(0, 4, 30);
  plan.last_test_restore = kT0 - 8 * 24 * kHour;
  work_.SetPlan(plan);
  work_.SetTestRestoreResult(Status::Corruption("pages: manifest 3, served 2"));
  BackupScheduler scheduler(&work_, Clock());
  EXPECT_EQ(scheduler.RunDueNow(), kT0 + BackupScheduler::kFailureRetrySeconds);
  (void)scheduler.RunDueNow();  // not before the retry time
  EXPECT_EQ(work_.test_restores(), std::vector<int64_t>{kT0});
  work_.SetTestRestoreResult(Status::Ok());
  now_ = kT0 + BackupScheduler::kFailureRetrySeconds;
  (void)scheduler.RunDueNow();
  (void)scheduler.RunDueNow();  // done: the next is a week away
  EXPECT_EQ(work_.test_restores().size(), 2u);
  EXPECT_TRUE(work_.backups().empty());
  EXPECT_TRUE(work_.checks().empty());
}

TEST_F(BackupSchedulerTest, NoRestorePointRunsNoTestRestore) {
  SchedulePlan plan;
  plan.test_restore = BackupSchedule::EveryHours(1);
  work_.SetPlan(plan);  // last_test_restore unset: no restore point
  BackupScheduler scheduler(&work_, Clock());
  (void)scheduler.RunDueNow();
  EXPECT_TRUE(work_.test_restores().empty());
}

TEST_F(BackupSchedulerTest, TheThreadStartHookRunsOnItsThreadBeforeTheFirstRun) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::EveryHours(1);  // due at once: no restore point
  work_.SetPlan(plan);
  std::thread::id hook_thread;
  size_t backups_before_hook = 1;
  int hook_calls = 0;
  BackupScheduler scheduler(&work_, Clock(), [&] {
    hook_thread = std::this_thread::get_id();
    backups_before_hook = work_.backups().size();
    ++hook_calls;
  });
  scheduler.Start();
  Cycle(scheduler);
  now_ = kT0 + kHour;
  Cycle(scheduler);
  scheduler.Stop();
  ASSERT_EQ(work_.backups().size(), 2u);
  EXPECT_EQ(hook_calls, 1);
  EXPECT_EQ(backups_before_hook, 0u);
  EXPECT_EQ(hook_thread, work_.backup_thread());
  EXPECT_NE(hook_thread, std::this_thread::get_id());
}

TEST_F(BackupSchedulerTest, StopEndsAWaitPromptly) {
  SchedulePlan plan;
  plan.backup = BackupSchedule::Weekly(0, 3, 30);
  plan.last_backup = kT0;
  work_.SetPlan(plan);
  BackupScheduler scheduler(&work_, Clock());
  scheduler.Start();
  Cycle(scheduler);  // now waiting for days
  scheduler.Stop();  // returns without that wait (a hang fails by timeout)
  const uint64_t cycles = scheduler.cycles();
  scheduler.Stop();  // idempotent
  EXPECT_EQ(scheduler.cycles(), cycles);
  EXPECT_GE(work_.stale_looks(), 1);
}

}  // namespace
}  // namespace arkwiki::web
