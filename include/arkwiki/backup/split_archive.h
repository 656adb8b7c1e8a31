// A backup archive received as a stream and stored split: each stored
// entry of at least kMinPieceBytes in a file of its own (a piece), every
// other byte, in order, in one file (the rest). An import then moves a
// piece into place as the unpacked file (VerifyOptions::split) instead of
// writing its bytes a second time: the bulk of an archive, its media, goes
// to the disk once (benchmarks/README.md, "Import").
//
// Splitting trusts nothing in the archive: it only decides which file each
// received byte goes to. It finds where an entry's data ends by the data
// descriptor after it (arkwiki's writer gives every entry one), whose
// stored size must equal the bytes since the entry's local header; any
// other layout sends the rest of the stream to the rest file. Reading a
// split archive (OpenSplitArchive) gives back exactly the bytes received,
// and every check of the archive runs on those.
//
// A piece's bytes are hashed (SHA-256 and CRC-32) as they arrive, the
// SHA-256 on a thread of its own, and written straight to the disk (direct
// I/O; the unaligned tail is written back when the piece ends): an import
// does not read them again. It moves a piece into place
// only when the checked archive says its bytes are exactly one stored
// entry's data and both sums match the entry's and the manifest's.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki {

class FileByteSink;
class HashingSink;

struct ArchivePiece {
  uint64_t offset = 0;  // of its first byte in the archive
  uint64_t size = 0;
  std::string path;
  // Of its bytes, taken as they were received.
  std::string sha256;  // lowercase hex
  uint32_t crc32 = 0;
};

struct SplitArchive {
  std::string path;                  // the rest: every byte outside the pieces, in order
  std::vector<ArchivePiece> pieces;  // by offset, disjoint
  uint64_t size = 0;                 // of the whole archive

  // The piece holding exactly the archive's bytes [offset, offset + size),
  // or null.
  const ArchivePiece* PieceAt(uint64_t offset, uint64_t size) const;
};

class ArchiveSplitter {
 public:
  // Entries below this stay in the rest file: a piece saves one copy of its
  // bytes but costs a file, and a stored entry is held in memory until it
  // reaches this size.
  static constexpr uint64_t kMinPieceBytes = uint64_t{1} << 20;

  // Creates the rest file at `path` (exclusively); pieces go beside it, as
  // `path`.piece-N. A stored entry becomes a piece once it reaches
  // `min_piece_bytes` (at least 1); imports use kMinPieceBytes, the fuzz
  // harness a few bytes, so that its small inputs make pieces.
  static Result<std::unique_ptr<ArchiveSplitter>> Create(Env* env, std::string path,
                                                         uint64_t min_piece_bytes = kMinPieceBytes);
  // Removes every file it made unless Finish succeeded.
  ~ArchiveSplitter();
  ArchiveSplitter(const ArchiveSplitter&) = delete;
  ArchiveSplitter& operator=(const ArchiveSplitter&) = delete;

  // The next bytes of the archive. After a failure the splitter is spent.
  Status Write(std::string_view data);
  // Closes every file; the archive is then the caller's to remove
  // (RemoveSplitArchive).
  Result<SplitArchive> Finish();

  uint64_t bytes() const { return offset_; }

 private:
  enum class State { kHeader, kData, kRest };
  ArchiveSplitter(Env* env, std::string path, std::unique_ptr<WritableFile> rest,
                  uint64_t min_piece_bytes);

  Status FeedHeader(std::string_view* in);
  Status FeedData(std::string_view* in);
  Status AppendData(std::string_view data);
  Status EndEntry();
  Status ToRest(std::string_view data);
  Status FlushRest();
  bool DescriptorAt(std::string_view buf, size_t i) const;

  Status StartPiece();
  Status EndPiece();

  Env* env_;
  const uint64_t min_piece_bytes_;
  SplitArchive archive_;
  std::unique_ptr<WritableFile> rest_;
  // The current entry's piece, once it is large enough; its bytes go
  // through hashed_ (SHA-256 on a thread of its own, written in aligned
  // blocks, direct I/O) and their CRC-32 is taken here.
  std::unique_ptr<FileByteSink> piece_;
  std::unique_ptr<HashingSink> hashed_;  // made for the first piece, then restarted
  uint32_t piece_crc32_ = 0;
  bool finished_ = false;
  State state_ = State::kHeader;
  uint64_t offset_ = 0;      // bytes received
  std::string header_;       // kHeader: the local header so far
  bool stored_ = false;      // kData: the entry's method is store
  size_t descriptor_ = 0;    // kData: its data descriptor's length (16, or 24 with ZIP64)
  uint64_t data_start_ = 0;  // kData: archive offset of its first data byte
  uint64_t data_bytes_ = 0;  // kData: its data bytes passed on so far
  std::string held_;         // kData, stored: its data while under min_piece_bytes_
  std::string carry_;        // kData: bytes that may start its descriptor
  std::string rest_block_;   // bytes for the rest file, written in blocks
};

// Reads a split archive as the one file it was received as. Each piece must
// have the size it was received with; reads from two threads are safe.
Result<std::unique_ptr<RandomAccessFile>> OpenSplitArchive(Env* env, const SplitArchive& archive);

// Removes the rest and every piece still there (a piece moved into place
// is gone); the first failure other than a missing file.
Status RemoveSplitArchive(Env* env, const SplitArchive& archive);

}  // namespace arkwiki
