// Streaming one entry with zip-bomb guards (ZipReader::ReadEntry). Output is
// checked against the declared size before each chunk reaches the consumer,
// so neither memory nor the consumer's disk can be flooded.
#include "zip/zip_entry_stream.h"

#include <libdeflate.h>
#include <zlib.h>

#include <algorithm>
#include <memory>
#include <optional>

#include "arkwiki/core/hash.h"
#include "zip/zip_names.h"

namespace arkwiki {
namespace {

constexpr size_t kChunk = size_t{1} << 20;
using Deliver = std::function<Status(std::string_view)>;

// A buffer of `size` bytes, at least 1, left uninitialised: zeroing a 1 MiB
// vector per entry would cost a large share of verifying many tiny files.
struct Buffer {
  explicit Buffer(uint64_t want)
      : size(static_cast<size_t>(std::clamp<uint64_t>(want, 1, kChunk))), data(new char[size]) {}
  size_t size;
  std::unique_ptr<char[]> data;
};

Status Damaged(const ZipEntry& e, const std::string& why) {
  return Status::Corruption(zip::EntryMessage(e.name, why));
}

// Reads the next piece of [pos, pos + left) into `buf`, adding it to the
// running CRC-32 of the stored bytes.
Result<std::string_view> ReadPiece(const RandomAccessFile& file, const ZipEntry& e, uint64_t* pos,
                                   uint64_t* left, Buffer* buf, uint32_t* stored_crc) {
  const auto n = static_cast<size_t>(std::min<uint64_t>(*left, buf->size));
  ARKWIKI_ASSIGN_OR_RETURN(size_t got, file.ReadAt(*pos, buf->data.get(), n));
  if (got != n) return Damaged(e, "data is cut off (truncated archive)");
  *pos += n;
  *left -= n;
  if (stored_crc != nullptr) {
    *stored_crc = static_cast<uint32_t>(libdeflate_crc32(*stored_crc, buf->data.get(), n));
  }
  return std::string_view(buf->data.get(), n);
}

// Stored data is delivered as it is: the CRC-32 of the output is also that
// of the stored bytes, so it is not computed twice.
Status CopyStored(const RandomAccessFile& file, const ZipEntry& e, const Deliver& deliver) {
  Buffer buf(e.compressed_size);
  uint64_t pos = e.data_offset, left = e.compressed_size;
  while (left > 0) {
    ARKWIKI_ASSIGN_OR_RETURN(std::string_view piece,
                             ReadPiece(file, e, &pos, &left, &buf, nullptr));
    ARKWIKI_RETURN_IF_ERROR(deliver(piece));
  }
  return Status::Ok();
}

// One raw-inflate state per thread, reset for each entry: setting one up
// (a ~7 KB state and a 32 KiB window) for each of 50,000 tiny entries cost
// more than inflating them.
class Inflater {
 public:
  ~Inflater() {
    if (ok_) inflateEnd(&zs_);
  }
  // Ready for a new stream; false if zlib could not allocate its state.
  bool Reset() {
    if (ok_) {
      if (inflateReset(&zs_) != Z_OK) return false;
    } else {
      zs_ = z_stream{};
      ok_ = inflateInit2(&zs_, -15) == Z_OK;
      if (!ok_) return false;
    }
    // inflateReset leaves these as the last entry left them.
    zs_.next_in = nullptr;
    zs_.avail_in = 0;
    zs_.next_out = nullptr;
    zs_.avail_out = 0;
    zs_.data_type = 0;
    return true;
  }
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
  thread_local Inflater inf;
  if (!inf.Reset()) return Status::IoError("zlib inflateInit2 failed (out of memory?)");
  z_stream* zs = inf.zs();
  Buffer in(e.compressed_size);
  // Output beyond the declared size is refused anyway, so a buffer of that
  // size (up to 1 MiB) is all a valid entry needs.
  Buffer out(e.uncompressed_size);
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
    zs->next_out = reinterpret_cast<Bytef*>(out.data.get());
    zs->avail_out = static_cast<uInt>(out.size);
    rc = inflate(zs, canonical ? Z_BLOCK : Z_NO_FLUSH);
    if (rc != Z_OK && rc != Z_STREAM_END && !(rc == Z_BUF_ERROR && zs->avail_in == 0)) {
      return Damaged(e, std::string("deflate data is damaged (zlib: ") +
                            (zs->msg != nullptr ? zs->msg : std::to_string(rc)) + ")");
    }
    const size_t produced = out.size - zs->avail_out;
    if (produced > 0) ARKWIKI_RETURN_IF_ERROR(deliver(std::string_view(out.data.get(), produced)));
    if (canonical && !padding_checked && AfterFinalBlock(zs)) {
      padding_checked = true;
      ARKWIKI_RETURN_IF_ERROR(CheckFinalPadding(zs, e, in.data.get()));
    }
  }
  if (zs->avail_in != 0 || left != 0) {
    return Damaged(e, "has " + std::to_string(zs->avail_in + left) +
                          " bytes after the end of its deflate data");
  }
  return Status::Ok();
}

}  // namespace

Status StreamEntry(const RandomAccessFile& file, const ZipEntry& e, bool canonical,
                   const std::function<Status(std::string_view chunk)>& consumer,
                   std::string* sha256_hex_out) {
  if (e.data_offset > file.Size() || file.Size() - e.data_offset < e.compressed_size) {
    return Damaged(e, "data lies beyond the end of the archive");
  }
  if (e.method != kZipMethodStore && e.method != kZipMethodDeflate) {
    return Status::Unsupported(zip::EntryMessage(e.name, "uses an unsupported method"));
  }
  // Only when asked: the unpacking in VerifyArchive hashes on its writer
  // thread instead (ExtractWriter).
  std::optional<Sha256> sha;
  if (sha256_hex_out != nullptr) sha.emplace();
  uint32_t crc = 0;
  uint64_t total = 0;
  Deliver deliver = [&](std::string_view chunk) -> Status {
    if (chunk.size() > e.uncompressed_size - total) {
      return Damaged(e, "expands beyond its declared size of " +
                            std::to_string(e.uncompressed_size) + " bytes (possible zip bomb)");
    }
    total += chunk.size();
    crc = static_cast<uint32_t>(libdeflate_crc32(crc, chunk.data(), chunk.size()));
    if (sha) sha->Update(chunk);
    return consumer(chunk);
  };
  uint32_t stored_crc = 0;
  ARKWIKI_RETURN_IF_ERROR(e.method == kZipMethodStore
                              ? CopyStored(file, e, deliver)
                              : Inflate(file, e, deliver, canonical, &stored_crc));
  if (e.method == kZipMethodStore) stored_crc = crc;
  ARKWIKI_RETURN_IF_ERROR(CheckEntrySums(e, total, crc, stored_crc, canonical));
  if (sha) *sha256_hex_out = sha->FinishHex();
  return Status::Ok();
}

Status CheckEntrySums(const ZipEntry& e, uint64_t total, uint32_t crc, uint32_t stored_crc,
                      bool canonical) {
  if (total != e.uncompressed_size) {
    return Damaged(e, "ends after " + std::to_string(total) + " of its " +
                          std::to_string(e.uncompressed_size) + " declared bytes");
  }
  if (crc != e.crc32) return Damaged(e, "CRC-32 mismatch: the data is damaged");
  // Canonical mode: every stored byte, also those deflate could change
  // without changing the output (zip_canonical.h).
  if (canonical && e.data_crc32 && stored_crc != *e.data_crc32) {
    return Damaged(e,
                   "its stored bytes do not match their CRC-32 in the central directory: "
                   "the archive is damaged");
  }
  return Status::Ok();
}

}  // namespace arkwiki
