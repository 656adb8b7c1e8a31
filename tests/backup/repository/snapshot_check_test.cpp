// A snapshot checks its database copy on a thread of its own while the
// copy is stored as chunks: the check still decides, alone, whether a
// restore point is made, and a failed one leaves nothing prune would not
// remove, plain or encrypted.
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <filesystem>
#include <mutex>
#include <set>
#include <string>
#include <string_view>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "backup/repository/repository_fixture.h"

namespace arkwiki {
namespace {

// Holds the database check of a snapshot (its first look through the Env,
// for a -wal file beside the copy) until the copy has been read for its
// chunks and closed, so that the check can only end after the chunks were
// stored. A snapshot that checked first and chunked after would wait the
// whole limit: overlapped() then says it did not. With FailChunkWrites,
// every file created in the repository once the copy is open fails
// (NoSpace), as a full disk while the chunks are stored.
class CheckAfterChunksEnv final : public EnvWrapper {
 public:
  CheckAfterChunksEnv(std::string repo_tmp, std::string data_tmp, std::string repo_dir)
      : EnvWrapper(Env::Default()),
        repo_tmp_(std::move(repo_tmp) + "/"),
        data_tmp_(std::move(data_tmp) + "/"),
        repo_dir_(std::move(repo_dir) + "/") {}
  void FailChunkWrites() { fail_chunk_writes_ = true; }
  bool overlapped() {
    const std::lock_guard<std::mutex> lock(mu_);
    return overlapped_;
  }

  Result<bool> FileExists(const std::string& path) override {
    static constexpr std::string_view kWal = "-wal";
    if (EndsWith(path, kWal) && IsCopy(path.substr(0, path.size() - kWal.size()))) {
      const std::string db = path.substr(0, path.size() - kWal.size());
      std::unique_lock<std::mutex> lock(mu_);
      // Only so that a snapshot which never chunks beside its check fails
      // this test instead of hanging it.
      overlapped_ =
          cv_.wait_for(lock, std::chrono::seconds(60), [&] { return closed_.count(db) > 0; });
    }
    return target()->FileExists(path);
  }
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(path));
    if (!IsCopy(path)) return file;
    {
      const std::lock_guard<std::mutex> lock(mu_);
      opened_ = true;
    }
    return std::unique_ptr<RandomAccessFile>(new ClosingFile(this, path, std::move(file)));
  }
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& path,
                                                        CreateMode mode) override {
    if (fail_chunk_writes_ && path.rfind(repo_dir_, 0) == 0) {
      const std::lock_guard<std::mutex> lock(mu_);
      if (opened_) return Status::NoSpace("injected: disk full while storing chunks");
    }
    return target()->NewWritableFile(path, mode);
  }

 private:
  // A file that tells the Env when it is closed.
  class ClosingFile final : public RandomAccessFile {
   public:
    ClosingFile(CheckAfterChunksEnv* env, std::string path,
                std::unique_ptr<RandomAccessFile> target)
        : env_(env), path_(std::move(path)), target_(std::move(target)) {}
    ~ClosingFile() override {
      target_.reset();
      {
        const std::lock_guard<std::mutex> lock(env_->mu_);
        env_->closed_.insert(path_);
      }
      env_->cv_.notify_all();
    }
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      return target_->ReadAt(offset, buf, n);
    }
    uint64_t Size() const override { return target_->Size(); }

   private:
    CheckAfterChunksEnv* env_;
    std::string path_;
    std::unique_ptr<RandomAccessFile> target_;
  };

  static bool EndsWith(std::string_view s, std::string_view end) {
    return s.size() >= end.size() && s.substr(s.size() - end.size()) == end;
  }
  // A snapshot's copy of the database: tmp/<id>/database/arkwiki.db in the
  // repository (plain), or DATA/tmp/restore-point-*.db (encrypted).
  bool IsCopy(const std::string& path) const {
    if (path.rfind(repo_tmp_, 0) == 0) return EndsWith(path, std::string("/") + kDatabasePath);
    return path.rfind(data_tmp_ + "restore-point-", 0) == 0 && EndsWith(path, ".db");
  }

  const std::string repo_tmp_;
  const std::string data_tmp_;
  const std::string repo_dir_;
  bool fail_chunk_writes_ = false;  // set before the snapshot starts
  std::mutex mu_;
  std::condition_variable cv_;
  bool opened_ = false;
  std::set<std::string> closed_;
  bool overlapped_ = false;
};

constexpr char kNotBeside[] =
    "the check did not run beside the chunking: it waited the whole limit for the copy to be "
    "chunked";

// Plain (false) or encrypted (true).
class SnapshotCheckTest : public testing::RepositoryFixture,
                          public ::testing::WithParamInterface<bool> {
 protected:
  RepositoryOptions Options() override {
    RepositoryOptions options;
    options.encrypt = GetParam();
    options.passphrase = "correct horse";
    options.kdf = KdfParams::ForTests();
    return options;
  }
  std::unique_ptr<CheckAfterChunksEnv> NewEnv() {
    return std::make_unique<CheckAfterChunksEnv>(repo_.tmp, DataDirLayout(data_).tmp, repo_dir_);
  }
  Result<SnapshotInfo> SnapThrough(Env* env) {
    auto repo = Repository::Open(env, DataDirLayout(data_), repo_dir_, Options());
    if (!repo.ok()) return repo.status();
    return (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
  }
  // A row the API could not have written: the copy fails its check (rows).
  void TamperWithARow() {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    Status tampered =
        (*storage)->db().Exec("UPDATE uploads SET name='../escape' WHERE name='new.txt'");
    ASSERT_TRUE(tampered.ok()) << tampered.ToString();
  }
  // Every file under `dir` (none if it does not exist) whose name starts
  // with `prefix`, by path.
  static std::set<std::string> FilesUnder(const std::string& dir, const std::string& prefix = "") {
    std::set<std::string> files;
    if (!std::filesystem::exists(dir)) return files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
      if (e.is_regular_file() && e.path().filename().string().rfind(prefix, 0) == 0) {
        files.insert(e.path().string());
      }
    }
    return files;
  }
  // A first point, then a change (whose copy fails its check when
  // `tampered`), and the objects held before the next snapshot.
  struct Before {
    SnapshotInfo first;
    std::set<std::string> objects;
  };
  Before FirstPointThenAChange(bool tampered) {
    Before before{Snap(), {}};
    AddUpload("new.txt", "a change to the database");
    if (tampered) TamperWithARow();
    before.objects = FilesUnder(repo_.objects);
    return before;
  }
  // A failed snapshot: the first point alone, intact and healthy; after a
  // prune, exactly the objects held before and nothing in tmp/; no
  // plaintext copy of the database left in DATA/tmp.
  void ExpectOnlyTheFirstPoint(const SnapshotInfo& first,
                               const std::set<std::string>& objects_before) {
    auto points = Open()->List();
    ASSERT_TRUE(points.ok()) << points.status().ToString();
    ASSERT_EQ(points->size(), 1u);
    EXPECT_EQ(points->front().id, first.id);
    EXPECT_TRUE(ExportAndVerify(first.id).ok());
    EXPECT_TRUE(CheckAll().ok());
    EXPECT_TRUE(FilesUnder(DataDirLayout(data_).tmp, "restore-point-").empty());
    ASSERT_TRUE(Open()->Prune().ok());
    EXPECT_EQ(FilesUnder(repo_.objects), objects_before);
    EXPECT_TRUE(FilesUnder(repo_.tmp).empty());
  }
};

TEST_P(SnapshotCheckTest, ADatabaseCheckedWhileItsChunksAreStoredMakesAPoint) {
  Snap();
  AddUpload("new.txt", "a change to the database");
  auto env = NewEnv();
  Result<SnapshotInfo> point = SnapThrough(env.get());
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  EXPECT_TRUE(env->overlapped()) << kNotBeside;
  EXPECT_TRUE(ExportAndVerify(point->id).ok());
  EXPECT_TRUE(CheckAll().ok());
}

TEST_P(SnapshotCheckTest, ADatabaseFailingItsCheckWhileItsChunksAreStoredMakesNoPoint) {
  const Before before = FirstPointThenAChange(/*tampered=*/true);
  auto env = NewEnv();
  Result<SnapshotInfo> point = SnapThrough(env.get());
  EXPECT_TRUE(env->overlapped()) << kNotBeside;
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), StatusCode::kCorruption);
  EXPECT_NE(point.status().message().find("the database snapshot failed its check"),
            std::string::npos)
      << point.status().ToString();
  EXPECT_NE(point.status().message().find("the file name is not valid"), std::string::npos)
      << point.status().ToString();
  ExpectOnlyTheFirstPoint(before.first, before.objects);
}

// Both fail: the check's finding is the one error reported (it is the
// earlier step), not the full disk that followed it.
TEST_P(SnapshotCheckTest, ACheckFailureAndAFullDiskWhileStoringChunksReportTheCheck) {
  const Before before = FirstPointThenAChange(/*tampered=*/true);
  auto env = NewEnv();
  env->FailChunkWrites();
  Result<SnapshotInfo> point = SnapThrough(env.get());
  EXPECT_TRUE(env->overlapped()) << kNotBeside;
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), StatusCode::kCorruption) << point.status().ToString();
  EXPECT_NE(point.status().message().find("the file name is not valid"), std::string::npos)
      << point.status().ToString();
  EXPECT_EQ(point.status().message().find("injected"), std::string::npos)
      << point.status().ToString();
  ExpectOnlyTheFirstPoint(before.first, before.objects);
}

// A full disk while storing chunks, with a database that passes its check:
// that error, and no point.
TEST_P(SnapshotCheckTest, AFullDiskWhileStoringChunksBesideAPassingCheckIsReported) {
  const Before before = FirstPointThenAChange(/*tampered=*/false);
  auto env = NewEnv();
  env->FailChunkWrites();
  Result<SnapshotInfo> point = SnapThrough(env.get());
  EXPECT_TRUE(env->overlapped()) << kNotBeside;
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), StatusCode::kNoSpace) << point.status().ToString();
  ExpectOnlyTheFirstPoint(before.first, before.objects);
}

// A snapshot that makes no restore point leaves the repository's format
// as it was: an arkwiki that reads only up to version 4 still opens a
// repository whose first snapshot since the upgrade failed its check.
TEST_P(SnapshotCheckTest, AFailedCheckLeavesTheRepositoryFormatAsItWas) {
  Open();  // creates the repository
  std::string format = FormatFile();
  const std::string current = "\"format_version\": 5";
  const size_t at = format.find(current);
  ASSERT_NE(at, std::string::npos) << format;
  format.replace(at, current.size(), "\"format_version\": 4");
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), repo_.format_file, format).ok());
  AddUpload("new.txt", "a change to the database");
  TamperWithARow();
  auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_, Options());
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  Result<SnapshotInfo> point =
      (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), StatusCode::kCorruption) << point.status().ToString();
  EXPECT_EQ(FormatFile(), format);
}

INSTANTIATE_TEST_SUITE_P(PlainAndEncrypted, SnapshotCheckTest, ::testing::Bool(),
                         [](const ::testing::TestParamInfo<bool>& info) {
                           return info.param ? "Encrypted" : "Plain";
                         });

}  // namespace
}  // namespace arkwiki
