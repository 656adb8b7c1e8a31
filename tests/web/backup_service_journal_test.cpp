// BackupService and the backup journal: what an admin does is journaled
// with who did it; a test restore (with a fake runner: the real one, a child
// `arkwiki backup test-restore`, is covered over HTTP in
// tests/integration/backup_schedule_web_test.cpp) is journaled, kept for
// Settings, health and /metrics, and alerted; and a restart recalls the last
// failure from the journal.
#include <gtest/gtest.h>

#include <unistd.h>

#include <mutex>

#include "app.h"
#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/file_lock.h"
#include "backup_service.h"
#include "support/backed_up_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "web/recording_poster.h"

namespace arkwiki::web {
namespace {

class BackupJournalServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedArchiveAndLive(source_, dir_.Sub("a.zip"), live_);
    if (HasFatalFailure()) return;
    OpenApp();
  }
  void OpenApp() {
    app_.reset();
    auto storage = Storage::Open(Env::Default(), live_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    app_ = std::make_unique<WikiApp>(Env::Default(), std::move(storage).value());
    auto poster = std::make_unique<RecordingPoster>();
    poster_ = poster.get();
    backup().SetScheduleSeams([] { return NowUnixSeconds(); }, std::move(poster));
    ASSERT_TRUE(app_->storage()
                    .settings()
                    .Update({{"backup_webhook_url", "http://hooks.test/alert"}})
                    .ok());
  }
  BackupService& backup() { return app_->backup(); }
  std::vector<JournalEntry> Journal() {
    auto read = backup().ReadJournal(0, 100);
    EXPECT_TRUE(read.ok()) << read.status().ToString();
    return read.ok() ? read->entries : std::vector<JournalEntry>{};
  }
  // The newest entry of `event`, or an entry with an empty event.
  JournalEntry Newest(const std::string& event) {
    for (const JournalEntry& e : Journal()) {
      if (e.event == event) return e;
    }
    return {};
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  RecordingPoster* poster_ = nullptr;
  std::unique_ptr<WikiApp> app_;
};

TEST_F(BackupJournalServiceTest, EveryActionOnRestorePointsIsJournaledWithWhoDidIt) {
  auto point = backup().CreatePoint("alice", "mine");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  StringByteSink sink;
  ASSERT_TRUE(backup().ExportPoint(point->id, &sink, "bob").ok());
  ASSERT_TRUE(backup().CheckPoint(point->id, "carol").ok());
  StringByteSink backup_sink;
  ASSERT_TRUE(backup().WriteBackup(&backup_sink, "dave", "download x.zip").ok());
  ASSERT_TRUE(backup().DeletePoint(point->id, "erin").ok());

  const std::vector<JournalEntry> entries = Journal();
  ASSERT_EQ(entries.size(), 5u);
  // Newest first.
  EXPECT_EQ(entries[0].event, "forget");
  EXPECT_EQ(entries[0].actor, "erin");
  EXPECT_EQ(entries[0].subject, point->id);
  EXPECT_EQ(entries[1].event, "backup");
  EXPECT_EQ(entries[1].actor, "dave");
  EXPECT_EQ(entries[1].bytes, backup_sink.data().size());
  EXPECT_EQ(entries[2].event, "check");
  EXPECT_EQ(entries[2].actor, "carol");
  EXPECT_EQ(entries[2].outcome, "ok");
  EXPECT_EQ(entries[3].event, "download");
  EXPECT_EQ(entries[3].actor, "bob");
  EXPECT_EQ(entries[3].bytes, sink.data().size());
  EXPECT_EQ(entries[4].event, "restore_point");
  EXPECT_EQ(entries[4].actor, "alice");
  EXPECT_EQ(entries[4].subject, point->id);
  // The manual check counts as the last check.
  EXPECT_EQ(backup().AutoStatus().last_check_passed, std::optional<bool>(true));

  // Paging: offset skips the newest.
  auto page = backup().ReadJournal(3, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->entries.size(), 2u);
  EXPECT_EQ(page->entries[0].event, "download");
}

TEST_F(BackupJournalServiceTest, CheckNowRunsInTheBackgroundAndJournalsItsOutcome) {
  auto point = backup().CreatePoint("alice", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  EXPECT_EQ(backup().StartCheck("20260101T000000Z-abcdef", "carol").code(), StatusCode::kNotFound);
  ASSERT_TRUE(backup().StartCheck(point->id, "carol").ok());
  backup().Shutdown();  // waits for the check's thread
  const JournalEntry e = Newest("check");
  EXPECT_EQ(e.outcome, "ok") << e.message;
  EXPECT_EQ(e.actor, "carol");
  EXPECT_EQ(e.subject, point->id);
  auto checked = backup().FindPoint(point->id);
  ASSERT_TRUE(checked.ok());
  EXPECT_EQ(checked->check.state, CheckStatus::State::kPassed);
}

TEST_F(BackupJournalServiceTest, ARestoreFromARestorePointJournalsTheImportAndItsSafetyPoint) {
  auto point = backup().CreatePoint("alice", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  auto done = backup().RestorePoint(point->id, "alice", /*dry_run=*/false);
  ASSERT_TRUE(done.ok()) << done.status().ToString();
  ASSERT_TRUE(done->outcome.has_value());
  const JournalEntry import = Newest("import");
  EXPECT_EQ(import.outcome, "ok");
  EXPECT_EQ(import.actor, "alice");
  EXPECT_NE(import.message.find("restore point " + done->outcome->safety_point), std::string::npos)
      << import.message;
  const JournalEntry safety = Newest("restore_point");
  EXPECT_EQ(safety.subject, done->outcome->safety_point);
  EXPECT_EQ(safety.message, "before-import");
  // The journal lives outside live/: the import did not take it away.
  EXPECT_EQ(Journal().size(), 3u);
}

TEST_F(BackupJournalServiceTest, AFailedTestRestoreIsJournaledAlertedAndMakesHealthFail) {
  auto point = backup().CreatePoint("alice", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  std::string tested;
  backup().SetTestRestoreRunner(
      [&tested](const std::string& archive, const std::string&) -> Result<TestRestoreRun> {
        auto exists = Env::Default()->FileExists(archive);
        tested = exists.ok() && *exists ? archive : "missing " + archive;
        return TestRestoreRun{false, "pages: manifest 3, served 2"};
      });
  const int64_t now = NowUnixSeconds();
  EXPECT_EQ(backup().RunTestRestore(now, "scheduler").code(), StatusCode::kCorruption);
  EXPECT_NE(tested.find(point->id + ".zip"), std::string::npos) << tested;
  // The exported archive is gone afterwards.
  EXPECT_FALSE(*Env::Default()->FileExists(tested));

  const JournalEntry e = Newest("test_restore");
  EXPECT_EQ(e.outcome, "failed");
  EXPECT_EQ(e.subject, point->id);
  EXPECT_EQ(e.message, "pages: manifest 3, served 2");
  const AutoBackupStatus status = backup().AutoStatus();
  EXPECT_EQ(status.last_test_restore, now);
  EXPECT_EQ(status.last_test_restore_passed, std::optional<bool>(false));
  const BackupHealth health = backup().Health();
  EXPECT_EQ(health.status, "failing");
  EXPECT_NE(health.last_error.find("served 2"), std::string::npos) << health.last_error;
  backup().notifier().WaitIdle();
  ASSERT_EQ(poster_->posts().size(), 1u);
  EXPECT_NE(poster_->posts()[0].find("\"event\":\"test_restore_failed\""), std::string::npos);
}

TEST_F(BackupJournalServiceTest, APassingTestRestoreIsJournaledAndNeedsARestorePoint) {
  backup().SetTestRestoreRunner([](const std::string&, const std::string&) {
    return Result<TestRestoreRun>(TestRestoreRun{true, "8 checks passed"});
  });
  EXPECT_EQ(backup().RunTestRestore(NowUnixSeconds(), "alice").code(), StatusCode::kNotFound);
  EXPECT_TRUE(Journal().empty());
  ASSERT_TRUE(backup().CreatePoint("alice", "").ok());
  ASSERT_TRUE(backup().RunTestRestore(NowUnixSeconds(), "alice").ok());
  const JournalEntry e = Newest("test_restore");
  EXPECT_EQ(e.outcome, "ok");
  EXPECT_EQ(e.actor, "alice");
  EXPECT_EQ(backup().AutoStatus().last_test_restore_passed, std::optional<bool>(true));
  EXPECT_EQ(backup().Health().status, "ok");
}

TEST_F(BackupJournalServiceTest, ARestartStillShowsTheLastFailedBackup) {
  testing::WriteFileOrDie(dir_.Sub("not-a-dir"), "");
  backup().points().SetDir(dir_.Sub("not-a-dir") + "/repository");
  const int64_t now = NowUnixSeconds();
  ASSERT_FALSE(backup().RunScheduledBackup(now).ok());
  const std::string error = backup().AutoStatus().last_failure_message;
  ASSERT_FALSE(error.empty());
  OpenApp();  // a restart: nothing in memory survives it
  if (HasFatalFailure()) return;
  const AutoBackupStatus status = backup().AutoStatus();
  EXPECT_EQ(status.last_failure, now);
  EXPECT_EQ(status.last_failure_message, error);
}

TEST_F(BackupJournalServiceTest, APruneHeldOffByAnOffsiteCopyIsSkippedAndTheBackupSucceeds) {
  const std::string repo = dir_.Sub("repository");
  backup().points().SetDir(repo);
  ASSERT_TRUE(backup().RunScheduledBackup(NowUnixSeconds()).ok());
  // What a running off-site copy holds (docs/backup-repository.md).
  auto copying = AcquireSharedLock(repo + "/copy.lock");
  ASSERT_TRUE(copying.ok()) << copying.status().ToString();
  const int64_t now = NowUnixSeconds();
  Status run = backup().RunScheduledBackup(now);
  ::close(*copying);
  EXPECT_TRUE(run.ok()) << run.ToString();
  const JournalEntry prune = Newest("prune");
  EXPECT_EQ(prune.outcome, "skipped");
  EXPECT_NE(prune.message.find("off-site copy"), std::string::npos) << prune.message;
  EXPECT_EQ(backup().AutoStatus().last_failure, 0);
  backup().notifier().WaitIdle();
  EXPECT_TRUE(poster_->posts().empty()) << "no backup_failed alert";
  ASSERT_TRUE(backup().RunScheduledBackup(now + 1).ok());
  EXPECT_EQ(Newest("prune").outcome, "ok") << "the next run prunes";
}

TEST_F(BackupJournalServiceTest, APruneKeptFromRunningThreeRunsInARowFailsTheRunAndAlerts) {
  const std::string repo = dir_.Sub("repository");
  backup().points().SetDir(repo);
  ASSERT_TRUE(backup().RunScheduledBackup(NowUnixSeconds()).ok());
  auto copying = AcquireSharedLock(repo + "/copy.lock");  // a copy that never ends
  ASSERT_TRUE(copying.ok()) << copying.status().ToString();
  const int64_t now = NowUnixSeconds();
  EXPECT_TRUE(backup().RunScheduledBackup(now).ok());
  EXPECT_TRUE(backup().RunScheduledBackup(now + 1).ok());
  backup().notifier().WaitIdle();
  EXPECT_TRUE(poster_->posts().empty());
  const Status third = backup().RunScheduledBackup(now + 2);
  ::close(*copying);
  EXPECT_EQ(third.code(), StatusCode::kBusy) << third.ToString();
  const JournalEntry prune = Newest("prune");
  EXPECT_EQ(prune.outcome, "failed");
  EXPECT_NE(prune.message.find("3 scheduled runs in a row"), std::string::npos) << prune.message;
  EXPECT_EQ(backup().AutoStatus().last_failure, now + 2);
  backup().notifier().WaitIdle();
  ASSERT_EQ(poster_->posts().size(), 1u);
  EXPECT_NE(poster_->posts()[0].find("\"event\":\"backup_failed\""), std::string::npos);
}

TEST_F(BackupJournalServiceTest, ARestartStillShowsTheLastFailureInHealth) {
  auto point = backup().CreatePoint("alice", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  backup().SetTestRestoreRunner([](const std::string&, const std::string&) {
    return Result<TestRestoreRun>(TestRestoreRun{false, "pages rendered: 1 of 3 sampled"});
  });
  ASSERT_FALSE(backup().RunTestRestore(point->created + 1, "scheduler").ok());
  const std::string error = backup().Health().last_error;
  ASSERT_NE(error.find("1 of 3"), std::string::npos) << error;
  OpenApp();
  if (HasFatalFailure()) return;
  const BackupHealth health = backup().Health();
  EXPECT_EQ(health.status, "failing");
  EXPECT_EQ(health.last_error, error);
  EXPECT_EQ(backup().AutoStatus().last_test_restore, point->created + 1);
}

TEST_F(BackupJournalServiceTest, AFailureOlderThanTheNewestGoodPointLeavesHealthOkAfterARestart) {
  auto point = backup().CreatePoint("alice", "");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  backup().SetTestRestoreRunner([](const std::string&, const std::string&) {
    return Result<TestRestoreRun>(TestRestoreRun{false, "uploads: manifest 2, restored 1"});
  });
  // A failure recorded a minute before the restore point was made.
  ASSERT_FALSE(backup().RunTestRestore(point->created - 60, "scheduler").ok());
  OpenApp();
  if (HasFatalFailure()) return;
  EXPECT_EQ(backup().AutoStatus().last_test_restore_passed, std::optional<bool>(false));
  const BackupHealth health = backup().Health();
  EXPECT_EQ(health.status, "ok");
  EXPECT_NE(health.last_error.find("restored 1"), std::string::npos) << health.last_error;
}

}  // namespace
}  // namespace arkwiki::web
