// The restore-point record a copy writes in blocks (WriteRecordPlaintext,
// its manifest read from a file) is byte for byte the record
// RecordPlaintext makes, of the size RecordPlaintextSize says, and reads
// back through a scratch file.
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

std::string PackedName(size_t i) { return Sha256Hex("file " + std::to_string(i)); }
std::string PackOf(size_t i) { return std::string(32, "0123456789abcdef"[i % 16]); }

// A record with `packed` packed files (their index lines about 110 bytes
// each) and a manifest text of exactly `manifest_bytes`.
struct RecordToWrite {
  OffsiteRecord record;
  OffsitePackIndexWriter packed;
};
RecordToWrite RecordOf(size_t packed, size_t manifest_bytes) {
  RecordToWrite r{{"0123456789abcdef0123456789abcdef", "20261205T010000Z-abcdef",
                   R"({"id":"20261205T010000Z-abcdef"})", ""},
                  {}};
  for (size_t i = 0; i < packed; ++i) {
    EXPECT_TRUE(r.packed.Add(PackedName(i), PackOf(i), i * 4096).ok());
  }
  for (size_t i = 0; r.record.manifest_text.size() < manifest_bytes; ++i) {
    r.record.manifest_text += "{\"path\":\"uploads/" + std::to_string(i) + "\"}\n";
  }
  r.record.manifest_text.resize(manifest_bytes);
  return r;
}

std::string Plaintext(const RecordToWrite& r) {
  auto text = RecordPlaintext(r.record, r.packed);
  EXPECT_TRUE(text.ok()) << text.status().ToString();
  return text.ok() ? *text : "";
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
std::string WrittenFromAFile(const RecordToWrite& r) {
  testing::TempDir dir;
  const std::string path = dir.Sub("manifest.json");
  std::ofstream(path, std::ios::binary) << r.record.manifest_text;
  auto manifest = Env::Default()->NewRandomAccessFile(path);
  EXPECT_TRUE(manifest.ok()) << manifest.status().ToString();
  OffsiteRecord without_text = r.record;
  without_text.manifest_text.clear();
  auto index_bytes = r.packed.TextSize();
  EXPECT_TRUE(index_bytes.ok()) << index_bytes.status().ToString();
  StringByteSink written;
  EXPECT_TRUE(
      WriteRecordPlaintext(without_text, r.packed, *index_bytes, manifest->get(), &written).ok());
  EXPECT_EQ(written.data().size(),
            RecordPlaintextSize(without_text, r.packed, *index_bytes, (*manifest)->Size()));
  return written.data();
}

TEST(OffsiteRecordTest, WrittenInBlocksTheRecordIsTheBytesOfRecordPlaintext) {
  // Past the 64 KiB blocks of the index and of the manifest, on a block's
  // end, and none packed.
  for (const auto& [packed, manifest_bytes] :
       std::vector<std::pair<size_t, size_t>>{{3000, 200000}, {0, 10}, {1, 65536}, {600, 131072}}) {
    const RecordToWrite record = RecordOf(packed, manifest_bytes);
    EXPECT_EQ(WrittenFromAFile(record), Plaintext(record)) << packed << " packed files";
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
    record_.record.repository_id = key_->repository_id();
  }
  // Puts `plaintext` sealed as the record.
  void Put(const std::string& plaintext) {
    auto sealed = EncryptBytes(*key_, RecordKey(id()), plaintext);
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(target_->Put(RecordKey(id()), StringFile(*sealed)).ok());
  }

  const std::string& id() const { return record_.record.id; }

  testing::TempDir dir_;
  std::unique_ptr<OffsiteTarget> target_;
  std::unique_ptr<OffsiteKey> key_;
  RecordToWrite record_ = RecordOf(3000, 200000);
};

TEST_F(OffsiteRecordReadTest, ASealedRecordWrittenInBlocksReadsBackWhole) {
  Put(WrittenFromAFile(record_));
  auto read = ReadRecord(target_.get(), *key_, id(), {Env::Default(), dir_.path(), 2});
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(ReadAll(*read->manifest), record_.record.manifest_text);
  EXPECT_EQ(read->record.point_json, record_.record.point_json);
  ASSERT_EQ(read->packed.size(), 3000u);
  for (size_t i = 0; i < 3000; ++i) {
    auto at = read->packed.Find(PackedName(i));
    ASSERT_TRUE(at.has_value()) << i;
    EXPECT_EQ(at->pack, PackOf(i));
    EXPECT_EQ(at->offset, i * 4096);
  }
  EXPECT_EQ(Names(dir_.path()), std::vector<std::string>{"target"})
      << "the scratch file has no name";
}

TEST_F(OffsiteRecordReadTest, AFullScratchDiskFailsTheReadWithNoSpaceAndLeavesNothing) {
  Put(Plaintext(record_));
  testing::FullDiskEnv full(Env::Default(), 100000);
  auto read = ReadRecord(target_.get(), *key_, id(), {&full, dir_.Sub("scratch"), 2});
  EXPECT_EQ(read.status().code(), StatusCode::kNotFound) << "no scratch directory";
  ASSERT_TRUE(Env::Default()->CreateDirs(dir_.Sub("scratch")).ok());
  read = ReadRecord(target_.get(), *key_, id(), {&full, dir_.Sub("scratch"), 2});
  EXPECT_EQ(read.status().code(), StatusCode::kNoSpace) << read.status().ToString();
  EXPECT_TRUE(Names(dir_.Sub("scratch")).empty());
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
  const RecordToWrite r = RecordOf(10, 0);
  EXPECT_EQ(WriteRecordPlaintext(r.record, r.packed, *r.packed.TextSize(), &cut, &written).code(),
            StatusCode::kIoError);
}

TEST(OffsiteRecordTest, AFailingSinkFailsTheRecord) {
  class FullSink : public ByteSink {
   public:
    Status Write(std::string_view) override { return Status::NoSpace("full"); }
  } full;
  const RecordToWrite r = RecordOf(3000, 10);
  EXPECT_EQ(WriteRecordPlaintext(r.record, r.packed, *r.packed.TextSize(), nullptr, &full).code(),
            StatusCode::kNoSpace);
}

}  // namespace
}  // namespace arkwiki
