// Which restore points a retention policy keeps, and which it forgets.
//
// The keep rules follow `restic forget --keep-*` (restic 0.17), applied to
// the restore points made by a backup (trigger manual, scheduled or cli),
// sorted newest first:
//
//   keep_last N      the N newest restore points;
//   keep_daily N     for the N newest calendar days that have a restore
//                    point, the newest point of each day;
//   keep_weekly N    the same per ISO 8601 week (Monday to Sunday);
//   keep_monthly N   the same per calendar month.
//
// Each rule counts on its own, and a point kept by any rule is kept. When a
// daily, weekly or monthly rule still has count left after the newest point
// of every bucket, the oldest restore point is kept as well (as restic does),
// so that the history kept is as long as the policy allows. Days, weeks and
// months are UTC, like the backup schedule.
//
// Restore points taken before an import (trigger "before-import") are not
// counted by those rules: each is kept for before_import_days days after it
// was made, then forgotten.
//
// Whatever the policy says, the newest restore point that passed its checks
// is never forgotten. Applying the policy to the points it kept forgets
// nothing more.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki {

struct RetentionPolicy {
  int keep_last = 3;
  int keep_daily = 7;
  int keep_weekly = 4;
  int keep_monthly = 6;
  int before_import_days = 30;

  static constexpr int kMaxCount = 10000;
};

// kInvalidArgument when a count is negative or above kMaxCount, or when the
// keep_* rules are all 0 (a policy that keeps no backup is a mistake, and
// restic refuses it too).
Status ValidateRetention(const RetentionPolicy& policy);

// What the policy needs to know about one restore point.
struct RetentionPoint {
  std::string id;
  int64_t created = 0;  // Unix seconds
  std::string trigger;  // "manual", "scheduled", "before-import" or "cli"
  bool check_passed = false;
};

struct RetentionDecision {
  struct Kept {
    std::string id;
    // Why, for the UI and the journal: "last 1", "daily 2026-12-02",
    // "weekly 2026-W49", "monthly 2026-12", "oldest (daily)",
    // "before-import, 30 days", "newest that passed its checks".
    std::vector<std::string> reasons;
  };
  std::vector<Kept> keep;           // newest first
  std::vector<std::string> forget;  // newest first
};

// Decides for every point in `points` (any order; ids unique). Points of
// equal time are ordered by id, so the result depends only on the input
// set. `now` (Unix seconds) dates the before-import rule. The policy is not
// validated here: call ValidateRetention first.
RetentionDecision ApplyRetention(const RetentionPolicy& policy, std::vector<RetentionPoint> points,
                                 int64_t now);

}  // namespace arkwiki
