// Compression choices and engines for ZipWriter (private).
//
// libdeflate compresses whole buffers 1.5-2.5x faster than zlib and checks
// CRC-32 at ~10 GB/s, so entries up to kWholeBufferMax go through it in one
// call. Larger entries stream through zlib's raw deflate so memory stays
// flat. Media and archives are stored: deflating them costs 15-20x the time
// of storing and gains nothing (docs/design-notes.md#store-media-deflate-the-rest).
#pragma once

#include <zlib.h>

#include <cstddef>
#include <functional>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"

struct libdeflate_compressor;

namespace arkwiki::zip {

inline constexpr size_t kBlockSize = size_t{1} << 20;         // input and output blocks
inline constexpr size_t kWholeBufferMax = size_t{8} << 20;    // libdeflate in one call
inline constexpr size_t kTrialBytes = size_t{64} << 10;       // kAuto's compressibility probe
inline constexpr size_t kQuickTrialBytes = size_t{16} << 10;  // its first, cheap step
inline constexpr int kMinLevel = 1;
inline constexpr int kMaxLevel = 9;

// True for names whose extension marks already-compressed content
// (jpg, png, mp4, zip, gz, pdf, docx, woff2, ...). Case-insensitive.
bool HasIncompressibleExtension(std::string_view name);
// True when `head` starts with the magic bytes of such a format.
bool HasIncompressibleMagic(std::string_view head);

// Upper bound of zlib raw-deflate output for `n` input bytes, used to decide
// up front whether a streamed entry needs ZIP64 sizes.
uint64_t StreamedDeflateBound(uint64_t n);

// Compressors reused across entries: allocating fresh ones per entry made
// glibc trim the heap after every small file
// (docs/design-notes.md#reuse-compressors-across-entries).
class Deflaters {
 public:
  using Emit = std::function<Status(std::string_view)>;

  Deflaters();
  ~Deflaters();
  Deflaters(const Deflaters&) = delete;
  Deflaters& operator=(const Deflaters&) = delete;

  // Raw-deflates `in` with libdeflate at `level` into `out`. Returns the
  // compressed size, or 0 if the result would not fit in `limit` bytes (the
  // caller then stores the data instead).
  Result<size_t> CompressWhole(int level, std::string_view in, size_t limit,
                               std::vector<char>* out);
  // kAuto's probe: does the start of `head` (64 KiB) shrink below 90% at
  // level 1? Decided by its first 16 KiB alone when those shrink below 90%
  // (yes) or not even below 98% (no).
  Result<bool> TrialShrinks(std::string_view head);

  // zlib raw deflate (windowBits -15, level 1), output in <= kBlockSize pieces.
  Status StreamBegin();
  Status StreamUpdate(std::string_view in, const Emit& emit);
  Status StreamFinish(const Emit& emit);

 private:
  Result<libdeflate_compressor*> Compressor(int level);
  Status StreamRun(int flush, const Emit& emit);

  libdeflate_compressor* compressors_[kMaxLevel + 1] = {};
  z_stream zs_{};
  bool zs_ready_ = false;
  std::vector<char> trial_out_;
  std::vector<char> stream_out_;
};

}  // namespace arkwiki::zip
