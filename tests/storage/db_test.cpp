// Db::ForEachRow: rows straight from the SQLite handle.
#include "arkwiki/storage/db.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "sqlite_calls.h"
#include "support/result_values.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

std::unique_ptr<Db> OpenWithNumbers(const testing::TempDir& dir, int n) {
  auto db = Db::Open(dir.Sub("a.db"), DbOptions{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE((*db)->Exec("CREATE TABLE t(n INTEGER, s TEXT)").ok());
  for (int i = 0; i < n; ++i) {
    EXPECT_TRUE((*db)
                    ->Exec("INSERT INTO t VALUES(?, ?)",
                           {SqlParam(int64_t{i}), SqlParam("row " + std::to_string(i))})
                    .ok());
  }
  return std::move(db).value();
}

TEST(DbTest, ForEachRowVisitsEveryRowInOrder) {
  testing::TempDir dir;
  auto db = OpenWithNumbers(dir, 100);
  int64_t next = 0;
  Status s = db->ForEachRow("SELECT n, s FROM t ORDER BY n", [&](sqlite3_stmt* st) {
    EXPECT_EQ(sqlite3_column_int64(st, 0), next);
    EXPECT_EQ(std::string(reinterpret_cast<const char*>(sqlite3_column_text(st, 1))),
              "row " + std::to_string(next));
    ++next;
    return Status::Ok();
  });
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(next, 100);
}

TEST(DbTest, ForEachRowStopsAtTheCallbacksError) {
  testing::TempDir dir;
  auto db = OpenWithNumbers(dir, 10);
  int seen = 0;
  Status s = db->ForEachRow("SELECT n FROM t ORDER BY n", [&](sqlite3_stmt*) {
    return ++seen == 3 ? Status::Corruption("third row") : Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(), "third row");
  EXPECT_EQ(seen, 3);
  // The statement was finalized: the connection still works.
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM t").value(), 10);
}

TEST(DbTest, ForEachRowReportsBadSql) {
  testing::TempDir dir;
  auto db = OpenWithNumbers(dir, 1);
  Status s = db->ForEachRow("SELECT nope FROM t", [](sqlite3_stmt*) { return Status::Ok(); });
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("no such column"), std::string::npos) << s.ToString();
}

TEST(DbTest, ExecEachRunsEveryRowAndRollsBackWithItsTransaction) {
  testing::TempDir dir;
  auto db = OpenWithNumbers(dir, 0);
  ASSERT_TRUE(db->Exec("CREATE UNIQUE INDEX t_n ON t(n)").ok());
  std::vector<std::vector<SqlParam>> rows;
  for (int i = 0; i < 1000; ++i) rows.push_back({int64_t{i}, "row " + std::to_string(i)});
  ASSERT_TRUE(ExecEach(*db, "INSERT INTO t VALUES(?, ?)", rows).ok());
  EXPECT_EQ(IntOrMinusOne(db->QueryInt("SELECT count(*) FROM t")), 1000);
  EXPECT_EQ(IntOrMinusOne(db->QueryInt("SELECT n FROM t WHERE s = 'row 999'")), 999);
  // Row 2 breaks the unique index: nothing of the batch stays.
  const std::vector<std::vector<SqlParam>> clash = {
      {int64_t{5000}, "new"}, {int64_t{7}, std::nullopt}, {int64_t{5001}, "never"}};
  Status s =
      db->Transaction([&](Db& tx) { return ExecEach(tx, "INSERT INTO t VALUES(?, ?)", clash); });
  EXPECT_EQ(s.code(), StatusCode::kConflict) << s.ToString();
  EXPECT_EQ(IntOrMinusOne(db->QueryInt("SELECT count(*) FROM t")), 1000);
}

}  // namespace
}  // namespace arkwiki
