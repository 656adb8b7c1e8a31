// The first phase of ZipReader::Open (private): the end records. Then come
// the central directory (zip_central_directory.h) and each local header and
// data descriptor (zip_local_headers.h). Each phase refuses anything but the
// strict layout in zip_types.h.
#pragma once

#include <cstdint>
#include <string>

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

// Canonical mode: the bytes from the end of the central directory to the
// end of the file must be exactly the end records ZipWriter writes.
Status CheckCanonicalEnd(const RandomAccessFile& file, const EndRecords& end);

}  // namespace arkwiki::zip
