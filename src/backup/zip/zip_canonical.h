// The canonical form: the exact bytes ZipWriter emits for an entry, its
// descriptor, its central record and the end records, as functions of the
// entry's semantic values (name, method, time, CRC, sizes, offset). The
// writer encodes with these functions, and ZipReader in canonical mode
// (ZipLimits::require_canonical) re-encodes what it parsed and compares it
// byte for byte with the archive. So in a backup archive no header,
// descriptor or end-record byte can change — version fields, flags,
// attributes, padding extras, comments, disk numbers, a local/central or
// descriptor/central disagreement — without the reader refusing it; the
// remaining bytes (entry data) are covered by CRC-32 and SHA-256.
// Private to the backup layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "zip/zip_types.h"

namespace arkwiki::zip {

// Flags on every entry: data descriptor (bit 3) and UTF-8 names (bit 11).
inline constexpr uint16_t kCanonicalFlags = kZipFlagDataDescriptor | kZipFlagUtf8;
// "Version made by": Unix, spec 4.5.
inline constexpr uint16_t kCanonicalMadeBy = (uint16_t{kZipMadeByUnix} << 8) | 45;
// arkwiki's own central-directory extra field: 4 bytes, the CRC-32 of the
// entry's data as stored (compressed). Deflate can encode the same output
// in different ways — a match distance into a run of zeros can change
// without changing a byte of output — so the CRC-32 and SHA-256 of the
// uncompressed data cannot see every change to the compressed bytes; this
// can. Other tools skip unknown extra fields. ZipWriter writes it on every
// entry; canonical mode checks it when present (archives written before it
// existed lack it).
inline constexpr uint16_t kDataCrcExtraTag = 0x6B61;  // "ak"

// Deflate cannot expand more than 1032:1 (a 258-byte match costs at least
// two bits); a declared ratio above this is a lie, whatever the caps.
inline constexpr double kDeflateMaxRatio = 1032.0;

struct CanonicalEntry {
  std::string_view name;
  uint16_t method = 0;
  uint16_t dos_time = 0;
  uint16_t dos_date = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t offset = 0;                 // of the local header
  std::optional<uint32_t> data_crc32;  // kDataCrcExtraTag, when written
};

// Whether the writer gives this entry a ZIP64 extra in its local header and
// a 64-bit data descriptor: decided up front from the input size (stored:
// 4 GiB or more; deflated: streamed and its worst-case output that large).
bool UsesLocalZip64(uint16_t method, uint64_t uncompressed_size);
// 45 (ZIP64) when the local header has ZIP64 or lies beyond 4 GiB, else 20.
uint16_t CanonicalVersionNeeded(const CanonicalEntry& e);

void EncodeLocalHeader(const CanonicalEntry& e, std::string* out);
void EncodeDescriptor(const CanonicalEntry& e, std::string* out);
void EncodeCentralRecord(const CanonicalEntry& e, std::string* out);
// ZIP64 end record and locator when needed (65535 entries or more, or the
// directory's size or offset at 4 GiB or more), then the EOCD, no comment.
void EncodeEndRecords(uint64_t count, uint64_t cd_offset, uint64_t cd_size, std::string* out);

// Names the field of a local header / central record / end records that
// holds byte `pos` of the encoding, for error messages.
std::string LocalHeaderField(size_t pos);
std::string CentralRecordField(size_t pos);
std::string EndRecordsField(size_t pos, bool zip64);

// The first position where `actual` and `expected` differ, or npos.
size_t FirstDifference(std::string_view actual, std::string_view expected);

}  // namespace arkwiki::zip
