// Repository of restore points: snapshot, dedup, list, delete, prune,
// check, export, and faults at every step of a snapshot and a prune.
#include "arkwiki/backup/repository.h"

#include <gtest/gtest.h>

#include <fstream>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/storage/storage.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/repository/point_database.h"
#include "repository/pack_store.h"
#include "repository/repo_layout.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class RepositoryTest : public ::testing::Test {
 protected:
  void SetUp() override { testing::SeedWikiAt(data_, "a"); }

  std::unique_ptr<Repository> Open(Env* env = Env::Default()) {
    auto repo = Repository::Open(env, DataDirLayout(data_), repo_dir_);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  SnapshotInfo Snap(const std::string& label = "") {
    SnapshotRequest request{SnapshotTrigger::kManual, "ann", label};
    auto point = Open()->Snapshot(request);
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    return point.ok() ? *point : SnapshotInfo{};
  }
  void AddUpload(const std::string& name, const std::string& data) {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::AddUpload(**storage, "home", name, data);
  }
  // Exports `id` and verifies the archive as an import would.
  Result<VerifyReport> ExportAndVerify(const std::string& id) {
    const std::string path = dir_.Sub(id + ".zip");
    auto exported = Open()->ExportToFile(id, path);
    if (!exported.ok()) return exported.status();
    return VerifyArchive(Env::Default(), path);
  }
  // Loose objects and packed ones.
  size_t ObjectCount() {
    RepoLayout repo(repo_dir_);
    size_t n = PackIndex::Load(Env::Default(), repo)->size();
    auto prefixes = Env::Default()->ListDir(repo.objects);
    for (const DirEntry& p : *prefixes) {
      if (p.name != "packs") n += Env::Default()->ListDir(JoinPath(repo.objects, p.name))->size();
    }
    return n;
  }
  void PruneFailingAtEveryStep(size_t manifest_files_held);
  // A loose object: the test must have stored one (kPackObjectLimit or more).
  std::string AnyLooseObject() {
    RepoLayout repo(repo_dir_);
    auto prefixes = Env::Default()->ListDir(repo.objects);
    for (const DirEntry& p : *prefixes) {
      if (p.name == "packs") continue;
      const std::string dir = JoinPath(repo.objects, p.name);
      return JoinPath(dir, Env::Default()->ListDir(dir)->at(0).name);
    }
    ADD_FAILURE() << "no loose object";
    return "";
  }
  void AddLargeUpload(const std::string& name) {
    AddUpload(name, std::string(kPackObjectLimit + 100, name[0]));
  }
  void AssertHealthy() {
    auto report = Open()->Check(CheckOptions{100, 0});
    ASSERT_TRUE(report.ok()) << report.status().ToString();
    EXPECT_TRUE(report->ok());
  }

  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string repo_dir_ = DefaultBackupDir(data_);
};

void FlipByte(const std::string& path) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  char c = 0;
  f.seekg(0);
  f.get(c);
  f.seekp(0);
  f.put(static_cast<char>(c ^ 0x01));
}

TEST_F(RepositoryTest, SnapshotIsListedWithItsDetailsAndPassedCheck) {
  SnapshotInfo made = Snap("before upgrade");
  ASSERT_TRUE(IsSnapshotId(made.id)) << made.id;
  auto points = Open()->List();
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  const SnapshotInfo& p = points->front();
  EXPECT_EQ(p.id, made.id);
  EXPECT_EQ(p.trigger, SnapshotTrigger::kManual);
  EXPECT_EQ(p.made_by, "ann");
  EXPECT_EQ(p.label, "before upgrade");
  EXPECT_GT(p.total_bytes, 0u);
  // The first one stores everything, but a database page repeated in the
  // database (empty ones) only once, and the chunks compressed.
  EXPECT_LE(p.new_bytes, p.total_bytes);
  EXPECT_GT(p.new_bytes, p.total_bytes / 10);
  EXPECT_GT(p.file_count, 2u);
  EXPECT_EQ(p.check.state, CheckStatus::State::kPassed);
}

TEST_F(RepositoryTest, ExportedSnapshotVerifiesAndMatchesBackupCreate) {
  SnapshotInfo made = Snap();
  auto report = ExportAndVerify(made.id);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  auto created = WriteBackupToFile(Env::Default(), DataDirLayout(data_), dir_.Sub("create.zip"));
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  const Manifest& a = report->manifest;
  const Manifest& b = created->manifest;
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].sha256, b.files[i].sha256) << a.files[i].path;
  }
  EXPECT_EQ(a.counts.pages, b.counts.pages);
  EXPECT_EQ(a.counts.uploads, b.counts.uploads);
  EXPECT_EQ(a.instance_id, b.instance_id);
}

TEST(RepositoryIdTest, SortsByCreationWithinOneSecond) {
  std::string newest;
  for (int i = 0; i < 50; ++i) {
    const std::string id = NewSnapshotId(1764681300, newest);
    ASSERT_TRUE(IsSnapshotId(id)) << id;
    ASSERT_GT(id, newest);
    newest = id;
  }
  EXPECT_EQ(newest.substr(0, 17), "20251202T131500Z-");
}

TEST_F(RepositoryTest, SecondSnapshotWithoutChangesStoresNoUploadAgain) {
  SnapshotInfo first = Snap();
  const size_t objects = ObjectCount();
  SnapshotInfo second = Snap();
  // No object but the head and tail of its manifest when its created_at
  // differs.
  size_t new_chunks = 0;
  const std::set<std::string> first_chunks = testing::PointChunks(RepoLayout(repo_dir_), first.id);
  for (const std::string& c : testing::PointChunks(RepoLayout(repo_dir_), second.id)) {
    new_chunks += first_chunks.count(c) == 0;
  }
  EXPECT_LE(new_chunks, 2u);
  EXPECT_EQ(ObjectCount(), objects + new_chunks);
  EXPECT_EQ(second.total_bytes, first.total_bytes);
  // Only the database and the settings file are new.
  EXPECT_LT(second.new_bytes, first.new_bytes);
  auto points = Open()->List();
  ASSERT_EQ(points->size(), 2u);
  EXPECT_LT(points->at(0).id, points->at(1).id);
}

TEST_F(RepositoryTest, DeleteThenPruneRemovesOnlyWhatNoSnapshotNeeds) {
  SnapshotInfo first = Snap();
  const size_t objects = ObjectCount();
  AddLargeUpload("new.bin");  // stored loose
  SnapshotInfo second = Snap();
  // The upload, and the chunks of the database its rows changed and of the
  // manifest that lists it.
  size_t new_chunks = 0;
  const std::set<std::string> first_chunks = testing::PointChunks(RepoLayout(repo_dir_), first.id);
  for (const std::string& c : testing::PointChunks(RepoLayout(repo_dir_), second.id)) {
    new_chunks += first_chunks.count(c) == 0;
  }
  EXPECT_EQ(ObjectCount(), objects + 1 + new_chunks);
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  EXPECT_EQ(Open()->Delete(second.id).code(), StatusCode::kNotFound);
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  // The loose upload, then the pack of chunks only the second named.
  EXPECT_EQ(pruned->objects_removed, 1u + new_chunks);
  EXPECT_GT(pruned->bytes_removed, kPackObjectLimit + 100);
  EXPECT_EQ(pruned->packs_removed, 1u);
  EXPECT_EQ(ObjectCount(), objects);
  AssertHealthy();
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(RepositoryTest, ListingNeverDeletesAnything) {
  Snap();
  AddUpload("new.bin", "unreferenced once the snapshot is gone");
  SnapshotInfo second = Snap();
  ASSERT_TRUE(Open()->Forget({second.id}).ok());
  const size_t objects = ObjectCount();
  ASSERT_TRUE(Open()->List().ok());
  EXPECT_EQ(ObjectCount(), objects);
}

TEST_F(RepositoryTest, CheckNamesTheSnapshotsThatNeedADamagedObjectAndSnapshotRepairsIt) {
  AddLargeUpload("large.bin");
  SnapshotInfo first = Snap();
  SnapshotInfo second = Snap();
  const std::string object = AnyLooseObject();
  FlipByte(object);
  auto report = Open()->Check(CheckOptions{100, 0});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_EQ(report->damaged[0].sha256, BaseName(object));
  EXPECT_EQ(report->damaged[0].problem, "damaged");
  EXPECT_EQ(report->damaged[0].snapshots, (std::vector<std::string>{first.id, second.id}));
  auto points = Open()->List();
  EXPECT_EQ(points->at(0).check.state, CheckStatus::State::kFailed);
  EXPECT_FALSE(points->at(0).check.message.empty());

  Snap();  // repairs from the intact live copy
  auto after = Open()->Check(CheckOptions{100, 0});
  ASSERT_TRUE(after.ok());
  EXPECT_TRUE(after->ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
  EXPECT_EQ(Open()->List()->at(0).check.state, CheckStatus::State::kPassed);
}

TEST_F(RepositoryTest, SnapshotReplacesALooseObjectOfTheWrongSizeOrAMissingOne) {
  AddLargeUpload("large.bin");
  AddLargeUpload("other.bin");
  SnapshotInfo first = Snap();
  std::string truncated, removed;
  RepoLayout repo(repo_dir_);
  auto prefixes = Env::Default()->ListDir(repo.objects);
  ASSERT_TRUE(prefixes.ok());
  for (const DirEntry& p : *prefixes) {
    if (p.name == "packs") continue;
    const std::string dir = JoinPath(repo.objects, p.name);
    auto objects = Env::Default()->ListDir(dir);
    ASSERT_TRUE(objects.ok());
    for (const DirEntry& e : *objects) {
      (truncated.empty() ? truncated : removed) = JoinPath(dir, e.name);
    }
  }
  ASSERT_FALSE(removed.empty());
  std::ofstream(truncated, std::ios::trunc) << "short";
  ASSERT_TRUE(Env::Default()->RemoveFile(removed).ok());

  SnapshotInfo second = Snap();
  // Both stored again (and the database and settings, as every time).
  EXPECT_GE(second.new_bytes, 2 * (kPackObjectLimit + 100));
  AssertHealthy();
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(RepositoryTest, SnapshotOfARowTheApiCouldNotHaveWrittenFailsAndAddsNoPoint) {
  AddUpload("a.txt", "some text");
  {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok());
    Status tampered =
        (*storage)->db().Exec("UPDATE uploads SET name='../escape' WHERE name='a.txt'");
    ASSERT_TRUE(tampered.ok()) << tampered.ToString();
  }
  auto point = Open()->Snapshot(SnapshotRequest{});
  ASSERT_FALSE(point.ok());
  EXPECT_EQ(point.status().code(), StatusCode::kCorruption);
  EXPECT_NE(point.status().message().find("the file name is not valid"), std::string::npos)
      << point.status().ToString();
  EXPECT_TRUE(Open()->List()->empty());
}

TEST_F(RepositoryTest, CheckWithoutReadingFindsAMissingObject) {
  AddLargeUpload("large.bin");
  SnapshotInfo first = Snap();
  ASSERT_TRUE(Env::Default()->RemoveFile(AnyLooseObject()).ok());
  auto report = Open()->Check(CheckOptions{0, 0});
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->objects_checked, 0u);
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_EQ(report->damaged[0].problem, "missing");
  EXPECT_EQ(report->damaged[0].snapshots, std::vector<std::string>{first.id});
}

TEST_F(RepositoryTest, ReadSubsetIsTheSameForTheSameSeed) {
  for (int i = 0; i < 20; ++i) AddUpload("f" + std::to_string(i), "content " + std::to_string(i));
  Snap();
  auto a = Open()->Check(CheckOptions{50, 7});
  auto b = Open()->Check(CheckOptions{50, 7});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(a->objects_checked, b->objects_checked);
  EXPECT_GT(a->objects_checked, 0u);
  EXPECT_LT(a->objects_checked, ObjectCount());
}

TEST_F(RepositoryTest, ABusyRepositoryRefusesASecondWriter) {
  ASSERT_NE(Open(), nullptr);
  auto lock = RepoLock::Acquire(RepoLayout(repo_dir_), "test");
  ASSERT_TRUE(lock.ok());
  auto point = Open()->Snapshot(SnapshotRequest{});
  EXPECT_EQ(point.status().code(), StatusCode::kBusy);
  EXPECT_EQ(Open()->Prune().status().code(), StatusCode::kBusy);
}

TEST_F(RepositoryTest, RefusesABackupDirInsideOrHoldingTheLiveData) {
  DataDirLayout layout(data_);
  EXPECT_EQ(
      Repository::Open(Env::Default(), layout, JoinPath(layout.live, "backups")).status().code(),
      StatusCode::kInvalidArgument);
  EXPECT_EQ(Repository::Open(Env::Default(), layout, layout.live).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_EQ(Repository::Open(Env::Default(), layout, data_).status().code(),
            StatusCode::kInvalidArgument);
  EXPECT_TRUE(Repository::Open(Env::Default(), layout, dir_.Sub("elsewhere")).ok());
}

// Disk full or an I/O error at every mutating step of a snapshot (object
// copies, the pack and the format upgrade, the manifest, the commit), each followed by the state
// the next run sees: the earlier restore point intact, the repository healthy.
TEST_F(RepositoryTest, FailureAtEveryStepOfASnapshotLeavesEarlierSnapshotsIntact) {
  SnapshotInfo first = Snap();
  AddUpload("a.bin", std::string(300000, 'a'));  // packed
  AddUpload("b.bin", std::string(5000, 'b'));    // packed
  AddLargeUpload("c.bin");                       // loose
  bool completed = false;
  for (uint64_t n = 1; !completed && n < 500; ++n) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(n, n % 2 ? StatusCode::kNoSpace : StatusCode::kIoError);
    auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_);
    Result<SnapshotInfo> point =
        repo.ok() ? (*repo)->Snapshot(SnapshotRequest{}) : Result<SnapshotInfo>(repo.status());
    completed = point.ok();
    if (completed) break;
    auto points = Open()->List();
    ASSERT_TRUE(points.ok()) << "n=" << n;
    ASSERT_GE(points->size(), 1u) << "n=" << n;
    ASSERT_EQ(points->front().id, first.id) << "n=" << n;
    // Only a failure after the commit point (the directory sync, and the
    // undo failing too) may leave the new one, complete: checked below.
    ASSERT_LE(points->size(), 2u) << "n=" << n;
    ASSERT_NO_FATAL_FAILURE(AssertHealthy()) << "n=" << n;
    ASSERT_TRUE(ExportAndVerify(first.id).ok()) << "n=" << n;
  }
  ASSERT_TRUE(completed);
  AssertHealthy();
  // The next locked run empties what the failures left.
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(Env::Default()->ListDir(RepoLayout(repo_dir_).tmp)->empty());
}

// Fails every read of the scratch files that hold the manifests' file
// lists.
class ScratchReadsFailEnv : public EnvWrapper {
 public:
  explicit ScratchReadsFailEnv(Env* target) : EnvWrapper(target) {}
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(p));
    if (p.find("arkwiki-manifest-files-") == std::string::npos) return file;
    return std::unique_ptr<RandomAccessFile>(new Failing(std::move(file)));
  }

 private:
  class Failing : public RandomAccessFile {
   public:
    explicit Failing(std::unique_ptr<RandomAccessFile> file) : file_(std::move(file)) {}
    Result<size_t> ReadAt(uint64_t, char*, size_t) const override {
      return Status::IoError("injected read error");
    }
    uint64_t Size() const override { return file_->Size(); }

   private:
    std::unique_ptr<RandomAccessFile> file_;
  };
};

// The scratch file is this machine's: when it fails, the check and the
// prune fail as runs, and neither blames a restore point nor removes
// anything.
TEST_F(RepositoryTest, AFailingScratchFileFailsCheckAndPruneNotTheRestorePoints) {
  SnapshotInfo first = Snap();
  for (int i = 0; i < 3; ++i) AddUpload("s" + std::to_string(i), "spilled " + std::to_string(i));
  SnapshotInfo second = Snap();
  RepositoryOptions options;
  options.manifest_files_held = 1;
  ScratchReadsFailEnv env(Env::Default());
  auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_, options);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  auto report = (*repo)->Check(CheckOptions{100, 0});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kIoError) << report.status().ToString();
  auto points = Open()->List();
  ASSERT_TRUE(points.ok());
  for (const SnapshotInfo& p : *points) {
    EXPECT_EQ(p.check.state, CheckStatus::State::kPassed) << p.id;
  }
  ASSERT_TRUE(Open()->Delete(first.id).ok());
  const size_t objects = ObjectCount();
  auto pruned = (*repo)->Prune();
  ASSERT_FALSE(pruned.ok());
  EXPECT_EQ(pruned.status().code(), StatusCode::kIoError) << pruned.status().ToString();
  EXPECT_EQ(ObjectCount(), objects);
  EXPECT_TRUE(ExportAndVerify(second.id).ok());
}

// Fails the n-th I/O step of a prune (alternately an I/O error and a full
// disk), for every n until one prune completes; the first restore point
// must stay whole throughout.
void RepositoryTest::PruneFailingAtEveryStep(size_t manifest_files_held) {
  SnapshotInfo first = Snap();
  for (int i = 0; i < 5; ++i) AddUpload("g" + std::to_string(i), "gone " + std::to_string(i));
  SnapshotInfo second = Snap();
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  RepositoryOptions options;
  options.manifest_files_held = manifest_files_held;
  bool completed = false;
  for (uint64_t n = 1; !completed && n < 200; ++n) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(n, n % 2 == 0 ? StatusCode::kNoSpace : StatusCode::kIoError);
    auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_, options);
    completed = repo.ok() && (*repo)->Prune().ok();
    ASSERT_NO_FATAL_FAILURE(AssertHealthy()) << "n=" << n;
  }
  ASSERT_TRUE(completed);
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(RepositoryTest, FailureAtEveryStepOfAPruneNeverRemovesANeededObject) {
  PruneFailingAtEveryStep(RepositoryOptions().manifest_files_held);
}

// Each manifest's files go to a scratch file and are read back twice.
TEST_F(RepositoryTest, FailureAtEveryStepOfAPruneSpillingManifestsNeverRemovesANeededObject) {
  PruneFailingAtEveryStep(1);
}

}  // namespace
}  // namespace arkwiki
