#include "fuzz/split_archive_harness.h"

#include <stdlib.h>
#include <unistd.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>

#include "arkwiki/backup/split_archive.h"
#include "arkwiki/core/env.h"
#include "arkwiki/core/hash.h"

namespace arkwiki::fuzz {
namespace {

// Small enough that inputs of a few KiB make pieces; each piece costs a
// file, so not one per byte.
constexpr uint64_t kFuzzPieceBytes = 64;

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "split archive: %s\n", what);
  std::abort();
}

// One scratch directory per process, removed at exit (libFuzzer and
// GoogleTest both end with exit()).
const std::string& ScratchDir() {
  static const std::string dir = [] {
    const char* tmp = std::getenv("TMPDIR");
    std::string pattern =
        std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/arkwiki-split-fuzz-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) Fail("cannot make a scratch directory");
    return pattern;
  }();
  static const int registered = std::atexit([] { (void)rmdir(ScratchDir().c_str()); });
  (void)registered;
  return dir;
}

// A small generator seeded by the input, so that one input always arrives
// in the same chunks and a mutation may change them.
class Chunks {
 public:
  explicit Chunks(std::string_view bytes)
      : state_(crc32(0, reinterpret_cast<const Bytef*>(bytes.data()),
                     static_cast<uInt>(bytes.size())) |
               1u) {}
  size_t Next() {
    state_ ^= state_ << 13;
    state_ ^= state_ >> 17;
    state_ ^= state_ << 5;
    // Single bytes (a header or descriptor cut anywhere) to whole blocks.
    static constexpr size_t kSizes[] = {1, 2, 3, 5, 16, 23, 64, 100, 4096, 1 << 16};
    return kSizes[state_ % std::size(kSizes)];
  }

 private:
  uint32_t state_;
};

// Reads [offset, offset + n) of `file`; it must be exactly those bytes of
// `bytes` (short only at the end).
void ExpectRead(const RandomAccessFile& file, std::string_view bytes, uint64_t offset, size_t n,
                std::string* buf) {
  buf->resize(n);
  Result<size_t> got = file.ReadAt(offset, buf->data(), n);
  if (!got.ok()) Fail("a read of the split archive failed");
  const size_t want = offset >= bytes.size() ? 0 : std::min<uint64_t>(n, bytes.size() - offset);
  if (*got != want) Fail("a read of the split archive was short or long");
  if (bytes.substr(offset < bytes.size() ? offset : bytes.size(), want) !=
      std::string_view(buf->data(), want)) {
    Fail("the split archive reads back other bytes than were received");
  }
}

void CheckPieces(const SplitArchive& archive, std::string_view bytes) {
  if (archive.size != bytes.size()) Fail("the split archive's size is not the bytes received");
  uint64_t end = 0;
  for (const ArchivePiece& p : archive.pieces) {
    if (p.size < kFuzzPieceBytes || p.offset < end || p.offset > bytes.size() ||
        p.size > bytes.size() - p.offset) {
      Fail("a piece overlaps another, lies outside the archive or is too small");
    }
    end = p.offset + p.size;
    const std::string_view piece = bytes.substr(p.offset, p.size);
    if (p.sha256 != Sha256Hex(piece)) Fail("a piece's SHA-256 is not that of its bytes");
    const auto crc = static_cast<uint32_t>(
        crc32(0, reinterpret_cast<const Bytef*>(piece.data()), static_cast<uInt>(piece.size())));
    if (p.crc32 != crc) Fail("a piece's CRC-32 is not that of its bytes");
  }
}

void CheckReadBack(Env* env, const SplitArchive& archive, std::string_view bytes) {
  Result<std::unique_ptr<RandomAccessFile>> file = OpenSplitArchive(env, archive);
  if (!file.ok()) Fail("the split archive cannot be opened");
  if ((*file)->Size() != bytes.size()) Fail("the split archive's file size is wrong");
  std::string buf;
  Chunks sizes(bytes);
  // All of it, in reads of varying size, then reads across each piece's
  // edges, then past the end.
  for (uint64_t at = 0; at < bytes.size();) {
    const size_t n = sizes.Next();
    ExpectRead(**file, bytes, at, n, &buf);
    at += n;
  }
  for (const ArchivePiece& p : archive.pieces) {
    const uint64_t before = p.offset >= 3 ? p.offset - 3 : 0;
    ExpectRead(**file, bytes, before, static_cast<size_t>(p.size + 6), &buf);
    ExpectRead(**file, bytes, p.offset + p.size - 1, 2, &buf);
  }
  ExpectRead(**file, bytes, bytes.size(), 10, &buf);
  ExpectRead(**file, bytes, bytes.size() + 100, 10, &buf);
}

}  // namespace

void CheckSplitArchive(std::string_view bytes) {
  Env* env = Env::Default();
  const std::string path = ScratchDir() + "/archive";
  SplitArchive archive;
  {
    Result<std::unique_ptr<ArchiveSplitter>> splitter =
        ArchiveSplitter::Create(env, path, kFuzzPieceBytes);
    if (!splitter.ok()) Fail("cannot start a split (a file of a previous input left?)");
    Chunks sizes(bytes);
    for (std::string_view rest = bytes; !rest.empty();) {
      const size_t n = std::min(sizes.Next(), rest.size());
      if (!(*splitter)->Write(rest.substr(0, n)).ok()) Fail("a write to the splitter failed");
      rest.remove_prefix(n);
    }
    Result<SplitArchive> finished = (*splitter)->Finish();
    if (!finished.ok()) Fail("the split did not finish");
    archive = std::move(*finished);
  }
  CheckPieces(archive, bytes);
  CheckReadBack(env, archive, bytes);
  if (!RemoveSplitArchive(env, archive).ok()) Fail("the split archive's files cannot be removed");
}

}  // namespace arkwiki::fuzz
