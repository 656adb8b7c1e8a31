// Database-only backups through the CLI as a process: create --only
// database, what verify and inspect say of it, and restore with and without
// --allow-missing-uploads.
#include <gtest/gtest.h>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

constexpr char kOnlyInBackup[] = "only the backup's wiki had this\n";

class PartialCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto storage = Storage::Open(Env::Default(), source_);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      SeedWiki(**storage, "a");
      AddUpload(**storage, "home", "extra.txt", kOnlyInBackup);
    }
    CommandResult r = RunArkwiki(
        {"backup", "create", "--data", source_, "--out", archive_, "--only", "database"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("database only"), std::string::npos) << r.err;
  }

  TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string archive_ = dir_.Sub("db.zip");
};

TEST_F(PartialCliTest, VerifyAndInspectSayTheBackupIsDatabaseOnly) {
  CommandResult verify = RunArkwiki({"backup", "verify", archive_});
  EXPECT_EQ(verify.exit_code, 0) << verify.err;
  EXPECT_NE(verify.out.find("partial: database only"), std::string::npos) << verify.out;
  CommandResult json = RunArkwiki({"backup", "verify", archive_, "--json"});
  EXPECT_EQ(json.exit_code, 0) << json.err;
  EXPECT_NE(json.out.find("\"partial\":true"), std::string::npos) << json.out;
  EXPECT_NE(json.out.find("\"omits\":[\"uploads\"]"), std::string::npos) << json.out;
  CommandResult inspect = RunArkwiki({"backup", "inspect", archive_});
  EXPECT_EQ(inspect.exit_code, 0) << inspect.err;
  EXPECT_NE(inspect.out.find("contents:        database only"), std::string::npos) << inspect.out;
  EXPECT_NE(inspect.out.find("v2"), std::string::npos) << inspect.out;
  CommandResult inspect_json = RunArkwiki({"backup", "inspect", archive_, "--json"});
  EXPECT_NE(inspect_json.out.find("\"partial\":true"), std::string::npos) << inspect_json.out;

  const std::string full = dir_.Sub("full.zip");
  ASSERT_EQ(RunArkwiki({"backup", "create", "--data", source_, "--out", full}).exit_code, 0);
  CommandResult full_json = RunArkwiki({"backup", "inspect", full, "--json"});
  EXPECT_NE(full_json.out.find("\"partial\":false"), std::string::npos) << full_json.out;
  CommandResult bad = RunArkwiki(
      {"backup", "create", "--data", source_, "--out", dir_.Sub("x.zip"), "--only", "uploads"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
}

TEST_F(PartialCliTest, RestoreListsMissingFilesRefusesThenRestoresWhenAllowed) {
  const std::string live = dir_.Sub("live");
  SeedWikiAt(live, "a");  // everything but extra.txt
  const std::string before = DumpWiki(live);
  CommandResult refused = RunArkwiki({"backup", "restore", "--data", live, archive_, "--yes"});
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("home/extra.txt"), std::string::npos) << refused.err;
  EXPECT_NE(refused.err.find("--allow-missing-uploads"), std::string::npos) << refused.err;
  EXPECT_EQ(DumpWiki(live), before) << "a refused restore changed the wiki";

  CommandResult restored = RunArkwiki(
      {"backup", "restore", "--data", live, archive_, "--yes", "--allow-missing-uploads"});
  EXPECT_EQ(restored.exit_code, 0) << restored.err;
  EXPECT_NE(restored.out.find("upload files kept"), std::string::npos) << restored.out;
  const std::string after = DumpWiki(live);
  EXPECT_EQ(after.find("extra.txt"), std::string::npos) << after;
  EXPECT_NE(after.find("notes.txt"), std::string::npos) << after;
  // Whole again: a full backup of it verifies.
  const std::string full = dir_.Sub("after.zip");
  ASSERT_EQ(RunArkwiki({"backup", "create", "--data", live, "--out", full}).exit_code, 0);
  EXPECT_EQ(RunArkwiki({"backup", "verify", full}).exit_code, 0);
}

}  // namespace
}  // namespace arkwiki::testing
