#include "arkwiki/storage/storage.h"

#include <chrono>

#include "arkwiki/storage/schema.h"

namespace arkwiki {
namespace {

ReadPoolOptions ViewPoolOptions() {
  ReadPoolOptions options;
  options.size = Storage::kViewConnections;
  // As long as the writer's busy timeout: a view waits for a free connection
  // rather than fail while the server is busy. View queries are short; the
  // budget only stops a runaway.
  options.budget.time = std::chrono::seconds(10);
  options.test_stall = false;
  return options;
}

}  // namespace

Storage::Storage(Env* env, DataDirLayout layout, std::unique_ptr<Db> db)
    : env_(env),
      layout_(std::move(layout)),
      db_(std::move(db)),
      reads_(std::make_unique<ReadPool>(layout_.database, kReadConnections)),
      views_(std::make_unique<ReadPool>(layout_.database, ViewPoolOptions())),
      pages_(db_.get(), reads_.get(), views_.get()),
      users_(db_.get()),
      uploads_(env, db_.get(), layout_, views_.get()),
      settings_(db_.get(), views_.get()),
      audit_(db_.get()) {}

Result<std::unique_ptr<Storage>> Storage::Open(Env* env, const std::string& data_dir) {
  DataDirLayout layout(data_dir);
  ARKWIKI_RETURN_IF_ERROR(PrepareDataDir(env, layout));
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<Db> db, Db::Open(layout.database, DbOptions{}));
  ARKWIKI_RETURN_IF_ERROR(Migrate(*db));
  std::unique_ptr<Storage> storage(new Storage(env, layout, std::move(db)));
  ARKWIKI_RETURN_IF_ERROR(storage->settings().EnsureInstanceId());
  return storage;
}

Result<WikiCounts> Storage::Counts() {
  WikiCounts c;
  ARKWIKI_ASSIGN_OR_RETURN(PageCounts pc, pages_.Counts());
  c.pages = pc.pages;
  c.revisions = pc.revisions;
  ARKWIKI_ASSIGN_OR_RETURN(c.users, users_.Count());
  ARKWIKI_ASSIGN_OR_RETURN(c.uploads, uploads_.Count());
  ARKWIKI_ASSIGN_OR_RETURN(c.upload_bytes, uploads_.TotalBytes());
  ARKWIKI_ASSIGN_OR_RETURN(int64_t page_count, db_->QueryInt("PRAGMA page_count"));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t page_size, db_->QueryInt("PRAGMA page_size"));
  c.database_bytes = page_count * page_size;
  return c;
}

}  // namespace arkwiki
