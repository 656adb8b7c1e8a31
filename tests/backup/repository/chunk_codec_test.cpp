// Chunks stored as gzip members named by the SHA-256 of their stored bytes:
// the codec's bounds, what a restore point stores, hostile lists, and
// points whose chunks are stored plain (as written before compression).
#include "repository/chunk_codec.h"

#include <gtest/gtest.h>

#include <libdeflate.h>

#include <cstdio>
#include <string>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "backup/repository/point_database.h"
#include "backup/repository/repository_fixture.h"
#include "repository/pack_store.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

std::string Gzip(std::string_view plain) {
  ChunkCompressor c;
  std::string stored;
  EXPECT_TRUE(c.Gzip(plain, &stored).ok());
  return stored;
}

TEST(ChunkCodecTest, GzipIsDeterministicAndInflatesToExactlyThePlainSize) {
  const std::string plain = std::string(3000, 'a') + "and some text" + std::string(1000, 'b');
  const std::string stored = Gzip(plain);
  EXPECT_EQ(stored, Gzip(plain));  // the same name for the same chunk
  EXPECT_LT(stored.size(), plain.size() / 10);
  EXPECT_EQ(stored.substr(0, 2), std::string("\x1f\x8b"));  // a gzip member
  ChunkDecompressor d;
  std::string back;
  ASSERT_TRUE(d.Gunzip(stored, plain.size(), "chunk", &back).ok());
  EXPECT_EQ(back, plain);
}

TEST(ChunkCodecTest, AMemberInflatingBeyondItsBoundOrToAnotherSizeIsDamaged) {
  ChunkDecompressor d;
  std::string out;
  // A bomb: 1 MiB of zeros in about a kilobyte, stated as one page.
  const std::string bomb = Gzip(std::string(1 << 20, '\0'));
  ASSERT_LT(bomb.size(), 8192u);
  Status s = d.Gunzip(bomb, 4096, "chunk X", &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("beyond"), std::string::npos) << s.ToString();
  EXPECT_LE(out.size(), 4096u);
  // Fewer bytes than stated.
  s = d.Gunzip(Gzip(std::string(100, 'x')), 4096, "chunk X", &out);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("inflates to 100 bytes"), std::string::npos) << s.ToString();
  // Not gzip, a flipped byte (the CRC), and trailing bytes.
  EXPECT_EQ(d.Gunzip("not gzip at all", 15, "chunk X", &out).code(), StatusCode::kCorruption);
  std::string flipped = Gzip(std::string(500, 'y'));
  flipped[flipped.size() - 6] ^= 1;
  EXPECT_EQ(d.Gunzip(flipped, 500, "chunk X", &out).code(), StatusCode::kCorruption);
  EXPECT_EQ(d.Gunzip(Gzip("abc") + "junk", 3, "chunk X", &out).code(), StatusCode::kCorruption);
}

class CompressedChunksTest : public testing::RepositoryFixture {
 protected:
  void SetUp() override {
    RepositoryFixture::SetUp();
    AddSmallUploads(200);
  }
  std::vector<ChunkRef> List(const std::string& id, const ChunkedKind& kind) {
    auto chunks = ReadPointChunks(Env::Default(), repo_.SnapshotDir(id), kind);
    EXPECT_TRUE(chunks.ok()) << chunks.status().ToString();
    return chunks.ok() ? *chunks : std::vector<ChunkRef>{};
  }
  // The stored bytes of object `sha`, loose or packed.
  std::string StoredBytes(const std::string& sha) {
    auto stored = OpenStoredObjects(Env::Default(), repo_, nullptr);
    EXPECT_TRUE(stored.ok());
    auto bytes = ReadFileToString(stored->get(), repo_.ObjectPath(sha), 1 << 24);
    EXPECT_TRUE(bytes.ok()) << bytes.status().ToString();
    return bytes.ok() ? *bytes : "";
  }
  // Rewrites point `id`'s `kind` list as written before chunks were
  // compressed: each chunk stored plain, loose, named by its plain bytes.
  void MakeChunksPlain(const std::string& id, const ChunkedKind& kind) {
    std::vector<ChunkRef> plain;
    ChunkDecompressor d;
    for (const ChunkRef& c : List(id, kind)) {
      std::string bytes;
      const std::string stored = StoredBytes(Hex(c.stored.sha256));
      ASSERT_TRUE(d.Gunzip(stored, c.plain_size, "chunk", &bytes).ok());
      const std::string sha = Sha256Hex(bytes);
      ChunkRef p{{{}, bytes.size()}, bytes.size(), false};
      ASSERT_TRUE(ParseSha256Hex(sha, &p.stored.sha256));
      ASSERT_TRUE(Env::Default()->CreateDirs(DirName(repo_.ObjectPath(sha))).ok());
      ASSERT_TRUE(WriteFileAtomically(Env::Default(), repo_.ObjectPath(sha), bytes).ok());
      plain.push_back(p);
    }
    ASSERT_TRUE(WriteFileAtomically(Env::Default(), JoinPath(repo_.SnapshotDir(id), kind.list_path),
                                    ChunkListText(plain))
                    .ok());
  }
  static std::string Hex(const Sha256Raw& raw) { return HexEncode(raw.data(), raw.size()); }
};

TEST_F(CompressedChunksTest, EveryChunkIsAGzipMemberNamedByTheHashOfItsStoredBytes) {
  const SnapshotInfo point = Snap();
  for (const ChunkedKind* kind : {&kDatabaseChunks, &kManifestChunks}) {
    const std::vector<ChunkRef> chunks = List(point.id, *kind);
    ASSERT_FALSE(chunks.empty());
    uint64_t stored = 0;
    for (const ChunkRef& c : chunks) {
      EXPECT_TRUE(c.gzip);
      stored += c.stored.size;
    }
    EXPECT_LT(stored, ChunkedSize(chunks));
    const ChunkRef& c = chunks.front();
    const std::string bytes = StoredBytes(Hex(c.stored.sha256));
    EXPECT_EQ(Sha256Hex(bytes), Hex(c.stored.sha256));
    EXPECT_EQ(bytes.size(), c.stored.size);
    // What `gzip -dc` reads: a gzip member of the plain bytes.
    std::string plain(c.plain_size, '\0');
    size_t got = 0;
    libdeflate_decompressor* d = libdeflate_alloc_decompressor();
    EXPECT_EQ(
        libdeflate_gzip_decompress(d, bytes.data(), bytes.size(), plain.data(), plain.size(), &got),
        LIBDEFLATE_SUCCESS);
    libdeflate_free_decompressor(d);
    EXPECT_EQ(got, c.plain_size);
  }
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(point.id).ok());
}

TEST_F(CompressedChunksTest, AChunkStatedSmallerOrLargerThanItInflatesIsRefusedAsDamaged) {
  const SnapshotInfo point = Snap();
  const std::string list = JoinPath(repo_.SnapshotDir(point.id), kDatabaseChunksPath);
  std::vector<ChunkRef> chunks = List(point.id, kDatabaseChunks);
  ASSERT_GT(chunks.size(), 2u);
  // A bomb stored as an ordinary object, listed as one page.
  const std::string bomb = Gzip(std::string(1 << 20, '\0'));
  const std::string bomb_sha = Sha256Hex(bomb);
  ASSERT_TRUE(Env::Default()->CreateDirs(DirName(repo_.ObjectPath(bomb_sha))).ok());
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), repo_.ObjectPath(bomb_sha), bomb).ok());
  ChunkRef hostile{{{}, bomb.size()}, chunks[1].plain_size, true};
  ASSERT_TRUE(ParseSha256Hex(bomb_sha, &hostile.stored.sha256));
  std::vector<ChunkRef> with_bomb = chunks;
  with_bomb[1] = hostile;
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), list, ChunkListText(with_bomb)).ok());
  Status refused = ExportAndVerify(point.id);
  EXPECT_EQ(refused.code(), StatusCode::kCorruption) << refused.ToString();
  EXPECT_NE(refused.message().find("beyond"), std::string::npos) << refused.ToString();
  CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_NE(report.snapshot_problems[0].find(bomb_sha), std::string::npos)
      << report.snapshot_problems[0];
  // A real chunk stated one byte larger, and the last one byte smaller (the
  // sizes still add up to the database's).
  std::vector<ChunkRef> resized = chunks;
  resized.front().plain_size += 1;
  resized.back().plain_size -= 1;
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), list, ChunkListText(resized)).ok());
  refused = ExportAndVerify(point.id);
  EXPECT_EQ(refused.code(), StatusCode::kCorruption) << refused.ToString();
  EXPECT_EQ(CheckAll().snapshot_problems.size(), 1u);
  // The true list reads again.
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), list, ChunkListText(chunks)).ok());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(point.id).ok());
}

TEST_F(CompressedChunksTest, APointWhoseChunksAreStoredPlainStillReadsChecksAndPrunes) {
  const SnapshotInfo old = Snap();
  ASSERT_NO_FATAL_FAILURE(MakeChunksPlain(old.id, kDatabaseChunks));
  ASSERT_NO_FATAL_FAILURE(MakeChunksPlain(old.id, kManifestChunks));
  EXPECT_FALSE(List(old.id, kDatabaseChunks).front().gzip);
  const SnapshotInfo fresh = Snap();
  EXPECT_TRUE(List(fresh.id, kDatabaseChunks).front().gzip);
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(old.id).ok());
  EXPECT_TRUE(ExportAndVerify(fresh.id).ok());
}

}  // namespace
}  // namespace arkwiki
