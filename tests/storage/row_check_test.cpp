#include "arkwiki/storage/row_check.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "arkwiki/storage/schema.h"
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
    ASSERT_TRUE(storage_->settings().Update({{"base_url", "https://wiki.example"}}).ok());
    Save("home", "Home", "", "first");
    Save("home", "Home", "", "second");
    Save("child", "Child", "home", "a child");
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
  Status Check() {
    Db& db = storage_->db();
    const std::lock_guard<std::recursive_mutex> lock(db.lock());
    return CheckRowsAreValid(db.raw_handle(), kSchemaVersion);
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

}  // namespace
}  // namespace arkwiki
