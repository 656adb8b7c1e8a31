#include "repository/db_chunks.h"

#include <algorithm>
#include <charconv>
#include <mutex>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"
#include "format/line_splitter.h"
#include "repository/chunk_codec.h"
#include "repository/manifest_chunks.h"
#include "repository/sealed_env.h"

namespace arkwiki {
namespace {

constexpr uint64_t kMaxChunkListBytes = kMaxChunks * 90;

// A chunked database as one file. A read loads each chunk it touches whole
// (one at a time, kept until the next chunk is needed) and checks it.
class ChunkedFile final : public RandomAccessFile {
 public:
  ChunkedFile(Env* objects, RepoLayout repo, std::string path, std::vector<ChunkRef> chunks,
              const ChunkedKind& kind)
      : objects_(objects),
        repo_(std::move(repo)),
        path_(std::move(path)),
        kind_(kind),
        chunks_(std::move(chunks)) {
    starts_.reserve(chunks_.size());
    for (const ChunkRef& c : chunks_) {
      starts_.push_back(size_);
      size_ += c.plain_size;
    }
  }

  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    std::lock_guard<std::mutex> hold(mu_);
    size_t done = 0;
    while (done < n && offset + done < size_) {
      const uint64_t at = offset + done;
      const size_t i = static_cast<size_t>(std::upper_bound(starts_.begin(), starts_.end(), at) -
                                           starts_.begin() - 1);
      ARKWIKI_RETURN_IF_ERROR(Load(i));
      const uint64_t in_chunk = at - starts_[i];
      const size_t take =
          static_cast<size_t>(std::min<uint64_t>(n - done, chunks_[i].plain_size - in_chunk));
      std::copy_n(loaded_.data() + in_chunk, take, buf + done);
      done += take;
    }
    return done;
  }
  uint64_t Size() const override { return size_; }

 private:
  // Chunk `i` into loaded_, its stored bytes checked against its name and
  // size, a gzip one inflated to exactly its plain size.
  Status Load(size_t i) const {
    if (loaded_index_ == i) return Status::Ok();
    loaded_index_ = SIZE_MAX;
    const ObjectRef& c = chunks_[i].stored;
    const std::string sha = HexEncode(c.sha256.data(), c.sha256.size());
    const std::string what = std::string(kind_.chunk_name) + " " + sha + " of " + path_;
    auto file = objects_->NewRandomAccessFile(repo_.ObjectPath(sha));
    if (file.status().code() == StatusCode::kNotFound) {
      return Status::Corruption(what + " is missing; run `arkwiki backup check`");
    }
    ARKWIKI_RETURN_IF_ERROR(file.status().WithContext(what));
    loaded_.resize(static_cast<size_t>(c.size) + 1);
    size_t got = 0;
    while (got < loaded_.size()) {
      Result<size_t> n = (*file)->ReadAt(got, loaded_.data() + got, loaded_.size() - got);
      ARKWIKI_RETURN_IF_ERROR(n.status().WithContext(what));
      if (*n == 0) break;
      got += *n;
    }
    if (got != c.size || Sha256Hex(std::string_view(loaded_.data(), got)) != sha) {
      return Status::Corruption(what + " is damaged; run `arkwiki backup check`");
    }
    if (chunks_[i].gzip) {
      ARKWIKI_RETURN_IF_ERROR(inflater_.Gunzip(std::string_view(loaded_.data(), got),
                                               chunks_[i].plain_size, what, &inflated_));
      loaded_.swap(inflated_);
    }
    loaded_index_ = i;
    return Status::Ok();
  }

  Env* objects_;  // must outlive the file, as an Env outlives the files it opens
  RepoLayout repo_;
  std::string path_;
  const ChunkedKind& kind_;
  std::vector<ChunkRef> chunks_;
  std::vector<uint64_t> starts_;
  uint64_t size_ = 0;
  mutable std::mutex mu_;
  mutable std::string loaded_;
  mutable std::string inflated_;
  mutable ChunkDecompressor inflater_;
  mutable size_t loaded_index_ = SIZE_MAX;
};

bool ParseSize(std::string_view text, uint64_t* out) {
  if (text.empty()) return false;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), *out);
  return ec == std::errc() && end == text.data() + text.size();
}

// The error for line `line` (from 1) of a `kind` chunk list.
Status DamagedLine(const ChunkedKind& kind, uint64_t line) {
  return Status::Corruption(std::string(kind.list_path) + " is damaged (line " +
                            std::to_string(line) + ")");
}

// Longer than any line of a chunk list: such a line is damaged.
constexpr size_t kMaxChunkListLine = 128;
// The shortest line: "<64 hex> <one digit>\n".
constexpr uint64_t kMinChunkListLine = 67;

// A chunk list's lines, one at a time, into *chunks (the rules in the
// header's ParseChunkList).
class ChunkListParser {
 public:
  ChunkListParser(const ChunkedKind& kind, std::vector<ChunkRef>* chunks)
      : kind_(kind), chunks_(chunks) {}

  // `line` without its '\n'.
  Status Add(std::string_view line) {
    static constexpr std::string_view kGzip = " gzip ";
    if (line.size() < 66 || line.size() > kMaxChunkListLine) return Damaged();
    ChunkRef c;
    const size_t gzip = line.find(kGzip, 65);
    c.gzip = gzip != std::string_view::npos;
    const std::string_view stored_size = line.substr(65, c.gzip ? gzip - 65 : line.npos);
    const bool plain_ok = c.gzip ? ParseSize(line.substr(gzip + kGzip.size()), &c.plain_size)
                                 : ParseSize(stored_size, &c.plain_size);
    const uint64_t max_stored = kind_.max_chunk_bytes + (c.gzip ? kMaxGzipOverhead : 0);
    if (line[64] != ' ' || !ParseSha256Hex(line.substr(0, 64), &c.stored.sha256) ||
        !ParseSize(stored_size, &c.stored.size) || !plain_ok || c.stored.size == 0 ||
        c.stored.size > max_stored || c.plain_size == 0 || c.plain_size > kind_.max_chunk_bytes ||
        chunks_->size() >= kMaxChunks || c.plain_size > kind_.max_file_bytes - total_) {
      return Damaged();
    }
    total_ += c.plain_size;
    chunks_->push_back(c);
    return Status::Ok();
  }
  // The error for the line after the last one added.
  Status Damaged() const { return DamagedLine(kind_, chunks_->size() + 1); }

 private:
  const ChunkedKind& kind_;
  std::vector<ChunkRef>* chunks_;
  uint64_t total_ = 0;  // plain bytes so far
};

// Calls `on_line` with each line of the list at `path` (without its '\n'),
// read a block at a time. Corruption for a line without its '\n' at the
// end of the file, or longer than kMaxChunkListLine; TooLarge past
// kMaxChunkListBytes; the Env's error (NotFound: no list).
template <typename OnLine>
Status ForEachListLine(Env* env, const std::string& path, const ChunkedKind& kind,
                       const OnLine& on_line) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, env->NewSequentialFile(path));
  std::vector<char> block(64 << 10);
  LineSplitter lines(kMaxChunkListLine);
  const auto too_long = [&](uint64_t line) { return DamagedLine(kind, line); };
  uint64_t total = 0;
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(size_t n, file->Read(block.data(), block.size()));
    if (n == 0) break;
    total += n;
    if (total > kMaxChunkListBytes) {
      return Status::TooLarge(path + " is larger than " + std::to_string(kMaxChunkListBytes) +
                              " bytes");
    }
    ARKWIKI_RETURN_IF_ERROR(lines.Feed(std::string_view(block.data(), n), on_line, too_long));
  }
  return lines.open() ? DamagedLine(kind, lines.lines() + 1) : Status::Ok();
}

}  // namespace

const ChunkedKind kDatabaseChunks{kDatabasePath, kDatabaseChunksPath, kMaxChunkBytes,
                                  kMaxChunks* kMaxChunkBytes, "database chunk"};
const ChunkedKind kManifestChunks{kPointManifest, kManifestChunksPath, kMaxManifestChunkBytes,
                                  kMaxChunkedManifestBytes, "manifest chunk"};

void AppendChunkLine(const ChunkRef& c, std::string* text) {
  *text += HexEncode(c.stored.sha256.data(), c.stored.sha256.size());
  *text += ' ';
  *text += std::to_string(c.stored.size);
  if (c.gzip) {
    *text += " gzip ";
    *text += std::to_string(c.plain_size);
  }
  *text += '\n';
}

std::string ChunkListText(const std::vector<ChunkRef>& chunks) {
  std::string text;
  text.reserve(chunks.size() * 80);
  for (const ChunkRef& c : chunks) AppendChunkLine(c, &text);
  return text;
}

Result<std::vector<ChunkRef>> ParseChunkList(std::string_view text, const ChunkedKind& kind) {
  std::vector<ChunkRef> chunks;
  // At most one entry a valid line's worth of bytes: a list of bare
  // newlines fails at its first line, not after a large reserve.
  chunks.reserve(
      std::min<uint64_t>({static_cast<uint64_t>(std::count(text.begin(), text.end(), '\n')),
                          text.size() / kMinChunkListLine, kMaxChunks}));
  ChunkListParser parser(kind, &chunks);
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    if (eol == std::string_view::npos) return parser.Damaged();
    ARKWIKI_RETURN_IF_ERROR(parser.Add(text.substr(0, eol)));
    text.remove_prefix(eol + 1);
  }
  return chunks;
}

uint64_t ChunkedSize(const std::vector<ChunkRef>& chunks) {
  uint64_t size = 0;
  for (const ChunkRef& c : chunks) size += c.plain_size;
  return size;
}

Result<std::vector<ChunkRef>> ReadPointChunks(Env* env, const std::string& dir,
                                              const ChunkedKind& kind) {
  // Read twice, a block at a time, instead of held whole as text (as much
  // again as the parsed list): once to count the lines, so that the list
  // is allocated once at its size, then to parse them.
  const std::string path = JoinPath(dir, kind.list_path);
  std::vector<ChunkRef> chunks;
  ChunkListParser parser(kind, &chunks);
  uint64_t lines = 0;
  uint64_t bytes = 0;
  Status counted = ForEachListLine(env, path, kind, [&](std::string_view line) {
    ++lines;
    bytes += line.size() + 1;
    return Status::Ok();
  });
  if (counted.code() == StatusCode::kNotFound) return chunks;
  ARKWIKI_RETURN_IF_ERROR(counted);
  // As ParseChunkList reserves.
  chunks.reserve(std::min({lines, bytes / kMinChunkListLine, kMaxChunks}));
  ARKWIKI_RETURN_IF_ERROR(
      ForEachListLine(env, path, kind, [&](std::string_view line) { return parser.Add(line); }));
  return chunks;
}

Result<uint64_t> ChunkSizeOf(std::string_view header) {
  static constexpr std::string_view kMagic("SQLite format 3\0", 16);
  if (header.size() < 100 || header.substr(0, 16) != kMagic) {
    return Status::InvalidArgument("not a SQLite database");
  }
  // The page size: big-endian at offset 16, where 1 stands for 65536.
  const uint64_t raw = (static_cast<uint8_t>(header[16]) << 8) | static_cast<uint8_t>(header[17]);
  const uint64_t page = raw == 1 ? 65536 : raw;
  if (page < 512 || (page & (page - 1)) != 0) return Status::InvalidArgument("bad page size");
  return page * kPagesPerChunk;
}

ChunkedDatabaseEnv::ChunkedDatabaseEnv(std::unique_ptr<Env> target, RepoLayout repo)
    : EnvWrapper(target.get()), owned_(std::move(target)), repo_(std::move(repo)) {}

ChunkedDatabaseEnv::~ChunkedDatabaseEnv() = default;

Result<std::vector<ChunkRef>> ChunkedDatabaseEnv::ChunksOf(const std::string& path, bool* chunked,
                                                           const ChunkedKind** kind) {
  *chunked = false;
  // "<snapshots>/<id>/<file>"
  const std::string prefix = repo_.snapshots + "/";
  for (const ChunkedKind* k : {&kDatabaseChunks, &kManifestChunks}) {
    const std::string suffix = std::string("/") + k->file_path;
    if (path.size() <= prefix.size() + suffix.size() ||
        path.compare(0, prefix.size(), prefix) != 0 ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0 ||
        !IsSnapshotId(path.substr(prefix.size(), path.size() - prefix.size() - suffix.size()))) {
      continue;
    }
    ARKWIKI_ASSIGN_OR_RETURN(bool whole, target()->FileExists(path));
    if (whole) return std::vector<ChunkRef>();
    const std::string dir = path.substr(0, path.size() - suffix.size());
    ARKWIKI_ASSIGN_OR_RETURN(bool listed, target()->FileExists(JoinPath(dir, k->list_path)));
    if (!listed) return std::vector<ChunkRef>();
    *chunked = true;
    if (kind != nullptr) *kind = k;
    return ReadPointChunks(target(), dir, *k);
  }
  return std::vector<ChunkRef>();
}

Result<std::unique_ptr<RandomAccessFile>> ChunkedDatabaseEnv::NewRandomAccessFile(
    const std::string& path) {
  bool chunked = false;
  const ChunkedKind* kind = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, ChunksOf(path, &chunked, &kind));
  if (!chunked) return target()->NewRandomAccessFile(path);
  return std::unique_ptr<RandomAccessFile>(
      new ChunkedFile(target(), repo_, path, std::move(chunks), *kind));
}

Result<std::unique_ptr<SequentialFile>> ChunkedDatabaseEnv::NewSequentialFile(
    const std::string& path) {
  bool chunked = false;
  const ChunkedKind* kind = nullptr;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, ChunksOf(path, &chunked, &kind));
  if (!chunked) return target()->NewSequentialFile(path);
  return ReadInOrder(
      std::make_unique<ChunkedFile>(target(), repo_, path, std::move(chunks), *kind));
}

Result<bool> ChunkedDatabaseEnv::FileExists(const std::string& path) {
  bool chunked = false;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, ChunksOf(path, &chunked));
  if (chunked) return true;
  return target()->FileExists(path);
}

Result<uint64_t> ChunkedDatabaseEnv::GetFileSize(const std::string& path) {
  bool chunked = false;
  ARKWIKI_ASSIGN_OR_RETURN(std::vector<ChunkRef> chunks, ChunksOf(path, &chunked));
  if (!chunked) return target()->GetFileSize(path);
  return ChunkedSize(chunks);
}

}  // namespace arkwiki
