// BackupService: a restore job's thread has ended when Shutdown returns;
// listing safety backups never deletes them, pruning does.
#include "backup_service.h"

#include <gtest/gtest.h>

#include <filesystem>

#include "app.h"
#include "arkwiki/backup/backup_writer.h"
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

}  // namespace
}  // namespace arkwiki::web
