// The third phase of ZipReader::Open (private): each local header and data
// descriptor against the central directory.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_end_records.h"
#include "zip/zip_reader.h"

namespace arkwiki::zip {

// Cross-checks each entry's local header (name, method, flags, sizes) and
// data descriptor with the central directory, fills data_offset, and checks
// that entries tile the file from offset 0 up to the central directory with
// no gaps, overlaps or prepended bytes. In canonical mode the local header
// and descriptor must be exactly what ZipWriter writes (zip_canonical.h),
// and the directory must list the entries in archive order.
Status CheckLocalHeaders(const RandomAccessFile& file, const EndRecords& end,
                         const ZipLimits& limits, std::vector<ZipEntry>* entries);

// Serves the small reads of this phase (headers, descriptors) from a 64 KiB
// window: entries are visited in file order, so an archive of many small
// files needs one pread per window instead of three per entry. The window
// is kept small so that large entries cost little extra I/O.
class WindowReader {
 public:
  explicit WindowReader(const RandomAccessFile& file) : file_(file) {}

  Status Read(uint64_t offset, size_t n, const char* what, std::string* out);

 private:
  static constexpr size_t kWindow = size_t{64} << 10;
  const RandomAccessFile& file_;
  std::string window_;
  uint64_t window_offset_ = 0;
};

// CheckLocalHeaders one entry at a time, for entries given in archive
// order: each must start where the one before ended (so none overlaps
// another), the first at offset 0. Memory does not grow with the count.
class LocalHeaderWalk {
 public:
  LocalHeaderWalk(const RandomAccessFile& file, const EndRecords& end, bool canonical)
      : window_(file), cd_offset_(end.cd_offset), canonical_(canonical) {}

  // Checks the next entry in archive order and fills its data_offset.
  Status Check(ZipEntry* e);
  // After the last entry: the entries must end where the directory begins.
  Status Finish() const;

 private:
  WindowReader window_;
  uint64_t cd_offset_;
  bool canonical_;
  uint64_t expected_ = 0;  // where the next entry must start
};

}  // namespace arkwiki::zip
