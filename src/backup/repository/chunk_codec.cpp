#include "repository/chunk_codec.h"

#include <libdeflate.h>

namespace arkwiki {

ChunkCompressor::ChunkCompressor() : compressor_(libdeflate_alloc_compressor(kChunkGzipLevel)) {}

ChunkCompressor::~ChunkCompressor() { libdeflate_free_compressor(compressor_); }

Status ChunkCompressor::Gzip(std::string_view plain, std::string* stored) {
  if (compressor_ == nullptr) return Status::IoError("cannot set up libdeflate (out of memory)");
  stored->resize(libdeflate_gzip_compress_bound(compressor_, plain.size()));
  const size_t n = libdeflate_gzip_compress(compressor_, plain.data(), plain.size(), stored->data(),
                                            stored->size());
  // The bound always suffices; 0 would mean it did not.
  if (n == 0) return Status::IoError("libdeflate: the compress bound did not suffice");
  stored->resize(n);
  return Status::Ok();
}

ChunkDecompressor::ChunkDecompressor() : decompressor_(libdeflate_alloc_decompressor()) {}

ChunkDecompressor::~ChunkDecompressor() { libdeflate_free_decompressor(decompressor_); }

Status ChunkDecompressor::Gunzip(std::string_view stored, uint64_t plain_size,
                                 const std::string& what, std::string* plain) {
  if (decompressor_ == nullptr) return Status::IoError("cannot set up libdeflate (out of memory)");
  plain->resize(static_cast<size_t>(plain_size));
  size_t in_used = 0;
  size_t out = 0;
  const libdeflate_result r = libdeflate_gzip_decompress_ex(
      decompressor_, stored.data(), stored.size(), plain->data(), plain->size(), &in_used, &out);
  if (r == LIBDEFLATE_INSUFFICIENT_SPACE) {
    return Status::Corruption(what + " inflates beyond its stated size of " +
                              std::to_string(plain_size) + " bytes");
  }
  if (r != LIBDEFLATE_SUCCESS || in_used != stored.size()) {
    return Status::Corruption(what + " is not a valid gzip member");
  }
  if (out != plain_size) {
    return Status::Corruption(what + " inflates to " + std::to_string(out) + " bytes, not " +
                              std::to_string(plain_size));
  }
  return Status::Ok();
}

}  // namespace arkwiki
