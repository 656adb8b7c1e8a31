// The caps a reader applies to a backup archive, in one place for both
// sides: VerifyArchive and Restorer apply them to what they read, and
// WriteBackup checks a new archive against them (CheckArchiveLimits) before
// it writes a byte, so that create never writes an archive its own verify
// or restore would refuse.
#pragma once

#include <cstddef>
#include <cstdint>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

// Longest JSON string manifest.json may hold, in bytes as they stand in the
// text (escaped); the manifest reader refuses a longer one.
inline constexpr size_t kMaxManifestStringBytes = size_t{1} << 20;

// Caps checked by Open() against the sizes the archive declares (and then
// enforced byte by byte by ReadEntry). Callers should lower the byte caps to
// what the disk can hold before extracting.
struct ZipLimits {
  // Size of the archive file itself. Default 1 TiB.
  uint64_t max_archive_bytes = uint64_t{1} << 40;
  // Number of entries. Default 5,000,000: backups are read by
  // ZipStreamReader, whose memory does not grow with the count (verify and
  // restore hold the manifest's file list, 40 bytes a file); the cap bounds
  // what a hostile archive can make them walk.
  uint64_t max_entries = 5'000'000;
  // Declared uncompressed size of any one entry. Default 64 GiB.
  uint64_t max_entry_bytes = uint64_t{64} << 30;
  // Sum of all declared uncompressed sizes. Default 1 TiB.
  uint64_t max_total_bytes = uint64_t{1} << 40;
  // Largest uncompressed/compressed ratio of one entry. Default 100 (text
  // rarely exceeds 10; deflate cannot exceed ~1032). Entries whose
  // uncompressed size is under `ratio_exempt_bytes` are not checked: tiny
  // files of zeros compress far better and are harmless.
  // Not applied in canonical mode: see require_canonical.
  double max_ratio = 100.0;
  uint64_t ratio_exempt_bytes = uint64_t{1} << 20;
  // Length of an entry name in bytes. Default 512.
  size_t max_name_bytes = 512;
  // Canonical mode, for arkwiki backups (VerifyArchive and ReadManifest set
  // it): every header, data descriptor and end record must be byte for byte
  // what ZipWriter writes for the entry's name, method, time, CRC, sizes and
  // offset — version needed/made by, flags 0x0808, external attributes
  // 0100644 << 16, internal attributes 0, no comments, disk numbers 0,
  // ZIP64 extras exactly where the writer puts them, the descriptor with its
  // signature, local time/date equal to the central directory's, central
  // directory in archive order — and the padding bits after a deflate
  // stream must be zero. Then no byte outside entry data can change
  // unnoticed, and entry data is covered by CRC-32 (and the manifest's
  // SHA-256). Checked after the caps and the name, feature and file-type
  // rules, so those refusals keep their specific messages.
  //
  // Ratio policy in canonical mode: max_ratio is replaced by deflate's own
  // bound (1032:1; a declared size above it is a lie). A backup may hold a
  // file of zeros that compresses ~1000:1, and our own backups must
  // restore. The expansion bound that protects disk and memory is the
  // declared size: ReadEntry refuses output beyond it (so a lying entry
  // stops within 1 MiB past it, and nothing is buffered), and the declared
  // sizes are capped by max_entry_bytes and max_total_bytes.
  bool require_canonical = false;
};

// Checks that an archive of `manifest` (plus manifest.json itself) stays
// within `limits` and the manifest reader's caps: entry count, entry name
// length, each entry's size, the total size, a cautious bound on the
// archive's size, and every manifest string (valid UTF-8, at most
// kMaxManifestStringBytes once escaped). TooLarge or InvalidArgument naming
// the value and the limit, ending "no backup was written".
Status CheckArchiveLimits(const Manifest& manifest, const ZipLimits& limits);

}  // namespace arkwiki
