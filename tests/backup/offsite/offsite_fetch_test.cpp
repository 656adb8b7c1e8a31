// PackedBatch gathers packed files and reads them pack by pack, each pack's
// slices in offset order; PackedReadPlan reads each pack of a file list
// once, a group at a time.
#include "offsite/offsite_fetch.h"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

PackSlice SliceAt(const std::string& name, uint64_t offset) {
  return {name, ManifestFile{"uploads/x", 10, std::string(64, '0')}, offset, nullptr, Status::Ok()};
}

// What each read of a pack was given: the pack and its slices' offsets.
using Reads = std::vector<std::pair<std::string, std::vector<uint64_t>>>;

PackedBatch::ReadPack Recording(Reads* reads) {
  return [reads](const std::string& pack, std::vector<PackSlice>* slices) {
    std::vector<uint64_t> offsets;
    for (const PackSlice& s : *slices) offsets.push_back(s.offset);
    reads->emplace_back(pack, offsets);
    return Status::Ok();
  };
}

TEST(PackedBatchTest, ReadsEachPackOnceInOffsetOrder) {
  Reads reads;
  PackedBatch batch(Recording(&reads));
  batch.Add("p2", SliceAt("b", 500));
  batch.Add("p1", SliceAt("c", 900));
  batch.Add("p1", SliceAt("a", 100));
  batch.Add("p1", SliceAt("a", 100));
  EXPECT_TRUE(reads.empty()) << "nothing read before the flush";
  ASSERT_TRUE(batch.Flush().ok());
  EXPECT_EQ(reads, (Reads{{"p1", {100, 100, 900}}, {"p2", {500}}}));
  ASSERT_TRUE(batch.Flush().ok());
  EXPECT_EQ(reads.size(), 2u) << "a flush reads nothing twice";
}

TEST(PackedBatchTest, AFailedReadStopsTheFlushAndIsReturned) {
  int calls = 0;
  PackedBatch batch([&](const std::string&, std::vector<PackSlice>*) {
    ++calls;
    return Status::IoError("the connection dropped");
  });
  batch.Add("p1", SliceAt("a", 0));
  batch.Add("p2", SliceAt("b", 0));
  EXPECT_EQ(batch.Flush().code(), StatusCode::kIoError);
  EXPECT_EQ(calls, 1);
}

TEST(TakeRepeatsTest, TakesOnlyAnObjectSeenJustBeforeAndLeavesAnOverlapToBeRefused) {
  std::vector<PackSlice> slices = {SliceAt("a", 0), SliceAt("a", 0), SliceAt("b", 0),
                                   SliceAt("c", 50), SliceAt("c", 50)};
  slices[1].file.path = "settings.json";  // one object under two paths
  const std::vector<PackSlice> repeats = TakeRepeats(&slices);
  ASSERT_EQ(repeats.size(), 2u);
  EXPECT_EQ(repeats[0].file.path, "settings.json");
  EXPECT_EQ(repeats[1].name, "c");
  // "b" at "a"'s offset is another object there: left for FetchPacked to
  // refuse as overlapping.
  ASSERT_EQ(slices.size(), 3u);
  EXPECT_EQ(slices[1].name, "b");
}

// A file list of `count` uploads, spilled past 2 files held.
ManifestFileStore ListOf(const testing::TempDir& dir, size_t count) {
  ManifestFileStore files = ManifestFileStore::InDir(Env::Default(), dir.path(), 2);
  for (size_t i = 0; i < count; ++i) {
    const std::string sha = Sha256Hex(std::to_string(1000 + i));
    EXPECT_TRUE(files.Add({UploadEntryPath(sha), i, sha}).ok());
  }
  EXPECT_TRUE(files.Finish().ok());
  return files;
}

TEST(PackedReadPlanTest, EachPackIsReadOnceWhateverTheOrderOfItsFilesInTheList) {
  testing::TempDir dir;
  const ManifestFileStore files = ListOf(dir, 40);
  // Four packs of ten files, each pack's files spread over the whole list
  // (as a later copy's are), a batch of twelve: two packs a group.
  PackedReadPlan plan(12);
  auto pack_of = [](size_t i) { return std::string(1, static_cast<char>('a' + i % 4)); };
  for (size_t i = 0; i < 40; ++i) plan.Note(i, pack_of(i));
  EXPECT_EQ(plan.noted(), 40u);
  std::map<std::string, std::vector<uint64_t>> read;
  Status s = plan.Read(
      files,
      [&](const ManifestFileStore::File& f) {
        // The list's sizes are the files' positions: offset 100 * i.
        return Result<PackSlice>(PackSlice{"n", f.Get(), 100 * f.size, nullptr, Status::Ok()});
      },
      [&](const std::string& pack, std::vector<PackSlice>* slices) {
        EXPECT_EQ(read.count(pack), 0u) << pack << " read twice";
        for (const PackSlice& slice : *slices) read[pack].push_back(slice.offset / 100);
        return Status::Ok();
      });
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(read.size(), 4u);
  for (const auto& [pack, positions] : read) {
    ASSERT_EQ(positions.size(), 10u) << pack;
    for (uint64_t i : positions) EXPECT_EQ(pack_of(i), pack) << i;
  }
}

TEST(PackedReadPlanTest, OnlyNotedFilesAreReadAndAFailureStopsTheRead) {
  testing::TempDir dir;
  const ManifestFileStore files = ListOf(dir, 10);
  PackedReadPlan plan(4);
  plan.Note(2, "p");
  plan.Note(7, "q");
  std::vector<uint64_t> sizes;
  auto slice_of = [&](const ManifestFileStore::File& f) {
    sizes.push_back(f.size);
    return Result<PackSlice>(PackSlice{"n", f.Get(), 0, nullptr, Status::Ok()});
  };
  ASSERT_TRUE(plan.Read(files, slice_of,
                        [](const std::string&, std::vector<PackSlice>*) { return Status::Ok(); })
                  .ok());
  EXPECT_EQ(sizes, (std::vector<uint64_t>{2, 7}));
  Status s = plan.Read(files, slice_of, [](const std::string&, std::vector<PackSlice>*) {
    return Status::IoError("the connection dropped");
  });
  EXPECT_EQ(s.code(), StatusCode::kIoError);
}

}  // namespace
}  // namespace arkwiki
