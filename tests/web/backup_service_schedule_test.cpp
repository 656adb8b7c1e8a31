// BackupService's scheduled cycle: a scheduled restore point, retention and
// prune, each journaled; a failure journaled, kept for health and /metrics
// and sent to the webhook; the scheduler's thread makes the point a missed
// run asks for. The clock and the webhook's network are fakes.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <mutex>

#include "app.h"
#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/core/clock.h"
#include "backup_service.h"
#include "support/backed_up_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "web/recording_poster.h"

namespace arkwiki::web {
namespace {

class BackupScheduleServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedArchiveAndLive(source_, dir_.Sub("a.zip"), live_);
    if (HasFatalFailure()) return;
    auto storage = Storage::Open(Env::Default(), live_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    app_ = std::make_unique<WikiApp>(Env::Default(), std::move(storage).value());
    auto poster = std::make_unique<RecordingPoster>();
    poster_ = poster.get();
    app_->backup().SetScheduleSeams([this] { return now_.load(); }, std::move(poster));
    // The service's own runner starts /proc/self/exe, which here is this
    // test program, not arkwiki: a test restore only counts.
    app_->backup().SetTestRestoreRunner([this](const std::string&, const std::string&) {
      ++test_restores_;
      return Result<TestRestoreRun>(TestRestoreRun{true, "counted by the test"});
    });
  }
  BackupService& backup() { return app_->backup(); }
  std::vector<JournalEntry> Journal() {
    BackupJournal journal(Env::Default(), BackupJournal::JournalDir(app_->layout().root));
    auto read = journal.ReadNewest(100);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.ok() ? read->entries : std::vector<JournalEntry>{};
  }
  bool Journaled(const std::string& event, const std::string& outcome) {
    for (const JournalEntry& e : Journal()) {
      if (e.event == event && e.outcome == outcome && e.actor == "scheduler") return true;
    }
    return false;
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  std::atomic<int64_t> now_{NowUnixSeconds()};
  std::atomic<int> test_restores_{0};
  RecordingPoster* poster_ = nullptr;
  std::unique_ptr<WikiApp> app_;
};

TEST_F(BackupScheduleServiceTest, AScheduledRunMakesAScheduledPointAndJournalsIt) {
  ASSERT_TRUE(backup().RunScheduledBackup(now_).ok());
  auto points = backup().ListPoints();
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->front().trigger, SnapshotTrigger::kScheduled);
  EXPECT_TRUE(Journaled("restore_point", "ok"));
  EXPECT_TRUE(Journaled("prune", "ok"));
  const AutoBackupStatus status = backup().AutoStatus();
  EXPECT_EQ(status.last_success, now_.load());
  EXPECT_EQ(status.last_success_point, points->front().id);
  EXPECT_GT(status.last_bytes, 0u);
}

TEST_F(BackupScheduleServiceTest, RetentionForgetsWhatThePolicyDoesNotKeep) {
  for (int i = 0; i < 3; ++i) ASSERT_TRUE(backup().CreatePoint("admin", "").ok());
  ASSERT_TRUE(backup()
                  .UpdatePolicy({{"retention_keep_last", "1"},
                                 {"retention_keep_daily", "0"},
                                 {"retention_keep_weekly", "0"},
                                 {"retention_keep_monthly", "0"}},
                                "admin")
                  .ok());
  ASSERT_TRUE(backup().RunScheduledBackup(now_).ok());
  auto points = backup().ListPoints();
  ASSERT_TRUE(points.ok());
  // One point is left. Points made within one second are ordered by id, so
  // which of the four it is depends on their random ids.
  EXPECT_EQ(points->size(), 1u);
  EXPECT_TRUE(Journaled("forget", "ok"));
}

TEST_F(BackupScheduleServiceTest, APolicyThatKeepsNothingOrDoesNotParseIsRefused) {
  EXPECT_EQ(backup()
                .UpdatePolicy({{"retention_keep_last", "0"},
                               {"retention_keep_daily", "0"},
                               {"retention_keep_weekly", "0"},
                               {"retention_keep_monthly", "0"}},
                              "admin")
                .code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(backup().UpdatePolicy({{"backup_schedule", "hourly"}}, "admin").code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(backup().UpdatePolicy({{"site_title", "x"}}, "admin").code(),
            StatusCode::kInvalidArgument);
  ASSERT_TRUE(backup().UpdatePolicy({{"backup_schedule", " Daily 02:30 "}}, "admin").ok());
  EXPECT_EQ(backup().PolicyValues().at("backup_schedule"), "daily 02:30");
}

TEST_F(BackupScheduleServiceTest, AFailureIsJournaledKeptAndSentToTheWebhook) {
  testing::WriteFileOrDie(dir_.Sub("not-a-dir"), "");
  backup().points().SetDir(dir_.Sub("not-a-dir") + "/repository");
  ASSERT_TRUE(
      app_->storage().settings().Update({{"backup_webhook_url", "http://hooks.test/alert"}}).ok());
  EXPECT_FALSE(backup().RunScheduledBackup(now_).ok());
  EXPECT_TRUE(Journaled("restore_point", "failed"));
  const AutoBackupStatus status = backup().AutoStatus();
  EXPECT_EQ(status.failures_total, 1u);
  EXPECT_EQ(status.last_failure, now_.load());
  EXPECT_FALSE(status.last_failure_message.empty());
  EXPECT_FALSE(backup().Health().last_error.empty());
  backup().notifier().WaitIdle();
  const auto posts = poster_->posts();
  ASSERT_EQ(posts.size(), 1u);
  EXPECT_NE(posts[0].find("http://hooks.test/alert "), std::string::npos);
  EXPECT_NE(posts[0].find("\"event\":\"backup_failed\""), std::string::npos);
}

TEST_F(BackupScheduleServiceTest, StaleBackupsAreAlertedOncePerPeriod) {
  ASSERT_TRUE(
      app_->storage().settings().Update({{"backup_webhook_url", "http://hooks.test/alert"}}).ok());
  backup().CheckStale(now_);  // no restore point at all: stale
  backup().CheckStale(now_ + 3600);
  backup().notifier().WaitIdle();
  ASSERT_EQ(poster_->posts().size(), 1u);
  EXPECT_NE(poster_->posts()[0].find("\"event\":\"backup_stale\""), std::string::npos);
  backup().CheckStale(now_ + RestorePoints::kDefaultStaleAfterSeconds);
  backup().notifier().WaitIdle();
  EXPECT_EQ(poster_->posts().size(), 2u);
}

TEST_F(BackupScheduleServiceTest, TheSchedulerThreadMakesTheRunThatIsDue) {
  // The weekly check and test restore are off, so that what is due does not
  // depend on the time of day this test runs at (their defaults fall due
  // within its half hour early on Sundays).
  ASSERT_TRUE(backup()
                  .UpdatePolicy({{"backup_schedule", "every 1h"},
                                 {"check_schedule", "off"},
                                 {"test_restore_schedule", "off"}},
                                "admin")
                  .ok());
  backup().StartScheduler();
  backup().scheduler().WaitUntilHandled(backup().scheduler().Wake());
  auto points = backup().ListPoints();
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->front().trigger, SnapshotTrigger::kScheduled);
  // Not due again within the hour.
  now_ += 1800;
  backup().scheduler().WaitUntilHandled(backup().scheduler().Wake());
  EXPECT_EQ(backup().ListPoints()->size(), 1u);
  backup().Shutdown();
  EXPECT_EQ(test_restores_.load(), 0);
}

}  // namespace
}  // namespace arkwiki::web
