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
// (and their compressed forms), plus one ZipPrepareScratch per thread. The
// list is read with a cursor of the pipeline's own (a 64 KiB block when it
// is spilled), never held.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/storage/data_dir.h"
#include "format/manifest_file_store.h"
#include "zip/zip_writer.h"

namespace arkwiki {

class UploadPipeline {
 public:
  static constexpr uint64_t kMaxAheadBytes = uint64_t{4} << 20;
  static constexpr size_t kMaxAheadEntries = 4096;

  // Prepares the uploads among files[first..] that IsSmall, each from
  // layout.UploadPath of its hash, under its archive path, reading the list
  // with a cursor of its own. All arguments must outlive the pipeline.
  UploadPipeline(Env* env, const DataDirLayout& layout, const ManifestFileStore& files,
                 size_t first, const EntryOptions& options);
  // Stops the helper (dropping what it prepared) and waits for it.
  ~UploadPipeline();
  UploadPipeline(const UploadPipeline&) = delete;
  UploadPipeline& operator=(const UploadPipeline&) = delete;

  static bool IsSmall(uint64_t size) { return size <= ZipWriter::kMaxPreparedBytes; }

  // The prepared entry, or ZipWriter::Prepare's error, for `file`, which
  // must be small and stand at index i of the list. Call in increasing
  // order of i. IoError when the helper found another file at i (the
  // list's scratch file was altered) or could not read the list.
  Result<PreparedEntry> Take(size_t i, const ManifestFile& file);

 private:
  // A small upload claimed to be prepared.
  struct Claim {
    size_t index = 0;
    Sha256Raw sha256{};
    uint64_t size = 0;
  };
  struct Ready {
    Sha256Raw sha256{};
    uint64_t size = 0;
    Result<PreparedEntry> entry;
  };

  void Run();
  Result<PreparedEntry> PrepareOne(const ManifestFile& file, ZipPrepareScratch* scratch);
  // With mu_ held: the next small upload no one has claimed, if the budget
  // allows preparing it now.
  std::optional<Claim> ClaimableLocked();
  // With mu_ held: reads the list on to the next small upload, into
  // peeked_; false at the end of the list or on an error (read_error_).
  bool PeekLocked();
  void ClaimLocked(const Claim& c);
  // With mu_ held on entry and on return: claims `c`, prepares it with
  // mu_ released, and hands it over in ready_.
  void PrepareClaimed(const Claim& c, ZipPrepareScratch* scratch,
                      std::unique_lock<std::mutex>* lock);
  // With mu_ held: every file up to index i is taken by the writer.
  void SkipPastLocked(size_t i);
  bool ExhaustedLocked() const { return list_done_ || !read_error_.ok(); }

  Env* env_;
  const DataDirLayout& layout_;
  const EntryOptions options_;
  ZipPrepareScratch helper_scratch_;
  ZipPrepareScratch writer_scratch_;

  std::mutex mu_;
  std::condition_variable cv_;
  ManifestFileStore::Cursor cursor_;  // at file next_read_
  size_t next_read_ = 0;
  std::optional<Claim> peeked_;  // read from the list, not yet claimed
  bool list_done_ = false;       // the cursor is at the end
  Status read_error_;            // the cursor failed
  size_t next_claim_;            // files below it are the writer's, claimed, large, or not uploads
  uint64_t ahead_bytes_ = 0;     // files claimed to be prepared ahead and not yet taken
  size_t ahead_entries_ = 0;
  std::set<size_t> preparing_;  // claimed and not yet ready: at most one a thread
  std::map<size_t, Ready> ready_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace arkwiki
