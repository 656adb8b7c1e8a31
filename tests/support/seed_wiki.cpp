#include "support/seed_wiki.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include <algorithm>
#include <sstream>

#include "arkwiki/core/hash.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

void Save(Storage& s, const std::string& slug, const std::string& title, const std::string& text,
          const std::string& parent = "", const std::string& visibility = "public") {
  SavePageRequest r;
  r.slug = slug;
  r.title = title;
  r.markdown = text;
  r.author = "ann";
  if (!parent.empty()) r.parent_slug = parent;
  r.visibility = visibility;
  auto page = s.pages().Save(r);
  ASSERT_TRUE(page.ok()) << page.status().ToString();
}

void Upload(Storage& s, const std::string& slug, const std::string& name, const std::string& data) {
  auto page = s.pages().Get(slug);
  ASSERT_TRUE(page.ok());
  auto pending = s.uploads().Begin(1 << 24);
  ASSERT_TRUE(pending.ok());
  ASSERT_TRUE((*pending)->Append(data).ok());
  auto up = s.uploads().Commit(std::move(pending).value(), page->id, name, ContentTypeForName(name),
                               "ann");
  ASSERT_TRUE(up.ok()) << up.status().ToString();
}

}  // namespace

void AddUpload(Storage& s, const std::string& slug, const std::string& name,
               const std::string& data) {
  Upload(s, slug, name, data);
}

void TamperDatabase(const std::string& database, const std::string& sql) {
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(database.c_str(), &db), SQLITE_OK);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string message = err != nullptr ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << message;
}

void SeedWikiAt(const std::string& data_dir, const std::string& variant) {
  auto storage = Storage::Open(Env::Default(), data_dir);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  SeedWiki(**storage, variant);
}

void SeedWiki(Storage& s, const std::string& v) {
  auto ann = s.users().Create("ann", "correct horse " + v, Role::kAdmin);
  ASSERT_TRUE(ann.ok()) << ann.status().ToString();
  ASSERT_TRUE(s.users().Create("bob", "correct horse", Role::kEditor).ok());
  ASSERT_TRUE(s.users().Create("cy", "correct horse", Role::kReader).ok());
  ASSERT_TRUE(
      s.users().SetPreferences(ann->id, {{"theme", "dark"}, {"timezone", "Europe/Oslo"}}).ok());
  ASSERT_TRUE(s.users().CreateApiToken(ann->id, "ci").ok());
  ASSERT_TRUE(s.users().CreateSession(ann->id, 3600).ok());
  Save(s, "home", "Home " + v, "# Welcome " + v + "\n\nSee [[Guide]].");
  Save(s, "home", "Home " + v, "# Welcome " + v + "\n\nSee [[Guide]] and more.");
  Save(s, "guide", "Guide", "Guide text " + v, "home");
  Save(s, "deep", "Deep", "deep " + v, "guide");
  Save(s, "secret", "Secret", "private " + v, "", "private");
  Save(s, "gone", "Gone", "to the trash " + v);
  ASSERT_TRUE(s.pages().MoveToTrash("gone").ok());
  ASSERT_TRUE(
      s.settings().Update({{"site_title", "Team " + v}, {"upload_max_bytes", "5000000"}}).ok());
  Upload(s, "home", "logo.png", std::string(3000, 'p') + v);
  Upload(s, "guide", "notes.txt", "some notes " + v + std::string(5000, 'n'));
  Upload(s, "guide", "copy.png", std::string(3000, 'p') + v);  // same content as logo.png
  ASSERT_TRUE(s.audit().Append("ann", AuditKind::kSettingsUpdate, "seed " + v).ok());
}

std::string DumpWiki(const std::string& data_dir) {
  DataDirLayout layout(data_dir);
  DbOptions ro;
  ro.read_only = true;
  auto db = Db::Open(layout.database, ro);
  if (!db.ok()) return "cannot open: " + db.status().ToString();
  const char* queries[] = {
      "SELECT id, slug, title, parent_id, sort_order, visibility, current_revision, "
      "deleted_at IS NOT NULL FROM pages",
      "SELECT page_id, number, title, markdown, author, comment FROM revisions",
      "SELECT old_slug, page_id FROM redirects",
      "SELECT id, name, password_hash, role, disabled FROM users",
      "SELECT user_id, key, value FROM preferences",
      "SELECT user_id, token_hash, label FROM api_tokens",
      "SELECT key, value FROM settings",
      "SELECT page_id, name, sha256, size, content_type FROM uploads",
      "SELECT actor, action, detail FROM audit_log WHERE action NOT LIKE 'backup.%'",
  };
  std::ostringstream out;
  for (const char* q : queries) {
    auto rows = (*db)->Query(q);
    if (!rows.ok()) return "query failed: " + rows.status().ToString();
    std::vector<std::string> lines;
    for (const SqlRow& r : *rows) {
      std::string line;
      for (size_t i = 0; i < r.cells.size(); ++i) line += (i ? "|" : "") + r.Text(i);
      lines.push_back(line);
    }
    std::sort(lines.begin(), lines.end());
    out << q << "\n";
    for (const auto& l : lines) out << "  " << l << "\n";
  }
  auto uploads = (*db)->Query("SELECT DISTINCT sha256 FROM uploads ORDER BY sha256");
  for (const SqlRow& r : *uploads) {
    auto digest = Sha256File(Env::Default(), layout.UploadPath(r.Text(0)));
    out << "file " << r.Text(0) << " " << (digest.ok() ? digest->sha256 : "MISSING") << "\n";
  }
  return out.str();
}

std::string LiveFingerprint(const std::string& data_dir) {
  std::string fp = TreeFingerprint(DataDirLayout(data_dir).live);
  std::istringstream in(fp);
  std::string line, out;
  while (std::getline(in, line)) {
    if (line.find("arkwiki.db-wal") != std::string::npos ||
        line.find("arkwiki.db-shm") != std::string::npos) {
      continue;
    }
    out += line + "\n";
  }
  return out;
}

}  // namespace arkwiki::testing
