// The uploads a database's rows name, gathered in one pass over the table
// and grouped by hash in memory (private to the backup layer).
//
// Why not GROUP BY in SQL: the uploads_sha index orders the rows by hash,
// but each row's size then costs a lookup in the table. At 20,000 uploads
// that query cost several times a plain scan and a sort here, and it ran
// twice per restore point (benchmarks/README.md, "Restore points: the
// second snapshot, retention and memory").
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <vector>

#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// The query whose rows UploadRows::Add takes: hash, then size.
inline constexpr char kUploadRowsQuery[] = "SELECT sha256, size FROM uploads";

class UploadRows {
 public:
  // Adds the row `st` is on (columns as kUploadRowsQuery). Corruption for a
  // hash that is not 64 lowercase hex digits (naming it) or a negative
  // size; IoError when SQLite ran out of memory for the text.
  Status Add(sqlite3_stmt* st);
  // Calls `fn` once per distinct hash, in ascending order, with the
  // smallest and the largest size its rows record; stops at the first
  // error `fn` returns. Sorts the rows first (40 bytes each).
  Status ForEachDistinct(
      const std::function<Status(const Sha256Raw& hash, uint64_t min_size, uint64_t max_size)>& fn);
  size_t rows() const { return rows_.size(); }

 private:
  struct Row {
    Sha256Raw sha256{};
    uint64_t size = 0;
  };
  std::vector<Row> rows_;
};

}  // namespace arkwiki
