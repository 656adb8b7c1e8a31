#include "arkwiki/storage/row_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/storage/schema.h"
#include "arkwiki/storage/schema_catalog.h"
#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// One value changed by hand, and the refusal that must name it.
struct Tamper {
  std::string sql;
  std::string refusal;
};

std::vector<Tamper> Tampers() {
  return {
      {"UPDATE users SET password_hash = '$argon2id$v=19$m=4194304,t=64,p=1$c2FsdA$ZGln' "
       "WHERE name = 'victim'",
       "users row 'victim': password hash uses costs arkwiki never writes (m=4194304 KiB)"},
      {"UPDATE users SET password_hash = 'hunter2' WHERE name = 'victim'",
       "users row 'victim': password hash is not argon2id"},
      {"UPDATE users SET name = 'vic tim' WHERE name = 'victim'",
       "users row 'vic tim': user names may contain only"},
      {"UPDATE users SET disabled = 7 WHERE name = 'victim'",
       "users row 'victim': the disabled flag is neither 0 nor 1"},
      {"INSERT INTO settings VALUES('smtp_relay', 'evil.example')",
       "settings row 'smtp_relay': arkwiki has no such setting"},
      {"INSERT OR REPLACE INTO settings VALUES('base_url', 'javascript:alert(1)')",
       "settings row 'base_url': base_url must start with http:// or https://"},
      {"INSERT OR REPLACE INTO settings VALUES('upload_max_bytes', '-5')",
       "settings row 'upload_max_bytes': upload_max_bytes must be a whole number"},
      {"INSERT OR REPLACE INTO settings VALUES('instance_id', 'NOT HEX')",
       "settings row 'instance_id': the instance id is not"},
      {"INSERT OR REPLACE INTO preferences SELECT id, 'theme', 'neon' FROM users "
       "WHERE name = 'victim'",
       "preferences row 'victim/theme'"},
      {"INSERT INTO preferences SELECT id, 'shell', 'bash' FROM users WHERE name = 'victim'",
       "preferences row 'victim/shell'"},
      {"UPDATE pages SET slug = '../etc' WHERE slug = 'child'",
       "pages row '../etc': the slug is not one arkwiki makes"},
      {"UPDATE pages SET title = replace(hex(zeroblob(200)), '0', 'x') WHERE slug = 'child'",
       "pages row 'child': titles are 1 to 300 bytes"},
      {"UPDATE pages SET parent_id = (SELECT id FROM pages WHERE slug = 'child') "
       "WHERE slug = 'home'",
       "the page tree has a cycle"},
      {"UPDATE revisions SET number = 9 WHERE number = 2",
       "pages row 'home': the revision numbers are not 1 to the current revision (2)"},
      {"UPDATE revisions SET markdown = CAST(x'ff41' AS TEXT) WHERE number = 1 AND page_id = "
       "(SELECT id FROM pages WHERE slug = 'child')",
       "revisions row 'child@1': the text is not valid UTF-8"},
      {"UPDATE revisions SET comment = replace(hex(zeroblob(40000)), '0', 'x')",
       "the comment is longer than"},
      {"UPDATE api_tokens SET token_hash = 'ark_plaintext_token'",
       "the token hash is not a SHA-256 in lowercase hex"},
      {"INSERT INTO uploads(page_id, name, sha256, size, content_type, uploader, created_at) "
       "SELECT id, '../../etc/passwd', '" +
           std::string(64, 'a') + "', 1, 'text/plain', 'victim', 0 FROM pages WHERE slug = 'home'",
       "uploads row 'home/../../etc/passwd': the file name is not valid"},
      {"INSERT INTO uploads(page_id, name, sha256, size, content_type, uploader, created_at) "
       "SELECT id, 'a.txt', 'XYZ', 1, 'text/plain', 'victim', 0 FROM pages WHERE slug = 'home'",
       "uploads row 'home/a.txt': the hash is not a SHA-256"},
      {"INSERT INTO audit_log(at, actor, action, detail) VALUES(0, 'victim', 'DROP TABLE', '')",
       "the action is not a kind arkwiki writes"},
      {"INSERT INTO audit_log(at, actor, action, detail) VALUES(0, 'victim', 'user.promote', '')",
       "the action is not a kind arkwiki writes"},
      {"UPDATE revisions SET author = 'Eve <evil@example>' WHERE number = 1",
       "the author is not a user name"},
      {"UPDATE api_tokens SET label = CAST(x'6c6170c0af' AS TEXT)",
       "the label is not valid UTF-8 text"},
      {"UPDATE uploads SET content_type = replace(hex(zeroblob(200)), '0', 'x')",
       "the content type is longer than 255 bytes"},
      {"INSERT INTO sessions(token_hash, user_id, csrf, created_at, expires_at) SELECT '" +
           std::string(64, 'a') + "', id, 'csrf', 0, 4102444800 FROM users WHERE name = 'victim'",
       "sessions row 'victim': a backup carries no login sessions"},
      {"INSERT INTO redirects SELECT 'Not A Slug', id FROM pages WHERE slug = 'home'",
       "redirects row 'Not A Slug': the slug is not one arkwiki makes"},
      {"INSERT INTO page_links SELECT id, 'a/b' FROM pages WHERE slug = 'home'",
       "page_links row 'a/b': the slug is not one arkwiki makes"},
  };
}

class RowCheckTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage_ = Storage::Open(Env::Default(), dir_.path()).value();
    ASSERT_TRUE(storage_->users().Create("victim", "correct horse", Role::kEditor).ok());
    auto user = storage_->users().Get("victim");
    ASSERT_TRUE(storage_->users().SetPreferences(user->id, {{"theme", "dark"}}).ok());
    ASSERT_TRUE(storage_->users().CreateApiToken(user->id, "laptop").ok());
    auto pending = storage_->uploads().Begin(1 << 10);
    ASSERT_TRUE(pending.ok());
    ASSERT_TRUE((*pending)->Append("hello").ok());
    ASSERT_TRUE(storage_->settings().Update({{"base_url", "https://wiki.example"}}).ok());
    Save("home", "Home", "", "first");
    Save("home", "Home", "", "second");
    Save("child", "Child", "home", "a child");
    auto home = storage_->pages().Get("home");
    ASSERT_TRUE(home.ok());
    ASSERT_TRUE(
        storage_->uploads()
            .Commit(std::move(pending).value(), home->id, "hello.txt", "text/plain", "victim")
            .ok());
  }
  void Save(const std::string& slug, const std::string& title, const std::string& parent,
            const std::string& text) {
    SavePageRequest r;
    r.slug = slug;
    r.title = title;
    r.parent_slug = parent;
    r.markdown = text;
    r.author = "victim";
    r.linked_slugs = {"child"};
    ASSERT_TRUE(storage_->pages().Save(r).ok());
  }
  Status Check(RowSource source = RowSource::kArchive) {
    Db& db = storage_->db();
    const std::lock_guard<std::recursive_mutex> lock(db.lock());
    return CheckRowsAreValid(db.raw_handle(), kSchemaVersion, source);
  }
  testing::TempDir dir_;
  std::unique_ptr<Storage> storage_;
};

TEST_F(RowCheckTest, AcceptsWhatTheApiWrote) { EXPECT_TRUE(Check().ok()) << Check().ToString(); }

TEST_F(RowCheckTest, RefusesEachTamperedValueNamingTableRowAndRule) {
  for (const Tamper& t : Tampers()) {
    ASSERT_TRUE(storage_->db().Exec("SAVEPOINT tamper").ok());
    const Status tampered = storage_->db().Exec(t.sql);
    ASSERT_TRUE(tampered.ok()) << t.sql << ": " << tampered.ToString();
    const Status s = Check();
    EXPECT_EQ(s.code(), StatusCode::kCorruption) << t.sql;
    EXPECT_NE(s.message().find(t.refusal), std::string::npos) << t.sql << "\n" << s.ToString();
    ASSERT_TRUE(storage_->db().Exec("ROLLBACK TO tamper").ok());
    ASSERT_TRUE(storage_->db().Exec("RELEASE tamper").ok());
  }
  EXPECT_TRUE(Check().ok());
}

// Databases of older versions (schema 2 backups) still hold the retired
// "registration_open" key: they must keep importing.
TEST_F(RowCheckTest, AcceptsARetiredSettingOlderVersionsWrote) {
  ASSERT_TRUE(storage_->db()
                  .Exec("INSERT INTO settings(key, value) VALUES('registration_open', '0')")
                  .ok());
  EXPECT_TRUE(Check().ok()) << Check().ToString();
  ASSERT_TRUE(storage_->db()
                  .Exec("UPDATE settings SET value = ? WHERE key = 'registration_open'",
                        {std::string(65, '1')})
                  .ok());
  EXPECT_NE(Check().message().find("settings row 'registration_open'"), std::string::npos);
}

// Every kind arkwiki writes is accepted, and so are the kinds only older
// versions wrote (an archive of theirs must keep importing).
TEST_F(RowCheckTest, AcceptsEveryAuditKindArkwikiWritesAndTheRetiredOnes) {
  for (int k = 0; k <= static_cast<int>(AuditKind::kUserUpdate); ++k) {
    ASSERT_TRUE(storage_->audit().Append("victim", static_cast<AuditKind>(k), "detail").ok());
  }
  for (const std::string_view retired : kRetiredAuditKinds) {
    ASSERT_TRUE(
        storage_->db()
            .Exec("INSERT INTO audit_log(at, actor, action, detail) VALUES(0, 'cli', ?, '')",
                  {std::string(retired)})
            .ok());
  }
  EXPECT_TRUE(Check().ok()) << Check().ToString();
}

TEST_F(RowCheckTest, TheAuditLogRefusesToWriteAKindTheCheckWouldRefuse) {
  const Status s = storage_->audit().Append("victim", std::string("user.promote"), "");
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  EXPECT_TRUE(storage_->audit().Append("victim", std::string("user.add"), "bob").ok());
  EXPECT_TRUE(Check().ok()) << Check().ToString();
}

// The live wiki's sessions are its users' logins; only an archive must
// carry none.
TEST_F(RowCheckTest, AcceptsTheLiveDatabasesSessions) {
  auto user = storage_->users().Get("victim");
  ASSERT_TRUE(storage_->users().CreateSession(user->id, 3600).ok());
  EXPECT_TRUE(Check(RowSource::kLiveDatabase).ok()) << Check(RowSource::kLiveDatabase).ToString();
  EXPECT_NE(Check().message().find("sessions row 'victim'"), std::string::npos);
}

// The write path refuses what the import refuses: the same validators.
TEST_F(RowCheckTest, SavingRefusesAnAuthorOrCommentTheImportWouldRefuse) {
  SavePageRequest r;
  r.slug = "home";
  r.title = "Home";
  r.markdown = "third";
  r.author = "Eve <evil@example>";
  EXPECT_EQ(storage_->pages().Save(r).status().code(), StatusCode::kInvalidArgument);
  r.author = "victim";
  r.comment = std::string(kMaxRevisionCommentBytes + 1, 'x');
  EXPECT_EQ(storage_->pages().Save(r).status().code(), StatusCode::kInvalidArgument);
  r.comment = std::string("bad \xc0\xaf byte");
  EXPECT_EQ(storage_->pages().Save(r).status().code(), StatusCode::kInvalidArgument);
  r.comment = std::string(kMaxRevisionCommentBytes, 'x');
  ASSERT_TRUE(storage_->pages().Save(r).ok());
  EXPECT_TRUE(Check().ok()) << Check().ToString();
}

TEST_F(RowCheckTest, TokensAndUploadsRefuseValuesTheImportWouldRefuse) {
  auto user = storage_->users().Get("victim");
  EXPECT_EQ(storage_->users().CreateApiToken(user->id, "bad \xc0\xaf").status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(storage_->users().CreateApiToken(user->id, std::string(101, 'x')).status().code(),
            StatusCode::kInvalidArgument);
  auto pending = storage_->uploads().Begin(1 << 10);
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE((*pending)->Append("hi").ok());
  auto home = storage_->pages().Get("home");
  EXPECT_EQ(
      storage_->uploads()
          .Commit(std::move(pending).value(), home->id, "b.txt", std::string(256, 't'), "victim")
          .status()
          .code(),
      StatusCode::kInvalidArgument);
  EXPECT_TRUE(Check().ok()) << Check().ToString();
}

// The index an import brings is never read: it is rebuilt from the pages,
// and the schema stays exactly arkwiki's.
TEST_F(RowCheckTest, RebuildSearchIndexKeepsOnlyWhatThePagesHold) {
  Db& db = storage_->db();
  ASSERT_TRUE(db.Exec("INSERT INTO page_search(rowid, title, body) VALUES(999, 'Planted', "
                      "'zebracorn payload')")
                  .ok());
  ASSERT_TRUE(db.Exec("UPDATE page_search SET body = 'zebracorn' WHERE rowid = "
                      "(SELECT id FROM pages WHERE slug = 'home')")
                  .ok());
  ASSERT_TRUE(RebuildSearchIndex(db).ok());
  EXPECT_EQ(
      db.QueryInt("SELECT count(*) FROM page_search WHERE page_search MATCH 'zebracorn'").value(),
      0);
  EXPECT_EQ(db.QueryInt("SELECT count(*) FROM page_search").value(), 2);
  EXPECT_EQ(
      db.QueryInt("SELECT count(*) FROM page_search WHERE page_search MATCH 'second'").value(), 1);
  const std::lock_guard<std::recursive_mutex> lock(db.lock());
  const Status exact = CheckSchemaIsExact(db.raw_handle(), kSchemaVersion);
  EXPECT_TRUE(exact.ok()) << exact.ToString();
}

}  // namespace
}  // namespace arkwiki
