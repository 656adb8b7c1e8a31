#include "arkwiki/storage/schema_catalog.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>

#include "arkwiki/storage/db.h"
#include "arkwiki/storage/schema.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

std::unique_ptr<Db> MigratedDb(const std::string& path, int version) {
  auto db = Db::Open(path, DbOptions{});
  EXPECT_TRUE(db.ok()) << db.status().ToString();
  EXPECT_TRUE(Migrate(**db, version).ok());
  return std::move(db).value();
}

Status Check(Db& db, int version = kSchemaVersion) {
  const std::lock_guard<std::recursive_mutex> lock(db.lock());
  return CheckSchemaIsExact(db.raw_handle(), version);
}

TEST(SchemaCatalogTest, NormalizingChangesOnlyWhitespace) {
  EXPECT_EQ(NormalizeSchemaSql("  CREATE TABLE t (\n  a INTEGER ,\n\tb TEXT )\n"),
            "CREATE TABLE t(a INTEGER,b TEXT)");
  EXPECT_EQ(NormalizeSchemaSql("a  DEFAULT 'x  y'"), "a DEFAULT 'x  y'");
  EXPECT_EQ(NormalizeSchemaSql("\"col  name\"  [b  c]  `d  e`"), "\"col  name\" [b  c] `d  e`");
  EXPECT_EQ(NormalizeSchemaSql("a 'it''s  ok'  b"), "a 'it''s  ok' b");
  // A line comment keeps the line break that ends it: text after it is not
  // swallowed into the comment.
  EXPECT_NE(NormalizeSchemaSql("x -- note\n  CHECK(y)"), NormalizeSchemaSql("x -- note CHECK(y)"));
  EXPECT_EQ(NormalizeSchemaSql("x /*  c  */  y"), "x /*  c  */ y");
  EXPECT_NE(NormalizeSchemaSql("NOT NULL"), NormalizeSchemaSql("NOTNULL"));
}

TEST(SchemaCatalogTest, ExpectedSchemaIsWhatTheMigrationsProduceAndIsCached) {
  for (int version = 1; version <= kSchemaVersion; ++version) {
    auto expected = ExpectedSchemaObjects(version);
    ASSERT_TRUE(expected.ok()) << expected.status().ToString();
    EXPECT_EQ(ExpectedSchemaObjects(version).value().get(), expected->get()) << "not cached";
    testing::TempDir dir;
    auto db = MigratedDb(dir.Sub("v.db"), version);
    const std::lock_guard<std::recursive_mutex> lock(db->lock());
    EXPECT_EQ(ReadSchemaObjects(db->raw_handle()).value(), **expected) << "version " << version;
  }
  EXPECT_EQ(ExpectedSchemaObjects(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(ExpectedSchemaObjects(kSchemaVersion + 1).status().code(),
            StatusCode::kInvalidArgument);
}

TEST(SchemaCatalogTest, ExpectedSchemaHoldsTheFullTextShadowTablesByName) {
  const auto& objects = *ExpectedSchemaObjects(kSchemaVersion).value();
  for (const char* name : {"page_search", "page_search_data", "page_search_idx",
                           "page_search_content", "page_search_docsize", "page_search_config"}) {
    EXPECT_NE(std::find_if(objects.begin(), objects.end(),
                           [&](const SchemaObject& o) { return o.name == name; }),
              objects.end())
        << name;
  }
}

TEST(SchemaCatalogTest, AcceptsEveryVersionAndAMigratedOlderDatabase) {
  for (int version = 1; version <= kSchemaVersion; ++version) {
    testing::TempDir dir;
    auto db = MigratedDb(dir.Sub("v.db"), version);
    EXPECT_TRUE(Check(*db, version).ok()) << Check(*db, version).ToString();
    ASSERT_TRUE(Migrate(*db).ok());
    EXPECT_TRUE(Check(*db).ok()) << "migrated from " << version << ": " << Check(*db).ToString();
  }
}

TEST(SchemaCatalogTest, RefusesAnOlderDatabaseCheckedAsTheNewest) {
  testing::TempDir dir;
  auto db = MigratedDb(dir.Sub("v1.db"), 1);
  Status s = Check(*db);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("lacks "), std::string::npos) << s.ToString();
  EXPECT_NE(s.message().find(", which arkwiki schema version 3 has"), std::string::npos)
      << s.ToString();
}

struct Tampering {
  const char* sql;
  const char* refusal;
};

TEST(SchemaCatalogTest, RefusesEveryObjectOrChangeArkwikiDoesNotMake) {
  const Tampering cases[] = {
      {"CREATE TRIGGER page_search_backdoor AFTER INSERT ON sessions BEGIN "
       "UPDATE users SET role='admin' WHERE id=NEW.user_id; END",
       "has an object arkwiki does not create: trigger page_search_backdoor"},
      {"CREATE TRIGGER pages_touch AFTER UPDATE ON pages BEGIN SELECT 1; END",
       "has an object arkwiki does not create: trigger pages_touch"},
      {"CREATE VIEW page_search_v AS SELECT * FROM users",
       "has an object arkwiki does not create: view page_search_v"},
      {"CREATE INDEX uploads_name ON uploads(name)",
       "has an object arkwiki does not create: index uploads_name"},
      {"CREATE TABLE page_search_extra(x)",
       "has an object arkwiki does not create: table page_search_extra"},
      {"ALTER TABLE users ADD COLUMN totp TEXT", "defines table users differently"},
      {"DROP INDEX page_links_to", "lacks index page_links_to"},
      {"PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = replace(sql, "
       "'DEFAULT 0', 'DEFAULT 1') WHERE name = 'users'",
       "defines table users differently from arkwiki schema version 3"},
      {"PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = replace(sql, "
       "'(to_slug)', '(to_slug, from_page)') WHERE name = 'page_links_to'",
       "defines index page_links_to differently"},
      {"PRAGMA writable_schema=ON; UPDATE sqlite_schema SET sql = replace(sql, "
       "'block BLOB', 'block BLOB, x') WHERE name = 'page_search_data'",
       "defines table page_search_data differently"},
  };
  for (const Tampering& c : cases) {
    testing::TempDir dir;
    const std::string path = dir.Sub("t.db");
    MigratedDb(path, kSchemaVersion).reset();
    // Tampered from outside: arkwiki's own connections refuse writable_schema.
    sqlite3* raw = nullptr;
    ASSERT_EQ(sqlite3_open(path.c_str(), &raw), SQLITE_OK);
    const int rc = sqlite3_exec(raw, c.sql, nullptr, nullptr, nullptr);
    sqlite3_close(raw);
    ASSERT_EQ(rc, SQLITE_OK) << c.sql;
    auto db = Db::Open(path, DbOptions{});
    ASSERT_TRUE(db.ok()) << c.sql << ": " << db.status().ToString();
    Status s = Check(**db);
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << c.sql;
    EXPECT_NE(s.message().find(c.refusal), std::string::npos) << c.sql << ": " << s.ToString();
    EXPECT_EQ(s.message().rfind("the database schema ", 0), 0u) << s.ToString();
  }
}

TEST(SchemaCatalogTest, NamesFromAHostileSchemaArePrintedSafely) {
  std::vector<SchemaObject> actual = *ExpectedSchemaObjects(kSchemaVersion).value();
  actual.push_back({"trigger", "evil\n\x1b[31m" + std::string(200, 'x'), "users", ""});
  Status s = CompareSchema(actual, *ExpectedSchemaObjects(kSchemaVersion).value(), kSchemaVersion);
  EXPECT_NE(s.message().find("trigger evil\\x0a\\x1b[31mxxx"), std::string::npos) << s.message();
  EXPECT_EQ(s.message().find('\n'), std::string::npos);
  EXPECT_LT(s.message().size(), 200u);
}

TEST(SchemaCatalogTest, RefusesAnObjectListedTwice) {
  std::vector<SchemaObject> actual = *ExpectedSchemaObjects(kSchemaVersion).value();
  actual.push_back(actual.front());
  Status s = CompareSchema(actual, *ExpectedSchemaObjects(kSchemaVersion).value(), kSchemaVersion);
  EXPECT_NE(s.message().find("more than once"), std::string::npos) << s.ToString();
}

}  // namespace
}  // namespace arkwiki
