// A restore point's database stored as chunks (private to the backup layer;
// format: docs/backup-repository.md#the-database-as-chunks).
//
// A restore point of format version 4 or later holds, instead of its whole
// database/arkwiki.db, the list database/arkwiki.db.chunks: one line per
// chunk, in order (ChunkListText); the database is the chunks' bytes
// concatenated. Each chunk is an ordinary object (loose or packed, sealed
// in an encrypted repository), stored as a gzip member
// (repository/chunk_codec.h) or, in points written before chunks were
// compressed, plain, and named by the SHA-256 of its stored bytes, so the
// chunks that did not change since an earlier restore point are stored
// once for all of them.
//
// Fixed-size chunks of whole pages, not content-defined ones: the snapshot
// is SQLite's online backup copy, which writes the database page by page at
// the same offsets, so an unchanged page is at the same offset in the next
// snapshot and a changed row changes only the chunks of its pages.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "repository/object_set.h"
#include "repository/repo_layout.h"

namespace arkwiki {

// The list's path inside a restore point's directory.
inline constexpr char kDatabaseChunksPath[] = "database/arkwiki.db.chunks";
// Database pages per chunk. One: a day's edits change pages scattered over
// the database (a new upload's row lands in a random leaf of the index by
// hash), and a larger chunk stores its unchanged neighbours again. 30 daily
// points of a 5-6.5 MiB database of 20,000 uploads growing 1% a day stored
// about 1.2 MiB of chunks a day with 1 page, 3.2 with 4 and 5.5 with 16
// (benchmarks/README.md); the list costs 72 bytes a page per point.
inline constexpr uint64_t kPagesPerChunk = 1;
// At most this many chunks in one list (a 64 GiB database of 64 KiB pages,
// 4 GiB of 4096-byte ones): a snapshot of a larger database fails.
inline constexpr uint64_t kMaxChunks = uint64_t{1} << 20;
// At most this many bytes in one chunk: kPagesPerChunk pages of SQLite's
// largest page size. A reader loads a chunk whole, so a list naming a
// larger one is damaged, not a reason to allocate its size.
inline constexpr uint64_t kMaxChunkBytes = 65536 * kPagesPerChunk;

// A file of a restore point that may be stored as chunks: the database,
// or its manifest.json (repository/manifest_chunks.h). Both lists have
// one format.
struct ChunkedKind {
  const char* file_path;  // the file, inside a restore point's directory
  const char* list_path;  // its chunk list, there
  uint64_t max_chunk_bytes;
  // At most this many bytes in the whole file: a list whose plain sizes add
  // up to more is damaged (a few lines naming one small gzip chunk could
  // otherwise make a reader walk terabytes).
  uint64_t max_file_bytes;
  const char* chunk_name;  // "database chunk", in messages
};
extern const ChunkedKind kDatabaseChunks;
extern const ChunkedKind kManifestChunks;

// One line of a chunk list: the object that stores the chunk, and how.
struct ChunkRef {
  ObjectRef stored;         // the object: SHA-256 and size of its stored bytes
  uint64_t plain_size = 0;  // the chunk's own bytes (stored.size unless gzip)
  bool gzip = false;        // stored as a gzip member (repository/chunk_codec.h)
};
// A gzip chunk's stored bytes may exceed its plain bytes by at most this
// (gzip's header and trailer, and stored blocks for incompressible data).
inline constexpr uint64_t kMaxGzipOverhead = 1024;

// Per chunk "<sha256> <size>\n", or for a gzip chunk
// "<sha256> <size> gzip <plain size>\n" (the SHA-256 and size of its stored
// bytes, then the size they inflate to).
std::string ChunkListText(const std::vector<ChunkRef>& chunks);
// Appends one chunk's line of that list to `text`.
void AppendChunkLine(const ChunkRef& c, std::string* text);
// Corruption for any other text, or a chunk whose plain size is 0 or above
// kind.max_chunk_bytes (or a gzip chunk stored in more than that plus
// kMaxGzipOverhead), or plain sizes that add up to more than
// kind.max_file_bytes.
Result<std::vector<ChunkRef>> ParseChunkList(std::string_view text,
                                             const ChunkedKind& kind = kDatabaseChunks);
// The size of the file the chunks make up: the sum of their plain sizes.
uint64_t ChunkedSize(const std::vector<ChunkRef>& chunks);
// The chunk list of the restore point in `dir`, read through `env`; empty
// when the point holds the file whole (the database: format versions 1 to
// 3; the manifest: any point written before manifests were chunked).
Result<std::vector<ChunkRef>> ReadPointChunks(Env* env, const std::string& dir,
                                              const ChunkedKind& kind = kDatabaseChunks);

// The chunk size of the SQLite database whose first bytes are `header`
// (at least 100): kPagesPerChunk pages. InvalidArgument when the header is
// not a SQLite one.
Result<uint64_t> ChunkSizeOf(std::string_view header);

// An Env in which each restore point's database/arkwiki.db and
// manifest.json read as whole files (NewSequentialFile,
// NewRandomAccessFile, FileExists, GetFileSize) when the point holds them
// as chunks: the chunks, read as objects through
// `target` (which must read packed and sealed objects, see
// OpenStoredObjects), are concatenated, and each is checked against its
// hash as it is read, and a gzip one inflated to exactly its plain size
// (Corruption naming the chunk). Everything else goes to
// `target` unchanged.
class ChunkedDatabaseEnv : public EnvWrapper {
 public:
  ChunkedDatabaseEnv(std::unique_ptr<Env> target, RepoLayout repo);
  ~ChunkedDatabaseEnv() override;

  Result<std::unique_ptr<SequentialFile>> NewSequentialFile(const std::string& path) override;
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override;
  Result<bool> FileExists(const std::string& path) override;
  Result<uint64_t> GetFileSize(const std::string& path) override;

 private:
  // The chunk list for `path` when it is a restore point's chunked
  // database or manifest; false in *chunked otherwise.
  Result<std::vector<ChunkRef>> ChunksOf(const std::string& path, bool* chunked,
                                         const ChunkedKind** kind = nullptr);

  std::unique_ptr<Env> owned_;
  RepoLayout repo_;
};

}  // namespace arkwiki
