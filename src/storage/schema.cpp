#include "arkwiki/storage/schema.h"

#include <algorithm>

namespace arkwiki {
namespace {

// Each entry upgrades version i to i+1. Never edit a shipped step: add one.
const char* const kMigrations[] = {
    // 0 -> 1: the wiki's core tables.
    R"sql(
CREATE TABLE users(
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL UNIQUE COLLATE NOCASE,
  password_hash TEXT NOT NULL,
  role TEXT NOT NULL CHECK(role IN ('reader','editor','admin')),
  disabled INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL);
CREATE TABLE pages(
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  title TEXT NOT NULL,
  parent_id INTEGER REFERENCES pages(id) ON DELETE SET NULL,
  sort_order INTEGER NOT NULL DEFAULT 0,
  visibility TEXT NOT NULL DEFAULT 'public' CHECK(visibility IN ('public','private')),
  current_revision INTEGER NOT NULL DEFAULT 0,
  deleted_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL);
CREATE INDEX pages_parent ON pages(parent_id, sort_order);
CREATE TABLE revisions(
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  number INTEGER NOT NULL,
  title TEXT NOT NULL,
  markdown TEXT NOT NULL,
  author TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  UNIQUE(page_id, number));
CREATE TABLE redirects(
  old_slug TEXT PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE);
CREATE TABLE uploads(
  id INTEGER PRIMARY KEY,
  page_id INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  content_type TEXT NOT NULL,
  uploader TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  UNIQUE(page_id, name));
CREATE INDEX uploads_sha ON uploads(sha256);
CREATE TABLE sessions(
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  csrf TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL);
CREATE TABLE settings(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE audit_log(
  id INTEGER PRIMARY KEY,
  at INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  detail TEXT NOT NULL DEFAULT '');
)sql",
    // 1 -> 2: per-user preferences and API tokens.
    R"sql(
CREATE TABLE preferences(
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  key TEXT NOT NULL,
  value TEXT NOT NULL,
  PRIMARY KEY(user_id, key));
CREATE TABLE api_tokens(
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  token_hash TEXT NOT NULL UNIQUE,
  label TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  last_used_at INTEGER);
)sql",
    // 2 -> 3: full-text search and the link graph.
    R"sql(
CREATE VIRTUAL TABLE page_search USING fts5(title, body, tokenize='unicode61');
INSERT INTO page_search(rowid, title, body)
  SELECT p.id, p.title, r.markdown FROM pages p
  JOIN revisions r ON r.page_id = p.id AND r.number = p.current_revision
  WHERE p.deleted_at IS NULL;
CREATE TABLE page_links(
  from_page INTEGER NOT NULL REFERENCES pages(id) ON DELETE CASCADE,
  to_slug TEXT NOT NULL,
  PRIMARY KEY(from_page, to_slug));
CREATE INDEX page_links_to ON page_links(to_slug);
)sql",
};
static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == kSchemaVersion);

// Must stay the statement of migration 2 -> 3 byte for byte (the schema
// check compares the stored SQL text).
constexpr char kCreatePageSearch[] =
    "CREATE VIRTUAL TABLE page_search USING fts5(title, body, tokenize='unicode61')";
constexpr char kFillPageSearch[] =
    "INSERT INTO page_search(rowid, title, body) "
    "SELECT p.id, p.title, r.markdown FROM pages p "
    "JOIN revisions r ON r.page_id = p.id AND r.number = p.current_revision "
    "WHERE p.deleted_at IS NULL";

}  // namespace

Status RebuildSearchIndex(Db& db) {
  return db.Transaction([](Db& tx) -> Status {
    ARKWIKI_RETURN_IF_ERROR(tx.Exec("DROP TABLE page_search"));
    ARKWIKI_RETURN_IF_ERROR(tx.Exec(kCreatePageSearch));
    return tx.Exec(kFillPageSearch);
  });
}

Result<int> ReadSchemaVersion(Db& db) {
  ARKWIKI_ASSIGN_OR_RETURN(int64_t v, db.QueryInt("PRAGMA user_version"));
  return static_cast<int>(v);
}

Result<int64_t> ReadApplicationId(Db& db) { return db.QueryInt("PRAGMA application_id"); }

Status Migrate(Db& db, int target_version) {
  ARKWIKI_ASSIGN_OR_RETURN(int version, ReadSchemaVersion(db));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t app_id, ReadApplicationId(db));
  if (version > kSchemaVersion) {
    return Status::Unsupported("database schema version " + std::to_string(version) +
                               " is newer than this build supports (" +
                               std::to_string(kSchemaVersion) + ")");
  }
  if (version > 0 && app_id != kApplicationId) {
    return Status::Corruption(db.path() + " is not an arkwiki database (application_id " +
                              std::to_string(app_id) + ")");
  }
  for (int v = version; v < target_version; ++v) {
    Status s = db.Transaction([&](Db& tx) -> Status {
      ARKWIKI_RETURN_IF_ERROR(tx.ExecScript(kMigrations[v]));
      ARKWIKI_RETURN_IF_ERROR(tx.Exec("PRAGMA application_id=" + std::to_string(kApplicationId)));
      return tx.Exec("PRAGMA user_version=" + std::to_string(v + 1));
    });
    if (!s.ok())
      return s.WithContext("migrating schema " + std::to_string(v) + " -> " +
                           std::to_string(v + 1));
  }
  return Status::Ok();
}

}  // namespace arkwiki
