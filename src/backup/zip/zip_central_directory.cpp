// Parsing and checking the central directory, streamed in 1 MiB reads so a
// large directory never sits in memory twice.
#include "zip/zip_central_directory.h"

#include <algorithm>

#include "zip/zip_canonical.h"
#include "zip/zip_end_records.h"
#include "zip/zip_entry_checks.h"
#include "zip/zip_format.h"
#include "zip/zip_names.h"

namespace arkwiki::zip {
namespace {

constexpr size_t kReadChunk = size_t{1} << 20;

// Resolves saturated 32-bit fields from the ZIP64 extra (APPNOTE 4.5.3).
// In canonical mode also reads arkwiki's data-CRC field (zip_canonical.h).
Status ApplyExtraFields(std::string_view extra, uint16_t disk16, bool canonical, ZipEntry* e) {
  bool zip64_seen = false;
  Cursor c(extra);
  while (c.remaining() > 0) {
    const uint16_t tag = c.U16();
    const uint16_t len = c.U16();
    std::string_view body = c.Bytes(len);
    if (!c.ok()) return Status::Corruption(EntryMessage(e->name, "extra field is malformed"));
    if (canonical && tag == kDataCrcExtraTag) {
      if (e->data_crc32 || len != 4) {
        return Status::Corruption(EntryMessage(e->name, "data CRC extra field is malformed"));
      }
      e->data_crc32 = Get32(body.data());
      continue;
    }
    if (tag != kZip64ExtraTag) continue;
    if (zip64_seen) return Status::Corruption(EntryMessage(e->name, "has two ZIP64 extra fields"));
    zip64_seen = true;
    Cursor z(body);
    if (e->uncompressed_size == kMax32) e->uncompressed_size = z.U64();
    if (e->compressed_size == kMax32) e->compressed_size = z.U64();
    if (e->local_header_offset == kMax32) e->local_header_offset = z.U64();
    if (disk16 == kMax16) disk16 = static_cast<uint16_t>(z.U32() == 0 ? 0 : 1);
    if (!z.ok()) return Status::Corruption(EntryMessage(e->name, "ZIP64 extra field is too short"));
  }
  if (!zip64_seen && (e->uncompressed_size == kMax32 || e->compressed_size == kMax32 ||
                      e->local_header_offset == kMax32)) {
    return Status::Corruption(EntryMessage(e->name,
                                           "declares ZIP64 sizes without a ZIP64 "
                                           "extra field"));
  }
  if (disk16 != 0) return Status::Unsupported(EntryMessage(e->name, "lies on another disk"));
  return Status::Ok();
}

// Names packed one after another into 1 MiB blocks that never move, so
// entries can view them: a name costs its bytes, where a std::string of a
// 75-byte upload name took 32 + 96 (benchmarks/README.md).
class NameArena {
 public:
  static constexpr size_t kBlockBytes = size_t{1} << 20;

  // `total_hint`: at least the bytes of all names (the directory's size),
  // so that a small archive does not get a whole 1 MiB block.
  explicit NameArena(uint64_t total_hint) : total_hint_(total_hint) {}

  std::string_view Keep(std::string_view name) {
    if (blocks_.empty() || block_size_ - used_ < name.size()) {
      block_size_ = std::max<size_t>(
          name.size(), static_cast<size_t>(std::min<uint64_t>(kBlockBytes, total_hint_)));
      blocks_.emplace_back(new char[block_size_]);  // not zeroed: every byte is written first
      used_ = 0;
    }
    char* at = blocks_.back().get() + used_;
    std::copy(name.begin(), name.end(), at);
    used_ += name.size();
    return {at, name.size()};
  }
  std::vector<std::unique_ptr<char[]>> Release() { return std::move(blocks_); }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  uint64_t total_hint_;
  size_t block_size_ = 0;
  size_t used_ = 0;
};

// Parses one record; `raw` (if set) receives its exact bytes.
// The entry's name views the reader's buffer: valid until its next Take.
Result<ZipEntry> ParseRecord(RegionReader* r, uint64_t index, bool canonical, std::string* raw) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string_view fixed, r->Take(kCentralHeaderSize));
  if (raw != nullptr) raw->assign(fixed);
  Cursor c(fixed);
  if (c.U32() != kCentralHeaderSig) {
    return Status::Corruption("central directory record #" + std::to_string(index + 1) +
                              " is damaged (bad signature)");
  }
  ZipEntry e;
  e.made_by_os = static_cast<uint8_t>(c.U16() >> 8);
  e.version_needed = c.U16();  // the checks below decide what we can read
  e.flags = c.U16();
  e.method = c.U16();
  e.dos_time = c.U16();
  e.dos_date = c.U16();
  e.crc32 = c.U32();
  e.compressed_size = c.U32();
  e.uncompressed_size = c.U32();
  const uint16_t name_len = c.U16(), extra_len = c.U16(), comment_len = c.U16();
  const uint16_t disk16 = c.U16();
  c.U16();  // internal attributes
  e.external_attrs = c.U32();
  e.local_header_offset = c.U32();
  ARKWIKI_ASSIGN_OR_RETURN(std::string_view var,
                           r->Take(size_t{name_len} + extra_len + comment_len));
  if (raw != nullptr) raw->append(var);
  e.name = var.substr(0, name_len);
  ARKWIKI_RETURN_IF_ERROR(ApplyExtraFields(var.substr(name_len, extra_len), disk16, canonical, &e));
  return e;
}

// Canonical mode: the record must be exactly what ZipWriter writes for the
// values it declares (zip_canonical.h).
Status CheckCanonicalRecord(const ZipEntry& e, std::string_view raw) {
  std::string expected;
  EncodeCentralRecord(
      CanonicalEntry{e.name, e.method, e.dos_time, e.dos_date, e.crc32, e.compressed_size,
                     e.uncompressed_size, e.local_header_offset, e.data_crc32},
      &expected);
  const size_t at = FirstDifference(raw, expected);
  if (at == std::string::npos) return Status::Ok();
  return Status::Corruption(
      EntryMessage(e.name, "central directory record's " + CentralRecordField(at) +
                               " is not as arkwiki writes it (altered or damaged archive)"));
}

// Duplicate detection, exact and up to ASCII case, by sorting indices
// (4 bytes per entry, where a map of folded names cost ~150, and no
// hashing an archive could craft collisions for). Reports the first entry,
// in archive order, whose name an earlier entry already has.
Result<std::vector<uint32_t>> SortAndCheckNames(const std::vector<ZipEntry>& entries) {
  std::vector<uint32_t> order(entries.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint32_t>(i);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    const int c = CompareFolded(entries[a].name, entries[b].name);
    return c != 0 ? c < 0 : a < b;
  });
  // Within a group of equal names the indices ascend: its second element
  // is the group's first later-comer, its first element the earlier twin.
  size_t dup = order.size(), first = 0;
  for (size_t k = 1, group = 0; k < order.size(); ++k) {
    if (CompareFolded(entries[order[k - 1]].name, entries[order[k]].name) != 0) {
      group = k;
    } else if (k == group + 1 && order[k] < dup) {
      dup = order[k];
      first = order[group];
    }
  }
  if (dup == order.size()) return order;
  const std::string_view name = entries[dup].name;
  if (entries[first].name == name) {
    return Status::InvalidArgument(EntryMessage(name, "appears more than once in the archive"));
  }
  return Status::InvalidArgument(EntryMessage(
      name, "differs from entry " + QuoteName(entries[first].name) + " only by letter case"));
}

Status CheckEntry(const ZipEntry& e, const ZipLimits& limits) {
  ARKWIKI_RETURN_IF_ERROR(CheckEntryName(e.name, limits.max_name_bytes));
  ARKWIKI_RETURN_IF_ERROR(CheckEntryFeatures(e));
  ARKWIKI_RETURN_IF_ERROR(CheckEntryFileType(e));
  return CheckEntrySizes(e, limits);
}

}  // namespace

Result<std::string_view> RegionReader::Take(size_t n) {
  if (buf_.size() - used_ < n) {
    buf_.erase(0, used_);
    used_ = 0;
    uint64_t want = std::max<uint64_t>(n - buf_.size(), kReadChunk);
    want = std::min<uint64_t>(want, end_ - pos_);
    if (buf_.size() + want < n) {
      return Status::Corruption("central directory is cut off (truncated or damaged archive)");
    }
    ARKWIKI_RETURN_IF_ERROR(ReadExactly(file_, pos_, want, "central directory", &more_));
    pos_ += want;
    buf_ += more_;
  }
  std::string_view out(buf_.data() + used_, n);
  used_ += n;
  return out;
}

Status CheckEntryCount(const EndRecords& end, const ZipLimits& limits) {
  if (end.entry_count > limits.max_entries) {
    return Status::TooLarge("archive has " + std::to_string(end.entry_count) +
                            " entries, over the limit of " + std::to_string(limits.max_entries));
  }
  if (end.cd_size / kCentralHeaderSize < end.entry_count) {
    return Status::Corruption("central directory is too small for the " +
                              std::to_string(end.entry_count) + " entries the end record lists");
  }
  return Status::Ok();
}

CentralRecordReader::CentralRecordReader(const RandomAccessFile& file, const EndRecords& end,
                                         const ZipLimits& limits)
    : region_(file, end.cd_offset, end.cd_offset + end.cd_size),
      limits_(limits),
      count_(end.entry_count) {}

Result<ZipEntry> CentralRecordReader::Next() {
  std::string* keep_raw = limits_.require_canonical ? &raw_ : nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(ZipEntry e,
                           ParseRecord(&region_, next_, limits_.require_canonical, keep_raw));
  ++next_;
  ARKWIKI_RETURN_IF_ERROR(CheckEntry(e, limits_));
  if (e.uncompressed_size > limits_.max_total_bytes - total_) {
    return Status::TooLarge("archive declares more than " +
                            std::to_string(limits_.max_total_bytes) +
                            " bytes in total, over the limit (at entry " + QuoteName(e.name) + ")");
  }
  total_ += e.uncompressed_size;
  if (keep_raw != nullptr) ARKWIKI_RETURN_IF_ERROR(CheckCanonicalRecord(e, raw_));
  return e;
}

Status CentralRecordReader::Finish() const {
  if (region_.left() == 0) return Status::Ok();
  return Status::Corruption("central directory has " + std::to_string(region_.left()) +
                            " bytes more than its " + std::to_string(count_) +
                            " entries use (entry count and directory disagree)");
}

Result<CentralDirectory> ReadCentralDirectory(const RandomAccessFile& file, const EndRecords& end,
                                              const ZipLimits& limits) {
  ARKWIKI_RETURN_IF_ERROR(CheckEntryCount(end, limits));
  if (end.entry_count > UINT32_MAX) {  // entries are indexed by uint32_t (by_folded_name)
    return Status::TooLarge("archive has " + std::to_string(end.entry_count) +
                            " entries, more than this reader can index");
  }
  CentralRecordReader records(file, end, limits);
  NameArena names(end.cd_size);
  std::vector<ZipEntry> entries;
  entries.reserve(static_cast<size_t>(end.entry_count));
  while (!records.done()) {
    ARKWIKI_ASSIGN_OR_RETURN(ZipEntry e, records.Next());
    e.name = names.Keep(e.name);
    entries.push_back(e);
  }
  ARKWIKI_RETURN_IF_ERROR(records.Finish());
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<uint32_t> order, SortAndCheckNames(entries));
  return CentralDirectory{names.Release(), std::move(entries), std::move(order)};
}

}  // namespace arkwiki::zip
