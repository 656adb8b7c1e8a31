// ZipWriter::Prepare + AddPrepared (entries prepared on another thread) and
// UploadPipeline, which the backup writer runs them in.
#include <gtest/gtest.h>

#include <thread>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "backup/zip_test_util.h"
#include "create/upload_pipeline.h"
#include "support/seed_wiki.h"

namespace arkwiki {
namespace {

using testing::PseudoRandomBytes;
using testing::TempDir;
using testing::TextBytes;

struct Input {
  std::string name;
  std::string content;
  EntryOptions options;
};

std::vector<Input> Inputs() {
  EntryOptions automatic{EntryOptions::Method::kAuto, 1, 1'700'000'000};
  EntryOptions stored{EntryOptions::Method::kStore, 1, 1'700'000'000};
  EntryOptions deflated{EntryOptions::Method::kDeflate, 6, 1'700'000'000};
  return {
      {"a/text.md", TextBytes(3000), automatic},
      {"a/empty", "", automatic},
      {"a/noise.bin", PseudoRandomBytes(200'000), automatic},
      {"a/photo.jpg", TextBytes(100'000), automatic},
      {"a/big-text", TextBytes(1 << 20), automatic},  // exactly kMaxPreparedBytes
      {"a/stored.md", TextBytes(5000), stored},
      {"a/level6.md", TextBytes(70'000), deflated},
      {"a/tiny-noise", PseudoRandomBytes(10), deflated},
  };
}

TEST(ZipPrepareTest, PreparedEntriesAreByteForByteWhatAddFileWrites) {
  TempDir dir;
  for (const Input& in : Inputs()) testing::WriteFileOrDie(dir.Sub(BaseName(in.name)), in.content);
  StringByteSink direct, prepared;
  ZipWriter a(&direct), b(&prepared);
  ZipPrepareScratch scratch;
  for (const Input& in : Inputs()) {
    const std::string path = dir.Sub(BaseName(in.name));
    EntryInfo ia, ib;
    ARKWIKI_ASSERT_OK(a.AddFile(in.name, Env::Default(), path, in.options, &ia));
    // Prepared on another thread, as UploadPipeline does.
    Result<PreparedEntry> p = Status::IoError("not run");
    std::thread([&] {
      p = ZipWriter::Prepare(in.name, Env::Default(), path, in.options, &scratch);
    }).join();
    ASSERT_TRUE(p.ok()) << in.name << ": " << p.status().ToString();
    ARKWIKI_ASSERT_OK(b.AddPrepared(std::move(p).value(), &ib));
    EXPECT_EQ(ia.method, ib.method) << in.name;
    EXPECT_EQ(ia.sha256, ib.sha256) << in.name;
    EXPECT_EQ(ia.sha256, Sha256Hex(in.content)) << in.name;
    EXPECT_EQ(ia.local_header_offset, ib.local_header_offset) << in.name;
  }
  ARKWIKI_ASSERT_OK(a.Finish());
  ARKWIKI_ASSERT_OK(b.Finish());
  EXPECT_TRUE(direct.data() == prepared.data());
  auto reader = testing::OpenZipBytes(dir, prepared.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
}

TEST(ZipPrepareTest, PrepareFailsAsAddFileWouldAndAddPreparedChecksNames) {
  TempDir dir;
  testing::WriteFileOrDie(dir.Sub("f"), "x");
  testing::WriteFileOrDie(dir.Sub("big"), std::string((1 << 20) + 1, 'b'));
  ZipPrepareScratch scratch;
  EXPECT_EQ(
      ZipWriter::Prepare("f", Env::Default(), dir.Sub("missing"), {}, &scratch).status().code(),
      StatusCode::kNotFound);
  EXPECT_EQ(ZipWriter::Prepare("../f", Env::Default(), dir.Sub("f"), {}, &scratch).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(ZipWriter::Prepare("big", Env::Default(), dir.Sub("big"), {}, &scratch).status().code(),
            StatusCode::kInvalidArgument);
  StringByteSink sink;
  ZipWriter w(&sink);
  ARKWIKI_ASSERT_OK(w.AddBytes("Name.txt", "1", {}));
  auto p = ZipWriter::Prepare("name.TXT", Env::Default(), dir.Sub("f"), {}, &scratch);
  ASSERT_TRUE(p.ok());
  EXPECT_EQ(w.AddPrepared(std::move(p).value()).code(), StatusCode::kInvalidArgument);
  ARKWIKI_ASSERT_OK(w.Finish());  // the refused entry left the archive consistent
  EXPECT_EQ(w.entry_count(), 1u);
}

// Many small uploads and a few large ones: the pipeline hands every small
// one over in order, each exactly as Prepare makes it, large ones untouched,
// from a list held in memory or spilled to a scratch file.
class UploadPipelineListTest : public ::testing::TestWithParam<size_t> {};

TEST_P(UploadPipelineListTest, HandsOverEverySmallUploadInOrder) {
  TempDir dir;
  const DataDirLayout layout(dir.path());
  ManifestFiles files;
  files.push_back({"database/arkwiki.db", 0, ""});
  files.push_back({"config/settings.json", 0, ""});
  for (int i = 0; i < 400; ++i) {
    const std::string content =
        i % 50 == 7 ? PseudoRandomBytes((2 << 20) + i, i)
                    : TextBytes(static_cast<size_t>(i) * 37 % 9000) + std::to_string(i);
    const std::string sha = Sha256Hex(content);
    ASSERT_TRUE(Env::Default()->CreateDirs(DirName(layout.UploadPath(sha))).ok());
    testing::WriteFileOrDie(layout.UploadPath(sha), content);
    files.push_back({UploadEntryPath(sha), content.size(), sha});
  }
  ManifestFileStore store = ManifestFileStore::InDir(Env::Default(), dir.path(), GetParam());
  for (const ManifestFile& f : files) ARKWIKI_ASSERT_OK(store.Add(f));
  ARKWIKI_ASSERT_OK(store.Finish());
  ASSERT_EQ(store.spilled(), GetParam() < files.size());
  const EntryOptions options{EntryOptions::Method::kAuto, 1, 0};
  UploadPipeline pipeline(Env::Default(), layout, store, 2, options);
  size_t small = 0;
  for (size_t i = 2; i < files.size(); ++i) {
    if (!UploadPipeline::IsSmall(files[i].size)) continue;
    auto p = pipeline.Take(i, files[i]);
    ASSERT_TRUE(p.ok()) << p.status().ToString();
    EXPECT_EQ(p->info.name, files[i].path);
    EXPECT_EQ(p->info.sha256, files[i].sha256);
    EXPECT_EQ(p->info.uncompressed_size, files[i].size);
    small += 1;
  }
  EXPECT_EQ(small, 392u);
}

INSTANTIATE_TEST_SUITE_P(HeldOrSpilled, UploadPipelineListTest, ::testing::Values(100000, 16));

TEST(UploadPipelineTest, AMissingUploadIsReportedWhereItComes) {
  TempDir dir;
  const DataDirLayout layout(dir.path());
  ManifestFiles files;
  files.push_back({"database/arkwiki.db", 0, ""});
  files.push_back({"config/settings.json", 0, ""});
  for (int i = 0; i < 50; ++i) {
    const std::string content = TextBytes(100 + static_cast<size_t>(i));
    const std::string sha = Sha256Hex(content);
    ASSERT_TRUE(Env::Default()->CreateDirs(DirName(layout.UploadPath(sha))).ok());
    if (i != 30) testing::WriteFileOrDie(layout.UploadPath(sha), content);
    files.push_back({UploadEntryPath(sha), content.size(), sha});
  }
  const ManifestFileStore store = ManifestFileStore::Of(files);
  UploadPipeline pipeline(Env::Default(), layout, store, 2, EntryOptions{});
  for (size_t i = 2; i < files.size(); ++i) {
    auto p = pipeline.Take(i, files[i]);
    if (i == 32) {
      EXPECT_EQ(p.status().code(), StatusCode::kNotFound);
      break;  // the backup stops here; the pipeline is dropped mid-way
    }
    ASSERT_TRUE(p.ok()) << i << ": " << p.status().ToString();
  }
}

TEST(UploadPipelineTest, BackupOfADamagedSmallUploadFails) {
  TempDir dir;
  {
    auto storage = Storage::Open(Env::Default(), dir.Sub("wiki"));
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::SeedWiki(**storage, "a");
  }
  // Damage one upload on disk, keeping its size.
  const DataDirLayout layout(dir.Sub("wiki"));
  auto shards = Env::Default()->ListDir(layout.uploads);
  ASSERT_TRUE(shards.ok() && !shards->empty());
  std::string victim;
  for (const DirEntry& s : *shards) {
    auto files = Env::Default()->ListDir(JoinPath(layout.uploads, s.name));
    if (files.ok() && !files->empty())
      victim = JoinPath(JoinPath(layout.uploads, s.name), (*files)[0].name);
    if (!victim.empty()) break;
  }
  ASSERT_FALSE(victim.empty());
  std::string content = *ReadFileToString(Env::Default(), victim);
  ASSERT_FALSE(content.empty());
  content[0] ^= 1;
  ASSERT_TRUE(Env::Default()->RemoveFile(victim).ok());
  testing::WriteFileOrDie(victim, content);
  auto r = WriteBackupToFile(Env::Default(), layout, dir.Sub("out.zip"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.status().code(), StatusCode::kCorruption);
  EXPECT_NE(r.status().message().find("is damaged"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(*Env::Default()->FileExists(dir.Sub("out.zip")));
}

}  // namespace
}  // namespace arkwiki
