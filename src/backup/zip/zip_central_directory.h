// The second phase of ZipReader::Open (private): the central directory.
#pragma once

#include <cstdint>
#include <memory>
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

// Parses every central directory record and applies the entry checks
// (names, features, file types, size caps), then refuses duplicates.
Result<CentralDirectory> ReadCentralDirectory(const RandomAccessFile& file, const EndRecords& end,
                                              const ZipLimits& limits);

}  // namespace arkwiki::zip
