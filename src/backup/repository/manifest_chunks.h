// A restore point's manifest.json stored as chunks (private to the backup
// layer; format: docs/backup-repository.md#the-manifest-as-chunks).
//
// A restore point of format version 5 may hold, instead of its whole
// manifest.json, the list manifest.json.chunks, in the format of
// database/arkwiki.db.chunks (repository/db_chunks.h). The manifest lists
// every upload, so of 30 daily restore points of a wiki whose uploads
// change little, whole manifests were most of the repository; stored as
// chunks cut at file records, a point stores only the chunks around what
// changed, its head (counts, created_at) and its tail (the checksum).
//
// The cut rule reads only the text, so any writer that cuts the same text
// the same way stores the same chunks:
//  - the head, up to and including the line ` "files": [`, is one chunk;
//  - within files[], a chunk ends after a record (a line `  },` or `  }`)
//    when it holds kMinManifestChunkRecords or more records and the last
//    byte of that record's sha256 value has its low kManifestCutBits bits
//    zero (hashes are uniformly random: about one record in 16), or when it
//    holds kMaxManifestChunkRecords;
//  - the tail, from the line ` ],` on, is one chunk;
//  - and no chunk exceeds kMaxManifestChunkBytes: one that would is cut
//    before the line that would make it so (or, for a longer line, at the
//    limit).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"

namespace arkwiki {

// The list's path inside a restore point's directory.
inline constexpr char kManifestChunksPath[] = "manifest.json.chunks";
inline constexpr int kManifestCutBits = 4;
inline constexpr int kMinManifestChunkRecords = 8;
inline constexpr int kMaxManifestChunkRecords = 64;
// At most this many bytes in one manifest chunk: a reader loads a chunk
// whole, so a list naming a larger one is damaged.
inline constexpr uint64_t kMaxManifestChunkBytes = uint64_t{1} << 20;
// At most this many bytes in a manifest put together from chunks: what the
// archive reader accepts for the most entries an archive may hold (64 MiB
// plus 1 KiB an entry, for 5,000,000), which a snapshot never exceeds, as it
// refuses a wiki over CheckArchiveLimits.
inline constexpr uint64_t kMaxChunkedManifestBytes = (uint64_t{64} << 20) + 5'000'000 * 1024ull;

// The rule above applied to a text given piece by piece (as StreamManifest
// writes it): each chunk goes to `emit` as soon as its end is known, so at
// most one chunk (kMaxManifestChunkBytes) and one piece are held, however
// long the manifest. Stops at the first error `emit` returns.
class ManifestCutter {
 public:
  using Emit = std::function<Status(std::string_view chunk)>;
  explicit ManifestCutter(Emit emit) : emit_(std::move(emit)) {}

  // The text's next bytes.
  Status Add(std::string_view piece);
  // The end of the text: the last chunk.
  Status Finish() { return Cut(end()); }

 private:
  uint64_t end() const { return start_ + buffer_.size(); }
  // Emits the bytes before `at` (an offset in the text) as a chunk, if any.
  Status Cut(uint64_t at);
  // The bound on a chunk's size, for the line that ends at end().
  Status Bound();
  // The line from line_start_ to end() is complete.
  Status EndLine();

  Emit emit_;
  std::string buffer_;  // the text from start_ (the current chunk's first byte) on
  uint64_t start_ = 0;
  uint64_t line_start_ = 0;  // may lie before start_ when a long line was cut
  std::string line_head_;    // the current line's first bytes, enough to tell its kind
  uint64_t line_size_ = 0;
  bool in_files_ = false;
  std::string hash_line_;  // the head of the last sha256 line in files[]
  int records_ = 0;
};

// `text` cut by the rule above: consecutive pieces that add up to it.
std::vector<std::string_view> CutManifest(std::string_view text);

}  // namespace arkwiki
