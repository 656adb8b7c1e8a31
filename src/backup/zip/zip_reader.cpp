// ZipReader::Open and lookups. The validation phases live in
// zip_end_records.cpp, zip_central_directory.cpp and zip_local_headers.cpp;
// streaming entry data in zip_entry_stream.cpp.
#include "zip/zip_reader.h"

#include <algorithm>

#include "zip/zip_central_directory.h"
#include "zip/zip_end_records.h"
#include "zip/zip_entry_stream.h"
#include "zip/zip_local_headers.h"
#include "zip/zip_names.h"

namespace arkwiki {

ZipReader::ZipReader(std::unique_ptr<RandomAccessFile> file, std::string path,
                     std::vector<std::unique_ptr<char[]>> names, std::vector<ZipEntry> entries,
                     std::vector<uint32_t> by_folded_name, bool canonical)
    : file_(std::move(file)),
      path_(std::move(path)),
      canonical_(canonical),
      names_(std::move(names)),
      entries_(std::move(entries)),
      by_folded_name_(std::move(by_folded_name)) {}

ZipReader::~ZipReader() = default;

Result<std::unique_ptr<ZipReader>> ZipReader::Open(Env* env, const std::string& path,
                                                   const ZipLimits& limits) {
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  return Open(std::move(file), path, limits);
}

Result<std::unique_ptr<ZipReader>> ZipReader::Open(std::unique_ptr<RandomAccessFile> file,
                                                   const std::string& path,
                                                   const ZipLimits& limits) {
  if (file->Size() > limits.max_archive_bytes) {
    return Status::TooLarge("archive is " + std::to_string(file->Size()) +
                            " bytes, over the limit of " +
                            std::to_string(limits.max_archive_bytes));
  }
  ARKWIKI_ASSIGN_OR_RETURN(zip::EndRecords end, zip::ReadEndRecords(*file));
  if (end.entry_count > kMaxHeldEntries && end.entry_count <= limits.max_entries) {
    return Status::TooLarge("archive has " + std::to_string(end.entry_count) +
                            " entries, more than this reader holds in memory (" +
                            std::to_string(kMaxHeldEntries) + ")");
  }
  ARKWIKI_ASSIGN_OR_RETURN(zip::CentralDirectory cd, zip::ReadCentralDirectory(*file, end, limits));
  ARKWIKI_RETURN_IF_ERROR(zip::CheckLocalHeaders(*file, end, limits, &cd.entries));
  if (limits.require_canonical) ARKWIKI_RETURN_IF_ERROR(zip::CheckCanonicalEnd(*file, end));
  return std::unique_ptr<ZipReader>(
      new ZipReader(std::move(file), path, std::move(cd.names), std::move(cd.entries),
                    std::move(cd.by_folded_name), limits.require_canonical));
}

const ZipEntry* ZipReader::Find(std::string_view name) const {
  auto it = std::lower_bound(
      by_folded_name_.begin(), by_folded_name_.end(), name,
      [&](uint32_t i, std::string_view n) { return zip::CompareFolded(entries_[i].name, n) < 0; });
  if (it == by_folded_name_.end() || entries_[*it].name != name) return nullptr;
  return &entries_[*it];
}

Status ZipReader::ReadEntry(const ZipEntry& e,
                            const std::function<Status(std::string_view chunk)>& consumer,
                            std::string* sha256_hex_out) const {
  return StreamEntry(*file_, e, canonical_, consumer, sha256_hex_out);
}

uint64_t ZipReader::archive_size() const { return file_->Size(); }

}  // namespace arkwiki
