// Retention: restic's bucket algorithm (a rule keeps a point when its
// bucket differs from the last bucket that rule kept, while the rule has
// count left), over UTC calendar days, ISO weeks and months.
#include "arkwiki/backup/retention.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>

#include "arkwiki/core/clock.h"

namespace arkwiki {
namespace {

constexpr const char* kBeforeImport = "before-import";

std::chrono::sys_days DayOf(int64_t unix_seconds) {
  const int64_t d = unix_seconds / kSecondsPerDay - (unix_seconds % kSecondsPerDay < 0 ? 1 : 0);
  return std::chrono::sys_days{std::chrono::days{d}};
}

std::string DayKey(int64_t t) {
  const std::chrono::year_month_day ymd{DayOf(t)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return buf;
}

// ISO 8601: the week belongs to the year of its Thursday.
std::string WeekKey(int64_t t) {
  using std::chrono::days;
  const std::chrono::sys_days day = DayOf(t);
  const std::chrono::weekday wd{day};
  const std::chrono::sys_days thursday = day - (wd - std::chrono::Monday) + days{3};
  const std::chrono::year year = std::chrono::year_month_day{thursday}.year();
  const std::chrono::sys_days jan1{year / std::chrono::January / 1};
  const auto week = static_cast<unsigned>((thursday - jan1).count() / 7 + 1);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-W%02u", static_cast<int>(year), week);
  return buf;
}

std::string MonthKey(int64_t t) {
  const std::chrono::year_month_day ymd{DayOf(t)};
  char buf[32];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  return buf;
}

struct Rule {
  const char* name;
  int count;
  std::function<std::string(int64_t, size_t)> bucket;
  std::string last;
};

bool NewerFirst(const RetentionPoint& a, const RetentionPoint& b) {
  if (a.created != b.created) return a.created > b.created;
  return a.id > b.id;
}

// restic's loop over the regular points, newest first.
std::map<std::string, std::vector<std::string>> KeepByRules(
    const RetentionPolicy& policy, const std::vector<const RetentionPoint*>& regular) {
  std::vector<Rule> rules = {
      {"last", policy.keep_last, [](int64_t, size_t n) { return std::to_string(n + 1); }, ""},
      {"daily", policy.keep_daily, [](int64_t t, size_t) { return DayKey(t); }, ""},
      {"weekly", policy.keep_weekly, [](int64_t t, size_t) { return WeekKey(t); }, ""},
      {"monthly", policy.keep_monthly, [](int64_t t, size_t) { return MonthKey(t); }, ""},
  };
  std::map<std::string, std::vector<std::string>> reasons;
  for (size_t n = 0; n < regular.size(); ++n) {
    const RetentionPoint& p = *regular[n];
    const bool oldest = n + 1 == regular.size();
    for (Rule& rule : rules) {
      if (rule.count <= 0) continue;
      const std::string key = rule.bucket(p.created, n);
      const bool is_last_rule = std::string_view(rule.name) == "last";
      if (key != rule.last) {
        reasons[p.id].push_back(std::string(rule.name) + " " + key);
      } else if (oldest && !is_last_rule) {
        reasons[p.id].push_back(std::string("oldest (") + rule.name + ")");
      } else {
        continue;
      }
      rule.last = key;
      --rule.count;
    }
  }
  return reasons;
}

}  // namespace

Status ValidateRetention(const RetentionPolicy& p) {
  for (int v : {p.keep_last, p.keep_daily, p.keep_weekly, p.keep_monthly, p.before_import_days}) {
    if (v < 0 || v > RetentionPolicy::kMaxCount) {
      return Status::InvalidArgument("retention: each count must be between 0 and " +
                                     std::to_string(RetentionPolicy::kMaxCount));
    }
  }
  if (p.keep_last + p.keep_daily + p.keep_weekly + p.keep_monthly == 0) {
    return Status::InvalidArgument(
        "retention: keep last, daily, weekly and monthly are all 0; set at least one");
  }
  return Status::Ok();
}

RetentionDecision ApplyRetention(const RetentionPolicy& policy, std::vector<RetentionPoint> points,
                                 int64_t now) {
  std::sort(points.begin(), points.end(), NewerFirst);
  std::vector<const RetentionPoint*> regular;
  for (const RetentionPoint& p : points) {
    if (p.trigger != kBeforeImport) regular.push_back(&p);
  }
  std::map<std::string, std::vector<std::string>> reasons = KeepByRules(policy, regular);
  const int64_t import_cutoff = now - int64_t{policy.before_import_days} * kSecondsPerDay;
  bool newest_passed_seen = false;
  for (const RetentionPoint& p : points) {
    if (p.trigger == kBeforeImport && p.created > import_cutoff) {
      reasons[p.id].push_back("before-import, " + std::to_string(policy.before_import_days) +
                              " days");
    }
    if (p.check_passed && !newest_passed_seen) {
      newest_passed_seen = true;
      reasons[p.id].push_back("newest that passed its checks");
    }
  }
  RetentionDecision decision;
  for (const RetentionPoint& p : points) {
    auto it = reasons.find(p.id);
    if (it == reasons.end()) {
      decision.forget.push_back(p.id);
    } else {
      decision.keep.push_back({p.id, std::move(it->second)});
    }
  }
  return decision;
}

}  // namespace arkwiki
