// ZipReader's canonical mode (ZipLimits::require_canonical), used for
// backups: exactly the bytes ZipWriter writes, nothing else — while the
// general mode keeps accepting the ordinary variations other tools write.
#include <gtest/gtest.h>

#include "backup/zip_test_util.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

using testing::CraftEntry;
using testing::CraftOptions;
using testing::CraftZip;
using testing::TempDir;

std::string WriterArchive(const std::vector<std::pair<std::string, std::string>>& files) {
  StringByteSink sink;
  ZipWriter w(&sink);
  for (const auto& [name, data] : files) {
    EXPECT_TRUE(
        w.AddBytes(name, data, EntryOptions{EntryOptions::Method::kAuto, 1, 1700000000}).ok());
  }
  EXPECT_TRUE(w.Finish().ok());
  return sink.data();
}

TEST(ZipCanonicalTest, AcceptsWhatZipWriterWrites) {
  TempDir dir;
  const std::vector<std::pair<std::string, std::string>> files = {
      {"text.md", testing::TextBytes(5000)},
      {"random.bin", testing::PseudoRandomBytes(3000)},
      {"empty", ""},
      {"zeros", std::string(2 << 20, '\0')}};  // ~1000:1, over the general 100:1 cap
  auto zip = testing::OpenZipBytes(dir, WriterArchive(files), testing::CanonicalLimits());
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  for (const auto& [name, data] : files) {
    const ZipEntry* e = (*zip)->Find(name);
    ASSERT_NE(e, nullptr);
    EXPECT_TRUE(e->data_crc32.has_value()) << name;
    auto got = testing::ReadAll(**zip, *e);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_EQ(*got, data);
  }
}

// Variations a general ZIP reader rightly accepts but our writer never
// produces: canonical mode refuses each and names the field.
TEST(ZipCanonicalTest, RefusesEachVariationTheGeneralModeAccepts) {
  struct Variation {
    const char* what;
    std::function<void(CraftEntry*, CraftOptions*)> apply;
    const char* field;
  };
  const std::vector<Variation> variations = {
      {"executable mode", [](CraftEntry* e, CraftOptions*) { e->external_attrs = 0100755u << 16; },
       "external attributes"},
      {"made by macOS", [](CraftEntry* e, CraftOptions*) { e->made_by_os = 19; },
       "version made by"},
      {"descriptor without signature",
       [](CraftEntry* e, CraftOptions*) { e->descriptor_signature = false; }, "data descriptor"},
      {"no data descriptor", [](CraftEntry* e, CraftOptions*) { e->data_descriptor = false; },
       "flags"},
      {"deflate speed hint flag", [](CraftEntry* e, CraftOptions*) { e->flags |= 0x0002; },
       "flags"},
      {"archive comment", [](CraftEntry*, CraftOptions* o) { o->comment = "made by hand"; },
       "comment"},
  };
  for (const Variation& v : variations) {
    CraftEntry e;
    e.name = "a.txt";
    e.data = testing::TextBytes(2000);
    e.method = 8;
    e.data_descriptor = true;
    CraftOptions o;
    v.apply(&e, &o);
    const std::string bytes = CraftZip({e}, o).bytes;
    TempDir dir;
    auto general = testing::OpenZipBytes(dir, bytes);
    ASSERT_TRUE(general.ok()) << v.what << ": " << general.status().ToString();
    ASSERT_TRUE(testing::ReadAll(**general, (*general)->entries()[0]).ok()) << v.what;
    auto canonical = testing::OpenZipBytes(dir, bytes, testing::CanonicalLimits());
    ASSERT_FALSE(canonical.ok()) << v.what << " was accepted in canonical mode";
    EXPECT_EQ(canonical.status().code(), StatusCode::kCorruption) << v.what;
    EXPECT_NE(canonical.status().message().find(v.field), std::string::npos)
        << v.what << ": " << canonical.status().ToString();
  }
}

TEST(ZipCanonicalTest, RefusesLocalTimeDifferingFromCentralDirectory) {
  std::string bytes = WriterArchive({{"a.txt", "hello"}});
  bytes[10] ^= 0x02;  // local header: DOS time
  TempDir dir;
  ASSERT_TRUE(testing::OpenZipBytes(dir, bytes).ok());
  auto canonical = testing::OpenZipBytes(dir, bytes, testing::CanonicalLimits());
  ASSERT_FALSE(canonical.ok());
  EXPECT_NE(canonical.status().message().find("local header's time"), std::string::npos)
      << canonical.status().ToString();
}

// Deflate can encode the same output in many ways (a match distance into a
// run of zeros can change freely): flips there pass the CRC-32 of the data,
// so the general mode returns the right bytes; canonical mode checks the
// CRC-32 of the stored bytes from the writer's extra field and refuses.
TEST(ZipCanonicalTest, CatchesDeflateChangesThatLeaveTheOutputUnchanged) {
  int silent_in_general = 0, flips = 0;
  for (const std::string& data :
       {std::string(3000, 'p') + "a", "notes " + std::string(5000, 'n'),
        std::string(20000, '\0') + testing::TextBytes(3000) + std::string(9000, '\0')}) {
    const std::string archive = WriterArchive({{"z.bin", data}});
    TempDir dir;
    auto clean = testing::OpenZipBytes(dir, archive, testing::CanonicalLimits());
    ASSERT_TRUE(clean.ok());
    const ZipEntry e = (*clean)->entries()[0];
    for (uint64_t i = 0; i < e.compressed_size; ++i) {
      for (int bit = 0; bit < 8; ++bit, ++flips) {
        std::string bytes = archive;
        bytes[e.data_offset + i] ^= static_cast<char>(1 << bit);
        auto general = testing::OpenZipBytes(dir, bytes);
        ASSERT_TRUE(general.ok());
        auto got = testing::ReadAll(**general, (*general)->entries()[0]);
        if (!got.ok()) continue;
        ASSERT_EQ(*got, data) << "wrong data returned silently at " << i;
        ++silent_in_general;
        auto canonical = testing::OpenZipBytes(dir, bytes, testing::CanonicalLimits());
        ASSERT_TRUE(canonical.ok());
        auto strict = testing::ReadAll(**canonical, (*canonical)->entries()[0]);
        ASSERT_FALSE(strict.ok()) << "flip of bit " << bit << " at data byte " << i
                                  << " not caught";
        // Padding bits after the final block are named as such; any other
        // re-encoding by the CRC-32 of the stored bytes.
        const std::string& why = strict.status().message();
        EXPECT_TRUE(why.find("stored bytes") != std::string::npos ||
                    why.find("stray bits after its end") != std::string::npos)
            << strict.status().ToString();
      }
    }
  }
  std::printf(
      "[ measure ] %d of %d deflate-data bit flips leave the output unchanged; all "
      "caught in canonical mode\n",
      silent_in_general, flips);
  EXPECT_GT(silent_in_general, 0) << "the data no longer exercises re-encodings";
}

// Over 65,535 entries the writer adds ZIP64 end records; canonical mode
// accepts exactly those and refuses a change to any of their fields.
TEST(ZipCanonicalTest, AcceptsZip64EndRecordsAndRefusesChangesToThem) {
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryOptions store{EntryOptions::Method::kStore, 1, 1700000000};
  for (int i = 0; i < 65536; ++i) ASSERT_TRUE(w.AddBytes("f" + std::to_string(i), "", store).ok());
  ASSERT_TRUE(w.Finish().ok());
  const std::string archive = sink.data();
  TempDir dir;
  ASSERT_TRUE(testing::OpenZipBytes(dir, archive, testing::CanonicalLimits()).ok());
  const size_t tail = archive.size() - 98;  // ZIP64 record (56), locator (20), EOCD (22)
  ASSERT_EQ(archive.substr(tail, 4), std::string("PK\x06\x06", 4));  // ZIP64 end record
  for (size_t at : {4, 12, 14, 16, 24, 32, 48, 60, 64, 72, 84, 86, 94}) {
    std::string bytes = archive;
    bytes[tail + at] ^= 0x01;
    auto canonical = testing::OpenZipBytes(dir, bytes, testing::CanonicalLimits());
    EXPECT_FALSE(canonical.ok()) << "flip at end-record byte " << at << " accepted";
  }
}

// Ratio policy: canonical mode replaces max_ratio with deflate's own bound.
TEST(ZipCanonicalTest, RatioIsBoundedByDeflateNotByTheGeneralCap) {
  CraftEntry e;
  e.name = "zeros";
  e.method = 8;
  e.raw = testing::DeflatedZeros(4 << 20);
  e.data = std::string(4 << 20, '\0');
  e.data_descriptor = true;
  TempDir dir;
  const std::string honest = CraftZip({e}).bytes;
  EXPECT_EQ(testing::OpenZipBytes(dir, honest).status().code(), StatusCode::kTooLarge);
  EXPECT_TRUE(testing::OpenZipBytes(dir, honest, testing::CanonicalLimits()).ok());
  e.declared_uncompressed = uint64_t{1} << 30;  // 1 GiB from ~4 KiB: impossible for deflate
  auto lying = testing::OpenZipBytes(dir, CraftZip({e}).bytes, testing::CanonicalLimits());
  EXPECT_EQ(lying.status().code(), StatusCode::kTooLarge) << lying.status().ToString();
  EXPECT_NE(lying.status().message().find("compression ratio"), std::string::npos);
}

}  // namespace
}  // namespace arkwiki
