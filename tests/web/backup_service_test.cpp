// BackupService: a restore job's thread has ended when Shutdown returns;
// listing safety backups never deletes them, pruning does; an import keeps
// the data it replaces as a restore point, and Undo restores the newest
// safety copy, restore point or older safety backup; the backup health.
#include "backup_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/clock.h"
#include "support/backed_up_wiki.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"

namespace arkwiki::web {
namespace {

class BackupServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    archive_ = dir_.Sub("a.zip");
    testing::SeedArchiveAndLive(source_, archive_, live_);
    if (HasFatalFailure()) return;
    auto storage = Storage::Open(Env::Default(), live_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    app_ = std::make_unique<WikiApp>(Env::Default(), std::move(storage).value());
  }
  // An (empty) safety backup file named for `stamp` (YYYY-MM-DDTHHMMSSZ).
  std::string SafetyFile(const std::string& stamp) {
    const std::string safety = DataDirLayout(live_).safety;
    std::filesystem::create_directories(safety);
    const std::string path = safety + "/arkwiki-safety-" + stamp + "-abcdef.zip";
    testing::WriteFileOrDie(path, "");
    return path;
  }

  // Imports archive_ as a job and waits for it; the job.
  RestoreJob ImportAndWait() {
    BackupService& backup = app_->backup();
    auto staged = backup.StageFile(archive_, "admin");
    EXPECT_TRUE(staged.ok()) << staged.status().ToString();
    if (!staged.ok()) return {};
    EXPECT_TRUE(backup.StartRestore(*staged, "admin", "import").ok());
    backup.Shutdown();
    return backup.FindJob(staged->id).value_or(RestoreJob{});
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  std::string archive_;
  std::unique_ptr<WikiApp> app_;
};

TEST_F(BackupServiceTest, ShutdownReturnsOnlyAfterTheRestoreJobHasEnded) {
  BackupService& backup = app_->backup();
  auto staged = backup.StageFile(archive_, "admin");
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  ASSERT_TRUE(backup.StartRestore(*staged, "admin", "import").ok());
  backup.Shutdown();
  auto job = backup.FindJob(staged->id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state, "done") << job->message;
  EXPECT_EQ(testing::DumpWiki(live_), testing::DumpWiki(source_));
}

TEST_F(BackupServiceTest, NoRestoreStartsAfterShutdown) {
  BackupService& backup = app_->backup();
  auto staged = backup.StageFile(archive_, "admin");
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  backup.Shutdown();
  EXPECT_EQ(backup.StartRestore(*staged, "admin", "import").code(), StatusCode::kBusy);
  EXPECT_FALSE(backup.FindJob(staged->id).has_value());
}

TEST_F(BackupServiceTest, ListingSafetyBackupsNeverDeletesExpiredOnes) {
  const std::string oldest = SafetyFile("2001-01-01T000000Z");
  const std::string newest = SafetyFile("2001-01-02T000000Z");
  auto listed = app_->backup().SafetyBackups();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 2u);
  EXPECT_EQ(listed->front().path, newest);
  EXPECT_TRUE(std::filesystem::exists(oldest));
  EXPECT_TRUE(std::filesystem::exists(newest));
}

TEST_F(BackupServiceTest, PruningRemovesExpiredSafetyBackupsButNeverTheNewest) {
  const std::string oldest = SafetyFile("2001-01-01T000000Z");
  const std::string newest = SafetyFile("2001-01-02T000000Z");
  ASSERT_TRUE(app_->backup().PruneSafetyBackups().ok());
  EXPECT_FALSE(std::filesystem::exists(oldest));
  EXPECT_TRUE(std::filesystem::exists(newest));
}

TEST_F(BackupServiceTest, ImportKeepsTheReplacedDataAsABeforeImportPoint) {
  const RestoreJob job = ImportAndWait();
  EXPECT_EQ(job.state, "done") << job.message;
  auto points = app_->backup().ListPoints();
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->front().trigger, SnapshotTrigger::kBeforeImport);
  EXPECT_EQ(points->front().made_by, "admin");
  EXPECT_EQ(job.safety_backup, "restore point " + points->front().id);
  EXPECT_FALSE(std::filesystem::exists(DataDirLayout(live_).safety + "/arkwiki-safety-"));
  auto listed = app_->backup().SafetyBackups();
  ASSERT_TRUE(listed.ok());
  EXPECT_TRUE(listed->empty());
}

// Two services in turn: the first restores, the second (a new server start)
// undoes, since Shutdown ends a service's jobs for good.
TEST_F(BackupServiceTest, UndoRestoresTheBeforeImportPointOverAnOlderSafetyBackup) {
  const std::string before = testing::DumpWiki(live_);
  SafetyFile("2001-01-01T000000Z");  // empty: staging it would fail
  ASSERT_EQ(ImportAndWait().state, "done");
  ASSERT_EQ(testing::DumpWiki(live_), testing::DumpWiki(source_));
  app_.reset();
  auto storage = Storage::Open(Env::Default(), live_);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  app_ = std::make_unique<WikiApp>(Env::Default(), std::move(storage).value());
  auto id = app_->backup().StartUndo("admin");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  app_->backup().Shutdown();
  auto job = app_->backup().FindJob(*id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state, "done") << job->message;
  EXPECT_EQ(testing::DumpWiki(live_), before);
}

TEST_F(BackupServiceTest, UndoRestoresALegacySafetyBackupWhenItIsTheNewest) {
  const std::string path = SafetyFile(FormatFileStampUtc(NowUnixSeconds()));
  ASSERT_TRUE(WriteBackupToFile(Env::Default(), DataDirLayout(source_), path + ".tmp").ok());
  std::filesystem::rename(path + ".tmp", path);
  auto id = app_->backup().StartUndo("admin");
  ASSERT_TRUE(id.ok()) << id.status().ToString();
  app_->backup().Shutdown();
  auto job = app_->backup().FindJob(*id);
  ASSERT_TRUE(job.has_value());
  EXPECT_EQ(job->state, "done") << job->message;
  EXPECT_EQ(testing::DumpWiki(live_), testing::DumpWiki(source_));
}

TEST_F(BackupServiceTest, UndoRefusesWhenTheNewestCopyIsAnUnarchivedDirectory) {
  ASSERT_TRUE(app_->backup().CreatePoint("admin", "").ok());
  std::filesystem::create_directories(DataDirLayout(live_).safety +
                                      "/arkwiki-safety-2999-01-01T000000Z-abcdef-unarchived");
  auto id = app_->backup().StartUndo("admin");
  EXPECT_EQ(id.status().code(), StatusCode::kConflict) << id.status().ToString();
}

TEST_F(BackupServiceTest, HealthIsStaleWithoutAPointAndOkWithAFreshOne) {
  BackupHealth health = app_->backup().Health();
  EXPECT_EQ(health.status, "stale");
  EXPECT_FALSE(health.newest_good_age_seconds.has_value());
  auto point = app_->backup().CreatePoint("admin", "now");
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  EXPECT_EQ(point->trigger, SnapshotTrigger::kManual);
  health = app_->backup().Health();
  EXPECT_EQ(health.status, "ok");
  ASSERT_TRUE(health.newest_good_age_seconds.has_value());
  EXPECT_GE(*health.newest_good_age_seconds, 0);
  app_->backup().points().SetStaleAfter(-1);
  EXPECT_EQ(app_->backup().Health().status, "stale");
}

}  // namespace
}  // namespace arkwiki::web
