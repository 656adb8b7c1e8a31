#include "sqlite_calls.h"

#include <sqlite3.h>

#include <memory>
#include <mutex>

namespace arkwiki {
namespace {

int Bind(sqlite3_stmt* st, int index, const SqlParam& p) {
  switch (p.kind()) {
    case SqlParam::kInt:
      return sqlite3_bind_int64(st, index, p.int_value());
    case SqlParam::kText:
      // SQLITE_STATIC: the text outlives the step that reads it.
      return sqlite3_bind_text64(st, index, p.text_value().data(), p.text_value().size(),
                                 SQLITE_STATIC, SQLITE_UTF8);
    case SqlParam::kNull:
      return sqlite3_bind_null(st, index);
  }
  return SQLITE_MISUSE;
}

}  // namespace

Status StatusFromSqliteCode(int rc, const std::string& message) {
  switch (rc & 0xff) {
    case SQLITE_CORRUPT:
    case SQLITE_NOTADB:
      return Status::Corruption(message);
    case SQLITE_FULL:
      return Status::NoSpace(message);
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return Status::Busy(message);
    case SQLITE_CONSTRAINT:
      return Status::Conflict(message);
    default:
      return Status::IoError(message);
  }
}

Status ExecEach(Db& db, const std::string& sql, const std::vector<std::vector<SqlParam>>& rows) {
  const std::lock_guard<std::recursive_mutex> lock(db.lock());
  sqlite3* handle = db.raw_handle();
  sqlite3_stmt* raw = nullptr;
  int rc = sqlite3_prepare_v2(handle, sql.c_str(), -1, &raw, nullptr);
  const std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> st(raw, sqlite3_finalize);
  for (size_t r = 0; r < rows.size() && rc == SQLITE_OK; ++r) {
    for (size_t i = 0; i < rows[r].size() && rc == SQLITE_OK; ++i) {
      rc = Bind(st.get(), static_cast<int>(i + 1), rows[r][i]);
    }
    if (rc == SQLITE_OK) rc = sqlite3_step(st.get());
    if (rc == SQLITE_DONE || rc == SQLITE_ROW) rc = sqlite3_reset(st.get());
  }
  if (rc == SQLITE_OK) return Status::Ok();
  return StatusFromSqliteCode(rc, sql.substr(0, 60) + ": " + sqlite3_errmsg(handle));
}

}  // namespace arkwiki
