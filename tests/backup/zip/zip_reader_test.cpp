#include "zip/zip_reader.h"

#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"

namespace arkwiki {
namespace {

using testing::CraftEntry;
using testing::CraftOptions;
using testing::CraftZip;
using testing::OpenZipBytes;
using testing::PseudoRandomBytes;
using testing::ReadAll;
using testing::ReadAndDiscard;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;
using testing::TextBytes;

CraftEntry ReaderEntry(std::string name, std::string data, uint16_t method = 0) {
  CraftEntry e;
  e.name = std::move(name);
  e.data = std::move(data);
  e.method = method;
  return e;
}

TEST(ZipReaderTest, ReadsEntriesWithAndWithoutDataDescriptors) {
  TempDir dir;
  std::vector<CraftEntry> entries = {ReaderEntry("plain.txt", TextBytes(5000), 8),
                                     ReaderEntry("dd.txt", TextBytes(7000), 8),
                                     ReaderEntry("dd-nosig.bin", PseudoRandomBytes(3000)),
                                     ReaderEntry("z64.txt", TextBytes(9000), 8)};
  entries[1].data_descriptor = true;
  entries[2].data_descriptor = true;
  entries[2].descriptor_signature = false;
  entries[3].data_descriptor = true;
  entries[3].zip64 = true;
  auto reader = OpenZipBytes(dir, CraftZip(entries).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->entries().size(), entries.size());
  for (size_t i = 0; i < entries.size(); ++i) {
    const ZipEntry& e = (*reader)->entries()[i];
    EXPECT_EQ(e.name, entries[i].name);
    std::string sha;
    auto got = ReadAll(**reader, e, &sha);
    ASSERT_TRUE(got.ok()) << got.status().ToString();
    EXPECT_TRUE(*got == entries[i].data) << e.name;
    EXPECT_EQ(sha, Sha256Hex(entries[i].data));
  }
}

TEST(ZipReaderTest, ReadsArchivesWrittenByPythonZipfile) {
  TempDir dir;
  std::string path = dir.Sub("py.zip");
  std::string script =
      "import zipfile,sys\n"
      "with zipfile.ZipFile(sys.argv[1], 'w', zipfile.ZIP_DEFLATED) as z:\n"
      "  z.writestr('pages/a.md', 'hello ' * 1000)\n"
      "  z.writestr(zipfile.ZipInfo('b.bin'), bytes(range(256)) * 10)\n";
  std::string out;
  ASSERT_EQ(RunCommand("python3 -c " + ShellQuote(script) + " " + ShellQuote(path), &out), 0)
      << out;
  auto reader = ZipReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string hello;
  for (int i = 0; i < 1000; ++i) hello += "hello ";
  EXPECT_EQ(*ReadAll(**reader, *(*reader)->Find("pages/a.md")), hello);
  EXPECT_EQ(ReadAll(**reader, *(*reader)->Find("b.bin"))->size(), 2560u);
}

TEST(ZipReaderTest, FindIsExactAndCaseSensitive) {
  TempDir dir;
  auto reader = OpenZipBytes(dir, CraftZip({ReaderEntry("Dir/File.txt", "x")}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_NE((*reader)->Find("Dir/File.txt"), nullptr);
  EXPECT_EQ((*reader)->Find("dir/file.txt"), nullptr);
  EXPECT_EQ((*reader)->Find("Dir"), nullptr);
}

TEST(ZipReaderTest, ExposesCentralDirectoryFields) {
  TempDir dir;
  CraftEntry e = ReaderEntry("a.txt", TextBytes(4000), 8);
  e.data_descriptor = true;
  auto z = CraftZip({ReaderEntry("first", "1"), e});
  auto reader = OpenZipBytes(dir, z.bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  const ZipEntry& got = (*reader)->entries()[1];
  EXPECT_EQ(got.method, kZipMethodDeflate);
  EXPECT_EQ(got.flags, 0x0808);
  EXPECT_EQ(got.crc32, testing::Crc32(e.data));
  EXPECT_EQ(got.uncompressed_size, 4000u);
  EXPECT_EQ(got.local_header_offset, z.local_offsets[1]);
  EXPECT_EQ(got.data_offset, z.local_offsets[1] + 30 + 5);
  EXPECT_EQ(got.made_by_os, 3);
  EXPECT_EQ(got.external_attrs, 0100644u << 16);
}

TEST(ZipReaderTest, DetectsCrcMismatchInStoredData) {
  TempDir dir;
  CraftEntry e = ReaderEntry("a.txt", "hello world");
  e.crc = testing::Crc32("hello worle");
  auto reader = OpenZipBytes(dir, CraftZip({e}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status s = ReadAndDiscard(**reader, (*reader)->entries()[0]);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("CRC-32 mismatch"), std::string::npos) << s.ToString();
}

TEST(ZipReaderTest, StopsAsSoonAsOutputExceedsDeclaredSize) {
  TempDir dir;
  // 64 MiB of zeros claiming to be 1000 bytes: a bomb that lies about its size.
  CraftEntry e = ReaderEntry("bomb.txt", "");
  e.method = 8;
  e.raw = testing::DeflatedZeros(64 << 20);
  e.declared_uncompressed = 1000;
  auto reader = OpenZipBytes(dir, CraftZip({e}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  uint64_t delivered = 0;
  Status s = (*reader)->ReadEntry((*reader)->entries()[0], [&](std::string_view c) {
    delivered += c.size();
    return Status::Ok();
  });
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("beyond its declared size"), std::string::npos) << s.ToString();
  EXPECT_LE(delivered, 1000u);
}

TEST(ZipReaderTest, FailsWhenEntryEndsShortOfDeclaredSize) {
  TempDir dir;
  CraftEntry e = ReaderEntry("short.txt", TextBytes(1000), 8);
  e.declared_uncompressed = 2000;
  auto reader = OpenZipBytes(dir, CraftZip({e}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status s = ReadAndDiscard(**reader, (*reader)->entries()[0]);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("ends after 1000"), std::string::npos) << s.ToString();
}

TEST(ZipReaderTest, FailsWhenDeflateStreamRunsPastCompressedSize) {
  TempDir dir;
  std::string text = TextBytes(100'000);
  std::string deflated = testing::RawDeflate(text);
  CraftEntry e = ReaderEntry("cut.txt", text, 8);
  e.raw = deflated.substr(0, deflated.size() - 10);  // stream cut short
  auto reader = OpenZipBytes(dir, CraftZip({e}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status s = ReadAndDiscard(**reader, (*reader)->entries()[0]);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

TEST(ZipReaderTest, FailsOnBytesAfterTheDeflateStream) {
  TempDir dir;
  std::string text = TextBytes(10'000);
  CraftEntry e = ReaderEntry("extra.txt", text, 8);
  e.raw = testing::RawDeflate(text) + "trailing";
  auto reader = OpenZipBytes(dir, CraftZip({e}).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  Status s = ReadAndDiscard(**reader, (*reader)->entries()[0]);
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("after the end of its deflate data"), std::string::npos);
}

TEST(ZipReaderTest, DeliversChunksOfAtMostOneMiB) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryOptions store;
  store.method = EntryOptions::Method::kStore;
  EntryOptions deflate;
  deflate.method = EntryOptions::Method::kDeflate;
  ARKWIKI_ASSERT_OK(w.AddBytes("s", PseudoRandomBytes(3 << 20), store));
  ARKWIKI_ASSERT_OK(w.AddBytes("d", TextBytes(20 << 20), deflate));
  ARKWIKI_ASSERT_OK(w.Finish());
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (const ZipEntry& e : (*reader)->entries()) {
    size_t largest = 0, total = 0;
    ARKWIKI_ASSERT_OK((*reader)->ReadEntry(e, [&](std::string_view c) {
      largest = std::max(largest, c.size());
      total += c.size();
      return Status::Ok();
    }));
    EXPECT_LE(largest, size_t{1} << 20);
    EXPECT_EQ(total, e.uncompressed_size);
  }
}

TEST(ZipReaderTest, ReturnsConsumerErrors) {
  TempDir dir;
  auto reader = OpenZipBytes(dir, CraftZip({ReaderEntry("a", "hello")}).bytes);
  ASSERT_TRUE(reader.ok());
  Status s = (*reader)->ReadEntry((*reader)->entries()[0],
                                  [](std::string_view) { return Status::NoSpace("disk full"); });
  EXPECT_EQ(s.code(), StatusCode::kNoSpace);
}

TEST(ZipReaderTest, ReadEntryIsSafeFromSeveralThreads) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  std::vector<std::string> contents;
  for (int i = 0; i < 8; ++i) {
    contents.push_back(i % 2 ? TextBytes(400'000 + i) : PseudoRandomBytes(300'000, i));
    ARKWIKI_ASSERT_OK(w.AddBytes("f" + std::to_string(i), contents.back(), EntryOptions()));
  }
  ARKWIKI_ASSERT_OK(w.Finish());
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok());
  std::atomic<int> mismatches{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int round = 0; round < 5; ++round) {
        for (size_t i = t % 2; i < contents.size(); i += 1) {
          auto got = ReadAll(**reader, (*reader)->entries()[i]);
          if (!got.ok() || *got != contents[i]) ++mismatches;
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches.load(), 0);
}

TEST(ZipReaderTest, ReadsZip64EndRecordsWithSaturatedEocd) {
  TempDir dir;
  CraftOptions o;
  o.zip64_end = true;
  o.saturate_eocd = true;
  auto reader =
      OpenZipBytes(dir, CraftZip({ReaderEntry("a", "1"), ReaderEntry("b", "22")}, o).bytes);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ((*reader)->entries().size(), 2u);
  EXPECT_EQ(*ReadAll(**reader, *(*reader)->Find("b")), "22");
}

}  // namespace
}  // namespace arkwiki
