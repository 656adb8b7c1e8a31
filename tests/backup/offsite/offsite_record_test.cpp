// The restore-point record a copy writes in blocks (WriteRecordPlaintext,
// its manifest read from a file) is byte for byte the record
// RecordPlaintext makes, of the size RecordPlaintextSize says, and reads
// back through a scratch file; the pack index finds what was added last.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/core/hash.h"
#include "offsite/offsite_record.h"
#include "support/full_disk_env.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// A record with `packed` packed files (their index lines about 110 bytes
// each) and a manifest text of exactly `manifest_bytes`.
OffsiteRecord RecordOf(size_t packed, size_t manifest_bytes) {
  OffsiteRecord record{"0123456789abcdef0123456789abcdef",
                       "20261205T010000Z-abcdef",
                       R"({"id":"20261205T010000Z-abcdef"})",
                       "",
                       {}};
  for (size_t i = 0; i < packed; ++i) {
    const std::string name = Sha256Hex("file " + std::to_string(i));
    record.packed.Add(name, std::string(32, "0123456789abcdef"[i % 16]), i * 4096);
  }
  for (size_t i = 0; record.manifest_text.size() < manifest_bytes; ++i) {
    record.manifest_text += "{\"path\":\"uploads/" + std::to_string(i) + "\"}\n";
  }
  record.manifest_text.resize(manifest_bytes);
  return record;
}

std::string ReadAll(const RandomAccessFile& file) {
  std::string bytes(file.Size(), '\0');
  auto n = file.ReadAt(0, bytes.data(), bytes.size());
  EXPECT_TRUE(n.ok() && *n == bytes.size());
  return bytes;
}

std::vector<std::string> Names(const std::string& dir) {
  std::vector<std::string> names;
  auto entries = Env::Default()->ListDir(dir);
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  if (entries.ok()) {
    for (const DirEntry& e : *entries) names.push_back(e.name);
  }
  std::sort(names.begin(), names.end());
  return names;
}

// The record written through WriteRecordPlaintext with its manifest in a
// file, as a copy writes it.
std::string WrittenFromAFile(const OffsiteRecord& record) {
  testing::TempDir dir;
  const std::string path = dir.Sub("manifest.json");
  std::ofstream(path, std::ios::binary) << record.manifest_text;
  auto manifest = Env::Default()->NewRandomAccessFile(path);
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  OffsiteRecord without_text = record;
  without_text.manifest_text.clear();
  StringByteSink written;
  EXPECT_TRUE(WriteRecordPlaintext(without_text, manifest->get(), &written).ok());
  EXPECT_EQ(written.data().size(), RecordPlaintextSize(without_text, (*manifest)->Size()));
  return written.data();
}

TEST(OffsiteRecordTest, WrittenInBlocksTheRecordIsTheBytesOfRecordPlaintext) {
  // Past the 64 KiB blocks of the index and of the manifest, on a block's
  // end, and none packed.
  for (const auto& [packed, manifest_bytes] :
       std::vector<std::pair<size_t, size_t>>{{3000, 200000}, {0, 10}, {1, 65536}, {600, 131072}}) {
    const OffsiteRecord record = RecordOf(packed, manifest_bytes);
    EXPECT_EQ(record.packed.TextSize(), record.packed.Text().size());
    EXPECT_EQ(WrittenFromAFile(record), RecordPlaintext(record)) << packed << " packed files";
  }
}

// A record of 3,000 packed files put sealed on a directory target.
class OffsiteRecordReadTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto target = OpenDirectoryTarget(Env::Default(), dir_.Sub("target"), true);
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    target_ = std::move(target).value();
    auto key = OffsiteKey::Create("pass phrase", KdfParams::ForTests());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::move(key).value();
    record_.repository_id = key_->repository_id();
  }
  // Puts `plaintext` sealed as the record.
  void Put(const std::string& plaintext) {
    auto sealed = EncryptBytes(*key_, RecordKey(record_.id), plaintext);
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(target_->Put(RecordKey(record_.id), StringFile(*sealed)).ok());
  }

  testing::TempDir dir_;
  std::unique_ptr<OffsiteTarget> target_;
  std::unique_ptr<OffsiteKey> key_;
  OffsiteRecord record_ = RecordOf(3000, 200000);
};

TEST_F(OffsiteRecordReadTest, ASealedRecordWrittenInBlocksReadsBackWhole) {
  Put(WrittenFromAFile(record_));
  auto read = ReadRecord(target_.get(), *key_, record_.id, {Env::Default(), dir_.path(), 2});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ReadAll(*read->manifest), record_.manifest_text);
  EXPECT_EQ(read->record.point_json, record_.point_json);
  EXPECT_EQ(read->record.packed.Text(), record_.packed.Text());
  EXPECT_EQ(Names(dir_.path()), std::vector<std::string>{"target"})
      << "the scratch file has no name";
}

TEST_F(OffsiteRecordReadTest, AFullScratchDiskFailsTheReadWithNoSpaceAndLeavesNothing) {
  Put(RecordPlaintext(record_));
  testing::FullDiskEnv full(Env::Default(), 100000);
  auto read = ReadRecord(target_.get(), *key_, record_.id, {&full, dir_.Sub("scratch"), 2});
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound) << "no scratch directory";
  ASSERT_TRUE(Env::Default()->CreateDirs(dir_.Sub("scratch")).ok());
  read = ReadRecord(target_.get(), *key_, record_.id, {&full, dir_.Sub("scratch"), 2});
  EXPECT_EQ(read.status().code(), StatusCode::kNoSpace) << read.status().ToString();
  EXPECT_TRUE(Names(dir_.Sub("scratch")).empty());
}

TEST(OffsitePackIndexTest, ALaterAddReplacesAnEarlierOneAcrossLookups) {
  OffsitePackIndex index;
  const std::string pack_a(32, 'a');
  const std::string pack_b(32, 'b');
  std::vector<std::string> names;
  for (int i = 0; i < 1000; ++i) names.push_back(Sha256Hex(std::to_string(i)));
  // Adds and lookups interleaved, as a copy does, so that entries are
  // found both before and after they are merged into the sorted part.
  for (int i = 0; i < 1000; ++i) {
    index.Add(names[i], pack_a, static_cast<uint64_t>(i));
    if (i % 7 == 0) {
      auto at = index.Find(names[i / 2]);
      ASSERT_TRUE(at.has_value()) << i;
      EXPECT_EQ(at->offset, static_cast<uint64_t>(i / 2));
    }
  }
  for (int i = 0; i < 1000; i += 3) index.Add(names[i], pack_b, 5);
  EXPECT_EQ(index.size(), 1000u);
  for (int i = 0; i < 1000; ++i) {
    auto at = index.Find(names[i]);
    ASSERT_TRUE(at.has_value()) << i;
    EXPECT_EQ(at->pack, i % 3 == 0 ? pack_b : pack_a) << i;
    EXPECT_EQ(at->offset, i % 3 == 0 ? 5u : static_cast<uint64_t>(i)) << i;
  }
  EXPECT_FALSE(index.Find(Sha256Hex("not added")).has_value());
  auto parsed = OffsitePackIndex::Parse(index.Text(), "20261205T010000Z-abcdef");
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->Text(), index.Text());
  EXPECT_EQ(parsed->Packs(), (std::vector<std::string>{pack_a, pack_b}));
}

TEST(OffsitePackIndexTest, RetainIfDropsOnlyTheEntriesItRefuses) {
  OffsitePackIndex index;
  for (int i = 0; i < 100; ++i) {
    index.Add(Sha256Hex(std::to_string(i)), std::string(32, i % 2 == 0 ? 'a' : 'b'),
              static_cast<uint64_t>(i));
  }
  index.RetainIf(
      [](std::string_view pack, uint64_t offset) { return pack[0] == 'a' && offset < 90; });
  EXPECT_EQ(index.size(), 45u);
  EXPECT_FALSE(index.Find(Sha256Hex("90")).has_value());
  EXPECT_EQ(index.Packs(), std::vector<std::string>{std::string(32, 'a')});
  EXPECT_TRUE(index.Find(Sha256Hex("0")).has_value());
  EXPECT_FALSE(index.Find(Sha256Hex("1")).has_value());
}

TEST(OffsitePackIndexTest, RefusesNamesOutOfOrderOrTwiceAndOffsetsPastAnyPack) {
  const std::string id = "20261205T010000Z-abcdef";
  const std::string low(64, '1');
  const std::string high(64, '2');
  const std::string pack(32, 'c');
  auto line = [&](const std::string& name, uint64_t offset) {
    return name + " " + pack + " " + std::to_string(offset) + "\n";
  };
  EXPECT_TRUE(OffsitePackIndex::Parse(line(low, 0) + line(high, 7), id).ok());
  for (const auto& [text, why] : std::vector<std::pair<std::string, std::string>>{
           {line(high, 0) + line(low, 7), "out of order"},
           {line(low, 0) + line(low, 7), "names an object twice"},
           {line(low, kMaxPackBytes), "past any pack"},
           {line(low, 0) + line(high, 7).substr(0, 40), "no last newline"},
           {line(low, 0) + std::string(300, '9') + "\n", "is not"}}) {
    auto parsed = OffsitePackIndex::Parse(text, id);
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << why;
    EXPECT_NE(parsed.status().message().find(why), std::string::npos) << parsed.status().ToString();
  }
}

TEST(OffsiteRecordTest, AManifestShorterThanItsSizeFailsTheRecord) {
  class ShortFile : public RandomAccessFile {
   public:
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      if (offset >= 100) return size_t{0};
      const size_t k = std::min<size_t>(n, 100 - offset);
      std::fill(buf, buf + k, 'x');
      return k;
    }
    uint64_t Size() const override { return 200000; }
  } cut;
  StringByteSink written;
  EXPECT_EQ(WriteRecordPlaintext(RecordOf(10, 0), &cut, &written).code(), StatusCode::kIoError);
}

TEST(OffsiteRecordTest, AFailingSinkFailsTheRecord) {
  class FullSink : public ByteSink {
   public:
    Status Write(std::string_view) override { return Status::NoSpace("full"); }
  } full;
  EXPECT_EQ(WriteRecordPlaintext(RecordOf(3000, 10), nullptr, &full).code(), StatusCode::kNoSpace);
}

}  // namespace
}  // namespace arkwiki
