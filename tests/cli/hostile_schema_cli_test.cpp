// A database whose schema is not exactly arkwiki's, through the command
// line: each fixtures/hostile/db-* archive (otherwise a genuine backup) is
// refused by `backup verify` and `backup restore` with exit 3, naming the
// offending object, and the live wiki stays as it was; `backup create`
// refuses a live database that was tampered with.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include "arkwiki/storage/storage.h"
#include "support/arkwiki_process.h"
#include "support/hostile_schema_cases.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

class HostileSchemaCliTest : public ::testing::Test {
 protected:
  void SetUp() override { SeedWikiAt(data_, "live"); }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
};

TEST_F(HostileSchemaCliTest, VerifyExitsThreeNamingTheObject) {
  for (const HostileSchemaCase& c : kHostileSchemaCases) {
    CommandResult r = RunArkwiki({"backup", "verify", HostileSchemaFixturePath(c)});
    EXPECT_EQ(r.exit_code, 3) << c.fixture << ": " << r.out << r.err;
    EXPECT_EQ(r.err.rfind("arkwiki: error: ", 0), 0u) << c.fixture << ": " << r.err;
    EXPECT_NE(r.err.find(c.refusal), std::string::npos) << c.fixture << ": " << r.err;
  }
}

TEST_F(HostileSchemaCliTest, RestoreExitsThreeAndLeavesTheWikiUntouched) {
  const std::string dump = DumpWiki(data_);
  const std::string fingerprint = LiveFingerprint(data_);
  for (const HostileSchemaCase& c : kHostileSchemaCases) {
    CommandResult r =
        RunArkwiki({"backup", "restore", "--data", data_, HostileSchemaFixturePath(c), "--yes"});
    EXPECT_EQ(r.exit_code, 3) << c.fixture << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(c.refusal), std::string::npos) << c.fixture << ": " << r.err;
    EXPECT_EQ(DumpWiki(data_), dump) << c.fixture << ": live data changed";
    EXPECT_EQ(LiveFingerprint(data_), fingerprint) << c.fixture << ": live files changed";
  }
}

// Corruption of the wiki itself exits 3, as create's other refusals of
// damaged live data (an upload that no longer matches its hash) do.
TEST_F(HostileSchemaCliTest, CreateRefusesATamperedLiveDatabaseWithExitThree) {
  TamperDatabase(DataDirLayout(data_).database,
                 "CREATE TRIGGER page_search_backdoor AFTER INSERT ON sessions "
                 "BEGIN UPDATE users SET role='admin' WHERE id=NEW.user_id; END;");
  const std::string out = dir_.Sub("out");
  ASSERT_TRUE(Env::Default()->CreateDirs(out).ok());
  CommandResult r = RunArkwiki({"backup", "create", "--data", data_, "--out", out + "/backup.zip"});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_EQ(r.err.rfind("arkwiki: error: the live database has been tampered with: ", 0), 0u)
      << r.err;
  EXPECT_NE(r.err.find("has an object arkwiki does not create: trigger page_search_backdoor"),
            std::string::npos)
      << r.err;
  EXPECT_TRUE(Env::Default()->ListDir(out).value().empty()) << "something was written";
}

TEST_F(HostileSchemaCliTest, CreateRefusesALiveTableWithAChangedDefault) {
  TamperDatabase(DataDirLayout(data_).database,
                 "PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = replace(sql, "
                 "'DEFAULT ''public''', 'DEFAULT ''private''') WHERE name = 'pages';");
  CommandResult r = RunArkwiki({"backup", "create", "--data", data_, "--out", "-"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_TRUE(r.out.empty()) << "archive bytes reached standard output";
  EXPECT_NE(r.err.find("tampered with: the database schema defines table pages differently"),
            std::string::npos)
      << r.err;
}

TEST_F(HostileSchemaCliTest, CreateAcceptsAnUntamperedLiveDatabase) {
  CommandResult r = RunArkwiki({"backup", "create", "--data", data_, "--out", dir_.Sub("b.zip")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(RunArkwiki({"backup", "verify", dir_.Sub("b.zip")}).exit_code, 0);
}

}  // namespace
}  // namespace arkwiki::testing
