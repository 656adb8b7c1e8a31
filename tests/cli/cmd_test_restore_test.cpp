// `arkwiki backup test-restore` as an admin runs it: one command that
// restores a real backup into scratch, serves it, checks it, and cleans up.
#include <gtest/gtest.h>

#include <fstream>

#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

class CliTestRestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto storage = Storage::Open(Env::Default(), data_);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      SeedWiki(**storage);
      AddUpload(**storage, "guide", "notes.txt", std::string(5000, 'n'));
    }
    CommandResult created = RunArkwiki({"backup", "create", "--data", data_, "--out", archive_});
    ASSERT_EQ(created.exit_code, 0) << created.err;
  }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string archive_ = dir_.Sub("backup.zip");
  std::string scratch_ = dir_.Sub("scratch");
};

TEST_F(CliTestRestoreTest, GoodBackupPassesEveryCheckAndLeavesNoScratch) {
  CommandResult r = RunArkwiki({"backup", "test-restore", archive_, "--scratch", scratch_});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("OK: the backup restores and serves"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("upload files intact: 3 of 3 sampled"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("FAIL"), std::string::npos) << r.out;
  EXPECT_FALSE(Env::Default()->FileExists(scratch_).value());
}

TEST_F(CliTestRestoreTest, JsonReportSaysOk) {
  CommandResult r = RunArkwiki({"backup", "test-restore", archive_, "--json"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"ok\": true"), std::string::npos) << r.out;
}

TEST_F(CliTestRestoreTest, DamagedBackupIsRejectedWithExitThree) {
  std::fstream f(archive_, std::ios::in | std::ios::out | std::ios::binary);
  f.seekp(200);
  f.put('\x5a');
  f.close();
  CommandResult r = RunArkwiki({"backup", "test-restore", archive_, "--scratch", scratch_});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("arkwiki: error: ", 0), 0u) << r.err;
  EXPECT_FALSE(Env::Default()->FileExists(scratch_).value());
}

// The hostile archives an import refuses with "invalid argument" (a path
// that climbs out, a link, two names that differ only in case) exit 3 as
// `backup restore` does, not 2, which means a mistyped command.
TEST_F(CliTestRestoreTest, AHostileArchiveExitsThreeAsRestoreDoes) {
  for (const char* name : {"path-dotdot", "symlink", "case-collision"}) {
    const std::string archive =
        std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile/" + name + ".zip";
    CommandResult r = RunArkwiki({"backup", "test-restore", archive, "--scratch", scratch_});
    EXPECT_EQ(r.exit_code, 3) << name << ": " << r.out << r.err;
    CommandResult restore =
        RunArkwiki({"backup", "restore", "--data", dir_.Sub("other"), archive, "--yes"});
    EXPECT_EQ(restore.exit_code, r.exit_code) << name << ": " << restore.err;
    EXPECT_FALSE(Env::Default()->FileExists(scratch_).value()) << name;
  }
}

TEST_F(CliTestRestoreTest, ASampleThatIsNotACountIsAUsageError) {
  for (const char* sample : {"abc", "0", "-5", "12x", "", "+5", " 5"}) {
    CommandResult r = RunArkwiki({"backup", "test-restore", archive_, "--sample", sample});
    EXPECT_EQ(r.exit_code, 2) << sample << ": " << r.err;
    EXPECT_NE(r.err.find("--sample"), std::string::npos) << r.err;
  }
}

}  // namespace
}  // namespace arkwiki::testing
