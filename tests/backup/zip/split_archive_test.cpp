// ArchiveSplitter and OpenSplitArchive: an archive received split at its
// large stored entries reads back as exactly the bytes received, whatever
// the chunking and whatever the archive says about itself.
#include "arkwiki/backup/split_archive.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>

#include "arkwiki/core/hash.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "support/temp_dir.h"
#include "zip/zip_format.h"

namespace arkwiki {
namespace {

using testing::PseudoRandomBytes;
using testing::TempDir;
using testing::TextBytes;

constexpr size_t kMiB = size_t{1} << 20;

// A canonical archive: text (deflated), two large and one small stored
// entry, an empty one.
std::string MixedArchive() {
  StringByteSink sink;
  ZipWriter writer(&sink);
  EntryOptions store{EntryOptions::Method::kStore};
  EXPECT_TRUE(writer.AddBytes("manifest.json", TextBytes(20000), EntryOptions()).ok());
  EXPECT_TRUE(writer.AddBytes("uploads/big", PseudoRandomBytes(kMiB + kMiB / 2, 2), store).ok());
  EXPECT_TRUE(writer.AddBytes("uploads/small", PseudoRandomBytes(100000, 3), store).ok());
  EXPECT_TRUE(writer.AddBytes("uploads/exact", PseudoRandomBytes(kMiB, 4), store).ok());
  EXPECT_TRUE(writer.AddBytes("uploads/empty", "", store).ok());
  EXPECT_TRUE(writer.Finish().ok());
  return sink.data();
}

// Feeds `bytes` to a splitter at `path` in chunks of `chunk` bytes.
SplitArchive Split(const std::string& path, std::string_view bytes, size_t chunk) {
  auto splitter = ArchiveSplitter::Create(Env::Default(), path);
  EXPECT_TRUE(splitter.ok()) << splitter.status().ToString();
  for (size_t at = 0; at < bytes.size(); at += chunk) {
    Status s = (*splitter)->Write(bytes.substr(at, chunk));
    EXPECT_TRUE(s.ok()) << s.ToString();
  }
  auto archive = (*splitter)->Finish();
  EXPECT_TRUE(archive.ok()) << archive.status().ToString();
  return archive.ok() ? *archive : SplitArchive();
}

std::string ReadBack(const SplitArchive& archive) {
  auto file = OpenSplitArchive(Env::Default(), archive);
  EXPECT_TRUE(file.ok()) << file.status().ToString();
  if (!file.ok()) return "";
  std::string out((*file)->Size(), '\0');
  auto n = (*file)->ReadAt(0, out.data(), out.size());
  EXPECT_TRUE(n.ok()) << n.status().ToString();
  return out;
}

// The data range of each stored entry of at least a piece's size in the
// archive `bytes` (written to `dir`/whole.zip to be read).
std::vector<std::pair<uint64_t, uint64_t>> LargeStoredEntries(const TempDir& dir,
                                                              std::string_view bytes) {
  const std::string path = dir.Sub("whole.zip");
  testing::WriteFileOrDie(path, bytes);
  std::vector<std::pair<uint64_t, uint64_t>> out;
  auto zip = ZipStreamReader::Open(Env::Default(), path);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  ZipStreamReader::Walk walk = (*zip)->NewWalk();
  for (;;) {
    auto e = walk.Next();
    EXPECT_TRUE(e.ok());
    if (!e.ok() || !*e) return out;
    if ((*e)->method == kZipMethodStore &&
        (*e)->compressed_size >= ArchiveSplitter::kMinPieceBytes) {
      out.emplace_back((*e)->data_offset, (*e)->compressed_size);
    }
  }
}

TEST(SplitArchiveTest, ReadsBackExactlyTheBytesReceivedWhateverTheChunking) {
  TempDir dir;
  const std::string bytes = MixedArchive();
  const auto large = LargeStoredEntries(dir, bytes);
  ASSERT_EQ(large.size(), 2u);
  int n = 0;
  for (size_t chunk : {size_t{1}, size_t{7}, size_t{4096}, size_t{256} << 10, bytes.size()}) {
    SCOPED_TRACE(chunk);
    const SplitArchive split = Split(dir.Sub("a" + std::to_string(n++) + ".zip"), bytes, chunk);
    ASSERT_EQ(split.pieces.size(), 2u);
    for (size_t i = 0; i < 2; ++i) {
      EXPECT_EQ(split.pieces[i].offset, large[i].first);
      EXPECT_EQ(split.pieces[i].size, large[i].second);
      EXPECT_NE(split.PieceAt(large[i].first, large[i].second), nullptr);
      const std::string data = bytes.substr(large[i].first, large[i].second);
      EXPECT_EQ(split.pieces[i].sha256, Sha256Hex(data));
      EXPECT_EQ(split.pieces[i].crc32, crc32(0, reinterpret_cast<const Bytef*>(data.data()),
                                             static_cast<uInt>(data.size())));
    }
    EXPECT_EQ(split.size, bytes.size());
    EXPECT_EQ(std::filesystem::file_size(split.path),
              bytes.size() - large[0].second - large[1].second);
    EXPECT_TRUE(ReadBack(split) == bytes);
    // Reads that start and end anywhere, across the pieces' edges.
    auto file = OpenSplitArchive(Env::Default(), split).value();
    for (uint64_t edge : {large[0].first, large[0].first + large[0].second, large[1].first}) {
      for (uint64_t start : {edge - 3, edge, edge + 5}) {
        std::string got(300000, '\0');
        auto read = file->ReadAt(start, got.data(), got.size());
        ASSERT_TRUE(read.ok()) << read.status().ToString();
        got.resize(*read);
        EXPECT_TRUE(got == bytes.substr(start, got.size())) << "at " << start;
      }
    }
    ARKWIKI_ASSERT_OK(RemoveSplitArchive(Env::Default(), split));
  }
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 1)
      << "only whole.zip is left";
}

// A smaller piece size makes every stored entry of at least that size a
// piece (the fuzz harness uses a few bytes); the archive reads back the same.
TEST(SplitArchiveTest, ASmallerPieceSizeSplitsSmallerStoredEntries) {
  TempDir dir;
  const std::string bytes = MixedArchive();
  auto splitter = ArchiveSplitter::Create(Env::Default(), dir.Sub("a.zip"), 64).value();
  for (size_t at = 0; at < bytes.size(); at += 1000) {
    ARKWIKI_ASSERT_OK(splitter->Write(std::string_view(bytes).substr(at, 1000)));
  }
  const SplitArchive split = splitter->Finish().value();
  ASSERT_EQ(split.pieces.size(), 3u) << "big, small and exact; not the empty one";
  EXPECT_EQ(split.pieces[1].size, 100000u);
  EXPECT_EQ(split.pieces[1].sha256, Sha256Hex(bytes.substr(split.pieces[1].offset, 100000)));
  EXPECT_TRUE(ReadBack(split) == bytes);
  ARKWIKI_ASSERT_OK(RemoveSplitArchive(Env::Default(), split));
  EXPECT_FALSE(ArchiveSplitter::Create(Env::Default(), dir.Sub("b.zip"), 0).ok());
}

// Stored data holding the descriptor's signature, even with sizes that
// would match at another offset, does not end the entry early.
TEST(SplitArchiveTest, ADescriptorLookalikeInsideStoredDataDoesNotEndTheEntry) {
  TempDir dir;
  std::string data = PseudoRandomBytes(2 * kMiB, 5);
  for (size_t at = 1000; at + 64 < data.size(); at += 99991) {
    std::string fake;
    zip::Put32(&fake, zip::kDataDescriptorSig);
    zip::Put32(&fake, 0);
    zip::Put32(&fake, static_cast<uint32_t>(at + 1));  // one off from where it lies
    zip::Put32(&fake, static_cast<uint32_t>(at + 1));
    zip::Put32(&fake, zip::kLocalHeaderSig);
    data.replace(at, fake.size(), fake);
  }
  StringByteSink sink;
  ZipWriter writer(&sink);
  ARKWIKI_ASSERT_OK(writer.AddBytes("uploads/x", data, EntryOptions{EntryOptions::Method::kStore}));
  ARKWIKI_ASSERT_OK(writer.Finish());
  const SplitArchive split = Split(dir.Sub("a.zip"), sink.data(), 65536);
  ASSERT_EQ(split.pieces.size(), 1u);
  EXPECT_EQ(split.pieces[0].size, data.size());
  EXPECT_TRUE(ReadBack(split) == sink.data());
}

// A stored entry whose data holds a descriptor that matches where it lies
// ends the split entry there: the split is wrong for that entry, so no
// piece is its data, and the bytes still read back exactly.
TEST(SplitArchiveTest, ADescriptorThatMatchesWhereItLiesOnlyMovesWhereBytesGo) {
  TempDir dir;
  std::string data = PseudoRandomBytes(3 * kMiB, 6);
  const size_t at = kMiB + 12345;
  std::string fake;
  zip::Put32(&fake, zip::kDataDescriptorSig);
  zip::Put32(&fake, 0);
  zip::Put32(&fake, static_cast<uint32_t>(at));
  zip::Put32(&fake, static_cast<uint32_t>(at));
  data.replace(at, fake.size(), fake);
  StringByteSink sink;
  ZipWriter writer(&sink);
  ARKWIKI_ASSERT_OK(writer.AddBytes("uploads/x", data, EntryOptions{EntryOptions::Method::kStore}));
  ARKWIKI_ASSERT_OK(writer.Finish());
  const auto large = LargeStoredEntries(dir, sink.data());
  ASSERT_EQ(large.size(), 1u);
  const SplitArchive split = Split(dir.Sub("a.zip"), sink.data(), 4096);
  ASSERT_EQ(split.pieces.size(), 1u);
  EXPECT_EQ(split.pieces[0].size, at);
  EXPECT_EQ(split.PieceAt(large[0].first, large[0].second), nullptr);
  EXPECT_TRUE(ReadBack(split) == sink.data());
}

TEST(SplitArchiveTest, BytesThatAreNoArchiveGoToTheRestFile) {
  TempDir dir;
  const std::string noise = PseudoRandomBytes(3 * kMiB, 7);
  std::string stream_then_noise =
      MixedArchive().substr(0, 100) + noise;  // inside the deflated entry
  for (const std::string& bytes : {noise, stream_then_noise}) {
    const SplitArchive split =
        Split(dir.Sub("a" + std::to_string(bytes.size()) + ".zip"), bytes, 4096);
    EXPECT_TRUE(split.pieces.empty());
    EXPECT_TRUE(ReadBack(split) == bytes);
  }
}

// Cut off inside a large stored entry: what arrived is kept as received.
TEST(SplitArchiveTest, AnArchiveCutShortReadsBackAsReceived) {
  TempDir dir;
  const std::string bytes = MixedArchive();
  const auto large = LargeStoredEntries(dir, bytes);
  const std::string cut = bytes.substr(0, large[0].first + kMiB + 100);
  const SplitArchive split = Split(dir.Sub("a.zip"), cut, 8192);
  ASSERT_EQ(split.pieces.size(), 1u);
  EXPECT_EQ(split.pieces[0].size, kMiB + 100);
  EXPECT_TRUE(ReadBack(split) == cut);
}

TEST(SplitArchiveTest, AnUnfinishedSplitLeavesNoFileBehind) {
  TempDir dir;
  const std::string bytes = MixedArchive();
  {
    auto splitter = ArchiveSplitter::Create(Env::Default(), dir.Sub("a.zip")).value();
    ARKWIKI_ASSERT_OK(splitter->Write(std::string_view(bytes).substr(0, bytes.size() - 100)));
    EXPECT_GE(std::distance(std::filesystem::directory_iterator(dir.path()), {}), 2);
  }
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

// A full disk at any write, of the rest or of a piece (whose blocks go out
// on HashingSink's thread), fails the receive with its own code and leaves
// no file behind; past the last write the archive is received whole.
TEST(SplitArchiveTest, AFullDiskAtAnyWriteLeavesNoFileBehind) {
  const std::string bytes = MixedArchive();
  for (uint64_t k = 1;; ++k) {
    SCOPED_TRACE(k);
    TempDir dir;
    FaultInjectionEnv env(Env::Default());
    env.FailAt(k);
    bool failed = false;
    {
      auto splitter = ArchiveSplitter::Create(&env, dir.Sub("a.zip"));
      Status s = splitter.status();
      for (size_t at = 0; s.ok() && at < bytes.size(); at += 65536) {
        s = (*splitter)->Write(std::string_view(bytes).substr(at, 65536));
      }
      Result<SplitArchive> received = s.ok() ? (*splitter)->Finish() : Result<SplitArchive>(s);
      failed = !received.ok();
      if (failed) {
        EXPECT_EQ(received.status().code(), StatusCode::kNoSpace) << received.status().ToString();
      } else {
        EXPECT_EQ(received->pieces.size(), 2u);
        EXPECT_TRUE(ReadBack(*received) == bytes);
        ARKWIKI_ASSERT_OK(RemoveSplitArchive(Env::Default(), *received));
      }
      env.FailAt(0);  // removing files works on a full disk
    }
    EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
    if (!failed) break;
    ASSERT_LT(k, 200u) << "the receive never got past its writes";
  }
}

TEST(SplitArchiveTest, APieceOfAnotherSizeIsAnErrorNotOtherBytes) {
  TempDir dir;
  const std::string bytes = MixedArchive();
  const SplitArchive split = Split(dir.Sub("a.zip"), bytes, 65536);
  ASSERT_EQ(split.pieces.size(), 2u);
  std::filesystem::resize_file(split.pieces[1].path, split.pieces[1].size - 1);
  auto file = OpenSplitArchive(Env::Default(), split);
  ASSERT_TRUE(file.ok());
  std::string buf(100, '\0');
  auto read = (*file)->ReadAt(split.pieces[1].offset, buf.data(), buf.size());
  EXPECT_EQ(read.status().code(), StatusCode::kIoError) << read.status().ToString();
  // Reads before it are unaffected.
  ASSERT_TRUE((*file)->ReadAt(0, buf.data(), buf.size()).ok());
  EXPECT_TRUE(buf == bytes.substr(0, 100));
}

TEST(SplitArchiveTest, RemoveTakesTheRestAndEveryPieceStillThere) {
  TempDir dir;
  const SplitArchive split = Split(dir.Sub("a.zip"), MixedArchive(), 65536);
  ASSERT_EQ(split.pieces.size(), 2u);
  std::filesystem::remove(split.pieces[0].path);  // moved into place by an import
  ARKWIKI_ASSERT_OK(RemoveSplitArchive(Env::Default(), split));
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));
}

}  // namespace
}  // namespace arkwiki
