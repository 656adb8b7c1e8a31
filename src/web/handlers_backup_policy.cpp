#include "handlers_backup_policy.h"

#include <Poco/JSON/Object.h>

#include <cstdlib>

#include "arkwiki/core/clock.h"
#include "json_util.h"
#include "reauthentication.h"
#include "view_format.h"

namespace arkwiki::web::backup_policy {
namespace {

using Poco::JSON::Object;

constexpr char kBackupPage[] = "/settings/backup";
// The policy decides how long restore points are kept (retention forgets
// the others), so changing it needs reauthentication (reauthentication.h).
constexpr char kPolicyAction[] = "Changing the backup schedule";

Poco::Dynamic::Var TimeOrNull(int64_t unix_seconds) {
  if (unix_seconds <= 0) return {};
  return FormatIsoUtc(unix_seconds);
}

Object::Ptr StatusJson(BackupService& backup) {
  const AutoBackupStatus s = backup.AutoStatus();
  const int64_t now = NowUnixSeconds();
  const SchedulePlan plan = backup.PlanSchedule(now);
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("last_success", TimeOrNull(s.last_success));
  o->set("last_success_point", s.last_success_point);
  o->set("last_duration_seconds", s.last_duration_seconds);
  o->set("last_bytes", static_cast<Poco::UInt64>(s.last_bytes));
  o->set("last_failure", TimeOrNull(s.last_failure));
  o->set("last_failure_message", s.last_failure_message);
  o->set("failures_total", static_cast<Poco::UInt64>(s.failures_total));
  o->set("last_check", TimeOrNull(s.last_check));
  o->set("last_check_passed",
         s.last_check_passed ? Poco::Dynamic::Var(*s.last_check_passed) : Poco::Dynamic::Var());
  o->set("last_check_message", s.last_check_message);
  o->set("last_test_restore", TimeOrNull(s.last_test_restore));
  o->set("last_test_restore_passed", s.last_test_restore_passed
                                         ? Poco::Dynamic::Var(*s.last_test_restore_passed)
                                         : Poco::Dynamic::Var());
  o->set("last_test_restore_message", s.last_test_restore_message);
  const auto next = NextRun(plan.backup, plan.last_backup, now);
  o->set("next_backup", next ? TimeOrNull(*next) : Poco::Dynamic::Var());
  return o;
}

Object::Ptr PolicyJson(BackupService& backup) {
  const std::map<std::string, std::string> all = backup.PolicyValues();
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  for (const std::string& key : BackupPolicyKeys()) {
    const std::string& value = all.at(key);
    if (key.rfind("retention_", 0) == 0) {
      o->set(key, static_cast<int64_t>(std::strtoll(value.c_str(), nullptr, 10)));
    } else {
      o->set(key, value);
    }
  }
  o->set("status", StatusJson(backup));
  return o;
}

}  // namespace

void Get(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  SendJson(ex, 200, PolicyJson(backup));
}

void Put(BackupService& backup, const Renderer& pages, Exchange& ex) {
  if (RefuseUnconfirmedApiCall(backup.app(), ex, kPolicyAction)) return;
  auto body = ReadJsonObject(ex, 64 << 10);
  if (!body.ok()) return pages.SendError(ex, body.status());
  auto values = ObjectToStringMap(*body);
  if (!values.ok()) return pages.SendError(ex, values.status());
  Status s = backup.UpdatePolicy(*values, ex.user->name);
  if (!s.ok()) return pages.SendError(ex, s);
  SendJson(ex, 200, PolicyJson(backup));
}

void Form(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  if (RefuseUnconfirmedForm(backup.app(), ex, kPolicyAction, kBackupPage)) return;
  std::map<std::string, std::string> values;
  for (const std::string& key : BackupPolicyKeys()) values[key] = ex.Form(key);
  Status s = backup.UpdatePolicy(values, ex.user->name);
  if (!s.ok()) {
    return RedirectWithFlash(ex, kBackupPage, "Not saved: " + AsSentence(s.message()), "error");
  }
  RedirectWithFlash(ex, kBackupPage, "Backup schedule saved.");
}

void TestRestoreNow(BackupService& backup, const Renderer& pages, Exchange& ex) {
  Status s = backup.StartTestRestore(ex.user->name);
  if (!s.ok()) return pages.SendError(ex, s);
  Object::Ptr o = new Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("started", true);
  SendJson(ex, 202, o);
}

void TestRestoreForm(BackupService& backup, const Renderer& /*pages*/, Exchange& ex) {
  Status s = backup.StartTestRestore(ex.user->name);
  if (!s.ok()) {
    return RedirectWithFlash(ex, kBackupPage, "Not started: " + AsSentence(s.message()), "error");
  }
  RedirectWithFlash(ex, kBackupPage,
                    "Test restore started. Its result shows here and in the journal when it has "
                    "finished.");
}

void SetView(BackupService& backup, TemplateValue* data) {
  TemplateValue policy;
  for (const auto& [key, value] : backup.PolicyValues()) policy.Set(key, value);
  data->Set("policy", std::move(policy));
  const AutoBackupStatus s = backup.AutoStatus();
  const int64_t now = NowUnixSeconds();
  const SchedulePlan plan = backup.PlanSchedule(now);
  TemplateValue view;
  view.Set("last_success", s.last_success > 0 ? DateValue(s.last_success)
                           : plan.last_backup ? DateValue(*plan.last_backup)
                                              : TemplateValue());
  view.Set("last_failure", s.last_failure > 0 ? DateValue(s.last_failure) : TemplateValue());
  view.Set("last_failure_message", s.last_failure_message);
  const auto next = NextRun(plan.backup, plan.last_backup, now);
  view.Set("next_run", next ? DateValue(*next) : TemplateValue());
  view.Set("last_check", s.last_check > 0 ? DateValue(s.last_check) : TemplateValue());
  view.Set("check_failed", s.last_check_passed.has_value() && !*s.last_check_passed);
  view.Set("check_message", s.last_check_message);
  view.Set("last_test_restore",
           s.last_test_restore > 0 ? DateValue(s.last_test_restore) : TemplateValue());
  view.Set("test_restore_failed",
           s.last_test_restore_passed.has_value() && !*s.last_test_restore_passed);
  view.Set("test_restore_message", s.last_test_restore_message);
  uint64_t sum = 0;
  if (auto points = backup.ListPoints(); points.ok()) {
    for (const SnapshotInfo& p : *points) sum += p.total_bytes;
  }
  view.Set("repository_size", FormatBytes(static_cast<int64_t>(backup.RepositoryDiskBytes())));
  view.Set("points_size", FormatBytes(static_cast<int64_t>(sum)));
  data->Set("auto", std::move(view));
}

}  // namespace arkwiki::web::backup_policy
