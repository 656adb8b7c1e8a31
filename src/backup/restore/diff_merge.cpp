#include "restore/diff_merge.h"

namespace arkwiki {
namespace {

Status SqliteError(sqlite3* handle, int rc, const std::string& sql) {
  const std::string message = sql.substr(0, 60) + ": " + sqlite3_errmsg(handle);
  const int primary = rc & 0xff;
  if (primary == SQLITE_CORRUPT || primary == SQLITE_NOTADB) return Status::Corruption(message);
  if (primary == SQLITE_BUSY || primary == SQLITE_LOCKED) return Status::Busy(message);
  if (primary == SQLITE_NOMEM) return Status::NoSpace(message);
  return Status::IoError(message);
}

}  // namespace

RowCursor::RowCursor(Db* db, std::string sql) : db_(db), sql_(std::move(sql)) {}

Status RowCursor::Start() {
  if (db_ == nullptr) return Status::Ok();
  lock_ = std::unique_lock<std::recursive_mutex>(db_->lock());
  sqlite3_stmt* raw = nullptr;
  const int rc = sqlite3_prepare_v2(db_->raw_handle(), sql_.c_str(), -1, &raw, nullptr);
  stmt_.reset(raw);
  if (rc != SQLITE_OK) return SqliteError(db_->raw_handle(), rc, sql_);
  return Step();
}

Status RowCursor::Advance() {
  if (at_end_) return Status::Ok();
  return Step();
}

Status RowCursor::Step() {
  const int rc = sqlite3_step(stmt_.get());
  at_end_ = rc != SQLITE_ROW;
  if (rc == SQLITE_ROW || rc == SQLITE_DONE) return Status::Ok();
  return SqliteError(db_->raw_handle(), rc, sql_);
}

std::string_view RowCursor::View(int i) const {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(stmt_.get(), i));
  if (text == nullptr) return {};
  return {text, static_cast<size_t>(sqlite3_column_bytes(stmt_.get(), i))};
}

Status MergeByKey(Db* backup, Db* live, const std::string& sql, const MergeVisit& visit) {
  RowCursor b(backup, sql);
  RowCursor l(live, sql);
  ARKWIKI_RETURN_IF_ERROR(b.Start());
  ARKWIKI_RETURN_IF_ERROR(l.Start());
  while (!b.at_end() || !l.at_end()) {
    // std::char_traits<char> compares as unsigned char, as memcmp and
    // SQLite's BINARY collation do.
    const int order = b.at_end() ? 1 : l.at_end() ? -1 : b.View(0).compare(l.View(0));
    ARKWIKI_RETURN_IF_ERROR(visit(order <= 0 ? &b : nullptr, order >= 0 ? &l : nullptr));
    if (order <= 0) ARKWIKI_RETURN_IF_ERROR(b.Advance());
    if (order >= 0) ARKWIKI_RETURN_IF_ERROR(l.Advance());
  }
  return Status::Ok();
}

}  // namespace arkwiki
