// The arkwiki backup archive, format version 1.
//
// A backup is one ZIP file (ZIP64 where needed) holding exactly these entries,
// each a regular file (no directories, links or encryption), stored (method 0)
// or deflated (method 8):
//
//   manifest.json            first entry; described below
//   database/arkwiki.db      a SQLite snapshot of the whole wiki database
//                            (pages, revisions, trash, users, preferences,
//                            settings, hashed API tokens, audit log); login
//                            sessions are removed; journal mode DELETE
//   config/settings.json     the system configuration as a JSON object of
//                            strings (the same values the database holds)
//   uploads/<aa>/<sha256>    one entry per distinct upload content, named by
//                            the SHA-256 of its bytes (<aa> = first two hex
//                            digits); the database maps page/name to hash
//
// manifest.json is a UTF-8 JSON object:
//   format          "arkwiki-backup"
//   format_version  1 (readers refuse a newer version, naming both)
//   app_version     the arkwiki version that wrote it
//   schema_version  the database's PRAGMA user_version
//   created_at      UTC time, "YYYY-MM-DDTHH:MM:SSZ"
//   site_title, base_url, instance_id   from the settings
//   counts          {"pages", "revisions", "users", "uploads", "bytes"}: live
//                   pages, all revisions, users, upload rows, and the total
//                   size in bytes of every file listed in "files"
//   files           [{"path", "size", "sha256"}] for every entry except
//                   manifest.json itself, in archive order
//   manifest_sha256 SHA-256 (lowercase hex) of the exact bytes of
//                   manifest.json in which this value's 64 hex digits are
//                   replaced by 64 ASCII '0' characters
//
// A verifier checks: the ZIP structure, which must be byte for byte the
// canonical form arkwiki's ZipWriter writes (zip_types.h; ZipReader with
// ZipLimits::require_canonical), so that no header byte can change
// unnoticed; the manifest checksum; that the set
// of entries equals manifest.json plus "files" (nothing missing, nothing
// extra); each entry's size, CRC-32 and SHA-256; that each upload's name is
// its SHA-256; and the database: SQLite integrity_check, foreign_key_check,
// application_id 0x41524B57 and a schema_version it knows.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

inline constexpr char kArchiveFormatName[] = "arkwiki-backup";
inline constexpr int kArchiveFormatVersion = 1;
inline constexpr char kManifestPath[] = "manifest.json";
inline constexpr char kDatabasePath[] = "database/arkwiki.db";
inline constexpr char kSettingsPath[] = "config/settings.json";
inline constexpr char kUploadsPrefix[] = "uploads/";

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

  size_t size() const { return records_.size(); }
  bool empty() const { return records_.empty(); }
  ManifestFile operator[](size_t i) const;
  uint64_t SizeAt(size_t i) const;  // (*this)[i].size without building strings
  // The hash of file i when it is an upload named by its hash, else nullptr;
  // valid while the list is not changed.
  const Sha256Raw* UploadHashAt(size_t i) const;
  const_iterator begin() const { return {this, 0}; }
  const_iterator end() const { return {this, records_.size()}; }

  void push_back(const ManifestFile& file);
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
  const ManifestFile& Other(const Record& r) const;
  static Record Encode(const ManifestFile& file, std::vector<ManifestFile>* others);

  std::vector<Record> records_;
  std::vector<ManifestFile> others_;
};

struct ManifestCounts {
  int64_t pages = 0;
  int64_t revisions = 0;
  int64_t users = 0;
  int64_t uploads = 0;
  int64_t bytes = 0;
};

struct Manifest {
  std::string format = kArchiveFormatName;
  int format_version = kArchiveFormatVersion;
  std::string app_version;
  int schema_version = 0;
  std::string created_at;
  std::string site_title;
  std::string base_url;
  std::string instance_id;
  ManifestCounts counts;
  ManifestFiles files;
};

// Serialises with the checksum filled in.
std::string SerializeManifest(const Manifest& manifest);
// Parses and checks the checksum, format name and version (Unsupported when
// newer than this build) and the shape of every field. Corruption otherwise.
Result<Manifest> ParseManifest(const std::string& bytes);
// The same for manifest.json in `file`, read in pieces (twice: to parse, then
// for the checksum), so that memory does not grow with the text: ~200 bytes
// per file listed. `files_hint` sizes the file list up front.
Result<Manifest> ParseManifestFile(const RandomAccessFile& file, size_t files_hint = 0);
// "uploads/ab/abcd..." for a SHA-256.
std::string UploadEntryPath(const std::string& sha256);
// The SHA-256 an upload entry's name claims (a view into `path`), or "" if
// `path` is not one.
std::string_view UploadEntryHash(std::string_view path);

}  // namespace arkwiki
