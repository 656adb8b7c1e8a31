#include "zip/zip_writer.h"

#include <gtest/gtest.h>

#include <cctype>

#include "arkwiki/core/hash.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "zip/zip_reader.h"

namespace arkwiki {
namespace {

using testing::Crc32;
using testing::OpenZipBytes;
using testing::PseudoRandomBytes;
using testing::ReadAll;
using testing::TempDir;
using testing::TextBytes;
using testing::WriteFileOrDie;

EntryOptions With(EntryOptions::Method m) {
  EntryOptions o;
  o.method = m;
  return o;
}
const EntryOptions kStore = With(EntryOptions::Method::kStore);
const EntryOptions kDeflate = With(EntryOptions::Method::kDeflate);
const EntryOptions kAuto = With(EntryOptions::Method::kAuto);

TEST(ZipWriterTest, RoundTripsStoredAndDeflatedEntries) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  const std::string text = TextBytes(100'000), noise = PseudoRandomBytes(5'000);
  EntryInfo a, b, c;
  ARKWIKI_ASSERT_OK(w.AddBytes("pages/a.md", text, kDeflate, &a));
  ARKWIKI_ASSERT_OK(w.AddBytes("uploads/b.bin", noise, kStore, &b));
  ARKWIKI_ASSERT_OK(w.AddBytes("empty.txt", "", kAuto, &c));
  ARKWIKI_ASSERT_OK(w.Finish());
  EXPECT_EQ(w.bytes_written(), sink.data().size());
  EXPECT_EQ(a.name, "pages/a.md");
  EXPECT_EQ(a.method, kZipMethodDeflate);
  EXPECT_LT(a.compressed_size, text.size() / 4);
  EXPECT_EQ(a.uncompressed_size, text.size());
  EXPECT_EQ(a.crc32, Crc32(text));
  EXPECT_EQ(a.sha256, Sha256Hex(text));
  EXPECT_EQ(a.local_header_offset, 0u);
  EXPECT_EQ(b.method, kZipMethodStore);
  EXPECT_EQ(b.compressed_size, noise.size());
  EXPECT_GT(b.local_header_offset, a.compressed_size);
  EXPECT_EQ(c.method, kZipMethodStore);
  EXPECT_EQ(c.sha256, Sha256Hex(""));

  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->entries().size(), 3u);
  std::string sha;
  auto got = ReadAll(**reader, *(*reader)->Find("pages/a.md"), &sha);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_EQ(*got, text);
  EXPECT_EQ(sha, a.sha256);
  EXPECT_EQ(*ReadAll(**reader, *(*reader)->Find("uploads/b.bin")), noise);
  EXPECT_EQ(*ReadAll(**reader, *(*reader)->Find("empty.txt")), "");
}

TEST(ZipWriterTest, AddFileReadsThroughEnvAndHashesContent) {
  TempDir dir;
  const std::string content = TextBytes(3 << 20);
  WriteFileOrDie(dir.Sub("page.md"), content);
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryInfo info;
  ARKWIKI_ASSERT_OK(w.AddFile("page.md", Env::Default(), dir.Sub("page.md"), kAuto, &info));
  ARKWIKI_ASSERT_OK(w.Finish());
  EXPECT_EQ(info.method, kZipMethodDeflate);
  EXPECT_EQ(info.sha256, Sha256Hex(content));
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_EQ(*ReadAll(**reader, (*reader)->entries()[0]), content);
}

TEST(ZipWriterTest, AutoStoresMediaByExtensionAndMagicBytes) {
  StringByteSink sink;
  ZipWriter w(&sink);
  const std::string text = TextBytes(200'000);
  EntryInfo by_ext, by_magic, plain;
  ARKWIKI_ASSERT_OK(w.AddBytes("photo.JPG", text, kAuto, &by_ext));
  ARKWIKI_ASSERT_OK(w.AddBytes("noext", "\x89PNG\r\n\x1a\n" + text, kAuto, &by_magic));
  ARKWIKI_ASSERT_OK(w.AddBytes("notes.txt", text, kAuto, &plain));
  EXPECT_EQ(by_ext.method, kZipMethodStore);
  EXPECT_EQ(by_magic.method, kZipMethodStore);
  EXPECT_EQ(plain.method, kZipMethodDeflate);
}

TEST(ZipWriterTest, AutoStoresDataThatDoesNotShrink) {
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryInfo small, large;
  ARKWIKI_ASSERT_OK(w.AddBytes("small.bin", PseudoRandomBytes(10'000), kAuto, &small));
  ARKWIKI_ASSERT_OK(w.AddBytes("large.bin", PseudoRandomBytes(10 << 20), kAuto, &large));
  EXPECT_EQ(small.method, kZipMethodStore);
  EXPECT_EQ(large.method, kZipMethodStore);
  EXPECT_EQ(large.compressed_size, large.uncompressed_size);
}

TEST(ZipWriterTest, DeflateFallsBackToStoreWhenSmallDataWouldGrow) {
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryInfo info;
  ARKWIKI_ASSERT_OK(w.AddBytes("noise.bin", PseudoRandomBytes(1000), kDeflate, &info));
  EXPECT_EQ(info.method, kZipMethodStore);
  EXPECT_EQ(info.compressed_size, 1000u);
}

TEST(ZipWriterTest, StreamsLargeCompressibleFilesThroughZlib) {
  TempDir dir;
  const std::string text = TextBytes(20 << 20);  // above the 8 MiB whole-buffer limit
  WriteFileOrDie(dir.Sub("big.txt"), text);
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryInfo info;
  ARKWIKI_ASSERT_OK(w.AddFile("big.txt", Env::Default(), dir.Sub("big.txt"), kAuto, &info));
  ARKWIKI_ASSERT_OK(w.Finish());
  EXPECT_EQ(info.method, kZipMethodDeflate);
  EXPECT_LT(info.compressed_size, text.size() / 4);
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  std::string sha;
  auto got = ReadAll(**reader, (*reader)->entries()[0], &sha);
  ASSERT_TRUE(got.ok()) << got.status().ToString();
  EXPECT_TRUE(*got == text);
  EXPECT_EQ(sha, Sha256Hex(text));
}

TEST(ZipWriterTest, HigherDeflateLevelsRoundTrip) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  const std::string text = TextBytes(500'000);
  EntryOptions o = kDeflate;
  for (int level : {1, 6, 9}) {
    o.deflate_level = level;
    ARKWIKI_ASSERT_OK(w.AddBytes("l" + std::to_string(level), text, o));
  }
  o.deflate_level = 0;
  EXPECT_EQ(w.AddBytes("l0", text, o).code(), StatusCode::kInvalidArgument);
  ARKWIKI_ASSERT_OK(w.Finish());
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  for (const ZipEntry& e : (*reader)->entries()) EXPECT_TRUE(*ReadAll(**reader, e) == text);
}

// Reports a size other than the file's, as if it changed after stat (the
// writer takes it from the opened file, RandomAccessFile::Size).
class SizeSkewEnv : public EnvWrapper {
 public:
  SizeSkewEnv(Env* target, int64_t skew) : EnvWrapper(target), skew_(skew) {}
  Result<uint64_t> GetFileSize(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(uint64_t n, target()->GetFileSize(p));
    return n + skew_;
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto f, target()->NewRandomAccessFile(p));
    return std::unique_ptr<RandomAccessFile>(new Skewed(std::move(f), skew_));
  }

 private:
  class Skewed : public RandomAccessFile {
   public:
    Skewed(std::unique_ptr<RandomAccessFile> f, int64_t skew) : f_(std::move(f)), skew_(skew) {}
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      return f_->ReadAt(offset, buf, n);
    }
    uint64_t Size() const override { return f_->Size() + skew_; }

   private:
    std::unique_ptr<RandomAccessFile> f_;
    int64_t skew_;
  };
  int64_t skew_;
};

TEST(ZipWriterTest, FailsWithCorruptionWhenFileSizeChangesWhileReading) {
  TempDir dir;
  WriteFileOrDie(dir.Sub("small"), TextBytes(50'000));
  WriteFileOrDie(dir.Sub("large"), TextBytes(12 << 20));
  for (int64_t skew : {-1, 1, -4096}) {
    for (const char* file : {"small", "large"}) {
      for (const EntryOptions& o : {kStore, kDeflate}) {
        SizeSkewEnv env(Env::Default(), skew);
        StringByteSink sink;
        ZipWriter w(&sink);
        Status s = w.AddFile("x", &env, dir.Sub(file), o);
        EXPECT_EQ(s.code(), StatusCode::kCorruption) << file << " skew " << skew;
        EXPECT_NE(s.message().find("changed size"), std::string::npos) << s.ToString();
        if (w.bytes_written() > 0) {
          EXPECT_EQ(w.Finish().code(), StatusCode::kCorruption);
        }
      }
    }
  }
}

TEST(ZipWriterTest, RejectsUnsafeAndDuplicateNames) {
  StringByteSink sink;
  ZipWriter w(&sink);
  for (const char* bad : {"", "/abs", "../x", "a/../../x", "a//b", "dir/", "C:x", "a\\b", "./a",
                          "bad\x01name", "\xC0\xAF"}) {
    EXPECT_EQ(w.AddBytes(bad, "x", kStore).code(), StatusCode::kInvalidArgument) << bad;
  }
  ARKWIKI_ASSERT_OK(w.AddBytes("Readme.md", "x", kStore));
  Status dup = w.AddBytes("README.md", "y", kStore);
  EXPECT_EQ(dup.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(dup.message().find("ignoring case"), std::string::npos);
  ARKWIKI_ASSERT_OK(w.Finish());  // the failed adds left the archive consistent
  EXPECT_EQ(w.entry_count(), 1u);
  EXPECT_EQ(w.AddBytes("late", "x", kStore).code(), StatusCode::kInvalidArgument);
}

// Names in ascending order are kept as a run, not in the set: a name equal
// (ignoring case) to any earlier one is still refused, whether it falls in
// the current run, in an earlier run, or comes after the last run allowed.
TEST(ZipWriterTest, RefusesADuplicateNameInAnyOrderOfNames) {
  StringByteSink sink;
  ZipWriter w(&sink);
  std::vector<std::string> added;
  // 12 runs of 5 ascending names, each run before the last: more runs than
  // the writer starts, so the last names all go to the set.
  for (int run = 12; run > 0; --run) {
    for (int i = 0; i < 5; ++i) {
      const std::string name = "r" + std::to_string(run + 10) + "/n" + std::to_string(i);
      ASSERT_TRUE(w.AddBytes(name, "x", kStore).ok()) << name;
      added.push_back(name);
    }
  }
  for (const std::string& name : added) {
    std::string upper = name;
    for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    EXPECT_EQ(w.AddBytes(name, "y", kStore).code(), StatusCode::kInvalidArgument) << name;
    EXPECT_EQ(w.AddBytes(upper, "y", kStore).code(), StatusCode::kInvalidArgument) << upper;
  }
  ARKWIKI_ASSERT_OK(w.AddBytes("r99/new", "z", kStore));  // after every name: still free
  ARKWIKI_ASSERT_OK(w.Finish());
  EXPECT_EQ(w.entry_count(), added.size() + 1);
}

TEST(ZipWriterTest, SetsUtf8FlagUnixModeAndFixedTimestamp) {
  StringByteSink sink;
  ZipWriter w(&sink);
  EntryOptions o = kStore;
  o.mtime_unix = 1700000000;  // 2023-11-14 22:13:20 UTC
  ARKWIKI_ASSERT_OK(w.AddBytes("caf\xC3\xA9.md", "x", o));
  ARKWIKI_ASSERT_OK(w.Finish());
  const std::string& z = sink.data();
  size_t cd = z.find("PK\x01\x02");
  ASSERT_NE(cd, std::string::npos);
  auto u16 = [&](size_t at) {
    return static_cast<unsigned>(static_cast<uint8_t>(z[at]) |
                                 (static_cast<uint8_t>(z[at + 1]) << 8));
  };
  EXPECT_EQ(u16(cd + 5) & 0xFF, 3u);                                   // made by Unix
  EXPECT_EQ(u16(cd + 8), 0x0808u);                                     // UTF-8 + data descriptor
  EXPECT_EQ(u16(cd + 12), (22u << 11) | (13u << 5) | 10u);             // 22:13:20
  EXPECT_EQ(u16(cd + 14), ((2023u - 1980u) << 9) | (11u << 5) | 14u);  // 2023-11-14
  EXPECT_EQ(u16(cd + 40), 0100644u);                                   // external attrs, high half
}

TEST(ZipWriterTest, SameInputGivesByteIdenticalArchives) {
  auto build = [] {
    StringByteSink sink;
    ZipWriter w(&sink);
    EXPECT_TRUE(w.AddBytes("a.txt", TextBytes(70'000), kAuto).ok());
    EXPECT_TRUE(w.AddBytes("b.bin", PseudoRandomBytes(70'000), kAuto).ok());
    EXPECT_TRUE(w.Finish().ok());
    return sink.data();
  };
  EXPECT_TRUE(build() == build());
}

TEST(ZipWriterTest, EmptyArchiveIsValid) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  ARKWIKI_ASSERT_OK(w.Finish());
  EXPECT_EQ(sink.data().size(), 22u);
  auto reader = OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  EXPECT_TRUE((*reader)->entries().empty());
}

// Records the size of every write that reaches it.
class CountingSink : public ByteSink {
 public:
  Status Write(std::string_view d) override {
    sizes.push_back(d.size());
    return Status::Ok();
  }
  std::vector<size_t> sizes;
};

TEST(ZipWriterTest, BufferedSinkForwardsWholeMiBBlocks) {
  CountingSink counter;
  BufferedByteSink buffered(&counter);
  ZipWriter w(&buffered);
  for (int i = 0; i < 2000; ++i) {
    ARKWIKI_ASSERT_OK(w.AddBytes("f" + std::to_string(i), TextBytes(3000), kAuto));
  }
  ARKWIKI_ASSERT_OK(w.AddBytes("big", PseudoRandomBytes(5 << 20), kStore));
  ARKWIKI_ASSERT_OK(w.Finish());
  ASSERT_GE(counter.sizes.size(), 2u);
  for (size_t i = 0; i + 1 < counter.sizes.size(); ++i) EXPECT_EQ(counter.sizes[i], 1u << 20);
  uint64_t total = 0;
  for (size_t n : counter.sizes) total += n;
  EXPECT_EQ(total, w.bytes_written());
}

class FailingSink : public ByteSink {
 public:
  explicit FailingSink(int ok_writes) : ok_writes_(ok_writes) {}
  Status Write(std::string_view) override {
    return ok_writes_-- > 0 ? Status::Ok() : Status::IoError("connection reset by peer");
  }

 private:
  int ok_writes_;
};

TEST(ZipWriterTest, SinkErrorAbortsAndIsSticky) {
  FailingSink sink(1);
  ZipWriter w(&sink);
  Status s = w.AddBytes("a", "hello", kStore);  // header ok, data fails
  EXPECT_EQ(s.code(), StatusCode::kIoError);
  EXPECT_EQ(w.AddBytes("b", "x", kStore).code(), StatusCode::kIoError);
  EXPECT_EQ(w.Finish().code(), StatusCode::kIoError);
}

// Writes an archive to `path` through `env` the way a backup would.
Status WriteSampleArchive(Env* env, const std::string& path, bool buffered) {
  ARKWIKI_ASSIGN_OR_RETURN(auto file, FileByteSink::Create(env, path, CreateMode::kTruncate));
  BufferedByteSink buffer(file.get());
  ZipWriter w(buffered ? static_cast<ByteSink*>(&buffer) : file.get());
  ARKWIKI_RETURN_IF_ERROR(w.AddBytes("a.txt", TextBytes(300'000), kAuto));
  ARKWIKI_RETURN_IF_ERROR(w.AddBytes("b.bin", PseudoRandomBytes(3 << 20), kStore));
  ARKWIKI_RETURN_IF_ERROR(w.AddBytes("c.txt", "tail", kAuto));
  ARKWIKI_RETURN_IF_ERROR(w.Finish());
  ARKWIKI_RETURN_IF_ERROR(file->Sync());
  return file->Close();
}

TEST(ZipWriterTest, ReturnsNoSpaceWhenDiskFillsMidWrite) {
  TempDir dir;
  for (bool buffered : {false, true}) {
    uint64_t failures = 0;
    for (uint64_t n = 1;; ++n) {
      FaultInjectionEnv env(Env::Default());
      env.FailAt(n, StatusCode::kNoSpace);
      Status s = WriteSampleArchive(&env, dir.Sub("out.zip"), buffered);
      if (!env.triggered()) {
        ARKWIKI_ASSERT_OK(s);
        break;
      }
      EXPECT_EQ(s.code(), StatusCode::kNoSpace) << "fail_at " << n << ": " << s.ToString();
      ++failures;
    }
    EXPECT_GE(failures, buffered ? 4u : 10u);
  }
  auto reader = ZipReader::Open(Env::Default(), dir.Sub("out.zip"));
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
}

TEST(ZipWriterTest, DiskFullDuringEntryDataIsReportedByAddBytes) {
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  auto file = FileByteSink::Create(&env, dir.Sub("out.zip"));
  ASSERT_TRUE(file.ok());
  env.FailAt(env.operations() + 3);  // header ok, first data block ok, second fails
  ZipWriter w(file->get());
  Status s = w.AddBytes("big.bin", PseudoRandomBytes(3 << 20), kStore);
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ(w.Finish().code(), StatusCode::kNoSpace);
}

}  // namespace
}  // namespace arkwiki
