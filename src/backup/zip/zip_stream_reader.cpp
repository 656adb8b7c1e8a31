// ZipStreamReader: the phases of ZipReader::Open (zip_end_records,
// zip_central_directory, zip_local_headers) run record by record.
#include "zip/zip_stream_reader.h"

#include "zip/zip_canonical.h"
#include "zip/zip_entry_stream.h"
#include "zip/zip_local_headers.h"

namespace arkwiki {
namespace {

// The first pass, as ReadCentralDirectory and the first check of
// CheckLocalHeaders: every record, then the archive order.
Status CheckRecords(const RandomAccessFile& file, const zip::EndRecords& end,
                    const ZipLimits& limits) {
  zip::CentralRecordReader records(file, end, limits);
  bool in_order = true;
  uint64_t last_offset = 0;
  for (uint64_t i = 0; !records.done(); ++i) {
    ARKWIKI_ASSIGN_OR_RETURN(ZipEntry e, records.Next());
    if (i > 0 && e.local_header_offset < last_offset) in_order = false;
    last_offset = e.local_header_offset;
  }
  ARKWIKI_RETURN_IF_ERROR(records.Finish());
  if (!in_order) {
    return Status::Corruption(
        "the central directory does not list the entries in archive order, "
        "as arkwiki writes it (altered or damaged archive)");
  }
  return Status::Ok();
}

// The second pass, as the rest of CheckLocalHeaders.
Status CheckLocal(const RandomAccessFile& file, const zip::EndRecords& end,
                  const ZipLimits& limits) {
  zip::CentralRecordReader records(file, end, limits);
  zip::LocalHeaderWalk local(file, end, /*canonical=*/true);
  while (!records.done()) {
    ARKWIKI_ASSIGN_OR_RETURN(ZipEntry e, records.Next());
    ARKWIKI_RETURN_IF_ERROR(local.Check(&e));
  }
  return local.Finish();
}

}  // namespace

ZipStreamReader::ZipStreamReader(std::unique_ptr<RandomAccessFile> file, const zip::EndRecords& end,
                                 const ZipLimits& limits)
    : file_(std::move(file)), end_(end), limits_(limits) {}

ZipStreamReader::~ZipStreamReader() = default;

Result<std::unique_ptr<ZipStreamReader>> ZipStreamReader::Open(Env* env, const std::string& path,
                                                               const ZipLimits& limits) {
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  return Open(std::move(file), limits);
}

Result<std::unique_ptr<ZipStreamReader>> ZipStreamReader::Open(
    std::unique_ptr<RandomAccessFile> file, const ZipLimits& limits) {
  ZipLimits canonical = limits;
  canonical.require_canonical = true;
  if (file->Size() > canonical.max_archive_bytes) {
    return Status::TooLarge("archive is " + std::to_string(file->Size()) +
                            " bytes, over the limit of " +
                            std::to_string(canonical.max_archive_bytes));
  }
  ARKWIKI_ASSIGN_OR_RETURN(zip::EndRecords end, zip::ReadEndRecords(*file));
  ARKWIKI_RETURN_IF_ERROR(zip::CheckEntryCount(end, canonical));
  ARKWIKI_RETURN_IF_ERROR(CheckRecords(*file, end, canonical));
  ARKWIKI_RETURN_IF_ERROR(CheckLocal(*file, end, canonical));
  ARKWIKI_RETURN_IF_ERROR(zip::CheckCanonicalEnd(*file, end));
  return std::unique_ptr<ZipStreamReader>(new ZipStreamReader(std::move(file), end, canonical));
}

// Open checked every local header to be exactly the canonical encoding of
// the entry's central record, so its length, and with it where the data
// begins, follows from the record.
Result<std::optional<ZipEntry>> ZipStreamReader::Walk::Next() {
  if (records_.done()) {
    ARKWIKI_RETURN_IF_ERROR(records_.Finish());
    return std::optional<ZipEntry>();
  }
  ARKWIKI_ASSIGN_OR_RETURN(ZipEntry e, records_.Next());
  std::string header;
  zip::EncodeLocalHeader(
      zip::CanonicalEntry{e.name, e.method, e.dos_time, e.dos_date, e.crc32, e.compressed_size,
                          e.uncompressed_size, e.local_header_offset, e.data_crc32},
      &header);
  e.data_offset = e.local_header_offset + header.size();
  return std::optional<ZipEntry>(e);
}

uint64_t ZipStreamReader::archive_size() const { return file_->Size(); }

Status ZipStreamReader::ReadEntry(const ZipEntry& entry,
                                  const std::function<Status(std::string_view chunk)>& consumer,
                                  std::string* sha256_hex_out) const {
  return StreamEntry(*file_, entry, /*canonical=*/true, consumer, sha256_hex_out);
}

}  // namespace arkwiki
