// Cross-checking local headers and data descriptors against the central
// directory, and checking that entries tile the file. Poco used the local
// name when the two disagreed (docs/design-notes.md#poco-zip-is-unsafe-for-uploaded-archives); we
// refuse instead. The tiling check also rules out overlapping entries (the "overlapping zip bomb")
// and data prepended to the archive.
#include "zip/zip_local_headers.h"

#include <algorithm>
#include <numeric>

#include "zip/zip_canonical.h"
#include "zip/zip_end_records.h"
#include "zip/zip_format.h"
#include "zip/zip_names.h"

namespace arkwiki::zip {
namespace {

struct LocalHeader {
  uint16_t flags = 0, method = 0;
  uint32_t crc32 = 0;
  uint64_t compressed_size = 0, uncompressed_size = 0;
  bool zip64 = false;  // carries a ZIP64 extra: sizes (and descriptor) are 64-bit
  uint64_t data_offset = 0;
  std::string raw;  // the header's exact bytes (fixed part, name, extra)
};

Status Mismatch(const ZipEntry& e, const std::string& what) {
  return Status::Corruption(
      EntryMessage(e.name, "local header and central directory disagree about its " + what));
}

// Resolves saturated local sizes from a ZIP64 extra (which, in a local
// header, holds the uncompressed then the compressed size).
Status ApplyLocalExtra(std::string_view extra, const ZipEntry& e, LocalHeader* h) {
  auto damaged = [&](const char* why) { return Status::Corruption(EntryMessage(e.name, why)); };
  Cursor x(extra);
  while (x.remaining() > 0) {
    const uint16_t tag = x.U16();
    std::string_view body = x.Bytes(x.U16());
    if (!x.ok()) return damaged("local header extra field is malformed");
    if (tag != kZip64ExtraTag) continue;
    if (h->zip64) return damaged("local header has two ZIP64 extra fields");
    Cursor z(body);
    h->zip64 = true;
    if (h->uncompressed_size == kMax32) h->uncompressed_size = z.U64();
    if (h->compressed_size == kMax32) h->compressed_size = z.U64();
    if (!z.ok()) return damaged("local header ZIP64 extra field is too short");
  }
  return Status::Ok();
}

Result<LocalHeader> ReadLocalHeader(WindowReader* file, uint64_t limit, const ZipEntry& e) {
  auto damaged = [&](const char* why) { return Status::Corruption(EntryMessage(e.name, why)); };
  if (e.local_header_offset >= limit || limit - e.local_header_offset < kLocalHeaderSize) {
    return damaged("local header lies outside the entry area of the archive");
  }
  std::string fixed;
  ARKWIKI_RETURN_IF_ERROR(
      file->Read(e.local_header_offset, kLocalHeaderSize, "a local header", &fixed));
  Cursor c(fixed);
  if (c.U32() != kLocalHeaderSig) return damaged("local header is missing or damaged");
  LocalHeader h;
  c.U16();  // version needed
  h.flags = c.U16();
  h.method = c.U16();
  c.U32();  // DOS time and date
  h.crc32 = c.U32();
  h.compressed_size = c.U32();
  h.uncompressed_size = c.U32();
  const uint16_t name_len = c.U16(), extra_len = c.U16();
  const uint64_t var_off = e.local_header_offset + kLocalHeaderSize;
  if (limit - var_off < size_t{name_len} + extra_len) {
    return damaged("local header runs into the central directory");
  }
  std::string var;
  ARKWIKI_RETURN_IF_ERROR(
      file->Read(var_off, size_t{name_len} + extra_len, "a local header", &var));
  if (std::string_view(var).substr(0, name_len) != e.name) {
    return Status::Corruption(EntryMessage(
        e.name, "local header names it " + QuoteName(std::string_view(var).substr(0, name_len)) +
                    "; local header and central directory disagree"));
  }
  ARKWIKI_RETURN_IF_ERROR(ApplyLocalExtra(std::string_view(var).substr(name_len), e, &h));
  h.data_offset = var_off + name_len + extra_len;
  h.raw = fixed + var;
  return h;
}

// With flag bit 3 the local CRC and sizes are normally 0; any other value
// must match the central directory.
Status CheckLocalValues(const LocalHeader& h, const ZipEntry& e) {
  const bool deferred = (e.flags & kZipFlagDataDescriptor) != 0;
  auto same = [&](uint64_t local, uint64_t central) {
    return local == central || (deferred && local == 0);
  };
  if (h.flags != e.flags) return Mismatch(e, "flags");
  if (h.method != e.method) return Mismatch(e, "compression method");
  if (!same(h.crc32, e.crc32)) return Mismatch(e, "CRC-32");
  if (!same(h.compressed_size, e.compressed_size) ||
      !same(h.uncompressed_size, e.uncompressed_size)) {
    return Mismatch(e, "sizes");
  }
  return Status::Ok();
}

// Matches the data descriptor after the data: optional signature, CRC, then
// 32- or 64-bit sizes (64-bit expected when the local header had ZIP64).
Result<uint64_t> MatchDescriptor(std::string_view d, bool zip64, const ZipEntry& e) {
  for (int attempt = 0; attempt < 4; ++attempt) {
    const bool with_sig = attempt < 2;
    const bool wide = (attempt % 2 == 0) == zip64;
    const size_t len = (with_sig ? 4 : 0) + 4 + (wide ? 16 : 8);
    if (d.size() < len) continue;
    Cursor c(d);
    if (with_sig && c.U32() != kDataDescriptorSig) continue;
    const uint32_t crc = c.U32();
    const uint64_t cs = wide ? c.U64() : c.U32();
    const uint64_t us = wide ? c.U64() : c.U32();
    if (crc == e.crc32 && cs == e.compressed_size && us == e.uncompressed_size) return len;
  }
  return Status::Corruption(
      EntryMessage(e.name, "data descriptor is missing or disagrees with the central directory"));
}

CanonicalEntry ToCanonical(const ZipEntry& e) {
  return CanonicalEntry{e.name,      e.method,          e.dos_time,          e.dos_date,
                        e.crc32,     e.compressed_size, e.uncompressed_size, e.local_header_offset,
                        e.data_crc32};
}

// Canonical mode: the local header must be exactly what ZipWriter writes
// for the central directory's values (so also the same time and date).
Status CheckCanonicalLocal(const LocalHeader& h, const ZipEntry& e) {
  std::string expected;
  EncodeLocalHeader(ToCanonical(e), &expected);
  const size_t at = FirstDifference(h.raw, expected);
  if (at == std::string::npos) return Status::Ok();
  return Status::Corruption(EntryMessage(
      e.name, "local header's " + LocalHeaderField(at) +
                  " is not as arkwiki writes it, or disagrees with the central directory "
                  "(altered or damaged archive)"));
}

// Canonical mode: the data descriptor, with its signature and the width
// the writer chose. Returns its length.
Result<uint64_t> CheckCanonicalDescriptor(WindowReader* file, uint64_t limit, uint64_t at,
                                          const ZipEntry& e) {
  std::string expected;
  EncodeDescriptor(ToCanonical(e), &expected);
  auto damaged = [&] {
    return Status::Corruption(
        EntryMessage(e.name,
                     "data descriptor is not as arkwiki writes it, or disagrees with the central "
                     "directory (altered or damaged archive)"));
  };
  if (limit - at < expected.size()) return damaged();
  std::string d;
  ARKWIKI_RETURN_IF_ERROR(file->Read(at, expected.size(), "a data descriptor", &d));
  if (d != expected) return damaged();
  return expected.size();
}

// Checks one entry; returns the offset just past it (data + descriptor).
Result<uint64_t> CheckEntryOnDisk(WindowReader* file, uint64_t limit, bool canonical, ZipEntry* e) {
  ARKWIKI_ASSIGN_OR_RETURN(LocalHeader h, ReadLocalHeader(file, limit, *e));
  ARKWIKI_RETURN_IF_ERROR(CheckLocalValues(h, *e));
  if (canonical) ARKWIKI_RETURN_IF_ERROR(CheckCanonicalLocal(h, *e));
  if (h.data_offset > limit || limit - h.data_offset < e->compressed_size) {
    return Status::Corruption(
        EntryMessage(e->name,
                     "compressed data runs past the central directory (declared sizes lie or the "
                     "archive is damaged)"));
  }
  e->data_offset = h.data_offset;
  const uint64_t data_end = h.data_offset + e->compressed_size;
  if ((e->flags & kZipFlagDataDescriptor) == 0) return data_end;
  const size_t avail = static_cast<size_t>(std::min<uint64_t>(24, limit - data_end));
  std::string d;
  ARKWIKI_RETURN_IF_ERROR(file->Read(data_end, avail, "a data descriptor", &d));
  ARKWIKI_ASSIGN_OR_RETURN(uint64_t len, MatchDescriptor(d, h.zip64, *e));
  if (canonical) {
    ARKWIKI_ASSIGN_OR_RETURN(len, CheckCanonicalDescriptor(file, limit, data_end, *e));
  }
  return data_end + len;
}

}  // namespace

Status WindowReader::Read(uint64_t offset, size_t n, const char* what, std::string* out) {
  if (offset >= window_offset_ && offset - window_offset_ <= window_.size() &&
      window_.size() - (offset - window_offset_) >= n) {
    out->assign(window_, static_cast<size_t>(offset - window_offset_), n);
    return Status::Ok();
  }
  if (n > kWindow || offset > file_.Size()) return ReadExactly(file_, offset, n, what, out);
  const size_t len = static_cast<size_t>(std::min<uint64_t>(kWindow, file_.Size() - offset));
  if (len < n) return ReadExactly(file_, offset, n, what, out);  // reports the truncation
  ARKWIKI_RETURN_IF_ERROR(ReadExactly(file_, offset, len, what, &window_));
  window_offset_ = offset;
  out->assign(window_, 0, n);
  return Status::Ok();
}

Status LocalHeaderWalk::Check(ZipEntry* e) {
  if (e->local_header_offset != expected_) {
    std::string why = expected_ == 0
                          ? "starts at offset " + std::to_string(e->local_header_offset) +
                                ", not 0: bytes were prepended to the archive"
                      : e->local_header_offset < expected_
                          ? "overlaps the entry before it"
                          : "follows " + std::to_string(e->local_header_offset - expected_) +
                                " unexplained bytes";
    return Status::Corruption(EntryMessage(e->name, why));
  }
  ARKWIKI_ASSIGN_OR_RETURN(expected_, CheckEntryOnDisk(&window_, cd_offset_, canonical_, e));
  return Status::Ok();
}

Status LocalHeaderWalk::Finish() const {
  if (expected_ == cd_offset_) return Status::Ok();
  return Status::Corruption(std::to_string(cd_offset_ - expected_) +
                            " unexplained bytes lie between the entries and the central "
                            "directory (prepended data or a damaged archive)");
}

Status CheckLocalHeaders(const RandomAccessFile& file, const EndRecords& end,
                         const ZipLimits& limits, std::vector<ZipEntry>* entries) {
  std::vector<size_t> order(entries->size());
  std::iota(order.begin(), order.end(), size_t{0});
  auto by_offset = [&](size_t a, size_t b) {
    return (*entries)[a].local_header_offset < (*entries)[b].local_header_offset;
  };
  if (limits.require_canonical && !std::is_sorted(order.begin(), order.end(), by_offset)) {
    return Status::Corruption(
        "the central directory does not list the entries in archive order, "
        "as arkwiki writes it (altered or damaged archive)");
  }
  std::sort(order.begin(), order.end(), by_offset);
  LocalHeaderWalk walk(file, end, limits.require_canonical);
  for (size_t i : order) ARKWIKI_RETURN_IF_ERROR(walk.Check(&(*entries)[i]));
  return walk.Finish();
}

}  // namespace arkwiki::zip
