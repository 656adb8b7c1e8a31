// ZipStreamReader: the hardened reader of zip_reader.h for canonical
// archives (ZipLimits::require_canonical: arkwiki's backups) of any entry
// count up to ZipLimits::max_entries, in memory that does not grow with the
// count. ZipReader holds every entry (~170 bytes each) to look names up;
// this reader holds none and hands the entries out in archive order,
// re-reading the central directory for each pass.
//
// Open() applies every check of ZipReader::Open, with the same errors,
// except one: it does not refuse duplicate names (exact or up to letter
// case), which takes every name at once. The caller must match the entries,
// in order, against a list of distinct names that cannot differ only by
// case, and refuse the archive otherwise; VerifyArchive matches them with
// manifest.json.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_central_directory.h"
#include "zip/zip_end_records.h"
#include "zip/zip_reader.h"

namespace arkwiki {

class ZipStreamReader {
 public:
  // Opens and validates `path` as described above, reading the central
  // directory twice and each local header once. Nothing is extracted.
  // Canonical mode is implied.
  static Result<std::unique_ptr<ZipStreamReader>> Open(Env* env, const std::string& path,
                                                       const ZipLimits& limits = ZipLimits());
  // The same, for an archive already open (a split archive, say).
  static Result<std::unique_ptr<ZipStreamReader>> Open(std::unique_ptr<RandomAccessFile> file,
                                                       const ZipLimits& limits = ZipLimits());

  // One pass over the entries in archive order. It must not outlive its
  // reader.
  class Walk {
   public:
    // The next entry, or nullopt after the last. Its name views the walk's
    // buffer: valid until the next call.
    Result<std::optional<ZipEntry>> Next();

   private:
    friend class ZipStreamReader;
    Walk(const RandomAccessFile& file, const zip::EndRecords& end, const ZipLimits& limits)
        : records_(file, end, limits) {}
    zip::CentralRecordReader records_;
  };

  ~ZipStreamReader();
  ZipStreamReader(const ZipStreamReader&) = delete;
  ZipStreamReader& operator=(const ZipStreamReader&) = delete;

  uint64_t entry_count() const { return end_.entry_count; }
  uint64_t archive_size() const;
  Walk NewWalk() const { return Walk(*file_, end_, limits_); }

  // ZipReader::ReadEntry, with its contract, for an entry a Walk gave out
  // (its name may since view other memory holding the same name).
  Status ReadEntry(const ZipEntry& entry,
                   const std::function<Status(std::string_view chunk)>& consumer,
                   std::string* sha256_hex_out = nullptr) const;

 private:
  ZipStreamReader(std::unique_ptr<RandomAccessFile> file, const zip::EndRecords& end,
                  const ZipLimits& limits);

  std::unique_ptr<RandomAccessFile> file_;
  zip::EndRecords end_;
  ZipLimits limits_;
};

}  // namespace arkwiki
