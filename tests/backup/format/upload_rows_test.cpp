// UploadRows (format/upload_rows.h): the external sort of a database's
// upload rows agrees with the in-memory sort, and leaves no scratch file.
#include "format/upload_rows.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <atomic>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "support/full_disk_env.h"
#include "support/temp_dir.h"
#include "verify/archive_checks.h"

namespace arkwiki {
namespace {

using Groups = std::vector<std::tuple<Sha256Raw, uint64_t, uint64_t>>;

// An uploads table of (content's SHA-256, size) rows, in the order given.
class UploadsTable {
 public:
  explicit UploadsTable(const std::vector<std::pair<std::string, int64_t>>& rows) {
    EXPECT_EQ(sqlite3_open(":memory:", &db_), SQLITE_OK);
    EXPECT_EQ(sqlite3_exec(db_, "CREATE TABLE uploads(sha256 TEXT, size INTEGER)", nullptr, nullptr,
                           nullptr),
              SQLITE_OK);
    for (const auto& [content, size] : rows) {
      const std::string sql =
          "INSERT INTO uploads VALUES('" + Sha256Hex(content) + "', " + std::to_string(size) + ")";
      EXPECT_EQ(sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, nullptr), SQLITE_OK);
    }
  }
  ~UploadsTable() { sqlite3_close(db_); }

  // Feeds every row to `rows`, as the database check does.
  Status AddAll(UploadRows* rows) const {
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db_, kUploadRowsQuery, -1, &st, nullptr), SQLITE_OK);
    Status s;
    while (s.ok() && sqlite3_step(st) == SQLITE_ROW) s = rows->Add(st);
    sqlite3_finalize(st);
    return s;
  }

 private:
  sqlite3* db_ = nullptr;
};

Groups GroupsOf(const UploadsTable& table, UploadRows* rows) {
  Groups out;
  EXPECT_TRUE(table.AddAll(rows).ok());
  EXPECT_TRUE(rows->ForEachDistinct([&](const Sha256Raw& h, uint64_t lo, uint64_t hi) {
                    out.emplace_back(h, lo, hi);
                    return Status::Ok();
                  })
                  .ok());
  return out;
}

// The database check's verdict on the rows against a manifest holding
// `archived` (content, size) uploads, as CheckDatabase reaches it.
Status Verdict(const UploadsTable& table, UploadRows* rows,
               const std::vector<std::pair<std::string, uint64_t>>& archived) {
  ManifestFiles files;
  files.push_back({kDatabasePath, 1, Sha256Hex("db")});
  files.push_back({kSettingsPath, 1, Sha256Hex("settings")});
  for (const auto& [content, size] : archived) {
    files.push_back({UploadEntryPath(Sha256Hex(content)), size, Sha256Hex(content)});
  }
  UploadHashMatcher matcher(files);
  ARKWIKI_RETURN_IF_ERROR(table.AddAll(rows));
  ARKWIKI_RETURN_IF_ERROR(rows->ForEachDistinct([&](const Sha256Raw& h, uint64_t lo, uint64_t hi) {
    if (lo != hi)
      return Status::Corruption("uploads rows for " + HexEncode(h.data(), h.size()) +
                                " disagree on its size");
    matcher.Add(h, lo);
    return Status::Ok();
  }));
  return matcher.Finish();
}

std::vector<std::pair<std::string, int64_t>> ManyRows(int n) {
  std::vector<std::pair<std::string, int64_t>> rows;
  rows.reserve(static_cast<size_t>(n));
  for (int i = 0; i < n; ++i) rows.emplace_back("u" + std::to_string(i * 7919 % n), 100 + i % 13);
  return rows;
}

// Runs named after a database the tests do not create.
std::string RunPrefix(const testing::TempDir& dir) {
  return JoinPath(dir.path(), "arkwiki.db.upload-rows-");
}

TEST(UploadRowsTest, RunFilesCarryTheGivenPrefixSoACrashCleanupFindsThem) {
  const UploadsTable table(ManyRows(30));
  testing::TempDir dir;
  UploadRows rows(Env::Default(), RunPrefix(dir), 4);
  ARKWIKI_ASSERT_OK(table.AddAll(&rows));
  auto listed = Env::Default()->ListDir(dir.path());
  ARKWIKI_ASSERT_OK(listed.status());
  ASSERT_EQ(listed->size(), rows.runs());
  for (const DirEntry& e : *listed) {
    EXPECT_EQ(e.name.rfind("arkwiki.db.upload-rows-", 0), 0u) << e.name;
    EXPECT_TRUE(e.name.ends_with(".run")) << e.name;
  }
}

TEST(UploadRowsTest, RunsOfAnySizeGiveTheInMemoryGroups) {
  // Duplicates of one size, duplicates that disagree, spread over runs.
  auto rows = ManyRows(40);
  rows.emplace_back("u3", 100 + 3);
  rows.emplace_back("u3", 100 + 3);
  rows.emplace_back("u5", 999);
  rows.emplace_back("u5", 1);
  const UploadsTable table(rows);
  UploadRows in_memory;
  const Groups expected = GroupsOf(table, &in_memory);
  ASSERT_EQ(expected.size(), 40u);
  testing::TempDir dir;
  for (size_t run : {1, 2, 3, 7, 43, 44, 1000}) {
    UploadRows spilled(Env::Default(), RunPrefix(dir), run);
    EXPECT_EQ(GroupsOf(table, &spilled), expected) << "run of " << run;
    EXPECT_EQ(spilled.runs(), 0u) << "run files are removed once read";
    EXPECT_EQ(testing::EntriesIn(dir.path()), 0u);
  }
}

TEST(UploadRowsTest, RunsReachTheSameVerdictsAsTheInMemorySort) {
  const std::vector<std::pair<std::string, uint64_t>> archived = {{"a", 1}, {"b", 2}, {"c", 3}};
  struct Case {
    const char* name;
    std::vector<std::pair<std::string, int64_t>> rows;
    StatusCode code;
  } cases[] = {
      {"match, duplicate rows",
       {{"c", 3}, {"a", 1}, {"b", 2}, {"a", 1}, {"c", 3}},
       StatusCode::kOk},
      {"row missing from the manifest",
       {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}},
       StatusCode::kCorruption},
      {"extra manifest entry", {{"a", 1}, {"c", 3}, {"a", 1}}, StatusCode::kCorruption},
      {"rows disagree on a size",
       {{"b", 2}, {"a", 1}, {"c", 3}, {"b", 5}},
       StatusCode::kCorruption},
      {"size differs from the archive", {{"a", 1}, {"b", 7}, {"c", 3}}, StatusCode::kCorruption},
  };
  testing::TempDir dir;
  for (const Case& c : cases) {
    const UploadsTable table(c.rows);
    UploadRows in_memory;
    const Status expected = Verdict(table, &in_memory, archived);
    EXPECT_EQ(expected.code(), c.code) << c.name << ": " << expected.ToString();
    for (size_t run : {1, 2, 3}) {
      UploadRows spilled(Env::Default(), RunPrefix(dir), run);
      const Status got = Verdict(table, &spilled, archived);
      EXPECT_EQ(got.code(), expected.code()) << c.name << ", run of " << run;
      EXPECT_EQ(got.message(), expected.message()) << c.name << ", run of " << run;
    }
    EXPECT_EQ(testing::EntriesIn(dir.path()), 0u) << c.name;
  }
}

TEST(UploadRowsTest, SpillsOnlyPastOneRun) {
  const UploadsTable table(ManyRows(10));
  testing::TempDir dir;
  UploadRows fits(Env::Default(), RunPrefix(dir), 10);
  ARKWIKI_ASSERT_OK(table.AddAll(&fits));
  EXPECT_EQ(fits.runs(), 0u);
  UploadRows spills(Env::Default(), RunPrefix(dir), 4);
  ARKWIKI_ASSERT_OK(table.AddAll(&spills));
  EXPECT_EQ(spills.runs(), 2u);
  EXPECT_EQ(testing::EntriesIn(dir.path()), 2u);
}

TEST(UploadRowsTest, RunFilesAreRemovedWhenTheCallerStopsTheMerge) {
  const UploadsTable table(ManyRows(30));
  testing::TempDir dir;
  UploadRows rows(Env::Default(), RunPrefix(dir), 4);
  ARKWIKI_ASSERT_OK(table.AddAll(&rows));
  int seen = 0;
  Status s = rows.ForEachDistinct([&](const Sha256Raw&, uint64_t, uint64_t) {
    return ++seen == 5 ? Status::Corruption("stop") : Status::Ok();
  });
  EXPECT_EQ(s.message(), "stop");
  EXPECT_EQ(testing::EntriesIn(dir.path()), 0u);
}

TEST(UploadRowsTest, RunFilesAreRemovedWhenTheOwnerGoesAwayUnread) {
  const UploadsTable table(ManyRows(30));
  testing::TempDir dir;
  {
    UploadRows rows(Env::Default(), RunPrefix(dir), 4);
    ARKWIKI_ASSERT_OK(table.AddAll(&rows));
    EXPECT_GT(testing::EntriesIn(dir.path()), 0u);
  }
  EXPECT_EQ(testing::EntriesIn(dir.path()), 0u);
}

TEST(UploadRowsTest, AFullDiskIsNoSpaceAndLeavesNoRunFile) {
  const UploadsTable table(ManyRows(30));
  testing::TempDir dir;
  const uint64_t row_bytes = sizeof(UploadRows::Row);
  // Each run of 4 rows is one write; the last run holds 2 rows.
  for (uint64_t limit = 0; limit < 30 * row_bytes; limit += 2 * row_bytes) {
    testing::FullDiskEnv env(Env::Default(), limit);
    Status s;
    {
      UploadRows rows(&env, RunPrefix(dir), 4);
      s = table.AddAll(&rows);
      if (s.ok()) s = rows.ForEachDistinct([](auto&&...) { return Status::Ok(); });
    }
    EXPECT_EQ(testing::EntriesIn(dir.path()), 0u) << "at " << limit << " bytes";
    EXPECT_EQ(s.code(), StatusCode::kNoSpace) << "at " << limit << " bytes: " << s.ToString();
  }
}

TEST(UploadRowsTest, EveryFailedEnvOperationIsReported) {
  const UploadsTable table(ManyRows(30));
  testing::TempDir dir;
  for (uint64_t fail_at = 1;; ++fail_at) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(fail_at);
    UploadRows rows(&env, RunPrefix(dir), 4);
    Status s = table.AddAll(&rows);
    if (s.ok()) s = rows.ForEachDistinct([](auto&&...) { return Status::Ok(); });
    if (!env.triggered()) {
      EXPECT_TRUE(s.ok()) << s.ToString();
      break;
    }
    // A failed removal of a run read to the end is not the check's failure.
    EXPECT_TRUE(s.ok() || s.code() == StatusCode::kNoSpace) << fail_at << ": " << s.ToString();
    ASSERT_LT(fail_at, 100u);
    env.FailAt(0);  // the destructor removes what failed to be removed
  }
  EXPECT_EQ(testing::EntriesIn(dir.path()), 0u);
}

}  // namespace
}  // namespace arkwiki
