// Storage: one open data directory — the database and the stores over it.
#pragma once

#include <memory>
#include <string>

#include "arkwiki/core/env.h"
#include "arkwiki/storage/audit_log.h"
#include "arkwiki/storage/data_dir.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/page_store.h"
#include "arkwiki/storage/read_pool.h"
#include "arkwiki/storage/settings_store.h"
#include "arkwiki/storage/upload_store.h"
#include "arkwiki/storage/user_store.h"

namespace arkwiki {

struct WikiCounts {
  int64_t pages = 0;
  int64_t revisions = 0;
  int64_t users = 0;
  int64_t uploads = 0;
  int64_t upload_bytes = 0;
  int64_t database_bytes = 0;
};

class Storage {
 public:
  // Enough for a few searches at once on a small server; each one runs
  // under a budget, so a full pool frees within that budget.
  static constexpr int kReadConnections = 3;
  // For the short reads of page views (pages, revisions, lists, backlinks,
  // uploads, settings), so that they never queue behind a save, a backup
  // snapshot or a search. A query holds its connection only while it runs,
  // and a worker thread holds one at a time; connections open on first use,
  // so this is about one per worker (default 16, `threads`) up to 32 workers.
  // With 8 connections and 32 or 64 workers, page views spent a third to
  // half of their time waiting for a connection under load (docs/testing.md).
  static constexpr int kViewConnections = 32;

  // Creates the layout if needed, opens live/arkwiki.db as the one writer
  // connection and migrates it forward. It does not take the data-directory
  // lock or clean tmp/: the server does both at start (see web/server).
  static Result<std::unique_ptr<Storage>> Open(Env* env, const std::string& data_dir);

  Env* env() const { return env_; }
  const DataDirLayout& layout() const { return layout_; }
  Db& db() { return *db_; }
  // Read-only connections for searches (kReadConnections at most).
  ReadPool& reads() { return *reads_; }
  // Read-only connections for page views (kViewConnections at most).
  ReadPool& views() { return *views_; }
  PageStore& pages() { return pages_; }
  UserStore& users() { return users_; }
  UploadStore& uploads() { return uploads_; }
  SettingsStore& settings() { return settings_; }
  AuditLog& audit() { return audit_; }
  Result<WikiCounts> Counts();

 private:
  Storage(Env* env, DataDirLayout layout, std::unique_ptr<Db> db);
  Env* env_;
  DataDirLayout layout_;
  std::unique_ptr<Db> db_;
  std::unique_ptr<ReadPool> reads_;
  std::unique_ptr<ReadPool> views_;
  PageStore pages_;
  UserStore users_;
  UploadStore uploads_;
  SettingsStore settings_;
  AuditLog audit_;
};

}  // namespace arkwiki
