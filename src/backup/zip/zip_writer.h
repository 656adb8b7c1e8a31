// ZipWriter: a streaming ZIP writer that never seeks, so it can write to a
// file, a pipe or an HTTP response alike. Layout: see zip_types.h.
//
// Our own code rather than Poco::Zip::Compress because Poco 1.11 breaks every
// entry of 4 GiB or more in seekable mode (issue #2590), throws "Bad output
// stream" mid-archive on a pipe, writes 1 KiB pieces, deflates at zlib -9 by
// default and marks entries as FAT without Unix modes
// (docs/design-notes.md#our-own-zip-writer-with-libdeflate). This writer uses libdeflate/zlib, data
// descriptors and ZIP64 where needed, and hashes every byte once with SHA-256 as it passes.
//
// Memory stays flat regardless of entry size: 1 MiB input blocks, 1 MiB
// output blocks, and up to 2 x 8 MiB for whole-buffer deflate of small
// entries (released after an entry above 1 MiB). The central directory is
// kept encoded (~55 bytes plus the name per entry) until Finish(): in memory,
// or with SpoolCentralDirectory in a scratch file, leaving ~8-16 bytes per
// entry in memory (a hash of its name, for the duplicate check).
//
// Errors: every call returns the first failure. Once bytes of an entry have
// reached the sink, a failure (sink error, input read error, input file
// changing size) is sticky: the archive is unusable and every later call
// returns the same Status. A failure before any byte was written (bad name,
// missing file) leaves the archive consistent and the writer usable.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_types.h"

namespace arkwiki {

namespace zip {
class BlockSource;
class CentralSpool;
class Deflaters;
class HashSet64;
}  // namespace zip

struct EntryOptions {
  enum class Method {
    kStore,    // always store
    kDeflate,  // deflate; small entries that would grow are stored instead
    // Store known-incompressible content (by extension or magic bytes) and
    // content whose first 64 KiB does not shrink below ~90% at level 1;
    // deflate the rest.
    kAuto,
  };
  Method method = Method::kAuto;
  // libdeflate level (1..9) for entries up to 8 MiB, compressed in one call.
  // Larger entries always stream through zlib at level 1: level 6 is 4-7x
  // slower for a few percent (docs/design-notes.md#store-media-deflate-the-rest). Default 1.
  int deflate_level = 1;
  // Modification time stored for the entry, in Unix seconds (UTC); clamped
  // to the DOS range 1980..2107. A fixed value makes archives reproducible.
  int64_t mtime_unix = 0;
};

// What was written for one entry.
struct EntryInfo {
  std::string name;
  uint16_t method = kZipMethodStore;  // the method actually used
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  std::string sha256;  // lowercase hex of the uncompressed bytes
  uint64_t local_header_offset = 0;
};

// Compressors and buffers for ZipWriter::Prepare (a few MiB at most). One
// per thread; reused from entry to entry.
class ZipPrepareScratch {
 public:
  ZipPrepareScratch();
  ~ZipPrepareScratch();
  ZipPrepareScratch(const ZipPrepareScratch&) = delete;
  ZipPrepareScratch& operator=(const ZipPrepareScratch&) = delete;

 private:
  friend class ZipWriter;
  std::unique_ptr<zip::Deflaters> deflaters_;
  std::vector<char> in_block_;   // FileBlockSource's 1 MiB buffer
  std::vector<char> whole_in_;   // gathered input of a whole-buffer entry
  std::vector<char> whole_out_;  // its deflated form
};

// A file entry whose work is done — read, checked against its size, hashed,
// compressed (ZipWriter::Prepare) — waiting to be written (AddPrepared).
struct PreparedEntry {
  EntryInfo info;  // everything but local_header_offset
  uint32_t data_crc32 = 0;
  uint16_t dos_time = 0;
  uint16_t dos_date = 0;
  std::string data;  // the bytes as stored
};

class ZipWriter {
 public:
  // Largest file Prepare takes: it is held in memory whole.
  static constexpr uint64_t kMaxPreparedBytes = uint64_t{1} << 20;

  // `sink` is not owned and must outlive the writer. The writer issues a few
  // small writes per entry (headers): wrap unbuffered sinks in a
  // BufferedByteSink. Finish() flushes the sink.
  explicit ZipWriter(ByteSink* sink);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Keeps the central directory in a new scratch file at `path` (created
  // exclusively, removed when the writer is destroyed) rather than in
  // memory. Call before the first entry. A write to it that fails later is
  // sticky, as a sink error is.
  Status SpoolCentralDirectory(Env* env, const std::string& path);

  // Adds the regular file at `path` (read through `env`; a symlink is
  // refused by the Env; do not pass FIFOs or devices — list directories with
  // Env::ListDir and skip kSymlink/kOther) as entry `name`. The size is the opened file's
  // (fstat) before reading; if the file grows or shrinks while it is read, fails with Corruption
  // (sticky). `name` must pass the reader's name rules (relative, no "..", UTF-8, ...) and differ
  // from every earlier name even ignoring ASCII case: else InvalidArgument. `out` (optional)
  // receives what was written.
  Status AddFile(std::string_view name, Env* env, const std::string& path,
                 const EntryOptions& options, EntryInfo* out = nullptr);
  // Same for bytes in memory.
  Status AddBytes(std::string_view name, std::string_view data, const EntryOptions& options,
                  EntryInfo* out = nullptr);
  // Same for bytes that `source` produces (zip_source.h; the
  // backup layer's streamed entries, such as a large manifest.json).
  Status AddSource(std::string_view name, zip::BlockSource* source, const EntryOptions& options,
                   EntryInfo* out = nullptr);

  // Everything AddFile does for a file of at most kMaxPreparedBytes except
  // writing it: reads it (checking its size as AddFile does), picks the
  // method, computes CRC-32 and SHA-256 and compresses. It touches no
  // writer, so it may run on any thread, with its own `scratch`, while the
  // writer works: the backup writer prepares small uploads ahead on a
  // second thread. Errors are those AddFile would return (InvalidArgument
  // for a larger file). The output is byte for byte what AddFile writes.
  static Result<PreparedEntry> Prepare(std::string_view name, Env* env, const std::string& path,
                                       const EntryOptions& options, ZipPrepareScratch* scratch);
  // Writes a prepared entry, exactly as AddFile would have; the name is
  // checked here (rules and duplicates), as for AddFile.
  Status AddPrepared(PreparedEntry entry, EntryInfo* out = nullptr);
  // Writes the central directory and end records, then flushes the sink.
  // No entry may be added afterwards. An archive with no entries is valid.
  Status Finish();

  // Bytes handed to the sink so far.
  uint64_t bytes_written() const { return offset_; }
  size_t entry_count() const { return entry_count_; }

 private:
  struct Record {
    std::string name;
    uint16_t method = 0;
    uint16_t dos_time = 0;
    uint16_t dos_date = 0;
    uint32_t crc32 = 0;
    uint32_t data_crc32 = 0;  // of the bytes as stored (zip_canonical.h)
    uint64_t compressed_size = 0;
    uint64_t uncompressed_size = 0;
    uint64_t offset = 0;
    bool zip64_local = false;  // ZIP64 extra in the local header + 64-bit descriptor
  };
  struct EntryState;

  Status AddEntry(std::string_view name, zip::BlockSource* source, const EntryOptions& options,
                  EntryInfo* out);
  Status CheckCanAdd(std::string_view name, const EntryOptions& options) const;
  static uint64_t FoldedHash(std::string_view name);
  Result<bool> IsNameTaken(std::string_view name) const;
  // Notes the name of the entry about to be added to the directory.
  Status NoteName(std::string_view name);
  static Result<uint16_t> ChooseMethod(zip::Deflaters* deflaters, std::string_view name,
                                       std::string_view head, uint64_t size,
                                       const EntryOptions& options);
  static Status PrepareWhole(EntryState* st, zip::BlockSource* source, std::string_view head,
                             ZipPrepareScratch* scratch, std::string_view* data);
  Status WriteWholeEntry(EntryState* st, zip::BlockSource* source, std::string_view head);
  Status EmitWhole(const Record& r, std::string_view data);
  Status WriteStreamedEntry(EntryState* st, zip::BlockSource* source, std::string_view head);
  Status WriteLocalHeader(const Record& r);
  Status WriteDescriptor(const Record& r);
  Status WriteCentralDirectory();
  static void EncodeCentralRecord(const Record& r, std::string* out);
  Status AppendCentral(const Record& r);
  Result<bool> AnyCentralName(const std::function<bool(std::string_view)>& match) const;
  Status WriteEndRecords(uint64_t cd_offset, uint64_t cd_size);
  Status Emit(std::string_view data);

  ByteSink* sink_;
  uint64_t offset_ = 0;
  bool finished_ = false;
  Status failed_;
  std::unique_ptr<zip::CentralSpool> central_;  // the central directory, encoded
  size_t entry_count_ = 0;
  // Names in the archive are kept apart in two ways. The run: the latest
  // names, in strictly ascending case-folded order, so that they differ
  // from one another; only the last is held. A backup's uploads are such a
  // run (named by their hashes, in ascending order), so that they cost no
  // memory. The set: every name before the run, as a 64-bit hash of its
  // case-folded form (8-16 bytes each, where a set of the names cost ~140).
  // A name out of order ends the run: the run's names are read back from
  // the directory into the set, and at most kMaxRuns runs are started, so
  // that names in any order cost at most kMaxRuns such reads (and
  // IsNameTaken one more read for each name that ends a run).
  static constexpr size_t kMaxRuns = 8;
  std::unique_ptr<zip::HashSet64> folded_hashes_;
  std::string run_last_;
  size_t run_start_ = 0;  // the index of the run's first entry
  size_t run_size_ = 0;
  size_t runs_started_ = 0;
  ZipPrepareScratch scratch_;  // this writer's own compressors and buffers
};

}  // namespace arkwiki
