#include "row_check_util.h"

#include "arkwiki/core/slug.h"

namespace arkwiki::row_check {

Status ForEach(sqlite3* db, const std::string& sql,
               const std::function<Status(sqlite3_stmt*)>& on_row) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr) != SQLITE_OK) {
    return Status::Corruption("the database cannot be read (" + std::string(sqlite3_errmsg(db)) +
                              ")");
  }
  int rc = SQLITE_DONE;
  Status s;
  while (s.ok() && (rc = sqlite3_step(st)) == SQLITE_ROW) s = on_row(st);
  sqlite3_finalize(st);
  if (!s.ok()) return s;
  if (rc != SQLITE_DONE) {
    return Status::Corruption("the database is damaged (" + std::string(sqlite3_errstr(rc)) + ")");
  }
  return Status::Ok();
}

std::string Text(sqlite3_stmt* st, int col) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, col));
  if (text == nullptr) return "";
  return {text, static_cast<size_t>(sqlite3_column_bytes(st, col))};
}

bool IsInteger(sqlite3_stmt* st, int col) { return sqlite3_column_type(st, col) == SQLITE_INTEGER; }

Status Refuse(std::string_view table, std::string_view key, std::string_view rule) {
  constexpr size_t kMaxKey = 80;
  std::string shown;
  for (const char c : key.substr(0, kMaxKey)) {
    const auto byte = static_cast<unsigned char>(c);
    shown += byte < 0x20 || byte == 0x7f || byte == '\'' ? '?' : c;
  }
  if (key.size() > kMaxKey) shown += "...";
  return Status::Corruption(std::string(table) + " row '" + shown + "': " + std::string(rule));
}

Status CheckBoundedText(std::string_view what, std::string_view text, size_t max_bytes) {
  if (text.size() > max_bytes) {
    return Status::InvalidArgument(std::string(what) + " is longer than " +
                                   std::to_string(max_bytes) + " bytes");
  }
  if (!IsValidUtf8(text) || text.find('\0') != std::string_view::npos) {
    return Status::InvalidArgument(std::string(what) + " is not valid UTF-8 text");
  }
  return Status::Ok();
}

}  // namespace arkwiki::row_check
