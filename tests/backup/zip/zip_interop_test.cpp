// Archives written by ZipWriter must be readable by the tools an admin has:
// unzip, bsdtar (also from a pipe, i.e. streaming), Python's zipfile and
// Poco's ZipArchive; plus the ZIP64 case over 65,535 entries (over 4 GiB:
// zip_huge_test.cpp). Keep these in our suite: a Poco or zlib upgrade could change
// any of it (docs/design-notes.md#keep-zip64-and-interop-tests-in-our-suite).
#include <Poco/Exception.h>
#include <Poco/Zip/ZipArchive.h>
#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"
#include "support/elapsed.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

using testing::PseudoRandomBytes;
using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;
using testing::TextBytes;

const char kPythonTestZip[] =
    "import sys, zipfile\n"
    "z = zipfile.ZipFile(sys.argv[1])\n"
    "bad = z.testzip()\n"
    "print('entries', len(z.infolist()))\n"
    "sys.exit(1 if bad else 0)\n";

void ExpectToolsAccept(const std::string& path, size_t entries) {
  auto t0 = std::chrono::steady_clock::now();
  std::string out;
  EXPECT_EQ(RunCommand("unzip -t " + ShellQuote(path) + " | tail -n 3", &out), 0) << out;
  EXPECT_NE(out.find("No errors detected in compressed data"), std::string::npos) << out;
  const double unzip_s = testing::SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("bsdtar -tf " + ShellQuote(path) + " | wc -l", &out), 0) << out;
  EXPECT_EQ(std::atol(out.c_str()), static_cast<long>(entries)) << out;
  const double bsdtar_s = testing::SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("python3 -c " + ShellQuote(kPythonTestZip) + " " + ShellQuote(path), &out),
            0)
      << out.substr(0, 2000);
  EXPECT_NE(out.find("entries " + std::to_string(entries)), std::string::npos) << out;
  std::cout << "tools on " << entries << " entries: unzip -t " << unzip_s << " s, bsdtar -t "
            << bsdtar_s << " s, python testzip " << testing::SecondsSince(t0) << " s\n";
}

Status WriteToFile(const std::string& path, const std::map<std::string, std::string>& files) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, FileByteSink::Create(Env::Default(), path));
  BufferedByteSink buffered(file.get());
  ZipWriter w(&buffered);
  for (const auto& [name, data] : files)
    ARKWIKI_RETURN_IF_ERROR(w.AddBytes(name, data, EntryOptions()));
  ARKWIKI_RETURN_IF_ERROR(w.Finish());
  return file->Close();
}

std::map<std::string, std::string> SampleFiles() {
  return {{"manifest.json", "{\"format\": 1}"},
          {"pages/caf\xC3\xA9/\xE6\x97\xA5\xE6\x9C\xAC.md", TextBytes(40'000)},
          {"uploads/photo.jpg", PseudoRandomBytes(300'000)},
          {"uploads/big.log", TextBytes(10 << 20)},  // streamed through zlib
          {"empty.txt", ""}};
}

TEST(ZipWriterTest, OutputIsAcceptedByUnzipBsdtarAndPython) {
  TempDir dir;
  const std::string path = dir.Sub("backup.zip");
  const auto files = SampleFiles();
  ARKWIKI_ASSERT_OK(WriteToFile(path, files));
  ExpectToolsAccept(path, files.size());
  // Content as extracted by bsdtar matches byte for byte.
  ARKWIKI_ASSERT_OK(Env::Default()->CreateDir(dir.Sub("x")));
  std::string out;
  ASSERT_EQ(RunCommand("bsdtar -xf " + ShellQuote(path) + " -C " + ShellQuote(dir.Sub("x")), &out),
            0)
      << out;
  for (const auto& [name, data] : files) {
    EXPECT_TRUE(testing::ReadFileOrDie(dir.Sub("x/" + name)) == data) << name;
  }
  // zipinfo shows Unix permissions, not FAT as Poco's writer does.
  out.clear();
  ASSERT_EQ(RunCommand("zipinfo " + ShellQuote(path) + " manifest.json", &out), 0) << out;
  EXPECT_NE(out.find("-rw-r--r--"), std::string::npos) << out;
  EXPECT_NE(out.find("unx"), std::string::npos) << out;
}

TEST(ZipWriterTest, OutputIsListedByPocoZipArchive) {
  TempDir dir;
  const std::string path = dir.Sub("backup.zip");
  const auto files = SampleFiles();
  ARKWIKI_ASSERT_OK(WriteToFile(path, files));
  std::map<std::string, uint64_t> listed;
  try {
    std::ifstream in(path, std::ios::binary);
    Poco::Zip::ZipArchive archive(in);
    for (auto it = archive.fileInfoBegin(); it != archive.fileInfoEnd(); ++it) {
      listed[it->first] = it->second.getUncompressedSize();
    }
  } catch (const Poco::Exception& e) {
    FAIL() << "Poco::Zip::ZipArchive refused our archive: " << e.displayText();
  }
  ASSERT_EQ(listed.size(), files.size());
  for (const auto& [name, data] : files) EXPECT_EQ(listed[name], data.size()) << name;
}

// Feeds the archive to `bsdtar -tvf -` as it is written: no seeking possible.
class PipeSink : public ByteSink {
 public:
  explicit PipeSink(FILE* pipe) : pipe_(pipe) {}
  Status Write(std::string_view d) override {
    if (std::fwrite(d.data(), 1, d.size(), pipe_) != d.size()) return Status::IoError("pipe");
    return Status::Ok();
  }

 private:
  FILE* pipe_;
};

TEST(ZipWriterTest, StreamsThroughAPipeToBsdtar) {
  TempDir dir;
  const std::string listing = dir.Sub("listing.txt");
  FILE* pipe = ::popen(("bsdtar -tvf - > " + ShellQuote(listing) + " 2>&1").c_str(), "w");
  ASSERT_NE(pipe, nullptr);
  PipeSink pipe_sink(pipe);
  BufferedByteSink sink(&pipe_sink);
  ZipWriter w(&sink);
  const auto files = SampleFiles();
  for (const auto& [name, data] : files) ARKWIKI_ASSERT_OK(w.AddBytes(name, data, EntryOptions()));
  ARKWIKI_ASSERT_OK(w.Finish());
  int status = ::pclose(pipe);
  std::string out = testing::ReadFileOrDie(listing);
  EXPECT_EQ(status, 0) << out;
  for (const auto& [name, data] : files) EXPECT_NE(out.find(name), std::string::npos) << out;
}

TEST(ZipWriterTest, WritesZip64WhenOver65535Entries) {
  TempDir dir;
  const std::string path = dir.Sub("many.zip");
  constexpr int kEntries = 70'000;
  auto t_write = std::chrono::steady_clock::now();
  {
    auto file = FileByteSink::Create(Env::Default(), path);
    ASSERT_TRUE(file.ok());
    BufferedByteSink buffered(file->get());
    ZipWriter w(&buffered);
    for (int i = 0; i < kEntries; ++i) {
      ARKWIKI_ASSERT_OK(w.AddBytes("d" + std::to_string(i % 100) + "/f" + std::to_string(i),
                                   "entry " + std::to_string(i), EntryOptions()));
    }
    ARKWIKI_ASSERT_OK(w.Finish());
    ARKWIKI_ASSERT_OK((*file)->Close());
  }
  std::cout << "ZipWriter " << kEntries << " entries: " << testing::SecondsSince(t_write) << " s\n";
  const std::string bytes = testing::ReadFileOrDie(path);
  // EOCD count saturated, ZIP64 end record + locator in front of it.
  const size_t eocd = bytes.size() - 22;
  EXPECT_EQ(bytes.substr(eocd, 4), std::string("PK\x05\x06"));
  EXPECT_EQ(bytes.substr(eocd + 10, 2), std::string("\xFF\xFF"));
  EXPECT_EQ(bytes.substr(eocd - 20, 4), std::string("PK\x06\x07"));
  EXPECT_EQ(bytes.substr(eocd - 20 - 56, 4), std::string("PK\x06\x06"));

  auto t0 = std::chrono::steady_clock::now();
  auto reader = ZipReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->entries().size(), static_cast<size_t>(kEntries));
  std::cout << "ZipReader::Open on " << kEntries << " entries: " << testing::SecondsSince(t0)
            << " s\n";
  for (int i = 0; i < kEntries; i += 997) {
    const ZipEntry* e = (*reader)->Find("d" + std::to_string(i % 100) + "/f" + std::to_string(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(*testing::ReadAll(**reader, *e), "entry " + std::to_string(i));
  }
  ExpectToolsAccept(path, kEntries);
}

}  // namespace
}  // namespace arkwiki
