// Data-level tampering through the command line: each fixtures/hostile/
// db-row-* archive (a genuine backup with one value changed, fixtures/
// hostile_rows.h) is refused by `backup verify` and `backup restore` with
// exit 3, naming the table, the row and the rule, and the live wiki stays
// as it was; `backup create` refuses a live database with such a value.
#include <sqlite3.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "arkwiki/storage/storage.h"
#include "hostile_rows.h"
#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

using fixture::RowTamper;
using fixture::RowTampers;

std::string Fixture(const std::string& name) {
  return std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile/" + name + ".zip";
}
std::string Fixture(const RowTamper& t) { return Fixture(t.name); }

class HostileRowsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    SeedWiki(**storage, "live");
  }
  TempDir dir_;
  std::string data_ = dir_.Sub("data");
};

TEST_F(HostileRowsTest, VerifyExitsThreeNamingTableRowAndRule) {
  for (const RowTamper& t : RowTampers()) {
    CommandResult r = RunArkwiki({"backup", "verify", Fixture(t)});
    EXPECT_EQ(r.exit_code, 3) << t.name << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(t.refusal), std::string::npos) << t.name << ": " << r.err;
  }
}

TEST_F(HostileRowsTest, RestoreExitsThreeAndLeavesTheWikiUntouched) {
  const std::string dump = DumpWiki(data_);
  const std::string fingerprint = LiveFingerprint(data_);
  for (const RowTamper& t : RowTampers()) {
    CommandResult r = RunArkwiki({"backup", "restore", "--data", data_, Fixture(t), "--yes"});
    EXPECT_EQ(r.exit_code, 3) << t.name << ": " << r.out << r.err;
    EXPECT_NE(r.err.find(t.refusal), std::string::npos) << t.name << ": " << r.err;
    EXPECT_EQ(DumpWiki(data_), dump) << t.name << ": live data changed";
    EXPECT_EQ(LiveFingerprint(data_), fingerprint) << t.name << ": live files changed";
  }
}

// The same values in the live database: reported, not copied into a backup.
TEST_F(HostileRowsTest, CreateRefusesEachTamperedLiveValueWithExitThree) {
  for (const RowTamper& t : RowTampers()) {
    if (!t.refused_by_create) continue;
    TempDir copy;
    const std::string data = copy.Sub("data");
    std::filesystem::copy(data_, data, std::filesystem::copy_options::recursive);
    TamperDatabase(DataDirLayout(data).database, t.sql);
    CommandResult r = RunArkwiki({"backup", "create", "--data", data, "--out", "-"});
    EXPECT_EQ(r.exit_code, 3) << t.name << ": " << r.err;
    EXPECT_TRUE(r.out.empty()) << t.name << ": archive bytes reached standard output";
    EXPECT_EQ(r.err.rfind("arkwiki: error: the live database has been tampered with: ", 0), 0u)
        << t.name << ": " << r.err;
    EXPECT_NE(r.err.find(t.refusal), std::string::npos) << t.name << ": " << r.err;
  }
}

// An import is the repair for a tampered wiki: the safety backup of the
// tampered data cannot be written, so its directory is kept instead.
TEST_F(HostileRowsTest, AGoodBackupRestoresOverATamperedWiki) {
  CommandResult made =
      RunArkwiki({"backup", "create", "--data", data_, "--out", dir_.Sub("good.zip")});
  ASSERT_EQ(made.exit_code, 0) << made.err;
  const std::string dump = DumpWiki(data_);
  TamperDatabase(DataDirLayout(data_).database, RowTampers()[0].sql);
  CommandResult r =
      RunArkwiki({"backup", "restore", "--data", data_, dir_.Sub("good.zip"), "--yes"});
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_EQ(DumpWiki(data_), dump);
}

// The search index an archive brings is not taken over: verify accepts the
// archive, and after the restore nothing planted in the index is found.
TEST_F(HostileRowsTest, RestoreRebuildsTheSearchIndex) {
  for (const fixture::RebuiltTamper& t : fixture::RebuiltTampers()) {
    CommandResult verify = RunArkwiki({"backup", "verify", Fixture(t.name)});
    EXPECT_EQ(verify.exit_code, 0) << t.name << ": " << verify.err;
    CommandResult r = RunArkwiki({"backup", "restore", "--data", data_, Fixture(t.name), "--yes"});
    ASSERT_EQ(r.exit_code, 0) << t.name << ": " << r.out << r.err;
    DbOptions ro;
    ro.read_only = true;
    auto db = Db::Open(DataDirLayout(data_).database, ro);
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    EXPECT_EQ((*db)->QueryInt(t.leftover_sql).value(), 0) << t.name;
  }
}

}  // namespace
}  // namespace arkwiki::testing
