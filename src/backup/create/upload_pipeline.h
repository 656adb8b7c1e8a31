// UploadPipeline: small uploads of a backup read, hashed and compressed
// ahead of the writer, on a second thread (private to the backup layer).
//
// For 50,000 files of 1-4 KiB, opening and reading each file and deflating
// it were most of a backup's time, all on one thread (benchmarks/README.md).
// Here a helper thread runs ZipWriter::Prepare on the small uploads (at most
// ZipWriter::kMaxPreparedBytes each) ahead of the writer, which takes the
// results in archive order with Take() and only writes them. While it
// waits, the writer prepares the next unclaimed uploads itself, so both
// threads compress. Large uploads are not touched here: the writer streams
// them itself (AddFile), while the helper goes on with the small ones that
// follow.
//
// Memory: the uploads prepared ahead hold at most kMaxAheadBytes of input
// (and their compressed forms), plus one ZipPrepareScratch per thread.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/storage/data_dir.h"
#include "zip/zip_writer.h"

namespace arkwiki {

class UploadPipeline {
 public:
  static constexpr uint64_t kMaxAheadBytes = uint64_t{4} << 20;
  static constexpr size_t kMaxAheadEntries = 4096;

  // Prepares files[first..] that IsSmall, each from layout.UploadPath of its
  // hash, under its archive path. All arguments must outlive the pipeline.
  UploadPipeline(Env* env, const DataDirLayout& layout, const ManifestFiles& files, size_t first,
                 const EntryOptions& options);
  // Stops the helper (dropping what it prepared) and waits for it.
  ~UploadPipeline();
  UploadPipeline(const UploadPipeline&) = delete;
  UploadPipeline& operator=(const UploadPipeline&) = delete;

  static bool IsSmall(uint64_t size) { return size <= ZipWriter::kMaxPreparedBytes; }
  static bool IsSmall(const ManifestFile& f) { return IsSmall(f.size); }

  // The prepared entry, or ZipWriter::Prepare's error, for files[i], which
  // must be small. Call in increasing order of i.
  Result<PreparedEntry> Take(size_t i);

 private:
  void Run();
  Result<PreparedEntry> PrepareOne(size_t i, ZipPrepareScratch* scratch);
  // With mu_ held: the next small file no one has claimed, if the budget
  // allows preparing it now; files_.size() otherwise.
  size_t ClaimableLocked();
  void ClaimLocked(size_t i);

  Env* env_;
  const DataDirLayout& layout_;
  const ManifestFiles& files_;
  const EntryOptions options_;
  ZipPrepareScratch helper_scratch_;
  ZipPrepareScratch writer_scratch_;

  std::mutex mu_;
  std::condition_variable cv_;
  size_t next_claim_;         // files below it are claimed (or large)
  uint64_t ahead_bytes_ = 0;  // files claimed to be prepared ahead and not yet taken
  size_t ahead_entries_ = 0;
  std::map<size_t, Result<PreparedEntry>> ready_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace arkwiki
