// The restore-point record a copy writes in blocks (WriteRecordPlaintext,
// its manifest read from a file) is byte for byte the record
// RecordPlaintext makes, of the size RecordPlaintextSize says, and reads
// back.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/core/hash.h"
#include "offsite/offsite_record.h"
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

TEST(OffsiteRecordTest, ASealedRecordWrittenInBlocksReadsBackWhole) {
  testing::TempDir dir;
  auto target = OpenDirectoryTarget(Env::Default(), dir.Sub("target"), true);
  ASSERT_TRUE(target.ok()) << target.status().ToString();
  auto key = OffsiteKey::Create("pass phrase", KdfParams::ForTests());
  ASSERT_TRUE(key.ok()) << key.status().ToString();
  OffsiteRecord record = RecordOf(3000, 200000);
  record.repository_id = (*key)->repository_id();
  auto sealed = EncryptBytes(**key, RecordKey(record.id), WrittenFromAFile(record));
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE((*target)->Put(RecordKey(record.id), StringFile(*sealed)).ok());
  auto read = ReadRecord(target->get(), **key, record.id);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  EXPECT_EQ(read->manifest_text, record.manifest_text);
  EXPECT_EQ(read->point_json, record.point_json);
  EXPECT_EQ(read->packed.Text(), record.packed.Text());
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
