// Bit-flip sweeps: damage anywhere in an archive must be refused by Open()
// or caught by ReadEntry() (CRC-32, sizes, inflate errors) — never returned
// as data. A flipped byte inside stored data is caught only by the CRC.
#include <gtest/gtest.h>

#include <iostream>
#include <map>

#include "backup/zip_test_util.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

using testing::CraftEntry;
using testing::CraftOptions;
using testing::CraftZip;
using testing::TempDir;
using testing::TextBytes;

// Flips bits at every byte position of `archive` and checks that Open() plus
// ReadEntry() of every entry either fails or returns exactly the original
// names and contents: damage is never returned as data.
struct SweepResult {
  int refused_at_open = 0, failed_read = 0, harmless = 0, wrong = 0;
};

SweepResult SweepBitFlips(const std::string& archive,
                          const std::map<std::string, std::string>& expected) {
  SweepResult r;
  TempDir dir;
  const std::string path = dir.Sub("flipped.zip");
  for (size_t pos = 0; pos < archive.size(); ++pos) {
    for (uint8_t mask : {uint8_t{0x01}, uint8_t{0x80}, uint8_t(1u << (pos % 8))}) {
      std::string bytes = archive;
      bytes[pos] = static_cast<char>(bytes[pos] ^ mask);
      // A fresh file each time: rewriting one in place makes ext4 flush it
      // to disk on close (auto_da_alloc), which turns seconds into minutes.
      (void)Env::Default()->RemoveFile(path);
      testing::WriteFileOrDie(path, bytes);
      auto reader = ZipReader::Open(Env::Default(), path);
      if (!reader.ok()) {
        ++r.refused_at_open;
        continue;
      }
      bool failed = false, wrong = (*reader)->entries().size() != expected.size();
      for (const ZipEntry& e : (*reader)->entries()) {
        auto got = testing::ReadAll(**reader, e);
        if (!got.ok()) {
          failed = true;
          continue;
        }
        auto want = expected.find(std::string(e.name));
        if (want == expected.end() || want->second != *got) wrong = true;
      }
      if (wrong && !failed) {
        ++r.wrong;
        ADD_FAILURE() << "flip 0x" << std::hex << int{mask} << " at byte " << std::dec << pos
                      << " returned wrong data silently";
      } else if (failed) {
        ++r.failed_read;
      } else {
        ++r.harmless;
      }
    }
  }
  return r;
}

TEST(ZipReaderTest, BitFlipsNeverYieldWrongDataFromOurWriter) {
  StringByteSink sink;
  ZipWriter w(&sink);
  std::map<std::string, std::string> expected = {{"pages/a.md", TextBytes(3000)},
                                                 {"uploads/b.bin", testing::PseudoRandomBytes(600)},
                                                 {"empty", ""},
                                                 {"c.txt", "short text"}};
  for (const auto& [name, data] : expected)
    ARKWIKI_ASSERT_OK(w.AddBytes(name, data, EntryOptions()));
  ARKWIKI_ASSERT_OK(w.Finish());
  SweepResult r = SweepBitFlips(sink.data(), expected);
  EXPECT_EQ(r.wrong, 0);
  // Only fields no reader uses (times, version bytes, permission bits) may
  // change without being noticed.
  EXPECT_GT(r.refused_at_open + r.failed_read, r.harmless * 3);
  std::cout << "bit flips over " << sink.data().size() << " bytes: " << r.refused_at_open
            << " refused by Open, " << r.failed_read << " failed in ReadEntry, " << r.harmless
            << " harmless (same data)\n";
}

TEST(ZipReaderTest, BitFlipsNeverYieldWrongDataFromZip64Layout) {
  std::vector<CraftEntry> entries(2);
  entries[0].name = "a.txt";
  entries[0].data = TextBytes(800);
  entries[0].method = 8;
  entries[1].name = "b";
  entries[1].data = "bee";
  for (CraftEntry& e : entries) {
    e.zip64 = true;
    e.data_descriptor = true;
  }
  CraftOptions o;
  o.zip64_end = true;
  o.saturate_eocd = true;
  std::string bytes = CraftZip(entries, o).bytes;
  {
    TempDir dir;
    ASSERT_TRUE(testing::OpenZipBytes(dir, bytes).ok());
  }
  SweepResult r = SweepBitFlips(bytes, {{"a.txt", TextBytes(800)}, {"b", "bee"}});
  EXPECT_EQ(r.wrong, 0);
}

}  // namespace
}  // namespace arkwiki
