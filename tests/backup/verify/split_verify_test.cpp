// A backup received split (VerifyOptions::split): checked as the bytes
// received, its large stored uploads moved into place as the unpacked
// files, and a piece changed after it arrived refused by its SHA-256.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/backup/split_archive.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "backup/zip_test_util.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Incompressible, with JPEG magic: stored, not deflated.
std::string Photo(size_t n, uint64_t seed) {
  return std::string("\xFF\xD8\xFF\xE0", 4) + testing::PseudoRandomBytes(n - 4, seed);
}

class SplitVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto storage = Storage::Open(Env::Default(), data_);
      ASSERT_TRUE(storage.ok());
      testing::SeedWiki(**storage);
      testing::AddUpload(**storage, "guide", "big.jpg", big_);
      testing::AddUpload(**storage, "guide", "bigger.jpg", bigger_);
    }
    ASSERT_TRUE(WriteBackupToFile(Env::Default(), DataDirLayout(data_), archive_).ok());
    auto bytes = ReadFileToString(Env::Default(), archive_, 64 << 20);
    ASSERT_TRUE(bytes.ok());
    bytes_ = *bytes;
    split_ = Receive(bytes_);
  }

  // The archive as the server receives it, in chunks, into a split archive.
  SplitArchive Receive(std::string_view bytes) {
    auto splitter = ArchiveSplitter::Create(
        Env::Default(), dir_.Sub("received-" + std::to_string(received_++) + ".zip"));
    EXPECT_TRUE(splitter.ok());
    if (!splitter.ok()) return SplitArchive();
    for (size_t at = 0; at < bytes.size(); at += 100000) {
      EXPECT_TRUE((*splitter)->Write(bytes.substr(at, 100000)).ok());
    }
    auto split = (*splitter)->Finish();
    EXPECT_TRUE(split.ok()) << split.status().ToString();
    return split.ok() ? *split : SplitArchive();
  }

  Result<VerifyReport> Unpack(const std::string& into) {
    EXPECT_TRUE(Env::Default()->CreateDirs(into).ok());
    VerifyOptions options;
    options.extract_dir = into;
    options.split = &split_;
    return VerifyArchive(Env::Default(), split_.path, options);
  }

  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string archive_ = dir_.Sub("backup.zip");
  const std::string big_ = Photo((size_t{3} << 20) + 17, 11);
  const std::string bigger_ = Photo((size_t{5} << 20) + 1, 12);
  std::string bytes_;
  int received_ = 0;
  SplitArchive split_;
};

TEST_F(SplitVerifyTest, LargeStoredUploadsBecomeTheUnpackedFiles) {
  ASSERT_EQ(split_.pieces.size(), 2u);
  const std::string into = dir_.Sub("unpacked");
  auto report = Unpack(into);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  for (const ArchivePiece& piece : split_.pieces) {
    EXPECT_FALSE(std::filesystem::exists(piece.path)) << piece.path << " was not moved";
  }
  for (const std::string* upload : {&big_, &bigger_}) {
    const std::string path = JoinPath(into, UploadEntryPath(Sha256Hex(*upload)));
    auto got = ReadFileToString(Env::Default(), path, 64 << 20);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == *upload);
  }
  // What remains of the received archive is the rest file alone.
  ARKWIKI_ASSERT_OK(RemoveSplitArchive(Env::Default(), split_));
  EXPECT_FALSE(std::filesystem::exists(split_.path));
}

// A piece is not read again: the sums taken as it arrived must match the
// entry's CRC-32 and the manifest's SHA-256, or the archive is refused.
TEST_F(SplitVerifyTest, APieceWhoseSumsDoNotMatchIsRefused) {
  ASSERT_EQ(split_.pieces.size(), 2u);
  split_.pieces[1].sha256 = Sha256Hex("something else");
  auto report = Unpack(dir_.Sub("sha"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("SHA-256"), std::string::npos)
      << report.status().ToString();
  split_ = Receive(bytes_);
  split_.pieces[0].crc32 ^= 1;
  report = Unpack(dir_.Sub("crc"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("CRC-32"), std::string::npos)
      << report.status().ToString();
}

// A byte of a large upload changed in the archive, before it was sent.
TEST_F(SplitVerifyTest, AnArchiveWithALargeUploadAlteredIsRefused) {
  std::string bytes = bytes_;
  const size_t at = split_.pieces[0].offset + 1000;
  bytes[at] = static_cast<char>(bytes[at] ^ 0x20);
  split_ = Receive(bytes);
  ASSERT_EQ(split_.pieces.size(), 2u);
  auto report = Unpack(dir_.Sub("altered"));
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption) << report.status().ToString();
}

TEST_F(SplitVerifyTest, CheckingWithoutUnpackingLeavesThePiecesWhereTheyAre) {
  VerifyOptions options;
  options.split = &split_;
  options.scratch_dir = dir_.path();
  auto report = VerifyArchive(Env::Default(), split_.path, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->archive_bytes, split_.size);
  for (const ArchivePiece& piece : split_.pieces) EXPECT_TRUE(std::filesystem::exists(piece.path));
}

// Staging an import from the split archive: the live wiki it would become
// is exactly the wiki backed up.
TEST_F(SplitVerifyTest, AStagedImportHoldsTheWikiBackedUp) {
  const std::string target = dir_.Sub("target");
  {
    auto storage = Storage::Open(Env::Default(), target);
    ASSERT_TRUE(storage.ok());
  }
  Restorer restorer(Env::Default(), DataDirLayout(target));
  auto staged = restorer.Stage(split_, ImportOptions());
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  auto outcome = restorer.Commit(*staged, ImportOptions(), CommitHooks());
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(testing::DumpWiki(target), testing::DumpWiki(data_));
}

}  // namespace
}  // namespace arkwiki
