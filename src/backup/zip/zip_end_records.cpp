// Locating the end of the archive: EOCD, ZIP64 locator and ZIP64 record.
#include "zip/zip_end_records.h"

#include <algorithm>

#include "zip/zip_canonical.h"
#include "zip/zip_format.h"

namespace arkwiki::zip {
namespace {

struct Eocd {
  uint64_t offset = 0;
  uint16_t disk = 0, cd_disk = 0, count_disk = 0, count = 0;
  uint32_t cd_size = 0, cd_offset = 0;
};

// Scans the tail backwards for an EOCD whose comment ends exactly at the end
// of the file. Anything else is truncation, trailing junk or not a ZIP.
Result<Eocd> FindEocd(const RandomAccessFile& file) {
  const uint64_t size = file.Size();
  if (size < kEndSize) {
    return Status::Corruption("not a ZIP archive: the file is only " + std::to_string(size) +
                              " bytes");
  }
  const size_t tail_len = static_cast<size_t>(std::min<uint64_t>(size, kEndSize + kMaxCommentSize));
  const uint64_t tail_off = size - tail_len;
  std::string tail;
  ARKWIKI_RETURN_IF_ERROR(ReadExactly(file, tail_off, tail_len, "archive end", &tail));
  bool comment_too_long = false, junk_after = false;
  for (size_t i = tail_len - kEndSize + 1; i-- > 0;) {
    if (Get32(tail.data() + i) != kEndSig) continue;
    const size_t remaining = tail_len - i - kEndSize;
    const uint16_t comment_len = Get16(tail.data() + i + 20);
    if (comment_len > remaining) comment_too_long = true;
    if (comment_len < remaining) junk_after = true;
    if (comment_len != remaining) continue;
    Cursor c(std::string_view(tail).substr(i + 4));
    Eocd e;
    e.offset = tail_off + i;
    e.disk = c.U16();
    e.cd_disk = c.U16();
    e.count_disk = c.U16();
    e.count = c.U16();
    e.cd_size = c.U32();
    e.cd_offset = c.U32();
    return e;
  }
  if (comment_too_long) {
    return Status::Corruption("archive is truncated: its comment runs past the end of the file");
  }
  if (junk_after) return Status::Corruption("unexpected bytes after the end of the archive");
  return Status::Corruption(
      "not a ZIP archive, or truncated: no end of central directory record found");
}

Status CheckEocdDisks(const Eocd& e) {
  auto single = [](uint16_t v) { return v == 0 || v == kMax16; };
  if (!single(e.disk) || !single(e.cd_disk)) {
    return Status::Unsupported("split (multi-disk) ZIP archives are not supported");
  }
  if (e.count_disk != e.count) {
    return Status::Corruption(
        "end of central directory record is inconsistent (entry counts "
        "differ)");
  }
  return Status::Ok();
}

// Reads the ZIP64 record the locator (just before the EOCD) points at; it
// must end exactly where the locator begins. Returns its offset in *where.
Result<EndRecords> ReadZip64End(const RandomAccessFile& file, uint64_t locator_off,
                                std::string_view locator, uint64_t* where) {
  Cursor l(locator.substr(4));
  const uint32_t disk = l.U32();
  const uint64_t rec_off = l.U64();
  const uint32_t disks = l.U32();
  if (disk != 0 || disks > 1) {
    return Status::Unsupported("split (multi-disk) ZIP64 archives are not supported");
  }
  if (rec_off > locator_off || locator_off - rec_off < kZip64EndSize) {
    return Status::Corruption("ZIP64 end record locator points outside the archive");
  }
  std::string rec;
  ARKWIKI_RETURN_IF_ERROR(ReadExactly(file, rec_off, kZip64EndSize, "ZIP64 end record", &rec));
  Cursor c(rec);
  const uint32_t sig = c.U32();
  const uint64_t rec_size = c.U64();
  c.U16();  // version made by
  c.U16();  // version needed
  const uint32_t this_disk = c.U32(), cd_disk = c.U32();
  EndRecords out;
  const uint64_t count_disk = c.U64();
  out.entry_count = c.U64();
  out.cd_size = c.U64();
  out.cd_offset = c.U64();
  out.zip64 = true;
  if (sig != kZip64EndSig || rec_size < kZip64EndSize - 12 || rec_size > locator_off ||
      rec_off + 12 + rec_size != locator_off) {
    return Status::Corruption("ZIP64 end of central directory record is missing or malformed");
  }
  if (this_disk != 0 || cd_disk != 0 || count_disk != out.entry_count) {
    return Status::Corruption("ZIP64 end of central directory record is inconsistent");
  }
  *where = rec_off;
  return out;
}

// A 16/32-bit EOCD field must either be saturated or equal the ZIP64 value.
Status CrossCheck(const Eocd& e, const EndRecords& z) {
  bool ok = (e.count == kMax16 || e.count == z.entry_count) &&
            (e.cd_size == kMax32 || e.cd_size == z.cd_size) &&
            (e.cd_offset == kMax32 || e.cd_offset == z.cd_offset);
  if (ok) return Status::Ok();
  return Status::Corruption("end of central directory record disagrees with the ZIP64 record");
}

}  // namespace

Status ReadExactly(const RandomAccessFile& file, uint64_t offset, size_t n, const char* what,
                   std::string* out) {
  out->assign(n, '\0');
  if (offset > file.Size() || file.Size() - offset < n) {
    return Status::Corruption(std::string("archive is truncated or damaged: ") + what +
                              " lies beyond the end of the file");
  }
  ARKWIKI_ASSIGN_OR_RETURN(size_t got, file.ReadAt(offset, out->data(), n));
  if (got != n) {
    return Status::Corruption(std::string("archive is truncated: ") + what + " is cut off");
  }
  return Status::Ok();
}

Result<EndRecords> ReadEndRecords(const RandomAccessFile& file) {
  ARKWIKI_ASSIGN_OR_RETURN(Eocd e, FindEocd(file));
  ARKWIKI_RETURN_IF_ERROR(CheckEocdDisks(e));
  EndRecords out{e.count, e.cd_offset, e.cd_size, false};
  uint64_t cd_end = e.offset;
  if (e.offset >= kZip64LocatorSize) {
    const uint64_t loc_off = e.offset - kZip64LocatorSize;
    std::string loc;
    ARKWIKI_RETURN_IF_ERROR(ReadExactly(file, loc_off, kZip64LocatorSize, "ZIP64 locator", &loc));
    if (Get32(loc.data()) == kZip64LocatorSig) {
      ARKWIKI_ASSIGN_OR_RETURN(out, ReadZip64End(file, loc_off, loc, &cd_end));
      ARKWIKI_RETURN_IF_ERROR(CrossCheck(e, out));
    }
  }
  if (out.cd_offset > cd_end || cd_end - out.cd_offset != out.cd_size) {
    return Status::Corruption(
        "central directory is not where the end record says (offset " +
        std::to_string(out.cd_offset) + " + size " + std::to_string(out.cd_size) +
        " != " + std::to_string(cd_end) +
        "): bytes were prepended to the archive, or it is truncated or damaged");
  }
  return out;
}

Status CheckCanonicalEnd(const RandomAccessFile& file, const EndRecords& end) {
  std::string expected;
  EncodeEndRecords(end.entry_count, end.cd_offset, end.cd_size, &expected);
  const uint64_t from = end.cd_offset + end.cd_size;
  const uint64_t size = file.Size();
  std::string actual;
  // ReadEndRecords found the EOCD at the end, so the tail is at most a
  // ZIP64 record, locator, EOCD and a 64 KiB comment.
  ARKWIKI_RETURN_IF_ERROR(
      ReadExactly(file, from, static_cast<size_t>(size - from), "the end records", &actual));
  const size_t at = FirstDifference(actual, expected);
  if (at == std::string::npos) return Status::Ok();
  return Status::Corruption("the archive's " + EndRecordsField(at, expected.size() > kEndSize) +
                            " is not as arkwiki writes it (altered or damaged archive)");
}

}  // namespace arkwiki::zip
