// ZipReader::ReadEntry: streaming one entry with zip-bomb guards. Output is
// checked against the declared size before each chunk reaches the consumer,
// so neither memory nor the consumer's disk can be flooded.
#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <vector>

#include "arkwiki/backup/zip_reader.h"
#include "arkwiki/core/hash.h"
#include "backup/zip_names.h"

namespace arkwiki {
namespace {

constexpr size_t kChunk = size_t{1} << 20;
using Deliver = std::function<Status(std::string_view)>;

Status Damaged(const ZipEntry& e, const std::string& why) {
  return Status::Corruption(zip::EntryMessage(e.name, why));
}

// Reads the next piece of [pos, pos + left) into `buf`.
Result<std::string_view> ReadPiece(const RandomAccessFile& file, const ZipEntry& e,
                                   uint64_t* pos, uint64_t* left, std::vector<char>* buf) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(*left, buf->size()));
  ARKWIKI_ASSIGN_OR_RETURN(size_t got, file.ReadAt(*pos, buf->data(), n));
  if (got != n) return Damaged(e, "data is cut off (truncated archive)");
  *pos += n;
  *left -= n;
  return std::string_view(buf->data(), n);
}

Status CopyStored(const RandomAccessFile& file, const ZipEntry& e, const Deliver& deliver) {
  std::vector<char> buf(static_cast<size_t>(std::min<uint64_t>(kChunk, e.compressed_size)));
  uint64_t pos = e.data_offset, left = e.compressed_size;
  while (left > 0) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece, ReadPiece(file, e, &pos, &left, &buf));
    ARKWIKI_RETURN_IF_ERROR(deliver(piece));
  }
  return Status::Ok();
}

class Inflater {
 public:
  Inflater() { ok_ = inflateInit2(&zs_, -15) == Z_OK; }
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  bool ok() const { return ok_; }
  z_stream* zs() { return &zs_; }

 private:
  z_stream zs_{};
  bool ok_ = false;
};

Status Inflate(const RandomAccessFile& file, const ZipEntry& e, const Deliver& deliver) {
  Inflater inf;
  if (!inf.ok()) return Status::IoError("zlib inflateInit2 failed (out of memory?)");
  z_stream* zs = inf.zs();
  std::vector<char> in(static_cast<size_t>(std::clamp<uint64_t>(e.compressed_size, 1, kChunk)));
  std::vector<char> out(kChunk);
  uint64_t pos = e.data_offset, left = e.compressed_size;
  for (int rc = Z_OK; rc != Z_STREAM_END;) {
    if (zs->avail_in == 0) {
      if (left == 0) return Damaged(e, "deflate data ends early (truncated or damaged)");
      ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece, ReadPiece(file, e, &pos, &left, &in));
      zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
      zs->avail_in = static_cast<uInt>(piece.size());
    }
    zs->next_out = reinterpret_cast<Bytef*>(out.data());
    zs->avail_out = static_cast<uInt>(out.size());
    rc = inflate(zs, Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && zs->avail_in == 0)) {
      return Damaged(e, std::string("deflate data is damaged (zlib: ") +
                            (zs->msg != nullptr ? zs->msg : std::to_string(rc)) + ")");
    }
    const size_t produced = out.size() - zs->avail_out;
    if (produced > 0) ARKWIKI_RETURN_IF_ERROR(deliver(std::string_view(out.data(), produced)));
  }
  if (zs->avail_in != 0 || left != 0) {
    return Damaged(e, "has " + std::to_string(zs->avail_in + left) +
                          " bytes after the end of its deflate data");
  }
  return Status::Ok();
}

}  // namespace

Status ZipReader::ReadEntry(const ZipEntry& e,
                            const std::function<Status(std::string_view chunk)>& consumer,
                            std::string* sha256_hex_out) const {
  if (e.data_offset > file_->Size() || file_->Size() - e.data_offset < e.compressed_size) {
    return Damaged(e, "data lies beyond the end of the archive");
  }
  if (e.method != kZipMethodStore && e.method != kZipMethodDeflate) {
    return Status::Unsupported(zip::EntryMessage(e.name, "uses an unsupported method"));
  }
  Sha256 sha;
  uint32_t crc = 0;
  uint64_t total = 0;
  Deliver deliver = [&](std::string_view chunk) -> Status {
    if (chunk.size() > e.uncompressed_size - total) {
      return Damaged(e, "expands beyond its declared size of " +
                            std::to_string(e.uncompressed_size) + " bytes (possible zip bomb)");
    }
    total += chunk.size();
    crc = static_cast<uint32_t>(libdeflate_crc32(crc, chunk.data(), chunk.size()));
    sha.Update(chunk);
    return consumer(chunk);
  };
  ARKWIKI_RETURN_IF_ERROR(e.method == kZipMethodStore ? CopyStored(*file_, e, deliver)
                                                      : Inflate(*file_, e, deliver));
  if (total != e.uncompressed_size) {
    return Damaged(e, "ends after " + std::to_string(total) + " of its " +
                          std::to_string(e.uncompressed_size) + " declared bytes");
  }
  if (crc != e.crc32) return Damaged(e, "CRC-32 mismatch: the data is damaged");
  if (sha256_hex_out != nullptr) *sha256_hex_out = sha.FinishHex();
  return Status::Ok();
}

}  // namespace arkwiki
