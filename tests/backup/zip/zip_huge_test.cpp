// Opt-in ZIP64 round trips over 4 GiB (ARKWIKI_TEST_HUGE=1): one stored
// 4.5 GiB entry and one deflated 4.5 GiB entry, each between two small ones
// so that offsets past 4 GiB are exercised too. Read back by our reader,
// Python's zipfile, unzip and bsdtar. Needs ~10 GB free in $TMPDIR.
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <iostream>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"
#include "support/elapsed.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

using testing::RunCommand;
using testing::ShellQuote;
using testing::TempDir;
using Clock = std::chrono::steady_clock;

constexpr uint64_t kHugeSize = (uint64_t{9} << 30) / 2;  // 4.5 GiB

bool HugeEnabled() {
  const char* v = std::getenv("ARKWIKI_TEST_HUGE");
  return v != nullptr && std::string(v) == "1";
}

// Archives `input` as "big.bin" between two small entries; returns its info.
Status WriteHugeArchive(const std::string& input, const std::string& path,
                        EntryOptions::Method method, EntryInfo* info) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, FileByteSink::Create(Env::Default(), path));
  BufferedByteSink buffered(file.get());
  ZipWriter w(&buffered);
  EntryOptions options;
  options.method = method;
  ARKWIKI_RETURN_IF_ERROR(w.AddBytes("before.txt", "first", EntryOptions()));
  ARKWIKI_RETURN_IF_ERROR(w.AddFile("big.bin", Env::Default(), input, options, info));
  ARKWIKI_RETURN_IF_ERROR(w.AddBytes("after.txt", "offset over 4 GiB", EntryOptions()));
  ARKWIKI_RETURN_IF_ERROR(w.Finish());
  return file->Close();
}

void ExpectRoundTrip(const std::string& input, const std::string& path, EntryOptions::Method method,
                     const std::string& want_sha, const ZipLimits& limits) {
  auto t0 = Clock::now();
  EntryInfo info;
  ARKWIKI_ASSERT_OK(WriteHugeArchive(input, path, method, &info));
  const double write_s = testing::SecondsSince(t0);
  struct rusage ru {};
  getrusage(RUSAGE_SELF, &ru);
  std::cout << "ZipWriter 4.5 GiB (method " << info.method << ", " << info.compressed_size
            << " bytes out): " << write_s << " s, " << kHugeSize / write_s / 1e6
            << " MB/s, peak RSS " << ru.ru_maxrss / 1024 << " MiB\n";
  EXPECT_EQ(info.uncompressed_size, kHugeSize);
  EXPECT_EQ(info.sha256, want_sha);
  EXPECT_LT(ru.ru_maxrss / 1024, 256) << "memory must not grow with the entry size";

  t0 = Clock::now();
  ASSERT_TRUE(ZipReader::Open(Env::Default(), path, limits).ok());
  // Read back in canonical mode, as backups are: the ZIP64 extras, the
  // 64-bit descriptor, the ZIP64 end records and the CRC-32 of the stored
  // bytes must all be exactly as the writer's encoders say.
  ZipLimits canonical = limits;
  canonical.require_canonical = true;
  auto reader = ZipReader::Open(Env::Default(), path, canonical);
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->Find("big.bin")->data_crc32.has_value());
  std::string got_sha;
  ARKWIKI_ASSERT_OK((*reader)->ReadEntry(
      *(*reader)->Find("big.bin"), [](std::string_view) { return Status::Ok(); }, &got_sha));
  EXPECT_EQ(got_sha, want_sha);
  EXPECT_EQ(*testing::ReadAll(**reader, *(*reader)->Find("after.txt")), "offset over 4 GiB");
  if (method == EntryOptions::Method::kStore) {
    EXPECT_GT((*reader)->Find("after.txt")->local_header_offset, uint64_t{0xFFFFFFFF});
  }
  std::cout << "ZipReader open + read + SHA-256: " << testing::SecondsSince(t0) << " s\n";

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
  std::cout << "python zipfile read + testzip: " << testing::SecondsSince(t0) << " s\n";
  t0 = Clock::now();
  out.clear();
  EXPECT_EQ(RunCommand("unzip -t " + ShellQuote(path) + " | tail -n 2", &out), 0) << out;
  EXPECT_NE(out.find("No errors detected"), std::string::npos) << out;
  out.clear();
  EXPECT_EQ(RunCommand("bsdtar -tvf " + ShellQuote(path), &out), 0) << out;
  EXPECT_NE(out.find("4831838208"), std::string::npos) << out;
  std::cout << "unzip -t + bsdtar -tv: " << testing::SecondsSince(t0) << " s\n" << out;
}

TEST(ZipWriterTest, RoundTripsStoredEntryOver4GiB) {
  if (!HugeEnabled()) GTEST_SKIP() << "set ARKWIKI_TEST_HUGE=1 to run (~10 GB disk, ~1.5 min)";
  TempDir dir;
  const std::string input = dir.Sub("big.bin");
  std::string block = testing::PseudoRandomBytes(1 << 20);
  Sha256 want;
  auto t0 = Clock::now();
  {
    auto out = Env::Default()->NewWritableFile(input, CreateMode::kExclusive);
    ASSERT_TRUE(out.ok());
    for (uint64_t i = 0; i < kHugeSize / block.size(); ++i) {
      std::memcpy(block.data(), &i, sizeof i);  // every MiB differs: misplaced reads show
      want.Update(block);
      ARKWIKI_ASSERT_OK((*out)->Append(block));
    }
    ARKWIKI_ASSERT_OK((*out)->Close());
  }
  std::cout << "generate 4.5 GiB input: " << testing::SecondsSince(t0) << " s\n";
  ExpectRoundTrip(input, dir.Sub("huge.zip"), EntryOptions::Method::kStore, want.FinishHex(),
                  ZipLimits());
}

TEST(ZipWriterTest, RoundTripsDeflatedEntryOver4GiB) {
  if (!HugeEnabled()) GTEST_SKIP() << "set ARKWIKI_TEST_HUGE=1 to run (~1 min)";
  TempDir dir;
  const std::string input = dir.Sub("zeros.bin");
  {
    auto out = Env::Default()->NewWritableFile(input, CreateMode::kExclusive);
    ASSERT_TRUE(out.ok());
    ARKWIKI_ASSERT_OK((*out)->Close());
  }
  ASSERT_EQ(::truncate(input.c_str(), static_cast<off_t>(kHugeSize)), 0);  // sparse zeros
  Sha256 want;
  std::string zeros(1 << 20, '\0');
  for (uint64_t i = 0; i < kHugeSize / zeros.size(); ++i) want.Update(zeros);
  ZipLimits limits;
  limits.max_ratio = 5000;  // zeros deflate ~1000:1; the default cap would (rightly) refuse
  ExpectRoundTrip(input, dir.Sub("huge.zip"), EntryOptions::Method::kDeflate, want.FinishHex(),
                  limits);
}

}  // namespace
}  // namespace arkwiki
