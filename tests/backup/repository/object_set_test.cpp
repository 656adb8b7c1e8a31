// The set of objects a check or prune gathers (those in no pack): sorted and
// distinct after any mix of batches, and grown only by what is new.
#include <gtest/gtest.h>

#include <map>
#include <random>

#include "repository/object_set.h"

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
