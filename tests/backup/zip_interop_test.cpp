// Archives written by ZipWriter must be readable by the tools an admin has:
// unzip, bsdtar (also from a pipe, i.e. streaming), Python's zipfile and
// Poco's ZipArchive; plus the ZIP64 cases over 65,535 entries and (opt-in)
// over 4 GiB. Keep these in our suite: a Poco or zlib upgrade could change
// any of it (PITFALLS).
#include <Poco/Exception.h>
#include <Poco/Zip/ZipArchive.h>
#include <gtest/gtest.h>
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <map>

#include "arkwiki/backup/zip_reader.h"
#include "arkwiki/backup/zip_writer.h"
#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"

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

double SecondsSince(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void ExpectToolsAccept(const std::string& path, size_t entries) {
  auto t0 = std::chrono::steady_clock::now();
  std::string out;
  EXPECT_EQ(RunCommand("unzip -t " + ShellQuote(path) + " | tail -n 3", &out), 0) << out;
  EXPECT_NE(out.find("No errors detected in compressed data"), std::string::npos) << out;
  const double unzip_s = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("bsdtar -tf " + ShellQuote(path) + " | wc -l", &out), 0) << out;
  EXPECT_EQ(std::atol(out.c_str()), static_cast<long>(entries)) << out;
  const double bsdtar_s = SecondsSince(t0);
  t0 = std::chrono::steady_clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("python3 -c " + ShellQuote(kPythonTestZip) + " " + ShellQuote(path), &out),
            0)
      << out.substr(0, 2000);
  EXPECT_NE(out.find("entries " + std::to_string(entries)), std::string::npos) << out;
  std::cout << "tools on " << entries << " entries: unzip -t " << unzip_s << " s, bsdtar -t "
            << bsdtar_s << " s, python testzip " << SecondsSince(t0) << " s\n";
}

Status WriteToFile(const std::string& path, const std::map<std::string, std::string>& files) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, FileByteSink::Create(Env::Default(), path));
  BufferedByteSink buffered(file.get());
  ZipWriter w(&buffered);
  for (const auto& [name, data] : files) ARKWIKI_RETURN_IF_ERROR(w.AddBytes(name, data, EntryOptions()));
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
  std::cout << "ZipWriter " << kEntries << " entries: " << SecondsSince(t_write) << " s\n";
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
  std::cout << "ZipReader::Open on " << kEntries << " entries: " << SecondsSince(t0) << " s\n";
  for (int i = 0; i < kEntries; i += 997) {
    const ZipEntry* e = (*reader)->Find("d" + std::to_string(i % 100) + "/f" + std::to_string(i));
    ASSERT_NE(e, nullptr) << i;
    EXPECT_EQ(*testing::ReadAll(**reader, *e), "entry " + std::to_string(i));
  }
  ExpectToolsAccept(path, kEntries);
}

// Opt-in: ~10 GB of temporary disk and a minute or two.
TEST(ZipWriterTest, RoundTripsEntryOver4GiB) {
  const char* huge = std::getenv("ARKWIKI_TEST_HUGE");
  if (huge == nullptr || std::string(huge) != "1") {
    GTEST_SKIP() << "set ARKWIKI_TEST_HUGE=1 to run the 4.5 GiB ZIP64 round trip "
                    "(needs ~10 GB free in $TMPDIR)";
  }
  using Clock = std::chrono::steady_clock;
  auto secs = [](Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
  };
  TempDir dir;
  const std::string input = dir.Sub("big.bin"), path = dir.Sub("huge.zip");
  constexpr uint64_t kSize = (uint64_t{9} << 30) / 2;  // 4.5 GiB
  std::string block = PseudoRandomBytes(1 << 20);
  Sha256 want;
  auto t0 = Clock::now();
  {
    auto out = Env::Default()->NewWritableFile(input, CreateMode::kExclusive);
    ASSERT_TRUE(out.ok());
    for (uint64_t i = 0; i < kSize / block.size(); ++i) {
      std::memcpy(block.data(), &i, sizeof i);  // every MiB differs: misplaced reads show
      want.Update(block);
      ARKWIKI_ASSERT_OK((*out)->Append(block));
    }
    ARKWIKI_ASSERT_OK((*out)->Close());
  }
  const std::string want_sha = want.FinishHex();
  std::cout << "generate 4.5 GiB input: " << secs(t0) << " s\n";

  t0 = Clock::now();
  EntryInfo info;
  {
    auto file = FileByteSink::Create(Env::Default(), path);
    ASSERT_TRUE(file.ok());
    BufferedByteSink buffered(file->get());
    ZipWriter w(&buffered);
    EntryOptions store;
    store.method = EntryOptions::Method::kStore;
    ARKWIKI_ASSERT_OK(w.AddBytes("before.txt", "first", store));
    ARKWIKI_ASSERT_OK(w.AddFile("big.bin", Env::Default(), input, store, &info));
    ARKWIKI_ASSERT_OK(w.AddBytes("after.txt", "offset over 4 GiB", EntryOptions()));
    ARKWIKI_ASSERT_OK(w.Finish());
    ARKWIKI_ASSERT_OK((*file)->Close());
  }
  const double write_s = secs(t0);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::cout << "ZipWriter store 4.5 GiB: " << write_s << " s (" << kSize / write_s / 1e6
            << " MB/s), peak RSS " << ru.ru_maxrss / 1024 << " MiB\n";
  EXPECT_EQ(info.uncompressed_size, kSize);
  EXPECT_EQ(info.sha256, want_sha);
  EXPECT_LT(ru.ru_maxrss / 1024, 256) << "memory must not grow with the entry size";

  t0 = Clock::now();
  auto reader = ZipReader::Open(Env::Default(), path);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string got_sha;
  ARKWIKI_ASSERT_OK((*reader)->ReadEntry(*(*reader)->Find("big.bin"),
                                         [](std::string_view) { return Status::Ok(); }, &got_sha));
  EXPECT_EQ(got_sha, want_sha);
  EXPECT_EQ(*testing::ReadAll(**reader, *(*reader)->Find("after.txt")), "offset over 4 GiB");
  EXPECT_GT((*reader)->Find("after.txt")->local_header_offset, uint64_t{0xFFFFFFFF});
  std::cout << "ZipReader open + read + SHA-256: " << secs(t0) << " s\n";

  t0 = Clock::now();
  std::string out;
  const char* kPythonSha =
      "import sys, zipfile, hashlib\n"
      "z = zipfile.ZipFile(sys.argv[1]); h = hashlib.sha256()\n"
      "with z.open('big.bin') as f:\n"
      "  for b in iter(lambda: f.read(1 << 20), b''): h.update(b)\n"
      "print(h.hexdigest()); assert z.testzip() is None\n";
  ASSERT_EQ(RunCommand("python3 -c " + ShellQuote(kPythonSha) + " " + ShellQuote(path), &out), 0)
      << out;
  EXPECT_NE(out.find(want_sha), std::string::npos) << out;
  std::cout << "python zipfile read + testzip: " << secs(t0) << " s\n";
  t0 = Clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("unzip -tqq " + ShellQuote(path), &out), 0) << out;
  out.clear();
  EXPECT_EQ(RunCommand("bsdtar -tvf " + ShellQuote(path), &out), 0) << out;
  std::cout << "unzip -t + bsdtar -tv: " << secs(t0) << " s\n" << out;
}

}  // namespace
}  // namespace arkwiki
