#include "backup_scheduler.h"

#include <algorithm>
#include <chrono>

#include "arkwiki/core/log.h"

namespace arkwiki::web {

BackupScheduler::BackupScheduler(ScheduledWork* work, Clock clock, ThreadStart on_thread_start)
    : work_(work), clock_(std::move(clock)), on_thread_start_(std::move(on_thread_start)) {}

BackupScheduler::~BackupScheduler() { Stop(); }

void BackupScheduler::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (thread_.joinable() || stop_) return;
  thread_ = std::thread([this] { Loop(); });
}

void BackupScheduler::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  cycled_.notify_all();
  if (thread_.joinable()) thread_.join();
}

uint64_t BackupScheduler::Wake() {
  uint64_t ticket = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    ticket = ++wake_seq_;
  }
  wake_.notify_all();
  return ticket;
}

void BackupScheduler::WaitUntilHandled(uint64_t ticket) {
  std::unique_lock<std::mutex> lock(mu_);
  cycled_.wait(lock, [&] { return stop_ || handled_seq_ >= ticket; });
}

uint64_t BackupScheduler::cycles() const {
  std::lock_guard<std::mutex> lock(mu_);
  return cycles_;
}

std::optional<int64_t> BackupScheduler::Attempt(const BackupSchedule& schedule,
                                                std::optional<int64_t> last,
                                                std::optional<int64_t>* retry_at, int64_t now,
                                                const std::function<Status(int64_t)>& run) {
  if (schedule.kind == BackupSchedule::Kind::kOff) return std::nullopt;
  if (retry_at->has_value() && now < **retry_at) return *retry_at;
  retry_at->reset();
  if (!IsDue(schedule, last, now)) return NextRun(schedule, last, now);
  const Status s = run(now);
  if (s.ok()) return NextRun(schedule, now, now);
  *retry_at = now + (s.code() == StatusCode::kBusy ? kBusyRetrySeconds : kFailureRetrySeconds);
  return *retry_at;
}

int64_t BackupScheduler::RunDueNow() {
  std::lock_guard<std::mutex> run(run_mu_);
  const int64_t now = clock_();
  const SchedulePlan plan = work_->Plan(now);
  int64_t next = now + kStaleLookSeconds;
  auto earliest = [&next](std::optional<int64_t> t) {
    if (t) next = std::min(next, *t);
  };
  earliest(Attempt(plan.backup, plan.last_backup, &backup_retry_at_, now,
                   [this](int64_t t) { return work_->RunBackup(t); }));
  if (plan.last_check) {
    earliest(Attempt(plan.check, plan.last_check, &check_retry_at_, now,
                     [this](int64_t t) { return work_->RunCheck(t); }));
  }
  if (plan.last_test_restore) {
    earliest(Attempt(plan.test_restore, plan.last_test_restore, &test_restore_retry_at_, now,
                     [this](int64_t t) { return work_->RunTestRestore(t); }));
  }
  if (plan.backup.kind != BackupSchedule::Kind::kOff) work_->CheckStale(now);
  {
    std::lock_guard<std::mutex> lock(mu_);
    ++cycles_;
  }
  cycled_.notify_all();
  return next;
}

void BackupScheduler::Loop() {
  if (on_thread_start_) on_thread_start_();
  for (;;) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (stop_) return;
      started_seq_ = wake_seq_;
    }
    const int64_t next = RunDueNow();
    std::unique_lock<std::mutex> lock(mu_);
    handled_seq_ = started_seq_;
    cycled_.notify_all();
    // At least a second, so that a plan that stays due cannot spin.
    const int64_t wait = std::clamp<int64_t>(next - clock_(), 1, kStaleLookSeconds);
    wake_.wait_for(lock, std::chrono::seconds(wait),
                   [&] { return stop_ || wake_seq_ != started_seq_; });
  }
}

}  // namespace arkwiki::web
