// The three phases of ZipReader::Open (private): end records, central
// directory, then each local header and data descriptor. Each phase refuses
// anything but the strict layout in zip_types.h.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/backup/zip_reader.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki::zip {

struct EndRecords {
  uint64_t entry_count = 0;
  uint64_t cd_offset = 0;
  uint64_t cd_size = 0;
  bool zip64 = false;
};

// Reads `n` bytes at `offset` into *out; Corruption naming `what` if the
// file ends first.
Status ReadExactly(const RandomAccessFile& file, uint64_t offset, size_t n, const char* what,
                   std::string* out);

// Finds and cross-checks the end of central directory record and, if
// present, the ZIP64 locator and record. The central directory must end
// exactly where they begin.
Result<EndRecords> ReadEndRecords(const RandomAccessFile& file);

struct CentralDirectory {
  // The names, packed into blocks that never move: entries view them.
  std::vector<std::unique_ptr<char[]>> names;
  std::vector<ZipEntry> entries;  // in directory order
  // Indices into `entries`, ordered by name as CompareFolded orders them:
  // the duplicate check, and then ZipReader::Find, in 4 bytes per entry.
  std::vector<uint32_t> by_folded_name;
};

// Parses every central directory record and applies the entry checks
// (names, features, file types, size caps), then refuses duplicates.
Result<CentralDirectory> ReadCentralDirectory(const RandomAccessFile& file, const EndRecords& end,
                                              const ZipLimits& limits);

// Cross-checks each entry's local header (name, method, flags, sizes) and
// data descriptor with the central directory, fills data_offset, and checks
// that entries tile the file from offset 0 up to the central directory with
// no gaps, overlaps or prepended bytes. In canonical mode the local header
// and descriptor must be exactly what ZipWriter writes (zip_canonical.h).
Status CheckLocalHeaders(const RandomAccessFile& file, const EndRecords& end,
                         const ZipLimits& limits, std::vector<ZipEntry>* entries);

// Canonical mode: the bytes from the end of the central directory to the
// end of the file must be exactly the end records ZipWriter writes.
Status CheckCanonicalEnd(const RandomAccessFile& file, const EndRecords& end);

}  // namespace arkwiki::zip
