// Streaming one entry's bytes out of an archive (private; ZipReader::ReadEntry
// is the way in).
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_reader.h"

namespace arkwiki {

// ZipReader::ReadEntry for `entry` of `file`, with the same contract;
// `canonical` also checks the stored bytes' CRC-32 (ZipEntry::data_crc32).
Status StreamEntry(const RandomAccessFile& file, const ZipEntry& entry, bool canonical,
                   const std::function<Status(std::string_view chunk)>& consumer,
                   std::string* sha256_hex_out);

// StreamEntry's verdict on an entry whose `total` bytes of data have CRC-32
// `crc`, and whose bytes as stored have `stored_crc` (for a stored entry,
// the same): the declared size, the CRC-32, and in `canonical` mode the
// stored bytes' CRC-32 (ZipEntry::data_crc32).
Status CheckEntrySums(const ZipEntry& entry, uint64_t total, uint32_t crc, uint32_t stored_crc,
                      bool canonical);

}  // namespace arkwiki
