#include "arkwiki/backup/retention.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <set>

#include "arkwiki/core/clock.h"
#include "backup/policy/iso_time.h"

namespace arkwiki {
namespace {

using testing::At;

RetentionPoint Point(std::string id, int64_t created, std::string trigger = "scheduled",
                     bool passed = true) {
  return {std::move(id), created, std::move(trigger), passed};
}

RetentionPolicy Only(int last, int daily, int weekly, int monthly, int import_days = 0) {
  RetentionPolicy p;
  p.keep_last = last;
  p.keep_daily = daily;
  p.keep_weekly = weekly;
  p.keep_monthly = monthly;
  p.before_import_days = import_days;
  return p;
}

std::set<std::string> KeptIds(const RetentionDecision& d) {
  std::set<std::string> ids;
  for (const auto& k : d.keep) ids.insert(k.id);
  return ids;
}

std::vector<std::string> ReasonsOf(const RetentionDecision& d, const std::string& id) {
  for (const auto& k : d.keep) {
    if (k.id == id) return k.reasons;
  }
  return {};
}

TEST(RetentionTest, ValidateRejectsNegativeAndAllZeroPolicies) {
  EXPECT_TRUE(ValidateRetention(RetentionPolicy{}).ok());
  EXPECT_EQ(ValidateRetention(Only(-1, 1, 0, 0)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRetention(Only(0, 0, 0, 0, 30)).code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ValidateRetention(Only(RetentionPolicy::kMaxCount + 1, 0, 0, 0)).code(),
            StatusCode::kInvalidArgument);
}

TEST(RetentionTest, KeepLastKeepsTheNewestN) {
  std::vector<RetentionPoint> points;
  for (int i = 0; i < 5; ++i) points.push_back(Point("p" + std::to_string(i), 1000 + i * 10));
  auto d = ApplyRetention(Only(2, 0, 0, 0), points, 2000);
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"p4", "p3"}));
  EXPECT_EQ(d.forget, (std::vector<std::string>{"p2", "p1", "p0"}));
  EXPECT_EQ(ReasonsOf(d, "p4"),
            (std::vector<std::string>{"last 1", "newest that passed its checks"}));
}

// As restic: the newest point per day; count left at the end keeps the oldest.
TEST(RetentionTest, DailyKeepsNewestPerDayAndTheOldestWhileCountIsLeft) {
  std::vector<RetentionPoint> points = {
      Point("d1-10", At("2026-12-01T10:00:00Z")), Point("d1-11", At("2026-12-01T11:00:00Z")),
      Point("d2-10", At("2026-12-02T10:00:00Z")), Point("d2-23", At("2026-12-02T23:59:59Z")),
      Point("d3-00", At("2026-12-03T00:00:00Z"))};
  auto d = ApplyRetention(Only(0, 2, 0, 0), points, At("2026-12-04T00:00:00Z"));
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"d3-00", "d2-23"}));
  EXPECT_EQ(ReasonsOf(d, "d2-23"), (std::vector<std::string>{"daily 2026-12-02"}));

  d = ApplyRetention(Only(0, 5, 0, 0), points, At("2026-12-04T00:00:00Z"));
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"d3-00", "d2-23", "d1-11", "d1-10"}));
  EXPECT_EQ(ReasonsOf(d, "d1-10"), (std::vector<std::string>{"oldest (daily)"}));
}

TEST(RetentionTest, WeeksAreIsoWeeksAndMonthsCalendarMonths) {
  // 2026-12-27 is a Sunday (ISO week 52), 2026-12-28 a Monday (2026-W53),
  // 2027-01-03 a Sunday, still 2026-W53.
  std::vector<RetentionPoint> points = {
      Point("sun", At("2026-12-27T12:00:00Z")), Point("mon", At("2026-12-28T12:00:00Z")),
      Point("jan3", At("2027-01-03T12:00:00Z")), Point("jan4", At("2027-01-04T12:00:00Z"))};
  auto d = ApplyRetention(Only(0, 0, 3, 0), points, At("2027-01-05T00:00:00Z"));
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"jan4", "jan3", "sun"}));
  EXPECT_EQ(ReasonsOf(d, "jan3"), (std::vector<std::string>{"weekly 2026-W53"}));
  EXPECT_EQ(ReasonsOf(d, "jan4"),
            (std::vector<std::string>{"weekly 2027-W01", "newest that passed its checks"}));

  d = ApplyRetention(Only(0, 0, 0, 1), points, At("2027-01-05T00:00:00Z"));
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"jan4"}));
  EXPECT_EQ(ReasonsOf(d, "jan4"),
            (std::vector<std::string>{"monthly 2027-01", "newest that passed its checks"}));
}

TEST(RetentionTest, BeforeImportPointsAreKeptForTheirDaysOnly) {
  const int64_t now = At("2026-12-31T00:00:00Z");
  std::vector<RetentionPoint> points = {Point("s", now - 3600),
                                        Point("young", now - 29 * 86400, "before-import"),
                                        Point("old", now - 30 * 86400, "before-import")};
  auto d = ApplyRetention(Only(1, 0, 0, 0, 30), points, now);
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"s", "young"}));
  EXPECT_EQ(ReasonsOf(d, "young"), (std::vector<std::string>{"before-import, 30 days"}));
  EXPECT_EQ(d.forget, (std::vector<std::string>{"old"}));
}

TEST(RetentionTest, NeverForgetsTheNewestPointThatPassedItsChecks) {
  std::vector<RetentionPoint> points = {Point("bad2", 300, "scheduled", false),
                                        Point("bad1", 200, "scheduled", false),
                                        Point("good", 100, "before-import", true)};
  auto d = ApplyRetention(Only(1, 0, 0, 0, 0), points, 10 * 86400);
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"bad2", "good"}));
  EXPECT_EQ(ReasonsOf(d, "good"), (std::vector<std::string>{"newest that passed its checks"}));
}

// The example in docs/backup-schedule.md.
TEST(RetentionTest, DocumentedExample) {
  std::vector<RetentionPoint> points;
  for (int day = 1; day <= 20; ++day) {
    points.push_back(
        Point("dec" + std::to_string(day), At("2026-12-01T02:30:00Z") + int64_t{day - 1} * 86400));
  }
  points.push_back(Point("manual", At("2026-12-20T15:00:00Z"), "manual"));
  auto d = ApplyRetention(Only(2, 3, 2, 0), points, At("2026-12-21T00:00:00Z"));
  EXPECT_EQ(KeptIds(d), (std::set<std::string>{"manual", "dec20", "dec19", "dec18", "dec13"}));
  EXPECT_EQ(ReasonsOf(d, "manual"),
            (std::vector<std::string>{"last 1", "daily 2026-12-20", "weekly 2026-W51",
                                      "newest that passed its checks"}));
  EXPECT_EQ(ReasonsOf(d, "dec20"), (std::vector<std::string>{"last 2"}));
  EXPECT_EQ(ReasonsOf(d, "dec13"), (std::vector<std::string>{"weekly 2026-W50"}));
  EXPECT_EQ(d.forget.size(), 16u);
}

// Random histories: every point is decided once, the invariant holds, the
// order of the input does not matter, and a second pass forgets nothing.
TEST(RetentionTest, RandomHistoriesKeepInvariantsAndAreIdempotent) {
  std::mt19937_64 rng(20261202);
  const char* triggers[] = {"manual", "scheduled", "before-import", "cli"};
  for (int round = 0; round < 500; ++round) {
    const int64_t now = At("2026-12-02T12:00:00Z");
    std::vector<RetentionPoint> points;
    const int n = static_cast<int>(rng() % 60);
    const int64_t span = int64_t{1 + static_cast<int>(rng() % 400)} * 86400;
    for (int i = 0; i < n; ++i) {
      points.push_back(Point("id" + std::to_string(i), now - static_cast<int64_t>(rng() % span),
                             triggers[rng() % 4], rng() % 3 != 0));
    }
    RetentionPolicy policy =
        Only(static_cast<int>(rng() % 4), static_cast<int>(rng() % 8), static_cast<int>(rng() % 6),
             static_cast<int>(rng() % 13), static_cast<int>(rng() % 40));
    if (!ValidateRetention(policy).ok()) policy.keep_last = 1;
    const RetentionDecision d = ApplyRetention(policy, points, now);
    ASSERT_EQ(d.keep.size() + d.forget.size(), points.size());

    const RetentionPoint* newest_passed = nullptr;
    for (const auto& p : points) {
      if (p.check_passed && (newest_passed == nullptr || p.created > newest_passed->created ||
                             (p.created == newest_passed->created && p.id > newest_passed->id))) {
        newest_passed = &p;
      }
    }
    const std::set<std::string> kept = KeptIds(d);
    if (newest_passed != nullptr) {
      EXPECT_TRUE(kept.count(newest_passed->id)) << round;
    }

    auto shuffled = points;
    std::shuffle(shuffled.begin(), shuffled.end(), rng);
    const RetentionDecision again = ApplyRetention(policy, shuffled, now);
    EXPECT_EQ(KeptIds(again), kept) << round;
    EXPECT_EQ(again.forget, d.forget) << round;

    std::vector<RetentionPoint> survivors;
    for (const auto& p : points) {
      if (kept.count(p.id)) survivors.push_back(p);
    }
    EXPECT_TRUE(ApplyRetention(policy, survivors, now).forget.empty()) << round;
  }
}

}  // namespace
}  // namespace arkwiki
