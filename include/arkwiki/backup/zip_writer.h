// ZipWriter: a streaming ZIP writer that never seeks, so it can write to a
// file, a pipe or an HTTP response alike. Layout: see zip_types.h.
//
// Our own code rather than Poco::Zip::Compress because Poco 1.11 breaks every
// entry of 4 GiB or more in seekable mode (issue #2590), throws "Bad output
// stream" mid-archive on a pipe, writes 1 KiB pieces, deflates at zlib -9 by
// default and marks entries as FAT without Unix modes (PITFALLS). This writer
// uses libdeflate/zlib, data descriptors and ZIP64 where needed, and hashes
// every byte once with SHA-256 as it passes.
//
// Memory stays flat regardless of entry size: 1 MiB input blocks, 1 MiB
// output blocks, and up to 2 x 8 MiB for whole-buffer deflate of small
// entries. The central directory is kept in memory (~100 bytes plus the
// name per entry) until Finish().
//
// Errors: every call returns the first failure. Once bytes of an entry have
// reached the sink, a failure (sink error, input read error, input file
// changing size) is sticky: the archive is unusable and every later call
// returns the same Status. A failure before any byte was written (bad name,
// missing file) leaves the archive consistent and the writer usable.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_set>
#include <vector>

#include "arkwiki/backup/byte_sink.h"
#include "arkwiki/backup/zip_types.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

namespace zip {
class BlockSource;
class Deflaters;
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
  // slower for a few percent (PITFALLS). Default 1.
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

class ZipWriter {
 public:
  // `sink` is not owned and must outlive the writer. The writer issues a few
  // small writes per entry (headers): wrap unbuffered sinks in a
  // BufferedByteSink. Finish() flushes the sink.
  explicit ZipWriter(ByteSink* sink);
  ~ZipWriter();
  ZipWriter(const ZipWriter&) = delete;
  ZipWriter& operator=(const ZipWriter&) = delete;

  // Adds the regular file at `path` (read through `env`; a symlink is
  // refused by the Env; do not pass FIFOs or devices — list directories with
  // Env::ListDir and skip kSymlink/kOther) as entry `name`. The size is taken from stat before
  // reading; if the file grows or shrinks while it is read, fails with Corruption (sticky). `name`
  // must pass the reader's name rules (relative, no "..", UTF-8, ...) and differ from every earlier
  // name even ignoring ASCII case: else InvalidArgument. `out` (optional) receives what was
  // written.
  Status AddFile(std::string_view name, Env* env, const std::string& path,
                 const EntryOptions& options, EntryInfo* out = nullptr);
  // Same for bytes in memory.
  Status AddBytes(std::string_view name, std::string_view data, const EntryOptions& options,
                  EntryInfo* out = nullptr);
  // Writes the central directory and end records, then flushes the sink.
  // No entry may be added afterwards. An archive with no entries is valid.
  Status Finish();

  // Bytes handed to the sink so far.
  uint64_t bytes_written() const { return offset_; }
  size_t entry_count() const { return central_.size(); }

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
  Result<uint16_t> ChooseMethod(std::string_view name, std::string_view head, uint64_t size,
                                const EntryOptions& options);
  Status WriteWholeEntry(EntryState* st, zip::BlockSource* source, std::string_view head);
  Status WriteStreamedEntry(EntryState* st, zip::BlockSource* source, std::string_view head);
  Status WriteLocalHeader(const Record& r);
  Status WriteDescriptor(const Record& r);
  Status WriteCentralDirectory();
  static void EncodeCentralRecord(const Record& r, std::string* out);
  Status WriteEndRecords(uint64_t cd_offset, uint64_t cd_size);
  Status Emit(std::string_view data);

  ByteSink* sink_;
  uint64_t offset_ = 0;
  bool finished_ = false;
  Status failed_;
  std::vector<Record> central_;
  std::unordered_set<std::string> folded_names_;
  std::unique_ptr<zip::Deflaters> deflaters_;
  std::vector<char> in_block_;   // FileBlockSource's 1 MiB buffer
  std::vector<char> whole_in_;   // gathered input of a whole-buffer entry
  std::vector<char> whole_out_;  // its deflated form
};

}  // namespace arkwiki
