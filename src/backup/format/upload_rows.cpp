#include "format/upload_rows.h"

#include <algorithm>
#include <string>
#include <string_view>

namespace arkwiki {

Status UploadRows::Add(sqlite3_stmt* st) {
  const auto* text = reinterpret_cast<const char*>(sqlite3_column_text(st, 0));
  if (text == nullptr && sqlite3_column_type(st, 0) != SQLITE_NULL) {
    return Status::IoError("reading the uploads of the database: out of memory");
  }
  const std::string_view hex = text == nullptr ? std::string_view() : std::string_view(text);
  Row row;
  if (!ParseSha256Hex(hex, &row.sha256)) {
    return Status::Corruption("the uploads table holds a malformed hash: " +
                              std::string(hex.substr(0, 80)));
  }
  const sqlite3_int64 size = sqlite3_column_int64(st, 1);
  if (size < 0) return Status::Corruption("the uploads table has a negative size");
  row.size = static_cast<uint64_t>(size);
  rows_.push_back(row);
  return Status::Ok();
}

Status UploadRows::ForEachDistinct(
    const std::function<Status(const Sha256Raw&, uint64_t, uint64_t)>& fn) {
  std::sort(rows_.begin(), rows_.end(), [](const Row& a, const Row& b) {
    return a.sha256 != b.sha256 ? a.sha256 < b.sha256 : a.size < b.size;
  });
  for (size_t i = 0; i < rows_.size();) {
    size_t end = i + 1;
    while (end < rows_.size() && rows_[end].sha256 == rows_[i].sha256) ++end;
    ARKWIKI_RETURN_IF_ERROR(fn(rows_[i].sha256, rows_[i].size, rows_[end - 1].size));
    i = end;
  }
  return Status::Ok();
}

}  // namespace arkwiki
