// ExtractWriter: unpacked files written on a second thread, in order, with
// sticky errors; and the durability contract of Restorer::Stage (no fsync
// per file, one file-system sync before it returns).
#include "verify/extract_writer.h"

#include <gtest/gtest.h>

#include <mutex>
#include <vector>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

using testing::PseudoRandomBytes;
using testing::TempDir;
using testing::TextBytes;

std::string Slurp(const std::string& path) {
  auto s = ReadFileToString(Env::Default(), path, 64 << 20);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : "";
}

TEST(ExtractWriterTest, WritesEveryFileWithItsDirectories) {
  TempDir dir;
  const std::string big = PseudoRandomBytes((3 << 20) + 5);
  {
    ExtractWriter w(Env::Default(), dir.path());
    for (int i = 0; i < 300; ++i) {
      const std::string path =
          dir.Sub("uploads/" + std::to_string(i % 17) + "/f" + std::to_string(i));
      const std::string text = TextBytes(static_cast<size_t>(i) * 13);
      ARKWIKI_ASSERT_OK(w.Begin(path, text.size(), "f", Sha256Hex(text)));
      for (size_t at = 0; at < text.size(); at += 100) {
        ARKWIKI_ASSERT_OK(w.Write(std::string_view(text).substr(at, 100)));
      }
      ARKWIKI_ASSERT_OK(w.End());
    }
    ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("database/big.db"), big.size(), "db", Sha256Hex(big)));
    for (size_t at = 0; at < big.size(); at += 1 << 20) {
      ARKWIKI_ASSERT_OK(w.Write(std::string_view(big).substr(at, 1 << 20)));
    }
    ARKWIKI_ASSERT_OK(w.End());
    ARKWIKI_ASSERT_OK(w.Drain());
  }
  for (int i = 0; i < 300; i += 37) {
    EXPECT_EQ(Slurp(dir.Sub("uploads/" + std::to_string(i % 17) + "/f" + std::to_string(i))),
              TextBytes(static_cast<size_t>(i) * 13));
  }
  EXPECT_TRUE(Slurp(dir.Sub("database/big.db")) == big);
}

TEST(ExtractWriterTest, RefusesToReplaceAFileAndTheErrorSticks) {
  TempDir dir;
  testing::WriteFileOrDie(dir.Sub("taken"), "old");
  ExtractWriter w(Env::Default(), dir.path());
  ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("taken"), 3, "taken", Sha256Hex("new")));  // fails later
  (void)w.Write("new");
  (void)w.End();
  EXPECT_EQ(w.Drain().code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(w.Begin(dir.Sub("other"), 1, "other", Sha256Hex("x")).code(),
            StatusCode::kAlreadyExists);
  EXPECT_EQ(Slurp(dir.Sub("taken")), "old");
  EXPECT_FALSE(*Env::Default()->FileExists(dir.Sub("other")));
}

// An adopted file is the file that held the bytes, moved into place in
// its turn; a file in the way is not replaced, and a source that is gone is
// an I/O error.
TEST(ExtractWriterTest, AnAdoptedFileIsMovedIntoPlaceInItsTurn) {
  TempDir dir;
  const std::string big = PseudoRandomBytes((2 << 20) + 3);
  testing::WriteFileOrDie(dir.Sub("piece-0"), big);
  testing::WriteFileOrDie(dir.Sub("piece-1"), "mine");
  testing::WriteFileOrDie(dir.Sub("taken"), "old");
  {
    ExtractWriter w(Env::Default(), dir.path());
    ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("uploads/ab/first"), 5, "first", Sha256Hex("first")));
    ARKWIKI_ASSERT_OK(w.Write("first"));
    ARKWIKI_ASSERT_OK(w.End());
    ARKWIKI_ASSERT_OK(w.Adopt(dir.Sub("uploads/cd/big"), dir.Sub("piece-0")));
    ARKWIKI_ASSERT_OK(w.Drain());
  }
  EXPECT_EQ(Slurp(dir.Sub("uploads/ab/first")), "first");
  EXPECT_TRUE(Slurp(dir.Sub("uploads/cd/big")) == big);
  EXPECT_FALSE(*Env::Default()->FileExists(dir.Sub("piece-0")));
  {
    ExtractWriter w(Env::Default(), dir.path());
    ARKWIKI_ASSERT_OK(w.Adopt(dir.Sub("taken"), dir.Sub("piece-1")));
    EXPECT_EQ(w.Drain().code(), StatusCode::kAlreadyExists);
  }
  EXPECT_EQ(Slurp(dir.Sub("taken")), "old");
  EXPECT_EQ(Slurp(dir.Sub("piece-1")), "mine");
  {
    ExtractWriter w(Env::Default(), dir.path());
    ARKWIKI_ASSERT_OK(w.Adopt(dir.Sub("gone"), dir.Sub("piece-9")));
    EXPECT_EQ(w.Drain().code(), StatusCode::kIoError);
  }
}

// The caller queues tiny files until a call fails. However late the writing
// thread runs, the caller learns of the failure once the queue is full: it
// then waits in Push until the writing thread has failed and dropped the
// queue. So the caller stops within one queue's worth of files after the
// failing one (each tiny file counts as 4 KiB against kMaxQueuedBytes), and
// no timing is assumed.
TEST(ExtractWriterTest, FailureOnTheWriterThreadStopsTheRest) {
  constexpr int kQueueFiles = static_cast<int>(ExtractWriter::kMaxQueuedBytes / 4096);
  TempDir dir;
  FaultInjectionEnv env(Env::Default());
  env.FailAt(5);  // within the first five files: each takes at least one call
  ExtractWriter w(&env, dir.path());
  Status s;
  int begun = 0;
  for (int i = 0; s.ok(); ++i, ++begun) {
    ASSERT_LE(begun, 5 + kQueueFiles + 1) << "the caller never learnt of the failure";
    s = w.Begin(dir.Sub("d/f" + std::to_string(i)), 10, "f", Sha256Hex(std::string(10, 'z')));
    if (s.ok()) s = w.Write(std::string(10, 'z'));
    if (s.ok()) s = w.End();
  }
  EXPECT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
  EXPECT_TRUE(env.triggered());
  EXPECT_EQ(w.Drain().code(), StatusCode::kNoSpace);
}

// The hashing thread may reach a file after the writing thread has failed
// on a later one: the earlier file's mismatch is still the one reported.
TEST(ExtractWriterTest, EarliestFailingFileIsReportedWhateverFailsLater) {
  for (int run = 0; run < 20; ++run) {
    TempDir dir;
    testing::WriteFileOrDie(dir.Sub("taken"), "old");
    ExtractWriter w(Env::Default(), dir.path());
    ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("a"), 5, "uploads/aa/a", Sha256Hex("hello")));
    ARKWIKI_ASSERT_OK(w.Write("hellO"));  // altered
    ARKWIKI_ASSERT_OK(w.End());
    Status s = w.Begin(dir.Sub("taken"), 3, "uploads/bb/b", Sha256Hex("new"));
    if (s.ok()) s = w.Write("new");
    if (s.ok()) s = w.End();
    Status drained = w.Drain();
    EXPECT_EQ(drained.code(), StatusCode::kCorruption) << drained.ToString();
    EXPECT_EQ(drained.message(),
              "uploads/aa/a does not match the SHA-256 in the manifest: it was altered or "
              "damaged");
  }
}

TEST(ExtractWriterTest, ChecksEveryFilesSha256) {
  TempDir dir;
  ExtractWriter w(Env::Default(), dir.path());
  ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("a"), 5, "uploads/aa/a", Sha256Hex("hello")));
  ARKWIKI_ASSERT_OK(w.Write("hello"));
  ARKWIKI_ASSERT_OK(w.End());
  ARKWIKI_ASSERT_OK(w.Drain());
  ARKWIKI_ASSERT_OK(w.Begin(dir.Sub("b"), 5, "config/settings.json", Sha256Hex("hello")));
  ARKWIKI_ASSERT_OK(w.Write("hellO"));
  (void)w.End();
  Status s = w.Drain();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_EQ(s.message(),
            "config/settings.json does not match the SHA-256 in the manifest: it was altered or "
            "damaged");
}

// Records what Restorer::Stage asks of the file system.
class SyncLogEnv : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto f, target()->NewWritableFile(p, m));
    Log("create " + p);
    return std::unique_ptr<WritableFile>(new File(std::move(f), this, p));
  }
  Result<std::unique_ptr<FileSystemSync>> NewFileSystemSync(const std::string& dir) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto s, target()->NewFileSystemSync(dir));
    Log("open-syncfs " + dir);
    return std::unique_ptr<FileSystemSync>(new FsSync(std::move(s), this));
  }
  void Log(const std::string& what) {
    std::lock_guard<std::mutex> lock(mu_);
    log.push_back(what);
  }
  std::vector<std::string> log;

 private:
  class File : public WritableFile {
   public:
    File(std::unique_ptr<WritableFile> f, SyncLogEnv* env, std::string path)
        : f_(std::move(f)), env_(env), path_(std::move(path)) {}
    Status Append(std::string_view d) override { return f_->Append(d); }
    Status Sync() override {
      env_->Log("fsync " + path_);
      return f_->Sync();
    }
    Status Close() override { return f_->Close(); }

   private:
    std::unique_ptr<WritableFile> f_;
    SyncLogEnv* env_;
    std::string path_;
  };
  class FsSync : public FileSystemSync {
   public:
    FsSync(std::unique_ptr<FileSystemSync> s, SyncLogEnv* env) : s_(std::move(s)), env_(env) {}
    Status Sync() override {
      env_->Log("syncfs");
      return s_->Sync();
    }

   private:
    std::unique_ptr<FileSystemSync> s_;
    SyncLogEnv* env_;
  };
  std::mutex mu_;
};

TEST(RestoreDurabilityTest, StageSyncsTheFileSystemOnceAfterEveryUnpackedFile) {
  TempDir dir;
  const std::string source = dir.Sub("source"), live = dir.Sub("live");
  testing::SeedWikiAt(source, "a");
  ASSERT_TRUE(WriteBackupToFile(Env::Default(), DataDirLayout(source), dir.Sub("a.zip")).ok());
  ASSERT_TRUE(Storage::Open(Env::Default(), live).ok());
  SyncLogEnv env(Env::Default());
  auto staged = Restorer(&env, DataDirLayout(live)).Stage(dir.Sub("a.zip"), ImportOptions{});
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  size_t opened = env.log.size(), synced = env.log.size(), last_upload = 0, uploads = 0;
  for (size_t i = 0; i < env.log.size(); ++i) {
    const std::string& e = env.log[i];
    if (e.rfind("open-syncfs ", 0) == 0 && opened == env.log.size()) opened = i;
    if (e == "syncfs") synced = i;
    if (e.rfind("create ", 0) == 0 && e.find("/uploads/") != std::string::npos) {
      last_upload = i;
      uploads += 1;
    }
    EXPECT_FALSE(e.rfind("fsync ", 0) == 0 && e.find("/uploads/") != std::string::npos) << e;
  }
  EXPECT_GT(uploads, 0u);
  ASSERT_LT(opened, env.log.size()) << "no file-system sync was opened";
  ASSERT_LT(synced, env.log.size()) << "the file system was never synced";
  EXPECT_LT(opened, last_upload);  // opened first: it sees every write-back error
  EXPECT_GT(synced, last_upload);  // and synced after the last file
}

}  // namespace
}  // namespace arkwiki
