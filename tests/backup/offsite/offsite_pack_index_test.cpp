// A record's pack index: the writer's text, whether held or spilled in
// runs, is sorted with each name once, and reads back into an index that
// finds every entry; the reader refuses what no writer writes.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "arkwiki/core/hash.h"
#include "offsite/offsite_pack_index.h"
#include "offsite/offsite_record.h"
#include "support/full_disk_env.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

const char kId[] = "20261205T010000Z-abcdef";

struct Place {
  std::string pack;
  uint64_t offset;
};

std::string Text(const OffsitePackIndexWriter& writer) {
  StringByteSink text;
  EXPECT_TRUE(writer.WriteText(&text).ok());
  auto size = writer.TextSize();
  EXPECT_TRUE(size.ok()) << size.status().ToString();
  if (size.ok()) EXPECT_EQ(*size, text.data().size());
  return text.data();
}

// 5,000 names in random order, every tenth added a second time with the
// same place, as a copy adds an object that two paths hold.
class OffsitePackIndexWriterTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::mt19937 random(7);
    for (int i = 0; i < 5000; ++i) {
      const std::string name = Sha256Hex("object " + std::to_string(i));
      places_[name] = {std::string(32, "abcdef"[i % 6]), static_cast<uint64_t>(i) * 977};
      order_.push_back(name);
      if (i % 10 == 0) order_.push_back(name);
    }
    std::shuffle(order_.begin(), order_.end(), random);
  }
  void AddAll(OffsitePackIndexWriter* writer) {
    for (const std::string& name : order_) {
      const Place& p = places_[name];
      ASSERT_TRUE(writer->Add(name, p.pack, p.offset).ok());
    }
  }
  // The text as the format describes it, built without the writer.
  std::string Expected() const {
    std::string text;
    for (const auto& [name, p] : places_) {
      text += name + " " + p.pack + " " + std::to_string(p.offset) + "\n";
    }
    return text;
  }

  testing::TempDir dir_;
  std::map<std::string, Place> places_;  // sorted by name
  std::vector<std::string> order_;
};

TEST_F(OffsitePackIndexWriterTest, HeldOrSpilledInRunsWritesEachNameOnceInOrder) {
  OffsitePackIndexWriter held;
  AddAll(&held);
  EXPECT_EQ(Text(held), Expected());
  for (size_t run : {1, 7, 4096, 5499}) {
    OffsitePackIndexWriter spilled(OffsiteScratch{Env::Default(), dir_.path(), run});
    AddAll(&spilled);
    EXPECT_EQ(Text(spilled), Expected()) << "runs of " << run;
    EXPECT_EQ(Text(spilled), Expected()) << "a second pass, runs of " << run;
  }
  EXPECT_EQ(testing::EntriesIn(dir_.path()), 0u) << "the runs' scratch file has no name";
}

TEST_F(OffsitePackIndexWriterTest, ItsEntriesReadBackAsAnIndexThatFindsEachOne) {
  OffsitePackIndexWriter writer(OffsiteScratch{Env::Default(), dir_.path(), 100});
  AddAll(&writer);
  auto converted = writer.ToIndex();
  ASSERT_TRUE(converted.ok()) << converted.status().ToString();
  auto parsed = OffsitePackIndex::Parse(Text(writer), kId);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  for (const OffsitePackIndex* index : {&*converted, &*parsed}) {
    ASSERT_EQ(index->size(), places_.size());
    for (const auto& [name, p] : places_) {
      auto at = index->Find(name);
      ASSERT_TRUE(at.has_value()) << name;
      EXPECT_EQ(at->pack, p.pack);
      EXPECT_EQ(at->offset, p.offset);
    }
    EXPECT_FALSE(index->Find(Sha256Hex("never added")).has_value());
    EXPECT_FALSE(index->Find("not a name").has_value());
    EXPECT_EQ(index->Packs().size(), 6u);
  }
}

TEST_F(OffsitePackIndexWriterTest, AFullScratchDiskIsNoSpaceAndLeavesNothing) {
  testing::FullDiskEnv full(Env::Default(), 4000);
  OffsitePackIndexWriter writer(OffsiteScratch{&full, dir_.path(), 100});
  Status s;
  for (const std::string& name : order_) {
    s = writer.Add(name, places_[name].pack, places_[name].offset);
    if (!s.ok()) break;
  }
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ(testing::EntriesIn(dir_.path()), 0u);
}

// A name added with other places in other runs comes out once, with one
// of the places it was given.
TEST_F(OffsitePackIndexWriterTest, ANameAddedInSeveralRunsWithOtherPlacesIsWrittenOnce) {
  OffsitePackIndexWriter writer(OffsiteScratch{Env::Default(), dir_.path(), 64});
  const std::string name = order_.front();
  std::set<std::string> lines;
  for (int copy = 0; copy < 5; ++copy) {
    const std::string pack(32, "01234"[copy]);
    ASSERT_TRUE(writer.Add(name, pack, static_cast<uint64_t>(copy) * 10).ok());
    lines.insert(name + " " + pack + " " + std::to_string(copy * 10) + "\n");
    for (int i = 0; i < 100; ++i) {  // past a run between each
      const std::string other = Sha256Hex("filler " + std::to_string(copy * 100 + i));
      ASSERT_TRUE(writer.Add(other, std::string(32, 'f'), 1).ok());
    }
  }
  const std::string text = Text(writer);
  const size_t at = text.find(name);
  ASSERT_NE(at, std::string::npos);
  EXPECT_EQ(text.find(name, at + 1), std::string::npos) << "written twice";
  const std::string line = text.substr(at, text.find('\n', at) - at + 1);
  EXPECT_EQ(lines.count(line), 1u) << line;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 501);
}

// Two names alike in the 12 bytes a reader keeps: no record holds them.
TEST(OffsitePackIndexWriterRefusalTest, TwoNamesAlikeInTheirFirst12BytesAreNotWritten) {
  OffsitePackIndexWriter writer;
  ASSERT_TRUE(
      writer.Add(std::string(24, '1') + std::string(40, '2'), std::string(32, 'a'), 0).ok());
  ASSERT_TRUE(
      writer.Add(std::string(24, '1') + std::string(40, '3'), std::string(32, 'a'), 9).ok());
  EXPECT_EQ(writer.TextSize().status().code(), StatusCode::kUnsupported);
  StringByteSink text;
  EXPECT_EQ(writer.WriteText(&text).code(), StatusCode::kUnsupported);
}

// After a run fails to be written, no later call hands out what may be a
// partial run.
TEST_F(OffsitePackIndexWriterTest, AfterARunFailsEveryLaterCallFails) {
  testing::FullDiskEnv full(Env::Default(), 100 * 40 + 20);
  OffsitePackIndexWriter writer(OffsiteScratch{&full, dir_.path(), 100});
  Status s;
  size_t added = 0;
  for (; added < order_.size() && s.ok(); ++added) {
    s = writer.Add(order_[added], places_[order_[added]].pack, places_[order_[added]].offset);
  }
  ASSERT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ(writer.Add(order_[added], "x", 0).code(), StatusCode::kNoSpace);
  EXPECT_EQ(writer.TextSize().status().code(), StatusCode::kNoSpace);
  EXPECT_EQ(writer.ToIndex().status().code(), StatusCode::kNoSpace);
}

TEST(OffsitePackIndexTest, RetainIfDropsOnlyTheEntriesItRefuses) {
  OffsitePackIndexWriter writer;
  for (int i = 0; i < 100; ++i) {
    ASSERT_TRUE(writer
                    .Add(Sha256Hex(std::to_string(i)), std::string(32, i % 2 == 0 ? 'a' : 'b'),
                         static_cast<uint64_t>(i))
                    .ok());
  }
  OffsitePackIndex index = writer.ToIndex().value();
  index.RetainIf(
      [](std::string_view pack, uint64_t offset) { return pack[0] == 'a' && offset < 90; });
  EXPECT_EQ(index.size(), 45u);
  EXPECT_FALSE(index.Find(Sha256Hex("90")).has_value());
  EXPECT_EQ(index.Packs(), std::vector<std::string>{std::string(32, 'a')});
  EXPECT_TRUE(index.Find(Sha256Hex("0")).has_value());
  EXPECT_FALSE(index.Find(Sha256Hex("1")).has_value());
}

TEST(OffsitePackIndexTest, RefusesWhatNoWriterWrites) {
  const std::string low(64, '1');
  const std::string high(64, '2');
  // Differs from `low` only past the first 12 bytes the index keeps.
  const std::string low_twin = std::string(24, '1') + std::string(40, '3');
  const std::string pack(32, 'c');
  auto line = [&](const std::string& name, uint64_t offset) {
    return name + " " + pack + " " + std::to_string(offset) + "\n";
  };
  EXPECT_TRUE(OffsitePackIndex::Parse(line(low, 0) + line(high, 7), kId).ok());
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {line(high, 0) + line(low, 7), "out of order"},
           {line(low, 0) + line(low, 7), "names an object twice"},
           {line(low, 0) + line(low_twin, 7), "shares its first 12 bytes"},
           {line(low, kMaxPackBytes), "past any pack"},
           {line(low, 0) + line(high, 7).substr(0, 40), "no last newline"},
           {line(low, 0) + std::string(300, '9') + "\n", "is not"}}) {
    auto parsed = OffsitePackIndex::Parse(text, kId);
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << why;
    EXPECT_NE(parsed.status().message().find(why), std::string::npos) << parsed.status().ToString();
  }
}

}  // namespace
}  // namespace arkwiki
