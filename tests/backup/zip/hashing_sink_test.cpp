// HashingSink (the archive's SHA-256 and forwarding on two threads) and
// FileByteSink's write-back windows and direct I/O.
#include "zip/hashing_sink.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <mutex>
#include <vector>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

using testing::PseudoRandomBytes;
using testing::TempDir;

// Records every write; fails the Nth one (1-based) when fail_at is set.
class RecordingSink : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    std::lock_guard<std::mutex> lock(mu_);
    writes.emplace_back(data);
    aligned = aligned && reinterpret_cast<uintptr_t>(data.data()) % kDirectIoAlignment == 0;
    if (fail_at != 0 && writes.size() >= fail_at) return Status::NoSpace("disk full");
    return Status::Ok();
  }
  Status Flush() override {
    flushes += 1;
    return Status::Ok();
  }
  std::string All() const {
    std::string out;
    for (const std::string& w : writes) out += w;
    return out;
  }
  std::vector<std::string> writes;
  size_t fail_at = 0;
  int flushes = 0;
  bool aligned = true;

 private:
  std::mutex mu_;
};

TEST(HashingSinkTest, ForwardsEverythingInOrderAndHashesIt) {
  const std::string all = PseudoRandomBytes(1'000'003);
  for (size_t block : {size_t{7}, size_t{4096}, size_t{65536}}) {
    // A handful of blocks per thread hand-off at the smallest size is enough.
    const std::string data = all.substr(0, block < 4096 ? 30'011 : all.size());
    for (size_t blocks : {size_t{2}, size_t{6}}) {
      RecordingSink target;
      std::string archive_hash;
      {
        HashingSink sink(&target, block, blocks);
        // Writes of every shape: tiny, exactly a block, several blocks.
        size_t at = 0;
        for (size_t piece = 1; at < data.size(); piece = piece * 3 + 1) {
          const size_t n = std::min(piece % 200'000, data.size() - at);
          ARKWIKI_ASSERT_OK(sink.Write(std::string_view(data).substr(at, n)));
          at += n;
        }
        ARKWIKI_ASSERT_OK(sink.Flush());
        EXPECT_EQ(sink.bytes(), data.size());
        archive_hash = sink.FinishHex();
      }
      EXPECT_EQ(archive_hash, Sha256Hex(data)) << block << " x " << blocks;
      EXPECT_TRUE(target.All() == data) << block << " x " << blocks;
      EXPECT_EQ(target.flushes, 1);
      EXPECT_TRUE(target.aligned);
      for (size_t i = 0; i + 1 < target.writes.size(); ++i) {
        EXPECT_EQ(target.writes[i].size(), block) << "write " << i;  // whole blocks
      }
    }
  }
}

// A restarted sink sends the next stream to its new target and hashes it
// alone, with the same threads and blocks.
TEST(HashingSinkTest, RestartSendsAndHashesTheNextStreamAlone) {
  const std::string first = PseudoRandomBytes((3 << 20) + 77, 1);
  const std::string second = PseudoRandomBytes((2 << 20) + 5, 2);
  StringByteSink a, b;
  HashingSink sink(&a, 1 << 20, 3);
  for (size_t at = 0; at < first.size(); at += 300000) {
    ARKWIKI_ASSERT_OK(sink.Write(std::string_view(first).substr(at, 300000)));
  }
  ARKWIKI_ASSERT_OK(sink.Flush());
  EXPECT_EQ(sink.FinishHex(), Sha256Hex(first));
  ARKWIKI_ASSERT_OK(sink.Restart(&b));
  ARKWIKI_ASSERT_OK(sink.Write(second));
  // Not again before the stream is flushed: nothing changes.
  StringByteSink c;
  EXPECT_EQ(sink.Restart(&c).code(), StatusCode::kInvalidArgument);
  ARKWIKI_ASSERT_OK(sink.Flush());
  EXPECT_EQ(sink.FinishHex(), Sha256Hex(second));
  EXPECT_TRUE(a.data() == first);
  EXPECT_TRUE(b.data() == second);
}

TEST(HashingSinkTest, HashesByteRangesAcrossBlocks) {
  const std::string data = PseudoRandomBytes(300'000);
  RecordingSink target;
  HashingSink sink(&target, 4096, 3);
  // Ranges inside one block, across many, starting and ending anywhere.
  const std::vector<std::pair<size_t, size_t>> ranges = {
      {0, 10}, {10, 4096}, {4096, 4097}, {5000, 5000}, {5000, 70'001}, {70'001, 300'000}};
  size_t at = 0;
  for (const auto& [from, to] : ranges) {
    ARKWIKI_ASSERT_OK(sink.Write(std::string_view(data).substr(at, from - at)));
    ASSERT_TRUE(sink.BeginSha256Range());
    for (size_t p = from; p < to; p += 777) {
      ARKWIKI_ASSERT_OK(
          sink.Write(std::string_view(data).substr(p, std::min<size_t>(777, to - p))));
    }
    auto hex = sink.EndSha256Range();
    ASSERT_TRUE(hex.ok()) << hex.status().ToString();
    EXPECT_EQ(*hex, Sha256Hex(std::string_view(data).substr(from, to - from)))
        << from << ".." << to;
    at = to;
  }
  ARKWIKI_ASSERT_OK(sink.Flush());
  EXPECT_EQ(sink.FinishHex(), Sha256Hex(data));
  EXPECT_TRUE(target.All() == data);
}

TEST(HashingSinkTest, ZipWriterTakesStoredEntryHashesFromTheSink) {
  const std::string big = PseudoRandomBytes((3 << 20) + 17);
  RecordingSink target;
  HashingSink sink(&target);
  ZipWriter zip(&sink);
  EntryInfo info;
  ARKWIKI_ASSERT_OK(zip.AddBytes("a.bin", big, {EntryOptions::Method::kStore, 1, 0}, &info));
  EXPECT_EQ(info.sha256, Sha256Hex(big));
  ARKWIKI_ASSERT_OK(zip.AddBytes("b.txt", testing::TextBytes(100'000), {}, &info));
  EXPECT_EQ(info.sha256, Sha256Hex(testing::TextBytes(100'000)));
  ARKWIKI_ASSERT_OK(zip.Finish());
}

TEST(HashingSinkTest, TargetErrorIsStickyAndStopsForwarding) {
  RecordingSink target;
  target.fail_at = 3;
  HashingSink sink(&target, 1024, 2);
  const std::string block(1024, 'x');
  Status s;
  for (int i = 0; i < 50 && s.ok(); ++i) s = sink.Write(block);
  if (s.ok()) s = sink.Flush();
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_EQ(sink.Write(block).code(), StatusCode::kNoSpace);
  EXPECT_EQ(sink.Flush().code(), StatusCode::kNoSpace);
  EXPECT_EQ(target.writes.size(), 3u);  // nothing after the failed write
  EXPECT_EQ(target.flushes, 0);
}

TEST(HashingSinkTest, DestroyedWithoutFlushDropsTheRest) {
  RecordingSink target;
  {
    HashingSink sink(&target, 1024, 4);
    ARKWIKI_ASSERT_OK(sink.Write(std::string(1500, 'y')));
  }  // the archive was abandoned: no flush, no hang
  EXPECT_LE(target.All().size(), 1024u);
  EXPECT_EQ(target.flushes, 0);
}

// Records the write-back hints a FileByteSink gives its file.
class HintEnv : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  struct Hint {
    uint64_t offset, length;
    bool wait;
  };
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto f, target()->NewWritableFile(p, m));
    return std::unique_ptr<WritableFile>(new File(std::move(f), this));
  }
  std::vector<Hint> hints;
  int syncs = 0;
  bool direct_asked = false;

 private:
  class File : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> f, HintEnv* env) : f_(std::move(f)), env_(env) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Sync() override {
      env_->syncs += 1;
      return f_->Sync();
    }
    Status Close() override { return f_->Close(); }
    Status WriteBack(uint64_t offset, uint64_t length, bool wait) override {
      env_->hints.push_back({offset, length, wait});
      return f_->WriteBack(offset, length, wait);
    }
    bool UseDirectIo() override {
      env_->direct_asked = true;
      return f_->UseDirectIo();
    }

   private:
    std::unique_ptr<WritableFile> f_;
    HintEnv* env_;
  };
};

TEST(FileByteSinkTest, StartsWriteBackPerWindowAndWaitsOnlyForTheOneBefore) {
  TempDir dir;
  HintEnv env(Env::Default());
  auto sink = FileByteSink::Create(&env, dir.Sub("out"), CreateMode::kExclusive, 100);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  for (int i = 0; i < 7; ++i) ARKWIKI_ASSERT_OK((*sink)->Write(std::string(50, 'a')));
  EXPECT_EQ(env.syncs, 0);  // no synchronous fdatasync while writing
  ASSERT_EQ(env.hints.size(), 5u);
  auto expect = [&](size_t i, uint64_t off, uint64_t len, bool wait) {
    EXPECT_EQ(env.hints[i].offset, off) << i;
    EXPECT_EQ(env.hints[i].length, len) << i;
    EXPECT_EQ(env.hints[i].wait, wait) << i;
  };
  expect(0, 0, 100, false);
  expect(1, 100, 100, false);
  expect(2, 0, 100, true);
  expect(3, 200, 100, false);
  expect(4, 100, 100, true);
  ARKWIKI_ASSERT_OK((*sink)->Sync());
  EXPECT_EQ(env.syncs, 1);
  ARKWIKI_ASSERT_OK((*sink)->Close());
  EXPECT_EQ(*ReadFileToString(Env::Default(), dir.Sub("out")), std::string(350, 'a'));
}

TEST(FileByteSinkTest, DirectIoWritesExactlyTheBytes) {
  TempDir dir;
  HintEnv env(Env::Default());
  auto sink = FileByteSink::Create(&env, dir.Sub("out"), CreateMode::kExclusive, 2 << 20);
  ASSERT_TRUE(sink.ok()) << sink.status().ToString();
  EXPECT_TRUE((*sink)->UseDirectIo());
  EXPECT_TRUE(env.direct_asked);
  const std::string data = PseudoRandomBytes((5 << 20) + 123);
  // Through a HashingSink: aligned 1 MiB blocks go direct, the tail through
  // the page cache (or all of it, where the file system refuses O_DIRECT).
  std::string hash;
  {
    HashingSink hashed(sink->get());
    ARKWIKI_ASSERT_OK(hashed.Write(data));
    ARKWIKI_ASSERT_OK(hashed.Flush());
    hash = hashed.FinishHex();
  }
  // And an unaligned write after aligned ones.
  ARKWIKI_ASSERT_OK((*sink)->Write("tail"));
  ARKWIKI_ASSERT_OK((*sink)->Sync());
  ARKWIKI_ASSERT_OK((*sink)->Close());
  EXPECT_EQ(hash, Sha256Hex(data));
  auto back = ReadFileToString(Env::Default(), dir.Sub("out"), 64 << 20);
  ASSERT_TRUE(back.ok());
  EXPECT_TRUE(*back == data + "tail");
}

}  // namespace
}  // namespace arkwiki
