// ManifestFiles: the compact list of a manifest's files.
#include "arkwiki/backup/manifest_files.h"

#include <cstring>
#include <stdexcept>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"

namespace arkwiki {
const ManifestFile& ManifestFiles::Other(const Record& r) const {
  uint32_t index = 0;
  std::memcpy(&index, r.sha256.data(), sizeof index);
  return others_[index];
}

// at(): a NotHeld list counts files it has no record of; asking for one is
// a caller's error, and throws instead of reading past the records.
const ManifestFiles::Record& ManifestFiles::RecordAt(size_t i) const { return records_.at(i); }

ManifestFile ManifestFiles::operator[](size_t i) const {
  const Record& r = RecordAt(i);
  if (r.size == kOther) return Other(r);
  std::string sha = HexEncode(r.sha256.data(), r.sha256.size());
  return ManifestFile{UploadEntryPath(sha), r.size, std::move(sha)};
}

uint64_t ManifestFiles::SizeAt(size_t i) const {
  const Record& r = RecordAt(i);
  return r.size != kOther ? r.size : Other(r).size;
}

const Sha256Raw* ManifestFiles::UploadHashAt(size_t i) const {
  const Record& r = RecordAt(i);
  return r.size != kOther ? &r.sha256 : nullptr;
}

ManifestFiles::Record ManifestFiles::Encode(const ManifestFile& file,
                                            std::vector<ManifestFile>* others) {
  Record r;
  // UploadEntryHash makes no copies: this runs for every file, twice.
  if (file.size != kOther && ParseSha256Hex(file.sha256, &r.sha256) &&
      UploadEntryHash(file.path) == file.sha256) {
    r.size = file.size;
  } else {
    const auto index = static_cast<uint32_t>(others->size());
    r.sha256 = {};
    std::memcpy(r.sha256.data(), &index, sizeof index);
    r.size = kOther;
    others->push_back(file);
  }
  return r;
}

void ManifestFiles::RequireHeld() const {
  if (!held()) throw std::logic_error("a file added to a manifest list that is only counted");
}

void ManifestFiles::push_back(const ManifestFile& file) {
  RequireHeld();
  records_.push_back(Encode(file, &others_));
}

// A replaced "other" file stays in others_, unreferenced: edits are rare
// (test fixtures), so nothing is compacted.
void ManifestFiles::Set(size_t i, const ManifestFile& file) {
  RequireHeld();
  Record& slot = records_.at(i);  // before Encode adds to others_
  slot = Encode(file, &others_);
}

void ManifestFiles::Append(const ManifestFiles& more) {
  RequireHeld();
  more.RequireHeld();
  records_.reserve(records_.size() + more.records_.size());
  for (const Record& r : more.records_) {
    if (r.size == kOther) {
      records_.push_back(Encode(more.Other(r), &others_));
    } else {
      records_.push_back(r);
    }
  }
}

void ManifestFiles::clear() {
  records_.clear();
  others_.clear();
  not_held_ = 0;
}

}  // namespace arkwiki
