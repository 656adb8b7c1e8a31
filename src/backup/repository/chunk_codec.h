// How a chunk of a restore point's database or manifest is stored (private
// to the backup layer; format: docs/backup-repository.md#compressed-chunks).
//
// A chunk is stored as one gzip member (RFC 1952) of its bytes, made by
// libdeflate at kChunkGzipLevel, and named, like every object, by the
// SHA-256 of its stored bytes: check, prune, packing, encryption and the
// off-site copy treat it as any object, `sha256sum` prints its name and
// `gzip -dc` reads it. One libdeflate at one level makes the same bytes
// for the same chunk, so equal chunks are stored once; another libdeflate
// version may make other bytes, which only stores a chunk once more.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "arkwiki/core/status.h"

struct libdeflate_compressor;
struct libdeflate_decompressor;

namespace arkwiki {

// Level 1: database pages came out smaller than at level 6, manifest chunks
// 3% larger, at about twice the speed (benchmarks/README.md).
inline constexpr int kChunkGzipLevel = 1;

class ChunkCompressor {
 public:
  ChunkCompressor();
  ~ChunkCompressor();
  ChunkCompressor(const ChunkCompressor&) = delete;
  ChunkCompressor& operator=(const ChunkCompressor&) = delete;

  // `plain` as one gzip member, into *stored. IoError when libdeflate
  // could not be set up (out of memory).
  Status Gzip(std::string_view plain, std::string* stored);

 private:
  libdeflate_compressor* compressor_;
};

class ChunkDecompressor {
 public:
  ChunkDecompressor();
  ~ChunkDecompressor();
  ChunkDecompressor(const ChunkDecompressor&) = delete;
  ChunkDecompressor& operator=(const ChunkDecompressor&) = delete;

  // The gzip member `stored` inflated into *plain, which must come to
  // exactly `plain_size` bytes: Corruption (naming `what`) when it is not
  // gzip, fails its CRC, would inflate beyond `plain_size` (never written
  // past it) or to fewer bytes.
  Status Gunzip(std::string_view stored, uint64_t plain_size, const std::string& what,
                std::string* plain);

 private:
  libdeflate_decompressor* decompressor_;
};

}  // namespace arkwiki
