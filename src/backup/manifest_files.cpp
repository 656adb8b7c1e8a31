// ManifestFiles: the compact list of a manifest's files (archive_format.h).
#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {
namespace {

// path == UploadEntryPath(sha256), without building that string: this runs
// for every file of a backup, twice.
bool IsUploadPathOf(std::string_view path, std::string_view sha256) {
  constexpr std::string_view prefix = kUploadsPrefix;
  return path.size() == prefix.size() + 3 + sha256.size() &&
         path.substr(0, prefix.size()) == prefix &&
         path.substr(prefix.size(), 2) == sha256.substr(0, 2) && path[prefix.size() + 2] == '/' &&
         path.substr(prefix.size() + 3) == sha256;
}

}  // namespace

ManifestFile ManifestFiles::operator[](size_t i) const {
  const Record& r = records_[i];
  if (r.other != kUpload) return others_[r.other];
  std::string sha = HexEncode(r.sha256.data(), r.sha256.size());
  return ManifestFile{UploadEntryPath(sha), r.size, std::move(sha)};
}

uint64_t ManifestFiles::SizeAt(size_t i) const {
  const Record& r = records_[i];
  return r.other == kUpload ? r.size : others_[r.other].size;
}

const Sha256Raw* ManifestFiles::UploadHashAt(size_t i) const {
  const Record& r = records_[i];
  return r.other == kUpload ? &r.sha256 : nullptr;
}

ManifestFiles::Record ManifestFiles::Encode(const ManifestFile& file,
                                            std::vector<ManifestFile>* others) {
  Record r;
  if (ParseSha256Hex(file.sha256, &r.sha256) && IsUploadPathOf(file.path, file.sha256)) {
    r.size = file.size;
  } else {
    r.other = static_cast<uint32_t>(others->size());
    others->push_back(file);
  }
  return r;
}

void ManifestFiles::push_back(const ManifestFile& file) {
  records_.push_back(Encode(file, &others_));
}

// A replaced "other" file stays in others_, unreferenced: edits are rare
// (test fixtures), so nothing is compacted.
void ManifestFiles::Set(size_t i, const ManifestFile& file) {
  records_[i] = Encode(file, &others_);
}

void ManifestFiles::Append(const ManifestFiles& more) {
  records_.reserve(records_.size() + more.records_.size());
  for (Record r : more.records_) {
    if (r.other != kUpload) {
      others_.push_back(more.others_[r.other]);
      r.other = static_cast<uint32_t>(others_.size() - 1);
    }
    records_.push_back(r);
  }
}

void ManifestFiles::clear() {
  records_.clear();
  others_.clear();
}

}  // namespace arkwiki
