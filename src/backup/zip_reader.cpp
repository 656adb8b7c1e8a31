// ZipReader::Open and lookups. The validation phases live in
// zip_end_records.cpp, zip_central_directory.cpp and zip_local_headers.cpp;
// streaming entry data in zip_entry_stream.cpp.
#include "arkwiki/backup/zip_reader.h"

#include "backup/zip_directory.h"

namespace arkwiki {

ZipReader::ZipReader(std::unique_ptr<RandomAccessFile> file, std::string path,
                     std::vector<ZipEntry> entries, bool canonical)
    : file_(std::move(file)),
      path_(std::move(path)),
      canonical_(canonical),
      entries_(std::move(entries)) {
  index_.reserve(entries_.size());
  for (size_t i = 0; i < entries_.size(); ++i) index_.emplace(entries_[i].name, i);
}

ZipReader::~ZipReader() = default;

Result<std::unique_ptr<ZipReader>> ZipReader::Open(Env* env, const std::string& path,
                                                   const ZipLimits& limits) {
  ARKWIKI_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  if (file->Size() > limits.max_archive_bytes) {
    return Status::TooLarge("archive is " + std::to_string(file->Size()) +
                            " bytes, over the limit of " +
                            std::to_string(limits.max_archive_bytes));
  }
  ARKWIKI_ASSIGN_OR_RETURN(zip::EndRecords end, zip::ReadEndRecords(*file));
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ZipEntry> entries,
                           zip::ReadCentralDirectory(*file, end, limits));
  ARKWIKI_RETURN_IF_ERROR(zip::CheckLocalHeaders(*file, end, limits, &entries));
  if (limits.require_canonical) ARKWIKI_RETURN_IF_ERROR(zip::CheckCanonicalEnd(*file, end));
  return std::unique_ptr<ZipReader>(
      new ZipReader(std::move(file), path, std::move(entries), limits.require_canonical));
}

const ZipEntry* ZipReader::Find(std::string_view name) const {
  auto it = index_.find(name);
  return it == index_.end() ? nullptr : &entries_[it->second];
}

uint64_t ZipReader::archive_size() const { return file_->Size(); }

}  // namespace arkwiki
