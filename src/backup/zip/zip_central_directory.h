// The second phase of ZipReader::Open (private): the central directory.
// ZipStreamReader reads it record by record through CentralRecordReader.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_end_records.h"
#include "zip/zip_reader.h"

namespace arkwiki::zip {

struct CentralDirectory {
  // The names, packed into blocks that never move: entries view them.
  std::vector<std::unique_ptr<char[]>> names;
  std::vector<ZipEntry> entries;  // in directory order
  // Indices into `entries`, ordered by name as CompareFolded orders them:
  // the duplicate check, and then ZipReader::Find, in 4 bytes per entry.
  std::vector<uint32_t> by_folded_name;
};

// Refuses an entry count over limits.max_entries, or one the directory's
// size cannot hold.
Status CheckEntryCount(const EndRecords& end, const ZipLimits& limits);

// Parses every central directory record and applies the entry checks
// (names, features, file types, size caps), then refuses duplicates.
Result<CentralDirectory> ReadCentralDirectory(const RandomAccessFile& file, const EndRecords& end,
                                              const ZipLimits& limits);

// Hands out consecutive pieces of [begin, end) of the file, read 1 MiB at a
// time.
class RegionReader {
 public:
  RegionReader(const RandomAccessFile& file, uint64_t begin, uint64_t end)
      : file_(file), pos_(begin), end_(end) {}

  // The next `n` bytes, valid until the next call; Corruption when the
  // region ends first.
  Result<std::string_view> Take(size_t n);
  // Bytes of the region not yet handed out.
  uint64_t left() const { return (end_ - pos_) + (buf_.size() - used_); }

 private:
  const RandomAccessFile& file_;
  uint64_t pos_, end_;
  std::string buf_;
  std::string more_;
  size_t used_ = 0;
};

// The central directory one record at a time, in directory order, each
// parsed and checked as ReadCentralDirectory checks it (entry checks, the
// running total against max_total_bytes, canonical bytes) except for
// duplicates, which need every name. Memory does not grow with the count.
// CheckEntryCount must have passed.
class CentralRecordReader {
 public:
  CentralRecordReader(const RandomAccessFile& file, const EndRecords& end, const ZipLimits& limits);

  bool done() const { return next_ == count_; }
  // The next entry (not done() first). Its name views the reader's buffer:
  // valid until the next call.
  Result<ZipEntry> Next();
  // After the last entry: the directory must hold no more bytes.
  Status Finish() const;

 private:
  RegionReader region_;
  const ZipLimits& limits_;
  uint64_t count_ = 0;
  uint64_t next_ = 0;
  uint64_t total_ = 0;  // declared uncompressed bytes so far
  std::string raw_;     // the record's bytes, in canonical mode
};

}  // namespace arkwiki::zip
