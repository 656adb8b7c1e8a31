// The restore-point record a copy writes in blocks (WriteRecordPlaintext)
// is byte for byte the record RecordPlaintext makes, and reads back.
#include <gtest/gtest.h>

#include <fstream>

#include "arkwiki/core/hash.h"
#include "offsite/offsite_record.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// A record with `packed` packed files (their index lines about 110 bytes
// each) and a manifest text of `manifest_bytes`.
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
  return record;
}

TEST(OffsiteRecordTest, WrittenInBlocksTheRecordIsTheBytesOfRecordPlaintext) {
  // Past the 64 KiB blocks of the index and of the manifest, and none.
  for (const auto& [packed, manifest_bytes] :
       std::vector<std::pair<size_t, size_t>>{{3000, 200000}, {0, 10}, {1, 65536}}) {
    const OffsiteRecord record = RecordOf(packed, manifest_bytes);
    EXPECT_EQ(record.packed.TextSize(), record.packed.Text().size());
    testing::TempDir dir;
    const std::string path = dir.Sub("manifest.json");
    std::ofstream(path, std::ios::binary) << record.manifest_text;
    auto manifest = Env::Default()->NewSequentialFile(path);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    OffsiteRecord without_text = record;
    without_text.manifest_text.clear();
    StringByteSink written;
    ASSERT_TRUE(WriteRecordPlaintext(without_text, manifest->get(), &written).ok());
    EXPECT_EQ(written.data(), RecordPlaintext(record)) << packed << " packed files";
  }
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
