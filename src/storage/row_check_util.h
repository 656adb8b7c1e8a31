// Reading rows through a raw sqlite3 handle for the row check (private to
// the storage layer).
#pragma once

#include <sqlite3.h>

#include <functional>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"

namespace arkwiki::row_check {

// Calls on_row for each row of `sql`; stops at the first failing row.
// Corruption when the statement fails.
Status ForEach(sqlite3* db, const std::string& sql,
               const std::function<Status(sqlite3_stmt*)>& on_row);
// Column `col` as text (NULL as "").
std::string Text(sqlite3_stmt* st, int col);
// True if column `col` holds an integer (not text, real, blob or NULL).
bool IsInteger(sqlite3_stmt* st, int col);
// Corruption "<table> row '<key>': <rule>", the key made printable and
// shortened.
Status Refuse(std::string_view table, std::string_view key, std::string_view rule);
// Ok for at most `max_bytes` of valid UTF-8 without NUL bytes.
Status CheckBoundedText(std::string_view what, std::string_view text, size_t max_bytes);

}  // namespace arkwiki::row_check
