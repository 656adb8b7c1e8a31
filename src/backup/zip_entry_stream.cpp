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

// Reads the next piece of [pos, pos + left) into `buf`, adding it to the
// running CRC-32 of the stored bytes.
Result<std::string_view> ReadPiece(const RandomAccessFile& file, const ZipEntry& e, uint64_t* pos,
                                   uint64_t* left, std::vector<char>* buf, uint32_t* stored_crc) {
  const size_t n = static_cast<size_t>(std::min<uint64_t>(*left, buf->size()));
  ARKWIKI_ASSIGN_OR_RETURN(size_t got, file.ReadAt(*pos, buf->data(), n));
  if (got != n) return Damaged(e, "data is cut off (truncated archive)");
  *pos += n;
  *left -= n;
  *stored_crc = static_cast<uint32_t>(libdeflate_crc32(*stored_crc, buf->data(), n));
  return std::string_view(buf->data(), n);
}

Status CopyStored(const RandomAccessFile& file, const ZipEntry& e, const Deliver& deliver,
                  uint32_t* stored_crc) {
  std::vector<char> buf(static_cast<size_t>(std::min<uint64_t>(kChunk, e.compressed_size)));
  uint64_t pos = e.data_offset, left = e.compressed_size;
  while (left > 0) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece,
                             ReadPiece(file, e, &pos, &left, &buf, stored_crc));
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

// zlib's data_type after inflate(): bits 0-5 the unused bits in the last
// input byte taken, +64 in the last block, +128 at a block boundary.
constexpr int kLastBlock = 64, kAtBoundary = 128;

bool AfterFinalBlock(const z_stream* zs) {
  return (zs->data_type & (kLastBlock | kAtBoundary)) == (kLastBlock | kAtBoundary);
}

// Canonical mode: the bits after the final deflate block, up to the byte
// boundary, must be zero as zlib and libdeflate write them; otherwise a flip
// there would change the archive without changing the data. They are the
// high bits of the last byte inflate took. (zlib drops them once it moves
// on, so this runs where Z_BLOCK stops, just after the final block.)
Status CheckFinalPadding(const z_stream* zs, const ZipEntry& e, const char* buffer_start) {
  const int unused = zs->data_type & 63;
  const auto* start = reinterpret_cast<const Bytef*>(buffer_start);
  if (unused == 0 || unused >= 8 || zs->next_in == nullptr || zs->next_in <= start) {
    return Status::Ok();
  }
  const auto last = static_cast<unsigned char>(zs->next_in[-1]);
  if ((last >> (8 - unused)) == 0) return Status::Ok();
  return Damaged(e, "deflate data has stray bits after its end (altered or damaged)");
}

Status Inflate(const RandomAccessFile& file, const ZipEntry& e, const Deliver& deliver,
               bool canonical, uint32_t* stored_crc) {
  Inflater inf;
  if (!inf.ok()) return Status::IoError("zlib inflateInit2 failed (out of memory?)");
  z_stream* zs = inf.zs();
  std::vector<char> in(static_cast<size_t>(std::clamp<uint64_t>(e.compressed_size, 1, kChunk)));
  std::vector<char> out(kChunk);
  uint64_t pos = e.data_offset, left = e.compressed_size;
  bool padding_checked = false;
  for (int rc = Z_OK; rc != Z_STREAM_END;) {
    // Past the final block zlib needs no more input to report the end.
    if (zs->avail_in == 0 && !AfterFinalBlock(zs)) {
      if (left == 0) return Damaged(e, "deflate data ends early (truncated or damaged)");
      ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece,
                               ReadPiece(file, e, &pos, &left, &in, stored_crc));
      zs->next_in = reinterpret_cast<Bytef*>(const_cast<char*>(piece.data()));
      zs->avail_in = static_cast<uInt>(piece.size());
    }
    zs->next_out = reinterpret_cast<Bytef*>(out.data());
    zs->avail_out = static_cast<uInt>(out.size());
    rc = inflate(zs, canonical ? Z_BLOCK : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && zs->avail_in == 0)) {
      return Damaged(e, std::string("deflate data is damaged (zlib: ") +
                            (zs->msg != nullptr ? zs->msg : std::to_string(rc)) + ")");
    }
    const size_t produced = out.size() - zs->avail_out;
    if (produced > 0) ARKWIKI_RETURN_IF_ERROR(deliver(std::string_view(out.data(), produced)));
    if (canonical && !padding_checked && AfterFinalBlock(zs)) {
      padding_checked = true;
      ARKWIKI_RETURN_IF_ERROR(CheckFinalPadding(zs, e, in.data()));
    }
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
  uint32_t stored_crc = 0;
  ARKWIKI_RETURN_IF_ERROR(e.method == kZipMethodStore
                              ? CopyStored(*file_, e, deliver, &stored_crc)
                              : Inflate(*file_, e, deliver, canonical_, &stored_crc));
  if (total != e.uncompressed_size) {
    return Damaged(e, "ends after " + std::to_string(total) + " of its " +
                          std::to_string(e.uncompressed_size) + " declared bytes");
  }
  if (crc != e.crc32) return Damaged(e, "CRC-32 mismatch: the data is damaged");
  // Canonical mode: every stored byte, also those deflate could change
  // without changing the output (zip_canonical.h).
  if (canonical_ && e.data_crc32 && stored_crc != *e.data_crc32) {
    return Damaged(e,
                   "its stored bytes do not match their CRC-32 in the central directory: "
                   "the archive is damaged");
  }
  if (sha256_hex_out != nullptr) *sha256_hex_out = sha.FinishHex();
  return Status::Ok();
}

}  // namespace arkwiki
