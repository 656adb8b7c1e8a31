// The third phase of ZipReader::Open (private): each local header and data
// descriptor against the central directory.
#pragma once

#include <cstdint>
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
// and descriptor must be exactly what ZipWriter writes (zip_canonical.h).
Status CheckLocalHeaders(const RandomAccessFile& file, const EndRecords& end,
                         const ZipLimits& limits, std::vector<ZipEntry>* entries);

}  // namespace arkwiki::zip
