#include "arkwiki/backup/schedule.h"

#include <gtest/gtest.h>

#include <random>

#include "arkwiki/core/clock.h"
#include "backup/policy/iso_time.h"

namespace arkwiki {
namespace {

using testing::At;

TEST(ScheduleTest, ParsesAndFormatsEveryForm) {
  for (const char* text : {"off", "every 1h", "every 6h", "every 168h", "daily 00:00",
                           "daily 02:30", "weekly sun 03:00", "weekly sat 23:59"}) {
    auto parsed = ParseSchedule(text);
    ASSERT_TRUE(parsed.ok()) << text << ": " << parsed.status().ToString();
    EXPECT_EQ(FormatSchedule(*parsed), text);
  }
}

TEST(ScheduleTest, AcceptsBlanksAndUpperCaseAndFormatsCanonically) {
  auto parsed = ParseSchedule("  WEEKLY   Mon\t07:05 ");
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ(*parsed, BackupSchedule::Weekly(1, 7, 5));
  EXPECT_EQ(FormatSchedule(*parsed), "weekly mon 07:05");
}

TEST(ScheduleTest, RejectsMalformedTextWithAnInvalidArgument) {
  for (const char* text : {"",
                           "   ",
                           "never",
                           "off now",
                           "every",
                           "every 0h",
                           "every 169h",
                           "every 6",
                           "every h",
                           "every -1h",
                           "every 6 h",
                           "daily",
                           "daily 2:30",
                           "daily 24:00",
                           "daily 12:60",
                           "daily 02:30 extra",
                           "weekly 03:00",
                           "weekly sunday 03:00",
                           "weekly sun",
                           "daily 0a:00"}) {
    auto parsed = ParseSchedule(text);
    ASSERT_FALSE(parsed.ok()) << text;
    EXPECT_EQ(parsed.status().code(), StatusCode::kInvalidArgument) << text;
    EXPECT_NE(parsed.status().message().find("daily HH:MM"), std::string::npos)
        << "the message shows the valid forms: " << parsed.status().message();
  }
}

TEST(ScheduleTest, ValidateRejectsOutOfRangeFields) {
  EXPECT_FALSE(ValidateSchedule(BackupSchedule::EveryHours(0)).ok());
  EXPECT_FALSE(ValidateSchedule(BackupSchedule::Daily(24, 0)).ok());
  EXPECT_FALSE(ValidateSchedule(BackupSchedule::Weekly(7, 1, 0)).ok());
  EXPECT_TRUE(ValidateSchedule(DefaultBackupSchedule()).ok());
  EXPECT_EQ(FormatSchedule(DefaultCheckSchedule()), "weekly sun 03:30");
  EXPECT_EQ(FormatSchedule(DefaultTestRestoreSchedule()), "weekly sun 04:30");
}

TEST(ScheduleTest, OffNeverRuns) {
  EXPECT_FALSE(IsDue(BackupSchedule::Off(), std::nullopt, At("2026-12-02T10:00:00Z")));
  EXPECT_FALSE(NextRun(BackupSchedule::Off(), std::nullopt, 0).has_value());
}

TEST(ScheduleTest, NeverRunIsDueAtOnce) {
  const int64_t now = At("2026-12-02T10:00:00Z");
  for (const auto& s : {BackupSchedule::EveryHours(6), BackupSchedule::Daily(2, 30),
                        BackupSchedule::Weekly(0, 3, 0)}) {
    EXPECT_TRUE(IsDue(s, std::nullopt, now)) << FormatSchedule(s);
    EXPECT_EQ(NextRun(s, std::nullopt, now), now);
  }
}

TEST(ScheduleTest, DailyRunsAtTheUtcTimeOfDay) {
  const auto s = BackupSchedule::Daily(2, 30);
  const int64_t last = At("2026-12-02T02:30:05Z");
  EXPECT_FALSE(IsDue(s, last, At("2026-12-02T23:00:00Z")));
  EXPECT_EQ(NextRun(s, last, At("2026-12-02T23:00:00Z")), At("2026-12-03T02:30:00Z"));
  EXPECT_FALSE(IsDue(s, last, At("2026-12-03T02:29:59Z")));
  EXPECT_TRUE(IsDue(s, last, At("2026-12-03T02:30:00Z")));
}

TEST(ScheduleTest, ManualRunBeforeTheSlotDoesNotSkipIt) {
  const auto s = BackupSchedule::Daily(2, 30);
  EXPECT_TRUE(IsDue(s, At("2026-12-03T01:00:00Z"), At("2026-12-03T02:30:00Z")));
}

TEST(ScheduleTest, WeeklyRunsOnTheNamedDay) {
  const auto s = BackupSchedule::Weekly(0, 3, 0);  // Sunday 03:00; 2026-12-06 is a Sunday
  const int64_t last = At("2026-11-29T03:00:00Z");
  EXPECT_EQ(NextRun(s, last, At("2026-12-02T12:00:00Z")), At("2026-12-06T03:00:00Z"));
  EXPECT_FALSE(IsDue(s, last, At("2026-12-06T02:59:59Z")));
  EXPECT_TRUE(IsDue(s, last, At("2026-12-06T03:00:00Z")));
  const auto sat = BackupSchedule::Weekly(6, 23, 0);
  EXPECT_EQ(NextRun(sat, At("2026-12-05T23:00:00Z"), At("2026-12-05T23:30:00Z")),
            At("2026-12-12T23:00:00Z"));
}

TEST(ScheduleTest, EveryCountsFromTheLastRun) {
  const auto s = BackupSchedule::EveryHours(6);
  const int64_t last = At("2026-12-02T01:17:00Z");
  EXPECT_EQ(NextRun(s, last, At("2026-12-02T03:00:00Z")), At("2026-12-02T07:17:00Z"));
  EXPECT_TRUE(IsDue(s, last, At("2026-12-02T07:17:00Z")));
}

TEST(ScheduleTest, ClockThatWentBackMakesOneRunDue) {
  const auto s = BackupSchedule::Daily(2, 30);
  EXPECT_TRUE(IsDue(s, At("2026-12-05T02:30:00Z"), At("2026-12-02T12:00:00Z")));
}

// A server down for days, then started: one run, then the next slot.
TEST(ScheduleTest, MissedSlotsRunOnceAtStart) {
  for (const auto& s : {BackupSchedule::EveryHours(6), BackupSchedule::Daily(2, 30),
                        BackupSchedule::Weekly(3, 3, 0)}) {
    int64_t last = At("2026-11-01T02:30:00Z");
    const int64_t start = At("2026-12-02T12:00:00Z");
    ASSERT_TRUE(MissedRunAtStart(s, last, start)) << FormatSchedule(s);
    last = start;  // the one run
    int runs = 1;
    for (int64_t t = start; t < start + 3600; t += 60) {
      if (IsDue(s, last, t)) ++runs, last = t;
    }
    EXPECT_EQ(runs, 1) << FormatSchedule(s);
    EXPECT_GT(*NextRun(s, last, start + 60), start) << FormatSchedule(s);
  }
}

// Walking time forward minute by minute, a daily or weekly schedule runs
// exactly at its slots and NextRun always names the run that follows.
TEST(ScheduleTest, SimulatedMonthRunsExactlyAtEachSlot) {
  std::mt19937 rng(7);
  for (int round = 0; round < 20; ++round) {
    const int hour = static_cast<int>(rng() % 24);
    const int minute = static_cast<int>(rng() % 60);
    const bool weekly = (rng() % 2) == 0;
    const auto s = weekly ? BackupSchedule::Weekly(static_cast<int>(rng() % 7), hour, minute)
                          : BackupSchedule::Daily(hour, minute);
    const int64_t begin = At("2026-01-01T00:00:00Z");
    std::optional<int64_t> last = begin - 1;
    int64_t expected = *NextRun(s, last, begin);
    int runs = 0;
    for (int64_t t = begin; t < begin + 28 * 86400; t += 60) {
      if (!IsDue(s, last, t)) continue;
      EXPECT_EQ(t, expected) << FormatSchedule(s);
      ASSERT_EQ(t % 60, 0);
      EXPECT_EQ((t / 60) % 60, minute);
      EXPECT_EQ((t / 3600) % 24, hour);
      ++runs;
      last = t;
      expected = *NextRun(s, last, t);
      EXPECT_EQ(expected - t, weekly ? 7 * 86400 : 86400);
    }
    EXPECT_EQ(runs, weekly ? 4 : 28) << FormatSchedule(s);
  }
}

}  // namespace
}  // namespace arkwiki
