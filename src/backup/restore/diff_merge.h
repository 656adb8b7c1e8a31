// The ordered merge behind restore_diff.h: a forward-only cursor over one
// query's rows on a raw SQLite statement (no row is copied into Poco's
// RecordSet), and the merge of two such cursors by their first column.
#pragma once

#include <sqlite3.h>

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "arkwiki/storage/db.h"

namespace arkwiki {

// Steps through `sql`'s rows. Holds `db`'s lock from Start until it is
// destroyed, so keep it short-lived. With no database (nullptr) it is at
// its end at once: an absent live database compares as empty.
class RowCursor {
 public:
  RowCursor(Db* db, std::string sql);
  RowCursor(const RowCursor&) = delete;
  RowCursor& operator=(const RowCursor&) = delete;

  // Prepares the statement and steps to the first row.
  [[nodiscard]] Status Start();
  [[nodiscard]] Status Advance();
  bool at_end() const { return at_end_; }
  // Column `i` of the current row, valid until the next Advance.
  std::string_view View(int i) const;
  std::string Text(int i) const { return std::string(View(i)); }
  int64_t Int(int i) const { return sqlite3_column_int64(stmt_.get(), i); }

 private:
  [[nodiscard]] Status Step();

  Db* db_;
  std::string sql_;
  std::unique_lock<std::recursive_mutex> lock_;
  std::unique_ptr<sqlite3_stmt, int (*)(sqlite3_stmt*)> stmt_{nullptr, sqlite3_finalize};
  bool at_end_ = true;
};

// Called once per key, in ascending byte order of column 0 (SQLite's BINARY
// collation): `backup` or `live` is nullptr where that side lacks the key.
using MergeVisit = std::function<Status(const RowCursor* backup, const RowCursor* live)>;

// Runs `sql` on both databases (either may be nullptr) and merges the rows.
// `sql` must order its rows by column 0 with the BINARY collation, and
// column 0 must be unique.
[[nodiscard]] Status MergeByKey(Db* backup, Db* live, const std::string& sql,
                                const MergeVisit& visit);

}  // namespace arkwiki
