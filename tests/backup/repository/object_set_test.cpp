// The set of objects a check or prune gathers from many restore points:
// sorted and distinct after any mix of batches, and grown only by what is new.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "backup/zip_test_util.h"
#include "repository/object_set.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

ObjectRef NumberedObject(uint32_t n, uint64_t size = 1) {
  ObjectRef r;
  for (int i = 0; i < 4; ++i) r.sha256[i] = static_cast<uint8_t>(n >> (24 - 8 * i));
  r.size = size;
  return r;
}

uint32_t NumberOf(const ObjectRef& r) {
  return static_cast<uint32_t>(r.sha256[0]) << 24 | r.sha256[1] << 16 | r.sha256[2] << 8 |
         r.sha256[3];
}

std::vector<uint32_t> Numbers(const ObjectSet& set) {
  std::vector<uint32_t> out;
  for (const ObjectRef& r : set.objects()) out.push_back(NumberOf(r));
  return out;
}

TEST(ObjectSetTest, UnsortedBatchWithDuplicatesBecomesSortedAndDistinct) {
  ObjectSet set;
  set.AddAll({NumberedObject(5), NumberedObject(1), NumberedObject(5), NumberedObject(3),
              NumberedObject(1)});
  EXPECT_EQ(Numbers(set), (std::vector<uint32_t>{1, 3, 5}));
}

TEST(ObjectSetTest, NewObjectsAreMergedBetweenHeldOnes) {
  ObjectSet set;
  set.AddAll({NumberedObject(1), NumberedObject(3), NumberedObject(5)});
  set.AddAll({NumberedObject(6), NumberedObject(0), NumberedObject(4), NumberedObject(3),
              NumberedObject(2), NumberedObject(0)});
  EXPECT_EQ(Numbers(set), (std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6}));
  EXPECT_TRUE(set.Contains(NumberedObject(4).sha256));
  EXPECT_FALSE(set.Contains(NumberedObject(7).sha256));
}

TEST(ObjectSetTest, AnObjectAlreadyHeldKeepsItsFirstSize) {
  ObjectSet set;
  set.AddAll({NumberedObject(2, 20)});
  set.AddAll({NumberedObject(2, 99), NumberedObject(1, 10)});
  ASSERT_EQ(set.objects().size(), 2u);
  EXPECT_EQ(set.objects()[1].size, 20u);
}

TEST(ObjectSetTest, BatchOfHeldObjectsLeavesTheSetWhereItIs) {
  ObjectSet set;
  std::vector<ObjectRef> all;
  for (uint32_t n = 0; n < 1000; ++n) all.push_back(NumberedObject(n * 7));
  set.AddAll(all);
  const ObjectRef* before = set.objects().data();
  set.AddAll(all);
  // Not reallocated: a restore point that names only known objects costs
  // no second copy of the set.
  EXPECT_EQ(set.objects().data(), before);
  EXPECT_EQ(set.objects().size(), 1000u);
}

ManifestFiles FilesOf(const std::vector<uint32_t>& uploads) {
  ManifestFiles files;
  files.push_back({"database/wiki.db", 4096, std::string(64, 'a')});
  for (uint32_t n : uploads) files.PushUpload(NumberedObject(n).sha256, n);
  return files;
}

ManifestFileStore ManifestOf(const std::vector<uint32_t>& uploads) {
  return ManifestFileStore::Of(FilesOf(uploads));
}

TEST(ObjectSetTest, ManifestInHashOrderOfHeldUploadsLeavesTheSetWhereItIs) {
  ObjectSet set;
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({2, 4, 6})));
  const ObjectRef* before = set.objects().data();
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({2, 4, 6})));
  EXPECT_EQ(set.objects().data(), before);
  EXPECT_EQ(Numbers(set), (std::vector<uint32_t>{2, 4, 6}));
}

TEST(ObjectSetTest, ManifestUploadsAreMergedAndTheDatabaseIsLeftOut) {
  ObjectSet set;
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({2, 4, 6})));
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({1, 4, 5, 9})));
  EXPECT_EQ(Numbers(set), (std::vector<uint32_t>{1, 2, 4, 5, 6, 9}));
  EXPECT_EQ(set.objects()[4].size, 6u);
}

TEST(ObjectSetTest, HandMadeManifestOutOfOrderWithRepeatsGivesTheSameSet) {
  ObjectSet sorted;
  ARKWIKI_ASSERT_OK(sorted.AddUploads(ManifestOf({3, 8})));
  ARKWIKI_ASSERT_OK(sorted.AddUploads(ManifestOf({1, 5, 7})));
  ObjectSet unsorted;
  ARKWIKI_ASSERT_OK(unsorted.AddUploads(ManifestOf({3, 8})));
  ARKWIKI_ASSERT_OK(unsorted.AddUploads(ManifestOf({7, 1, 5, 1, 7})));
  EXPECT_EQ(Numbers(unsorted), Numbers(sorted));
  EXPECT_EQ(Numbers(unsorted), (std::vector<uint32_t>{1, 3, 5, 7, 8}));
}

// The uploads of `files` in a store that spills past one file to `path`,
// read through `env`.
ManifestFileStore SpilledStoreOf(Env* env, const std::string& path, const ManifestFiles& files) {
  ManifestFileStore store(env, path, 1);
  for (const ManifestFile& f : files) EXPECT_TRUE(store.Add(f).ok());
  EXPECT_TRUE(store.Finish().ok());
  EXPECT_TRUE(store.spilled());
  return store;
}

TEST(ObjectSetTest, SpilledManifestGivesTheSameSetAsAHeldOne) {
  testing::TempDir dir;
  std::vector<uint32_t> first;
  std::vector<uint32_t> second;
  for (uint32_t n = 0; n < 5000; ++n) (n % 3 == 0 ? first : second).push_back(n * 2);
  for (uint32_t n = 0; n < 5000; n += 7) second.push_back(n * 2 + 1);
  std::sort(second.begin(), second.end());
  ObjectSet held;
  ARKWIKI_ASSERT_OK(held.AddUploads(ManifestOf(first)));
  ARKWIKI_ASSERT_OK(held.AddUploads(ManifestOf(second)));
  ObjectSet spilled;
  ARKWIKI_ASSERT_OK(
      spilled.AddUploads(SpilledStoreOf(Env::Default(), dir.path() + "/a.bin", FilesOf(first))));
  ARKWIKI_ASSERT_OK(
      spilled.AddUploads(SpilledStoreOf(Env::Default(), dir.path() + "/b.bin", FilesOf(second))));
  EXPECT_EQ(Numbers(spilled), Numbers(held));
  EXPECT_EQ(spilled.objects().size(), 5000u + 715u);
}

// Serves the scratch file's later reads with one upload's hash raised by
// one in its last byte: still in hash order, but not what the first read
// of the list counted.
class SecondReadDiffersEnv : public EnvWrapper {
 public:
  SecondReadDiffersEnv(Env* target, uint64_t at) : EnvWrapper(target), at_(at) {}

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(p));
    return std::unique_ptr<RandomAccessFile>(new Differing(std::move(file), at_));
  }

 private:
  class Differing : public RandomAccessFile {
   public:
    Differing(std::unique_ptr<RandomAccessFile> file, uint64_t at)
        : file_(std::move(file)), at_(at) {}
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      ARKWIKI_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset, buf, n));
      if (offset == 0) ++reads_from_start_;
      if (reads_from_start_ >= 2 && at_ >= offset && at_ < offset + got) ++buf[at_ - offset];
      return got;
    }
    uint64_t Size() const override { return file_->Size(); }

   private:
    std::unique_ptr<RandomAccessFile> file_;
    uint64_t at_;
    mutable int reads_from_start_ = 0;
  };

  uint64_t at_;
};

TEST(ObjectSetTest, ListThatChangesBetweenItsTwoReadsIsAnIoError) {
  testing::TempDir dir;
  // Records are 40 bytes, the database's first: record 11 is upload 30,
  // which the set holds, and its number's last byte is byte 3. Read again,
  // it is 31, which the set does not hold: one more new object than the
  // first read counted.
  SecondReadDiffersEnv env(Env::Default(), 11 * 40 + 3);
  ObjectSet set;
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({1, 3, 30})));
  std::vector<uint32_t> uploads;
  for (uint32_t n = 0; n < 40; ++n) uploads.push_back(n * 2 + 10);
  const Status s = set.AddUploads(SpilledStoreOf(&env, dir.path() + "/list.bin", FilesOf(uploads)));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
}

TEST(ObjectSetTest, ListThatChangesButNotInHowManyNewObjectsItNamesIsAnIoError) {
  testing::TempDir dir;
  // As above, but the set does not hold 30: read again, the list names 31
  // instead, as many new objects as before, but not the same.
  SecondReadDiffersEnv env(Env::Default(), 11 * 40 + 3);
  ObjectSet set;
  ARKWIKI_ASSERT_OK(set.AddUploads(ManifestOf({1, 3})));
  std::vector<uint32_t> uploads;
  for (uint32_t n = 0; n < 40; ++n) uploads.push_back(n * 2 + 10);
  const Status s = set.AddUploads(SpilledStoreOf(&env, dir.path() + "/list.bin", FilesOf(uploads)));
  EXPECT_EQ(s.code(), StatusCode::kIoError) << s.ToString();
}

// As prune renames the objects of an encrypted repository to their stored
// names.
TEST(ObjectSetTest, RenamedObjectsAreSortedAgainKeepTheirSizesAndCanBeDropped) {
  ObjectSet set;
  set.AddAll(
      {NumberedObject(1, 10), NumberedObject(2, 20), NumberedObject(3, 30), NumberedObject(4, 40)});
  set.RenameAll([](const Sha256Raw& sha256, Sha256Raw* renamed) {
    ObjectRef r;
    r.sha256 = sha256;
    const uint32_t n = NumberOf(r);
    if (n == 2) return false;
    *renamed = NumberedObject(100 - n).sha256;
    return true;
  });
  EXPECT_EQ(Numbers(set), (std::vector<uint32_t>{96, 97, 99}));
  ASSERT_EQ(set.objects().size(), 3u);
  EXPECT_EQ(set.objects()[0].size, 40u);
  EXPECT_EQ(set.objects()[1].size, 30u);
  EXPECT_EQ(set.objects()[2].size, 10u);
  EXPECT_TRUE(set.Contains(NumberedObject(97).sha256));
  EXPECT_FALSE(set.Contains(NumberedObject(3).sha256));
}

TEST(ObjectSetTest, ManyRandomBatchesMatchAnOrderedMap) {
  std::mt19937 random(19);
  ObjectSet set;
  std::map<uint32_t, uint64_t> expected;  // first size seen wins
  for (int batch = 0; batch < 50; ++batch) {
    std::vector<ObjectRef> refs;
    const int count = static_cast<int>(random() % 200);
    for (int i = 0; i < count; ++i) {
      const uint32_t n = random() % 3000;
      refs.push_back(NumberedObject(n, batch));
    }
    // One size per batch: which of a batch's equal hashes std::sort puts
    // first is not specified.
    for (const ObjectRef& r : refs) expected.emplace(NumberOf(r), r.size);
    set.AddAll(std::move(refs));
  }
  std::vector<uint32_t> keys;
  for (const auto& [n, size] : expected) keys.push_back(n);
  ASSERT_EQ(Numbers(set), keys);
  size_t i = 0;
  for (const auto& [n, size] : expected) EXPECT_EQ(set.objects()[i++].size, size) << n;
}

}  // namespace
}  // namespace arkwiki
