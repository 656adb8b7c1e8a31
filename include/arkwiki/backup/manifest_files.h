// The list of files a backup manifest holds (archive_format.h).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "arkwiki/core/hash.h"

namespace arkwiki {

struct ManifestFile {
  std::string path;
  uint64_t size = 0;
  std::string sha256;
};

// The files a manifest lists, in archive order, kept compactly: an upload
// named by its own hash ("uploads/<aa>/<sha256>", nearly every file) takes
// 40 bytes — raw hash and size — where a ManifestFile of three strings took
// ~250, the largest per-file cost of a create or a verify at 50,000 files
// (benchmarks/README.md). Any other file is kept as it is. Elements are
// handed out as ManifestFile values, built on access.
class ManifestFiles {
 public:
  class const_iterator {
   public:
    using value_type = ManifestFile;
    using difference_type = std::ptrdiff_t;
    const_iterator(const ManifestFiles* files, size_t i) : files_(files), i_(i) {}
    ManifestFile operator*() const { return (*files_)[i_]; }
    const_iterator& operator++() {
      ++i_;
      return *this;
    }
    bool operator==(const const_iterator& o) const { return i_ == o.i_; }
    bool operator!=(const const_iterator& o) const { return i_ != o.i_; }

   private:
    const ManifestFiles* files_;
    size_t i_;
  };

  // A list of `count` files whose records are not held: a verification of
  // a large archive reads them from a scratch file instead
  // (VerifyReport::manifest). Only size(), empty() and held() may be asked
  // of it: an element, or a walk from begin() to end(), throws
  // std::out_of_range.
  static ManifestFiles NotHeld(size_t count) {
    ManifestFiles files;
    files.not_held_ = count;
    return files;
  }
  bool held() const { return not_held_ == 0; }

  size_t size() const { return records_.size() + not_held_; }
  bool empty() const { return size() == 0; }
  ManifestFile operator[](size_t i) const;
  uint64_t SizeAt(size_t i) const;  // (*this)[i].size without building strings
  // The hash of file i when it is an upload named by its hash, else nullptr;
  // valid while the list is not changed.
  const Sha256Raw* UploadHashAt(size_t i) const;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, size()}; }

  void push_back(const ManifestFile& file);
  // Appends the upload named by its own hash, as push_back of
  // {UploadEntryPath(hex), size, hex} would, without building the strings.
  // `size` must be below UINT64_MAX.
  void PushUpload(const Sha256Raw& sha256, uint64_t size) {
    RequireHeld();
    records_.push_back({sha256, size});
  }
  void Set(size_t i, const ManifestFile& file);
  void Append(const ManifestFiles& more);
  void reserve(size_t n) { records_.reserve(n); }
  void clear();

 private:
  // 40 bytes, no padding: a file that is not an upload has kOther in `size`
  // and its index into others_ in the first bytes of `sha256`.
  static constexpr uint64_t kOther = UINT64_MAX;
  struct Record {
    Sha256Raw sha256{};
    uint64_t size = 0;
  };
  static_assert(sizeof(Record) == 40);
  const Record& RecordAt(size_t i) const;
  // A list that is only counted takes no files: adding one throws
  // std::logic_error (its count and its indices would disagree).
  void RequireHeld() const;
  const ManifestFile& Other(const Record& r) const;
  static Record Encode(const ManifestFile& file, std::vector<ManifestFile>* others);

  std::vector<Record> records_;
  std::vector<ManifestFile> others_;
  size_t not_held_ = 0;  // NotHeld's count
};

}  // namespace arkwiki
