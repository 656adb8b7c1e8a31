#include "arkwiki/storage/schema.h"

#include <gtest/gtest.h>

#include "arkwiki/storage/schema_catalog.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

std::unique_ptr<Db> OpenDb(const std::string& path) {
  auto db = Db::Open(path, DbOptions{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  return std::move(db).value();
}

TEST(SchemaTest, FreshDatabaseCarriesVersionAndApplicationId) {
  testing::TempDir dir;
  auto db = OpenDb(dir.Sub("a.db"));
  ASSERT_TRUE(Migrate(*db).ok());
  EXPECT_EQ(ReadSchemaVersion(*db).value(), kSchemaVersion);
  EXPECT_EQ(ReadApplicationId(*db).value(), kApplicationId);
}

TEST(SchemaTest, MigratesForwardFromEveryEarlierVersion) {
  for (int from = 0; from < kSchemaVersion; ++from) {
    testing::TempDir dir;
    auto db = OpenDb(dir.Sub("old.db"));
    ASSERT_TRUE(Migrate(*db, from).ok());
    if (from >= 1) {
      ASSERT_TRUE(db->Exec("INSERT INTO users(name, password_hash, role, created_at) "
                           "VALUES('ann','x','admin',1)")
                      .ok());
      ASSERT_TRUE(db->Exec("INSERT INTO pages(slug, title, current_revision, created_at, "
                           "updated_at) VALUES('home','Home',1,1,1)")
                      .ok());
      ASSERT_TRUE(db->Exec("INSERT INTO revisions(page_id, number, title, markdown, author, "
                           "created_at) VALUES(1,1,'Home','findable words','ann',1)")
                      .ok());
    }
    Status s = Migrate(*db);
    ASSERT_TRUE(s.ok()) << "from " << from << ": " << s.ToString();
    EXPECT_EQ(ReadSchemaVersion(*db).value(), kSchemaVersion);
    {
      const std::lock_guard<std::recursive_mutex> lock(db->lock());
      Status exact = CheckSchemaIsExact(db->raw_handle(), kSchemaVersion);
      EXPECT_TRUE(exact.ok()) << "from " << from << ": " << exact.ToString();
    }
    if (from >= 1) {
      EXPECT_EQ(db->QueryInt("SELECT count(*) FROM page_search WHERE page_search MATCH "
                             "'findable'")
                    .value(),
                1)
          << "from " << from;
    }
  }
}

TEST(SchemaTest, RefusesDatabaseNewerThanThisBuild) {
  testing::TempDir dir;
  auto db = OpenDb(dir.Sub("new.db"));
  ASSERT_TRUE(Migrate(*db).ok());
  ASSERT_TRUE(db->Exec("PRAGMA user_version=" + std::to_string(kSchemaVersion + 1)).ok());
  Status s = Migrate(*db);
  EXPECT_EQ(s.code(), StatusCode::kUnsupported);
  EXPECT_NE(s.message().find(std::to_string(kSchemaVersion + 1)), std::string::npos);
}

TEST(SchemaTest, RefusesForeignSqliteDatabase) {
  testing::TempDir dir;
  auto db = OpenDb(dir.Sub("foreign.db"));
  ASSERT_TRUE(db->Exec("CREATE TABLE t(x)").ok());
  ASSERT_TRUE(db->Exec("PRAGMA user_version=2").ok());
  EXPECT_EQ(Migrate(*db).code(), StatusCode::kCorruption);
}

}  // namespace
}  // namespace arkwiki
