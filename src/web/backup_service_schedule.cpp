// BackupService's automatic backups (backup_service.h): what a scheduled
// cycle does, under the exclusive lock that keeps one backup or import at a
// time. BackupScheduler decides when.
#include <malloc.h>

#include <algorithm>
#include <charconv>
#include <chrono>
#include <filesystem>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/trim.h"
#include "backup_service.h"
#include "thread_priority.h"

namespace arkwiki::web {
namespace {

constexpr const char* kActor = BackupService::kSchedulerActor;
constexpr char kPolicyFile[] = "backup-policy.conf";
// The regular check re-hashes this share of the stored objects; every
// manifest and object size is checked each time.
constexpr double kCheckReadPercent = 10;

// Forwards the scheduler's calls to the service.
class ServiceWork final : public ScheduledWork {
 public:
  explicit ServiceWork(BackupService* service) : service_(service) {}
  SchedulePlan Plan(int64_t now) override { return service_->PlanSchedule(now); }
  Status RunBackup(int64_t now) override { return service_->RunScheduledBackup(now); }
  Status RunCheck(int64_t now) override { return service_->RunScheduledCheck(now); }
  Status RunTestRestore(int64_t now) override { return service_->RunTestRestore(now, kActor); }
  void CheckStale(int64_t now) override { service_->CheckStale(now); }

 private:
  BackupService* service_;
};

Result<BackupSchedule> Schedule(const std::string& key, const std::string& text) {
  auto parsed = ParseSchedule(text);
  if (!parsed.ok()) return Status::InvalidArgument(key + ": " + parsed.status().message());
  return parsed;
}

Result<int> Count(const std::string& key, const std::map<std::string, std::string>& values) {
  const std::string& text = values.at(key);
  int value = 0;
  const char* end = text.data() + text.size();
  const auto [ptr, ec] = std::from_chars(text.data(), end, value);
  if (text.empty() || ec != std::errc() || ptr != end || value < 0 ||
      value > RetentionPolicy::kMaxCount) {
    return Status::InvalidArgument(key + " must be a whole number from 0 to " +
                                   std::to_string(RetentionPolicy::kMaxCount));
  }
  return value;
}

}  // namespace

const std::vector<std::string>& BackupPolicyKeys() {
  static const std::vector<std::string> keys = {"backup_schedule",
                                                "check_schedule",
                                                "retention_keep_last",
                                                "retention_keep_daily",
                                                "retention_keep_weekly",
                                                "retention_keep_monthly",
                                                "retention_before_import_days",
                                                "test_restore_schedule"};
  return keys;
}

std::map<std::string, std::string> DefaultBackupPolicyValues() {
  const RetentionPolicy r;
  return {{"backup_schedule", "off"},
          {"check_schedule", FormatSchedule(DefaultCheckSchedule())},
          {"retention_keep_last", std::to_string(r.keep_last)},
          {"retention_keep_daily", std::to_string(r.keep_daily)},
          {"retention_keep_weekly", std::to_string(r.keep_weekly)},
          {"retention_keep_monthly", std::to_string(r.keep_monthly)},
          {"retention_before_import_days", std::to_string(r.before_import_days)},
          {"test_restore_schedule", FormatSchedule(DefaultTestRestoreSchedule())}};
}

Result<BackupPolicy> ParseBackupPolicy(const std::map<std::string, std::string>& values) {
  std::map<std::string, std::string> all = DefaultBackupPolicyValues();
  for (const auto& [key, value] : values) {
    if (all.count(key) == 0) {
      return Status::InvalidArgument("'" + key + "' is not a backup policy setting");
    }
    all[key] = value;
  }
  BackupPolicy p;
  ARKWIKI_ASSIGN_OR_RETURN(p.backup, Schedule("backup_schedule", all["backup_schedule"]));
  ARKWIKI_ASSIGN_OR_RETURN(p.check, Schedule("check_schedule", all["check_schedule"]));
  ARKWIKI_ASSIGN_OR_RETURN(p.test_restore,
                           Schedule("test_restore_schedule", all["test_restore_schedule"]));
  ARKWIKI_ASSIGN_OR_RETURN(p.retention.keep_last, Count("retention_keep_last", all));
  ARKWIKI_ASSIGN_OR_RETURN(p.retention.keep_daily, Count("retention_keep_daily", all));
  ARKWIKI_ASSIGN_OR_RETURN(p.retention.keep_weekly, Count("retention_keep_weekly", all));
  ARKWIKI_ASSIGN_OR_RETURN(p.retention.keep_monthly, Count("retention_keep_monthly", all));
  ARKWIKI_ASSIGN_OR_RETURN(p.retention.before_import_days,
                           Count("retention_before_import_days", all));
  ARKWIKI_RETURN_IF_ERROR(ValidateRetention(p.retention));
  return p;
}

void BackupService::InitSchedule() {
  notifier_ = std::make_unique<WebhookNotifier>(NewPocoHttpPoster());
  // This program runs `backup test-restore`: the server is the arkwiki binary.
  test_restore_ = ChildTestRestoreRunner("/proc/self/exe");
  work_ = std::make_unique<ServiceWork>(this);
  scheduler_ = std::make_unique<BackupScheduler>(
      work_.get(), [] { return NowUnixSeconds(); },
      [] { LowerThisThreadToBackgroundOnce("backup scheduler"); });
  offsite_ = std::make_unique<OffsiteCopies>(app_.env(), app_.layout().root);
  offsite_->Start([this] {
    LowerThisThreadToBackgroundOnce("off-site copier");
    RunOffsiteCopies();
  });
}

void BackupService::SetScheduleSeams(BackupScheduler::Clock clock,
                                     std::unique_ptr<HttpPoster> poster) {
  scheduler_ = std::make_unique<BackupScheduler>(
      work_.get(), std::move(clock), [] { LowerThisThreadToBackgroundOnce("backup scheduler"); });
  notifier_ = std::make_unique<WebhookNotifier>(std::move(poster));
}

void BackupService::StartScheduler() {
  scheduler_->Start();
  RequestOffsiteCopy();  // what the targets missed while the server was down
}

void BackupService::PolicyChanged() { (void)scheduler_->Wake(); }

void BackupService::Shutdown() {
  scheduler_->Stop();
  offsite_->Stop();
  jobs_.JoinAll();
}

std::string BackupService::PolicyPath() const { return JoinPath(app_.layout().root, kPolicyFile); }

std::map<std::string, std::string> BackupService::PolicyValues() {
  std::map<std::string, std::string> values = DefaultBackupPolicyValues();
  auto text = ReadFileToString(app_.env(), PolicyPath(), 64 << 10);
  if (!text.ok()) {
    if (text.status().code() != StatusCode::kNotFound) {
      LogWarning("cannot read the backup policy: " + text.status().ToString());
    }
    return values;
  }
  size_t begin = 0;
  while (begin < text->size()) {
    size_t end = text->find('\n', begin);
    if (end == std::string::npos) end = text->size();
    const std::string line = text->substr(begin, end - begin);
    begin = end + 1;
    const size_t eq = line.find('=');
    if (line.empty() || line[0] == '#' || eq == std::string::npos) continue;
    const std::string key(Trim(line.substr(0, eq)));
    const auto known = values.find(key);
    if (known != values.end()) known->second = std::string(Trim(line.substr(eq + 1)));
  }
  return values;
}

BackupPolicy BackupService::Policy() {
  auto policy = ParseBackupPolicy(PolicyValues());
  if (policy.ok()) return *policy;
  LogWarning("the stored backup policy is not valid (" + policy.status().message() +
             "); using the defaults");
  BackupPolicy fallback;
  fallback.backup = DefaultBackupSchedule();
  fallback.check = DefaultCheckSchedule();
  fallback.test_restore = DefaultTestRestoreSchedule();
  return fallback;
}

Status BackupService::UpdatePolicy(const std::map<std::string, std::string>& values,
                                   const std::string& actor) {
  if (values.empty()) return Status::InvalidArgument("no backup policy setting given");
  std::lock_guard<std::mutex> lock(policy_mu_);
  std::map<std::string, std::string> all = PolicyValues();
  std::string detail;
  for (const auto& [key, value] : values) {
    if (all.count(key) == 0) {
      return Status::InvalidArgument("'" + key + "' is not a backup policy setting");
    }
    all[key] = std::string(Trim(value));
    detail += (detail.empty() ? "" : ", ") + key + "=" + all[key];
  }
  ARKWIKI_ASSIGN_OR_RETURN(BackupPolicy policy, ParseBackupPolicy(all));
  // The canonical spelling is what is stored.
  all["backup_schedule"] = FormatSchedule(policy.backup);
  all["check_schedule"] = FormatSchedule(policy.check);
  all["test_restore_schedule"] = FormatSchedule(policy.test_restore);
  std::string text = "# The automatic backup policy; edit it under Settings -> Backup & Import.\n";
  for (const std::string& key : BackupPolicyKeys()) text += key + " = " + all[key] + "\n";
  ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(app_.env(), PolicyPath(), text));
  Status audited = app_.storage().audit().Append(actor, AuditKind::kSettingsUpdate, detail);
  if (!audited.ok()) LogWarning("backup policy saved but not audited: " + audited.ToString());
  PolicyChanged();
  return Status::Ok();
}

AutoBackupStatus BackupService::AutoStatus() {
  std::lock_guard<std::mutex> lock(status_mu_);
  return status_;
}

SchedulePlan BackupService::PlanSchedule(int64_t /*now*/) {
  const BackupPolicy policy = Policy();
  SchedulePlan plan;
  plan.backup = policy.backup;
  plan.check = policy.check;
  plan.test_restore = policy.test_restore;
  int64_t tested = 0;
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    tested = status_.last_test_restore;
  }
  auto points = points_.List();
  if (!points.ok() || points->empty()) return plan;
  int64_t checked = 0;
  for (const SnapshotInfo& p : *points) {
    if (p.trigger != SnapshotTrigger::kBeforeImport) {
      plan.last_backup = std::max(plan.last_backup.value_or(p.created), p.created);
    }
    checked = std::max(checked, p.check.checked_at);
  }
  // Not checked yet: the first check is due at the slot after the oldest point.
  plan.last_check = checked > 0 ? checked : points->front().created;
  plan.last_test_restore = tested > 0 ? tested : points->front().created;
  return plan;
}

void BackupService::Alert(const std::string& event, int64_t now, const std::string& message,
                          std::map<std::string, std::string> details) {
  const SiteSettings settings = app_.settings();
  WebhookEvent e{
      event, now, message, settings.instance_id, settings.site_title, std::move(details)};
  Status s = notifier_->Notify(settings.backup_webhook_url, e);
  if (!s.ok()) LogWarning("backup alert not sent: " + s.ToString());
}

Status BackupService::ApplyRetention(const RetentionPolicy& policy, int64_t now) {
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> points, points_.List());
  std::vector<RetentionPoint> input;
  input.reserve(points.size());
  for (const SnapshotInfo& p : points) {
    input.push_back({p.id, p.created, SnapshotTriggerName(p.trigger),
                     p.check.state == CheckStatus::State::kPassed});
  }
  const RetentionDecision decision = arkwiki::ApplyRetention(policy, std::move(input), now);
  if (!decision.forget.empty()) {
    const Status forgot = points_.Forget(decision.forget);
    std::string ids;
    for (const std::string& id : decision.forget) ids += (ids.empty() ? "" : " ") + id;
    Journal({now, "forget", forgot.ok() ? "ok" : "failed", "", ids, 0, 0,
             forgot.ok() ? "" : forgot.message()});
    ARKWIKI_RETURN_IF_ERROR(forgot);
  }
  const auto started = std::chrono::steady_clock::now();
  auto pruned = points_.Prune();
  // The repository is busy (an off-site copy reads it, or the CLI holds
  // it): the next run prunes, unless that has gone on too long.
  const bool busy = pruned.status().code() == StatusCode::kBusy;
  const bool skipped = busy && ++skipped_prunes_ < kMaxSkippedPrunes;
  if (!busy) {
    skipped_prunes_ = 0;
  } else if (!skipped) {
    pruned = Status::Busy("no prune for " + std::to_string(skipped_prunes_) +
                          " scheduled runs in a row: " + pruned.status().message());
  }
  const char* outcome = skipped ? "skipped" : pruned.ok() ? "ok" : "failed";
  Journal({now, "prune", outcome, "", "", pruned.ok() ? pruned->bytes_removed : 0,
           MillisSince(started),
           pruned.ok() ? std::to_string(pruned->objects_removed) + " objects removed"
                       : pruned.status().message()});
  return skipped ? Status::Ok() : pruned.status();
}

Status BackupService::RunScheduledBackup(int64_t now) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  const BackupPolicy policy = Policy();
  const auto started = std::chrono::steady_clock::now();
  SnapshotRequest request;
  request.trigger = SnapshotTrigger::kScheduled;
  request.made_by = kActor;
  auto point = points_.Snapshot(request);
  ::malloc_trim(0);  // as after a manual restore point
  const auto duration = std::chrono::steady_clock::now() - started;
  // The CLI holds the repository: not a failure, the scheduler tries again.
  if (point.status().code() == StatusCode::kBusy) return point.status();
  Status s = point.status();
  if (point.ok()) {
    Journal({now, "restore_point", "ok", "", point->id, point->new_bytes, WholeMillis(duration),
             "scheduled"});
    s = ApplyRetention(policy.retention, now);
    RequestOffsiteCopy();
  } else {
    Journal({now, "restore_point", "failed", "", "", 0, WholeMillis(duration), s.message()});
  }
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    if (s.ok()) {
      status_.last_success = now;
      status_.last_success_point = point->id;
      status_.last_duration_seconds = static_cast<double>(WholeMillis(duration)) / 1000.0;
      status_.last_bytes = point->total_bytes;
      return s;
    }
    status_.last_failure = now;
    status_.last_failure_message = s.message();
    ++status_.failures_total;
  }
  Alert("backup_failed", now, s.message(), {{"trigger", "scheduled"}});
  return s;
}

Status BackupService::RunScheduledCheck(int64_t now) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  const auto started = std::chrono::steady_clock::now();
  auto report = points_.Check(kCheckReadPercent);
  const auto ms = MillisSince(started);
  const std::string problem = CheckProblem(report);
  Journal({now, "check", problem.empty() ? "ok" : "failed", "", "",
           report.ok() ? report->bytes_hashed : 0, ms, problem});
  RecordCheck(now, problem);
  return report.status();
}

std::string CheckProblem(const Result<CheckReport>& report) {
  if (!report.ok()) return "the check could not run: " + report.status().message();
  if (report->ok()) return "";
  return std::to_string(report->damaged.size()) + " damaged objects, " +
         std::to_string(report->snapshot_problems.size()) + " damaged restore points";
}

void BackupService::RecordCheck(int64_t now, const std::string& problem) {
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    status_.last_check = now;
    status_.last_check_passed = problem.empty();
    status_.last_check_message = problem;
  }
  if (!problem.empty()) Alert("check_failed", now, problem, {});
}

void BackupService::CheckStale(int64_t now) {
  for (const std::string& target :
       offsite_->NewlyStale(now, OffsiteStaleAfter(), HaveGoodPoint())) {
    Alert("offsite_stale", now,
          "the newest restore point on off-site target " + target + " is older than " +
              std::to_string(OffsiteStaleAfter() / 3600) + " hours",
          {{"target", target}});
  }
  const BackupHealth health = points_.Health(now);
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    if (health.status != "stale") {
      status_.last_stale_alert = 0;
      return;
    }
    // One alert per stale period.
    if (status_.last_stale_alert != 0 &&
        now - status_.last_stale_alert < RestorePoints::kDefaultStaleAfterSeconds) {
      return;
    }
    status_.last_stale_alert = now;
  }
  const std::string message = health.newest_good_age_seconds
                                  ? "the newest good restore point is " +
                                        std::to_string(*health.newest_good_age_seconds / 3600) +
                                        " hours old"
                                  : std::string("there is no good restore point");
  Alert("backup_stale", now, message, {});
}

uint64_t BackupService::RepositoryDiskBytes() {
  const std::string configured = points_.dir();
  const std::string dir = configured.empty() ? DefaultBackupDir(app_.layout().root) : configured;
  uint64_t total = 0;
  std::error_code ec;
  for (std::filesystem::recursive_directory_iterator it(dir, ec), end; !ec && it != end;
       it.increment(ec)) {
    std::error_code size_ec;
    if (it->is_regular_file(size_ec)) total += it->file_size(size_ec);
  }
  return total;
}

}  // namespace arkwiki::web
