#include "zip/zip_canonical.h"

#include <algorithm>

#include "zip/zip_compress.h"
#include "zip/zip_format.h"

namespace arkwiki::zip {
namespace {

uint32_t Clamp32(uint64_t v) { return v >= kMax32 ? kMax32 : static_cast<uint32_t>(v); }

struct Field {
  size_t end;  // one past its last byte
  const char* name;
};

template <size_t N>
std::string FieldAt(const Field (&fields)[N], size_t pos, const char* rest) {
  for (const Field& f : fields) {
    if (pos < f.end) return f.name;
  }
  return rest;
}

}  // namespace

bool UsesLocalZip64(uint16_t method, uint64_t uncompressed_size) {
  if (method == kZipMethodStore) return uncompressed_size >= kMax32;
  // Deflated entries up to kWholeBufferMax are compressed in one call, after
  // which the size is known: never ZIP64 locally (they are far below 4 GiB).
  return uncompressed_size > kWholeBufferMax && StreamedDeflateBound(uncompressed_size) >= kMax32;
}

uint16_t CanonicalVersionNeeded(const CanonicalEntry& e) {
  return UsesLocalZip64(e.method, e.uncompressed_size) || e.offset >= kMax32 ? kVersionZip64
                                                                             : kVersionDeflate;
}

void EncodeLocalHeader(const CanonicalEntry& e, std::string* h) {
  const bool zip64 = UsesLocalZip64(e.method, e.uncompressed_size);
  Put32(h, kLocalHeaderSig);
  Put16(h, CanonicalVersionNeeded(e));
  Put16(h, kCanonicalFlags);
  Put16(h, e.method);
  Put16(h, e.dos_time);
  Put16(h, e.dos_date);
  Put32(h, 0);  // CRC and sizes follow in the data descriptor
  Put32(h, zip64 ? kMax32 : 0);
  Put32(h, zip64 ? kMax32 : 0);
  Put16(h, static_cast<uint16_t>(e.name.size()));
  Put16(h, zip64 ? 20 : 0);
  h->append(e.name);
  if (zip64) {
    // Marks the descriptor as 64-bit for streaming readers (libarchive).
    Put16(h, kZip64ExtraTag);
    Put16(h, 16);
    Put64(h, 0);
    Put64(h, 0);
  }
}

void EncodeDescriptor(const CanonicalEntry& e, std::string* d) {
  Put32(d, kDataDescriptorSig);
  Put32(d, e.crc32);
  if (UsesLocalZip64(e.method, e.uncompressed_size)) {
    Put64(d, e.compressed_size);
    Put64(d, e.uncompressed_size);
  } else {
    Put32(d, static_cast<uint32_t>(e.compressed_size));
    Put32(d, static_cast<uint32_t>(e.uncompressed_size));
  }
}

// A ZIP64 extra holds every value that does not fit in 32 bits, in the
// order APPNOTE 4.5.3 prescribes.
void EncodeCentralRecord(const CanonicalEntry& e, std::string* out) {
  std::string extra;
  if (e.uncompressed_size >= kMax32) Put64(&extra, e.uncompressed_size);
  if (e.compressed_size >= kMax32) Put64(&extra, e.compressed_size);
  if (e.offset >= kMax32) Put64(&extra, e.offset);
  Put32(out, kCentralHeaderSig);
  Put16(out, kCanonicalMadeBy);
  Put16(out, CanonicalVersionNeeded(e));
  Put16(out, kCanonicalFlags);
  Put16(out, e.method);
  Put16(out, e.dos_time);
  Put16(out, e.dos_date);
  Put32(out, e.crc32);
  Put32(out, Clamp32(e.compressed_size));
  Put32(out, Clamp32(e.uncompressed_size));
  const size_t zip64_extra = extra.empty() ? 0 : extra.size() + 4;
  Put16(out, static_cast<uint16_t>(e.name.size()));
  Put16(out, static_cast<uint16_t>(zip64_extra + (e.data_crc32 ? 8 : 0)));
  Put16(out, 0);  // comment length
  Put16(out, 0);  // disk number start
  Put16(out, 0);  // internal attributes
  Put32(out, kUnixModeRegular0644 << 16);
  Put32(out, Clamp32(e.offset));
  out->append(e.name);
  if (!extra.empty()) {
    Put16(out, kZip64ExtraTag);
    Put16(out, static_cast<uint16_t>(extra.size()));
    out->append(extra);
  }
  if (e.data_crc32) {
    Put16(out, kDataCrcExtraTag);
    Put16(out, 4);
    Put32(out, *e.data_crc32);
  }
}

void EncodeEndRecords(uint64_t count, uint64_t cd_offset, uint64_t cd_size, std::string* e) {
  if (count >= kMax16 || cd_offset >= kMax32 || cd_size >= kMax32) {
    const uint64_t zip64_offset = cd_offset + cd_size;
    Put32(e, kZip64EndSig);
    Put64(e, kZip64EndSize - 12);  // size of the rest of this record
    Put16(e, kCanonicalMadeBy);
    Put16(e, kVersionZip64);
    Put32(e, 0);  // this disk
    Put32(e, 0);  // disk with the central directory
    Put64(e, count);
    Put64(e, count);
    Put64(e, cd_size);
    Put64(e, cd_offset);
    Put32(e, kZip64LocatorSig);
    Put32(e, 0);  // disk with the ZIP64 end record
    Put64(e, zip64_offset);
    Put32(e, 1);  // total disks
  }
  const uint16_t count16 = count >= kMax16 ? kMax16 : static_cast<uint16_t>(count);
  Put32(e, kEndSig);
  Put16(e, 0);
  Put16(e, 0);
  Put16(e, count16);
  Put16(e, count16);
  Put32(e, Clamp32(cd_size));
  Put32(e, Clamp32(cd_offset));
  Put16(e, 0);  // comment length
}

std::string LocalHeaderField(size_t pos) {
  static const Field kFields[] = {{4, "signature"},
                                  {6, "version needed"},
                                  {8, "flags"},
                                  {10, "method"},
                                  {12, "time"},
                                  {14, "date"},
                                  {18, "CRC-32"},
                                  {22, "compressed size"},
                                  {26, "uncompressed size"},
                                  {28, "name length"},
                                  {30, "extra field length"}};
  return FieldAt(kFields, pos, "name or extra field");
}

std::string CentralRecordField(size_t pos) {
  static const Field kFields[] = {{4, "signature"},
                                  {6, "version made by"},
                                  {8, "version needed"},
                                  {10, "flags"},
                                  {12, "method"},
                                  {14, "time"},
                                  {16, "date"},
                                  {20, "CRC-32"},
                                  {24, "compressed size"},
                                  {28, "uncompressed size"},
                                  {30, "name length"},
                                  {32, "extra field length"},
                                  {34, "comment length"},
                                  {36, "disk number"},
                                  {38, "internal attributes"},
                                  {42, "external attributes (file type and permissions)"},
                                  {46, "local header offset"}};
  return FieldAt(kFields, pos, "name, extra field or comment");
}

std::string EndRecordsField(size_t pos, bool zip64) {
  if (zip64) {
    if (pos < kZip64EndSize) return "ZIP64 end of central directory record";
    if (pos < kZip64EndSize + kZip64LocatorSize) return "ZIP64 end record locator";
    pos -= kZip64EndSize + kZip64LocatorSize;
  }
  static const Field kFields[] = {{4, "signature"},         {6, "disk number"},
                                  {8, "directory disk"},    {10, "entries on this disk"},
                                  {12, "entry count"},      {16, "directory size"},
                                  {20, "directory offset"}, {22, "comment length"}};
  return "end of central directory record (" + FieldAt(kFields, pos, "comment") + ")";
}

size_t FirstDifference(std::string_view actual, std::string_view expected) {
  const size_t n = std::min(actual.size(), expected.size());
  for (size_t i = 0; i < n; ++i) {
    if (actual[i] != expected[i]) return i;
  }
  return actual.size() == expected.size() ? std::string_view::npos : n;
}

}  // namespace arkwiki::zip
