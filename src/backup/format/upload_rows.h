// The uploads a database's rows name, gathered in one pass over the table
// and grouped by hash (private to the backup layer).
//
// Why not GROUP BY in SQL: the uploads_sha index orders the rows by hash,
// but each row's size then costs a lookup in the table. At 20,000 uploads
// that query cost several times a plain scan and a sort here, and at
// 1,000,000 it took 15-17 s against 0.25 s for the scan (benchmarks/README.md,
// "Scale"). Letting SQLite sort instead writes temporary files outside the
// Env.
//
// Memory: the rows are sorted in memory, 40 bytes each. Given an Env and a
// scratch file prefix, at most `run_rows` rows are held: each full run is
// sorted and written to a scratch file through the Env, and the runs are
// merged when read. A table of fewer rows never touches the disk.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// The query whose rows UploadRows::Add takes: hash, then size.
inline constexpr char kUploadRowsQuery[] = "SELECT sha256, size FROM uploads";

// Rows held in memory before a run is spilled: 2^16 rows, 2.5 MiB (3.75
// while the vector grows). Runs of 2^18 held 15.7 MB at the peak of a
// verify of 1,000,000 rows, beside the manifest's 40 MB list; the smaller
// runs cost no CPU time measurable there.
inline constexpr size_t kUploadRowsPerRun = size_t{1} << 16;

// Scratch bytes the runs of `rows` upload rows take at most: none when
// they fit one run.
inline uint64_t UploadRowsScratchBytes(int64_t rows) {
  return rows <= static_cast<int64_t>(kUploadRowsPerRun) ? 0 : static_cast<uint64_t>(rows) * 40;
}

class UploadRows {
 public:
  // Holds every row in memory.
  UploadRows() = default;
  // Spills sorted runs of `run_rows` rows (at least 1) to files named
  // `scratch_prefix` + random hex + ".run", through `env`. The files are
  // removed when ForEachDistinct returns and by the destructor, whatever
  // the outcome. A prefix that names the database (as CheckUntrustedDatabase
  // passes) lets whoever removes that database after a crash remove its
  // runs too, by the same prefix.
  UploadRows(Env* env, std::string scratch_prefix, size_t run_rows = kUploadRowsPerRun);
  ~UploadRows();
  UploadRows(const UploadRows&) = delete;
  UploadRows& operator=(const UploadRows&) = delete;

  // Adds the row `st` is on (columns as kUploadRowsQuery). Corruption for a
  // hash that is not 64 lowercase hex digits (naming it) or a negative
  // size; IoError when SQLite ran out of memory for the text; the Env's
  // error (NoSpace, IoError) when a run cannot be written.
  Status Add(sqlite3_stmt* st);
  // Calls `fn` once per distinct hash, in ascending order, with the
  // smallest and the largest size its rows record; stops at the first
  // error `fn` returns. Call it once.
  Status ForEachDistinct(
      const std::function<Status(const Sha256Raw& hash, uint64_t min_size, uint64_t max_size)>& fn);
  size_t rows() const { return count_; }
  // Runs written to scratch files so far.
  size_t runs() const { return runs_.size(); }

  struct Row {
    Sha256Raw sha256{};
    uint64_t size = 0;
  };

 private:
  Status Spill();
  Status MergeRuns(const std::function<Status(const Sha256Raw&, uint64_t, uint64_t)>& fn);
  void RemoveRuns();

  Env* env_ = nullptr;  // null: never spills
  std::string scratch_prefix_;
  size_t run_rows_ = 0;
  std::vector<Row> rows_;
  std::vector<std::string> runs_;  // scratch files, each a sorted run
  size_t count_ = 0;
};

}  // namespace arkwiki
