// Restore: round trip, refusal, undo, faults and crashes at every step.
#include "arkwiki/backup/restore.h"

#include <gtest/gtest.h>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/fault_injection_env.h"
#include "support/seed_wiki.h"
#include "support/zip_crafter.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

using testing::DumpWiki;
using testing::LiveFingerprint;
using testing::SeedWiki;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Wiki A is backed up; the live wiki then becomes B.
    Seed(source_, "a");
    archive_ = dir_.Sub("a.zip");
    auto written = WriteBackupToFile(Env::Default(), DataDirLayout(source_), archive_);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
    Seed(live_, "b");
    expected_new_ = DumpWiki(source_);
    expected_old_ = DumpWiki(live_);
    old_fingerprint_ = LiveFingerprint(live_);
  }
  void Seed(const std::string& dir, const std::string& variant) {
    auto storage = Storage::Open(Env::Default(), dir);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    SeedWiki(**storage, variant);
  }
  Result<ImportOutcome> Import(Env* env, const std::string& archive) {
    Restorer restorer(env, DataDirLayout(live_));
    ImportOptions options;
    auto staged = restorer.Stage(archive, options);
    if (!staged.ok()) return staged.status();
    return restorer.Commit(*staged, options, CommitHooks{});
  }
  bool StagingEmpty() {
    auto entries = Env::Default()->ListDir(DataDirLayout(live_).staging);
    return !entries.ok() || entries->empty();
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  std::string archive_;
  std::string expected_new_, expected_old_, old_fingerprint_;
};

TEST_F(RestoreTest, ReplacesAllDataWithTheBackup) {
  auto outcome = Import(Env::Default(), archive_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(live_), expected_new_);
  EXPECT_TRUE(StagingEmpty());
  EXPECT_FALSE(Env::Default()->FileExists(DataDirLayout(live_).intent_marker).value());
  EXPECT_TRUE(Env::Default()->FileExists(outcome->safety_backup).value());
}

TEST_F(RestoreTest, AuditRecordOfTheImportSurvivesTheImport) {
  ASSERT_TRUE(Import(Env::Default(), archive_).ok());
  DbOptions ro;
  ro.read_only = true;
  auto db = Db::Open(DataDirLayout(live_).database, ro).value();
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'backup.import'").value(), 1);
}

TEST_F(RestoreTest, UndoBringsBackThePreviousStateEvenAfterRestart) {
  auto outcome = Import(Env::Default(), archive_);
  ASSERT_TRUE(outcome.ok());
  // A new Restorer is what a restarted process has.
  Restorer restarted(Env::Default(), DataDirLayout(live_));
  ASSERT_TRUE(restarted.Recover().ok());
  auto safety = restarted.ListSafetyBackups(14);
  ASSERT_TRUE(safety.ok());
  ASSERT_EQ(safety->size(), 1u);
  ASSERT_TRUE(Import(Env::Default(), safety->front().path).ok());
  EXPECT_EQ(DumpWiki(live_), expected_old_);
}

TEST_F(RestoreTest, CorruptArchiveIsRefusedAndLiveDataUntouched) {
  std::string bytes = testing::ReadFileOrDie(archive_);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::string bad = dir_.Sub("bad.zip");
  testing::WriteFileOrDie(bad, bytes);
  auto outcome = Import(Env::Default(), bad);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(LiveFingerprint(live_), old_fingerprint_);
  EXPECT_TRUE(StagingEmpty());
}

// Fails the Nth file-system operation of a whole import, for every N until
// the import succeeds. Each failure must leave exactly the old wiki (or,
// past the commit point, exactly the new one), never a mix, and a later
// Recover must settle it.
TEST_F(RestoreTest, FaultAtEveryStepLeavesOldOrNewState) {
  int failures = 0;
  for (uint64_t n = 1; n < 5000; ++n) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(n, n % 2 ? StatusCode::kNoSpace : StatusCode::kIoError);
    auto outcome = Import(&env, archive_);
    Restorer clean(Env::Default(), DataDirLayout(live_));
    ASSERT_TRUE(clean.Recover().ok()) << "n=" << n;
    std::string now = DumpWiki(live_);
    if (outcome.ok()) {
      EXPECT_FALSE(env.triggered());
      EXPECT_EQ(now, expected_new_);
      break;
    }
    ++failures;
    EXPECT_FALSE(outcome.status().message().empty());
    ASSERT_TRUE(now == expected_old_ || now == expected_new_)
        << "mixed state after fault at operation " << n << ": " << outcome.status().ToString();
    if (now == expected_new_) {
      // Past the swap: the rest of the sweep would only import again.
      break;
    }
    EXPECT_TRUE(StagingEmpty()) << "n=" << n;
    EXPECT_TRUE(testing::TreeFingerprint(DataDirLayout(live_).tmp).empty()) << "n=" << n;
  }
  EXPECT_GT(failures, 20);
}

TEST_F(RestoreTest, RecoverIsIdempotent) {
  Restorer r(Env::Default(), DataDirLayout(live_));
  ASSERT_TRUE(r.Recover().ok());
  ASSERT_TRUE(r.Recover().ok());
  EXPECT_EQ(DumpWiki(live_), expected_old_);
}

}  // namespace
}  // namespace arkwiki
