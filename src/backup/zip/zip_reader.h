// ZipReader: a hardened reader for ZIP archives that may be hostile (uploaded
// backups). Our own code, not Poco::Zip — see zip_types.h and
// docs/design-notes.md#poco-zip-is-unsafe-for-uploaded-archives: Poco 1.11 extracts "../" paths
// (reporting them only as events), symlinks, zip bombs and cut-off archives, and cannot read its
// own streamed ZIP64 entries.
//
// Open() reads only the end records, the central directory and each local
// header; it extracts nothing. It accepts exactly the layout described in
// zip_types.h and refuses anything else before a single byte is written:
//   Corruption       not a ZIP, truncated, bytes before/between/after the
//                    entries, inconsistent end records, central directory or
//                    local headers, data descriptors disagreeing with it;
//   InvalidArgument  unsafe or ambiguous names (absolute, "..", ".", "a//b",
//                    drive letters, backslashes, control characters, invalid
//                    UTF-8, too long), directories, duplicates (also when
//                    they differ only by ASCII case), symlinks, devices;
//   Unsupported      encryption, methods other than store and deflate,
//                    unknown flag bits;
//   TooLarge         a ZipLimits cap (archive_limits.h) is exceeded.
// Each message names the entry and the problem, e.g.
//   entry "../x": path escapes the archive
//
// ReadEntry() then streams one entry's bytes with every guard of a zip-bomb
// defence: output is capped at the declared size, the compressed input at
// its declared size, and the CRC-32 is checked at the end.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/backup/archive_limits.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"
#include "zip/zip_types.h"

namespace arkwiki {

// One entry as the central directory declares it (ZIP64 values resolved).
// 80 bytes plus its name, held once in the reader: an archive of 200,000
// entries is read with ~30 MB of entries (fields ordered to leave no holes).
struct ZipEntry {
  // A view into the ZipReader (or the Open call) that made the entry: valid
  // while that reader lives.
  std::string_view name;
  uint16_t method = 0;  // kZipMethodStore or kZipMethodDeflate
  uint16_t flags = 0;
  uint16_t version_needed = 0;
  uint16_t dos_time = 0;
  uint32_t crc32 = 0;
  uint32_t external_attrs = 0;
  uint64_t compressed_size = 0;
  uint64_t uncompressed_size = 0;
  uint64_t local_header_offset = 0;
  uint64_t data_offset = 0;  // first byte of the (compressed) data
  uint16_t dos_date = 0;
  uint8_t made_by_os = 0;  // kZipMadeByUnix: external_attrs >> 16 is st_mode
  // Canonical mode: the CRC-32 of the data as stored (compressed), from
  // arkwiki's own extra field when the archive has it; ReadEntry checks it.
  std::optional<uint32_t> data_crc32;
};

class ZipReader {
 public:
  // The most entries Open accepts, whatever ZipLimits::max_entries says:
  // this reader holds every entry (~170 bytes each with its name and
  // index). Larger canonical archives are read by ZipStreamReader
  // (zip_stream_reader.h), which holds none.
  static constexpr uint64_t kMaxHeldEntries = 200'000;

  // Opens and validates `path` as described above. Nothing is extracted.
  static Result<std::unique_ptr<ZipReader>> Open(Env* env, const std::string& path,
                                                 const ZipLimits& limits = ZipLimits());
  // The same, for an archive already open; `path` names it in messages.
  static Result<std::unique_ptr<ZipReader>> Open(std::unique_ptr<RandomAccessFile> file,
                                                 const std::string& path,
                                                 const ZipLimits& limits = ZipLimits());

  ~ZipReader();
  ZipReader(const ZipReader&) = delete;
  ZipReader& operator=(const ZipReader&) = delete;

  // In central-directory order (which is also archive order).
  const std::vector<ZipEntry>& entries() const { return entries_; }
  // Exact, case-sensitive lookup; nullptr if absent.
  const ZipEntry* Find(std::string_view name) const;

  // Streams the entry's uncompressed bytes to `consumer` in chunks of at most
  // 1 MiB. Fails with Corruption as soon as output would exceed the declared
  // size, when it ends short, when the compressed data does not end exactly
  // at its declared compressed size, or on a CRC-32 mismatch; a consumer
  // error is returned as is. The consumer may have seen bytes before a
  // failure is detected (the CRC is known only at the end), so write to a
  // temporary file and discard it unless this returns OK. When OK and
  // `sha256_hex_out` is set, it receives the SHA-256 of the bytes delivered
  // (without it, no SHA-256 is computed).
  //
  // Thread-safe: several threads may read different (or the same) entries
  // at once. Memory per call is bounded (~2 MiB plus zlib's state).
  Status ReadEntry(const ZipEntry& entry,
                   const std::function<Status(std::string_view chunk)>& consumer,
                   std::string* sha256_hex_out = nullptr) const;

  uint64_t archive_size() const;

 private:
  ZipReader(std::unique_ptr<RandomAccessFile> file, std::string path,
            std::vector<std::unique_ptr<char[]>> names, std::vector<ZipEntry> entries,
            std::vector<uint32_t> by_folded_name, bool canonical);

  std::unique_ptr<RandomAccessFile> file_;
  std::string path_;
  bool canonical_ = false;                      // ZipLimits::require_canonical
  std::vector<std::unique_ptr<char[]>> names_;  // the bytes entries_' names view
  std::vector<ZipEntry> entries_;
  // Indices into entries_ ordered by case-folded name (names are unique
  // even ignoring case): Find's binary search, 4 bytes per entry.
  std::vector<uint32_t> by_folded_name_;
};

}  // namespace arkwiki
