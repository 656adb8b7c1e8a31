// The copy engine and reading a target back: only what the target lacks is
// sent, the record goes last, a staged restore point exports to an archive
// an import accepts, and tampering on the target is refused.
#include "arkwiki/backup/offsite.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/resource.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/directory_target.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "offsite/offsite_record.h"
#include "repository/pack_store.h"
#include "repository/repo_layout.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class OffsiteCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedWikiAt(data_, "a");
    AddUpload("one.bin", std::string(3000, '1'));
    auto target = OpenDirectoryTarget(Env::Default(), target_dir_, true);
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    target_ = std::move(target).value();
    auto key = UnlockOrInitTarget(target_.get(), "pass phrase", KdfParams::ForTests());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::move(key).value();
  }
  std::unique_ptr<Repository> OpenRepo() {
    auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  // Copies restore point `id` to `target` on a thread of its own; the
  // outcome is in *copied once the thread is joined.
  std::thread CopyOnAThread(OffsiteTarget* target, const std::string& id,
                            Result<OffsiteCopyResult>* copied) {
    return std::thread([this, target, id, copied] {
      OffsiteCopier copier(Env::Default(), repo_dir_, target, *key_);
      *copied = copier.Copy(id);
    });
  }
  std::string Snap() {
    auto point = OpenRepo()->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    return point.ok() ? point->id : "";
  }
  void AddUpload(const std::string& name, const std::string& data) {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::AddUpload(**storage, "home", name, data);
  }
  Result<OffsiteCopyResult> Copy(const std::string& id) {
    OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
    return copier.Copy(id);
  }
  // Stages `id` from the target, exports it and verifies it as an import.
  Status RestoreCheck(const std::string& id) {
    testing::TempDir scratch;
    auto staged = StageTargetPoint(Env::Default(), target_.get(), *key_, id, scratch.Sub("stage"));
    if (!staged.ok()) return staged.status();
    auto repo =
        Repository::Open(Env::Default(), DataDirLayout(scratch.Sub("data")), scratch.Sub("stage"));
    if (!repo.ok()) return repo.status();
    const std::string zip = scratch.Sub("p.zip");
    Status s = (*repo)->ExportToFile(*staged, zip).status();
    if (!s.ok()) return s;
    return VerifyArchive(Env::Default(), zip).status();
  }
  std::string Path(const std::string& key) const { return target_dir_ + "/" + key; }
  std::vector<OffsiteObject> Objects() { return *target_->List(kObjectsPrefix); }
  std::vector<OffsiteObject> Packs() { return *target_->List(kPacksPrefix); }
  // An upload large enough to be an object of its own on the target.
  void AddLooseUpload(const std::string& name, char fill) {
    AddUpload(name, std::string(kPackedFileLimit + 1000, fill));
  }

  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string repo_dir_ = DefaultBackupDir(data_);
  std::string target_dir_ = dir_.Sub("target");
  // Two files held: every manifest read back spills to its scratch file.
  OffsiteScratch scratch_{Env::Default(), dir_.path(), 2};
  std::unique_ptr<OffsiteTarget> target_;
  std::unique_ptr<OffsiteKey> key_;
};

// Forwards every call to another target; subclasses change Put.
class ForwardingTarget : public OffsiteTarget {
 public:
  explicit ForwardingTarget(OffsiteTarget* inner) : inner_(inner) {}
  std::string Describe() const override { return inner_->Describe(); }
  Status Put(const std::string& key, const RandomAccessFile& source) override {
    return inner_->Put(key, source);
  }
  Status Get(const std::string& key, uint64_t max_bytes, ByteSink* sink) override {
    return inner_->Get(key, max_bytes, sink);
  }
  Result<uint64_t> Stat(const std::string& key) override { return inner_->Stat(key); }
  Result<std::vector<OffsiteObject>> List(const std::string& prefix) override {
    return inner_->List(prefix);
  }
  Status Remove(const std::string& key) override { return inner_->Remove(key); }

 private:
  OffsiteTarget* inner_;
};

// Fails the Nth Put and every later one, as a target that goes away
// part-way through a copy.
class FailingTarget : public ForwardingTarget {
 public:
  FailingTarget(OffsiteTarget* inner, int fail_at) : ForwardingTarget(inner), fail_at_(fail_at) {}
  Status Put(const std::string& key, const RandomAccessFile& source) override {
    if (++puts_ >= fail_at_) return Status::IoError("injected: the target went away");
    return ForwardingTarget::Put(key, source);
  }

 private:
  int fail_at_;
  int puts_ = 0;
};

// The first Put waits until Release(), after telling WaitUntilStalled()
// that it has begun: a target that takes hours, with the test deciding
// when the hours are over.
class StallingTarget : public ForwardingTarget {
 public:
  using ForwardingTarget::ForwardingTarget;
  Status Put(const std::string& key, const RandomAccessFile& source) override {
    ++puts_;
    if (!stalled_) {
      stalled_ = true;
      entered_.set_value();
      release_.get_future().wait();
    }
    return ForwardingTarget::Put(key, source);
  }
  void WaitUntilStalled() { entered_.get_future().wait(); }
  void Release() { release_.set_value(); }
  // Puts begun; read it once the copy has returned.
  int puts() const { return puts_; }

 private:
  int puts_ = 0;
  bool stalled_ = false;  // touched by the copying thread only
  std::promise<void> entered_;
  std::promise<void> release_;
};

void FlipByte(const std::string& path, long at) {
  std::fstream f(path, std::ios::in | std::ios::out | std::ios::binary);
  char c = 0;
  f.seekg(at);
  f.get(c);
  f.seekp(at);
  f.put(static_cast<char>(c ^ 0x01));
}

void CopyFile(const std::string& from, const std::string& to) {
  std::ifstream in(from, std::ios::binary);
  std::ofstream out(to, std::ios::binary | std::ios::trunc);
  out << in.rdbuf();
}

TEST_F(OffsiteCopyTest, CopiedPointIsListedAndRestoresToAnArchiveAnImportAccepts) {
  const std::string id = Snap();
  auto copied = Copy(id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->objects_present, 0u);
  EXPECT_EQ(copied->packs_sent, Packs().size());
  EXPECT_EQ(copied->packs_sent, 1u) << "the small files go up in one pack";
  auto record = ReadRecord(target_.get(), *key_, id, scratch_);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_EQ(copied->objects_sent, Objects().size() + record->packed.size());
  auto points = ListTargetPoints(target_.get(), *key_, scratch_);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->at(0).info.id, id);
  EXPECT_EQ(points->at(0).info.made_by, "ann");
  Status s = RestoreCheck("latest");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// Records, for each object put with a hash, whether the hash is that of
// the bytes the target was given.
class HashCheckingTarget : public ForwardingTarget {
 public:
  using ForwardingTarget::ForwardingTarget;
  Status PutHashed(const std::string& key, const RandomAccessFile& source,
                   const std::string& sha256_hex) override {
    std::string bytes(source.Size(), '\0');
    auto n = source.ReadAt(0, bytes.data(), bytes.size());
    if (!n.ok() || *n != bytes.size()) return Status::IoError("short read");
    (Sha256Hex(bytes) == sha256_hex ? matched : mismatched).push_back(key);
    return Put(key, source);
  }
  std::vector<std::string> matched;
  std::vector<std::string> mismatched;
};

TEST_F(OffsiteCopyTest, APointDeletedWhileItIsCopiedStillGetsItsRecord) {
  AddLooseUpload("big.bin", 'b');
  const std::string id = Snap();
  StallingTarget slow(target_.get());
  Result<OffsiteCopyResult> copied = Status::IoError("not run");
  std::thread copy = CopyOnAThread(&slow, id, &copied);
  slow.WaitUntilStalled();  // the copy has read the point and sends its files
  EXPECT_TRUE(OpenRepo()->Delete(id).ok());
  slow.Release();
  copy.join();
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  auto record = ReadRecord(target_.get(), *key_, id, scratch_);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  EXPECT_GT(record->manifest->Size(), 0u);
}

TEST_F(OffsiteCopyTest, EachObjectIsPutWithTheSha256OfItsEncryptedBytes) {
  HashCheckingTarget checking(target_.get());
  OffsiteCopier copier(Env::Default(), repo_dir_, &checking, *key_);
  auto copied = copier.Copy(Snap());
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  // Each loose object, each pack and the record (sealed into a spool file
  // as it is written) is one Put.
  EXPECT_EQ(checking.matched.size(), Objects().size() + Packs().size() + 1);
  EXPECT_EQ(checking.matched.back(), RecordKey(copied->id));
  EXPECT_EQ(Packs().size(), copied->packs_sent);
  EXPECT_GT(checking.matched.size(), 0u);
  EXPECT_TRUE(checking.mismatched.empty()) << checking.mismatched.front();
}

// A listing (the server's run for a target, /setup, backup snapshots
// --from) holds each restore point's counts, not its file list: many points
// of 200k files each would otherwise be held whole, for as long as /setup
// keeps its connection.
TEST_F(OffsiteCopyTest, ListedRestorePointsHoldTheirCountsNotTheirFileLists) {
  ASSERT_TRUE(Copy(Snap()).ok());
  auto points = ListTargetPoints(target_.get(), *key_, scratch_);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  const OffsitePoint& point = points->front();
  EXPECT_TRUE(point.manifest.files.empty());
  EXPECT_GE(point.manifest.counts.uploads, 1);
  EXPECT_GT(point.info.file_count, 2u);
  EXPECT_EQ(RestoreCheck(point.info.id).code(), StatusCode::kOk) << "staging reads the record";
}

TEST_F(OffsiteCopyTest, UnknownRestorePointIsNotFoundNamingTheTarget) {
  ASSERT_TRUE(Copy(Snap()).ok());
  testing::TempDir scratch;
  auto staged = StageTargetPoint(Env::Default(), target_.get(), *key_, "20200101T000000Z-abcdef",
                                 scratch.Sub("stage"));
  EXPECT_EQ(staged.status().code(), StatusCode::kNotFound);
  EXPECT_NE(staged.status().message().find("directory " + target_dir_), std::string::npos)
      << staged.status().message();
}

TEST_F(OffsiteCopyTest, SecondCopySendsOnlyWhatChanged) {
  AddLooseUpload("big.bin", 'b');
  ASSERT_TRUE(Copy(Snap()).ok());
  const size_t before = Objects().size() + Packs().size();
  AddUpload("two.bin", std::string(5000, '2'));
  auto second = Copy(Snap());
  ASSERT_TRUE(second.ok()) << second.status().ToString();
  // The new database snapshot and the new upload; settings, one.bin (in the
  // first pack) and big.bin (an object of its own) are there.
  EXPECT_EQ(second->objects_sent, 2u);
  EXPECT_GE(second->objects_present, 3u);
  EXPECT_EQ(second->packs_sent, 1u);
  EXPECT_LE(Objects().size() + Packs().size(), before + 2)
      << "a new pack, and the database if large";
  auto again = Copy(OpenRepo()->List()->back().id);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->objects_sent, 0u) << "a repeated copy sends only the record";
}

// A copy interrupted at each of its Puts in turn is never a restore point on
// the target, and a later copy completes it, leaving no spool file behind.
TEST_F(OffsiteCopyTest, InterruptedCopyIsNeverARestorePointAndTheNextOneCompletesIt) {
  AddUpload("two.bin", std::string(5000, '2'));
  const std::string id = Snap();
  for (int fail_at = 1;; ++fail_at) {
    FailingTarget failing(target_.get(), fail_at);
    OffsiteCopier copier(Env::Default(), repo_dir_, &failing, *key_);
    auto copied = copier.Copy(id);
    if (copied.ok()) break;
    EXPECT_EQ(copied.status().code(), StatusCode::kIoError) << fail_at;
    auto points = ListTargetPoints(target_.get(), *key_, scratch_);
    ASSERT_TRUE(points.ok()) << points.status().ToString();
    EXPECT_TRUE(points->empty()) << "a half copy is listed, failing Put " << fail_at;
    ASSERT_LT(fail_at, 10);
  }
  ASSERT_EQ(ListTargetPoints(target_.get(), *key_, scratch_)->size(), 1u);
  EXPECT_TRUE(RestoreCheck(id).ok());
  EXPECT_TRUE(Env::Default()->ListDir(repo_dir_ + "/tmp")->empty()) << "spool files left";
}

TEST_F(OffsiteCopyTest, CopyMissingCopiesEachPointOnce) {
  Snap();
  AddUpload("two.bin", "2");
  Snap();
  OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
  auto first = copier.CopyMissing();
  ASSERT_TRUE(first.ok()) << first.status().ToString();
  EXPECT_EQ(first->size(), 2u);
  EXPECT_TRUE(copier.CopyMissing()->empty());
}

// Each point's index stands in for the target's newest in the next point
// of the same CopyMissing, and a point older than the target's newest is
// copied against the newest's index, which it keeps.
TEST_F(OffsiteCopyTest, CopyMissingReusesWhatEachEarlierPointSentNewerOrOlder) {
  std::vector<std::string> ids;
  for (int round = 0; round < 3; ++round) {
    for (int i = 0; i < 20; ++i) {
      AddUpload("r" + std::to_string(round) + "f" + std::to_string(i),
                "round " + std::to_string(round) + " file " + std::to_string(i));
    }
    ids.push_back(Snap());
  }
  OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
  auto copied = copier.CopyMissing();
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  ASSERT_EQ(copied->size(), 3u);
  for (size_t i = 1; i < 3; ++i) {
    // The round's 20 uploads and the database's changed chunks, no more.
    EXPECT_LE((*copied)[i].objects_sent, 20u + 4u) << ids[i];
    EXPECT_GE((*copied)[i].objects_present, 20u * i) << ids[i];
  }
  for (const std::string& id : ids) EXPECT_TRUE(RestoreCheck(id).ok()) << id;

  // The newest first to a second target, then the older ones.
  auto second = OpenDirectoryTarget(Env::Default(), dir_.Sub("second"), true);
  ASSERT_TRUE(second.ok());
  auto key = UnlockOrInitTarget(second->get(), "pass phrase", KdfParams::ForTests());
  ASSERT_TRUE(key.ok());
  OffsiteCopier to_second(Env::Default(), repo_dir_, second->get(), **key);
  ASSERT_TRUE(to_second.Copy(ids[2]).ok());
  auto older = to_second.CopyMissing();
  ASSERT_TRUE(older.ok()) << older.status().ToString();
  ASSERT_EQ(older->size(), 2u);
  for (const OffsiteCopyResult& r : *older) {
    EXPECT_GE(r.objects_present, 20u) << r.id << ": its uploads are in the newest point's packs";
  }
  for (const std::string& id : ids) {
    testing::TempDir scratch;
    auto staged = StageTargetPoint(Env::Default(), second->get(), **key, id, scratch.Sub("s"));
    EXPECT_TRUE(staged.ok()) << id << ": " << staged.status().ToString();
  }
}

TEST_F(OffsiteCopyTest, NothingOnTheTargetRevealsAFileHash) {
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  auto manifest = ListTargetPoints(target_.get(), *key_, scratch_)->at(0).manifest;
  const std::string listing = testing::TreeFingerprint(target_dir_);
  for (const ManifestFile& f : manifest.files) {
    EXPECT_EQ(listing.find(f.sha256.substr(0, 16)), std::string::npos) << f.path;
  }
}

TEST_F(OffsiteCopyTest, RefusesAFlippedByteInAnObject) {
  AddLooseUpload("big.bin", 'b');
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  FlipByte(Path(Objects().at(0).key), 60);
  Status s = RestoreCheck(id);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find("failed authentication"), std::string::npos) << s.message();
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_EQ(report->damaged[0].problem, "damaged");
  EXPECT_EQ(report->damaged[0].snapshots, std::vector<std::string>{id});
}

TEST_F(OffsiteCopyTest, RefusesACutObject) {
  AddLooseUpload("big.bin", 'b');
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  const std::string victim = Path(Objects().at(0).key);
  ASSERT_EQ(::truncate(victim.c_str(), 40), 0);
  EXPECT_EQ(RestoreCheck(id).code(), StatusCode::kCorruption);
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{0, 0}, scratch_);
  ASSERT_TRUE(report.ok());
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_EQ(report->damaged[0].problem, "wrong size") << "found without reading data";
}

TEST_F(OffsiteCopyTest, RefusesTwoObjectsSwapped) {
  AddLooseUpload("big.bin", 'b');
  AddLooseUpload("huge.bin", 'h');
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  auto objects = Objects();
  ASSERT_GE(objects.size(), 2u);
  const std::string a = Path(objects[0].key), b = Path(objects[1].key);
  ASSERT_EQ(std::rename(a.c_str(), (a + ".x").c_str()), 0);
  ASSERT_EQ(std::rename(b.c_str(), a.c_str()), 0);
  ASSERT_EQ(std::rename((a + ".x").c_str(), b.c_str()), 0);
  Status s = RestoreCheck(id);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
}

TEST_F(OffsiteCopyTest, RefusesARecordReplayedUnderAnotherId) {
  const std::string old_id = Snap();
  ASSERT_TRUE(Copy(old_id).ok());
  AddUpload("two.bin", "2");
  const std::string new_id = Snap();
  ASSERT_TRUE(Copy(new_id).ok());
  // The provider puts the old record where the newest one was.
  CopyFile(Path(RecordKey(old_id)), Path(RecordKey(new_id)));
  Status s = RestoreCheck("latest");
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_NE(s.message().find(new_id), std::string::npos) << s.message();
  EXPECT_FALSE(ListTargetPoints(target_.get(), *key_, scratch_).ok());
}

TEST_F(OffsiteCopyTest, RefusesARecordOfAnotherRepository) {
  const std::string id = Snap();
  testing::TempDir other;
  auto other_target = OpenDirectoryTarget(Env::Default(), other.Sub("t"), true);
  auto other_key = UnlockOrInitTarget(other_target->get(), "pass phrase", KdfParams::ForTests());
  ASSERT_TRUE(other_key.ok());
  OffsiteCopier copier(Env::Default(), repo_dir_, other_target->get(), **other_key);
  ASSERT_TRUE(copier.Copy(id).ok());
  ASSERT_EQ(::mkdir((target_dir_ + "/snapshots").c_str(), 0700), 0);
  CopyFile(other.Sub("t/snapshots/" + id), Path(RecordKey(id)));
  EXPECT_EQ(RestoreCheck(id).code(), StatusCode::kCorruption);
}

TEST_F(OffsiteCopyTest, WrongPassphraseIsRefusedBeforeAnythingIsRead) {
  ASSERT_TRUE(Copy(Snap()).ok());
  auto key = UnlockTarget(target_.get(), "not the pass phrase");
  EXPECT_EQ(key.status().code(), StatusCode::kPermissionDenied);
  auto init = UnlockOrInitTarget(target_.get(), "not the pass phrase", KdfParams::ForTests());
  EXPECT_EQ(init.status().code(), StatusCode::kPermissionDenied) << "never re-initialised";
}

// Between the check of a target opened for reading and the reopening for
// writing, the target may be replaced whole: the reopening reads the key
// object again and refuses other bytes, or none.
TEST_F(OffsiteCopyTest, ReopeningACheckedTargetRefusesAKeyObjectReplacedMeanwhile) {
  OffsiteTargetSpec spec;
  spec.location = target_dir_;
  EXPECT_TRUE(ReopenCheckedForWriting(Env::Default(), spec, *key_).ok());

  auto other = OffsiteKey::Create("pass phrase", KdfParams::ForTests());
  ASSERT_TRUE(other.ok());
  ASSERT_TRUE(target_->Put("key", StringFile((*other)->key_object())).ok());
  auto replaced = ReopenCheckedForWriting(Env::Default(), spec, *key_);
  EXPECT_EQ(replaced.status().code(), StatusCode::kCorruption) << replaced.status().ToString();
  EXPECT_NE(replaced.status().message().find("changed after it was checked"), std::string::npos)
      << replaced.status().message();

  // Refused before it is opened for writing: another repository's old
  // .incoming leftovers stay, and a target gone is not made again.
  ASSERT_TRUE(Env::Default()->CreateDir(target_dir_ + "/.incoming").ok());
  const std::string leftover = target_dir_ + "/.incoming/old.part";
  std::ofstream(leftover) << "another repository's";
  const int64_t two_days_ago = ::time(nullptr) - 2 * 24 * 3600;
  const struct timespec times[2] = {{two_days_ago, 0}, {two_days_ago, 0}};
  ASSERT_EQ(::utimensat(AT_FDCWD, leftover.c_str(), times, 0), 0);
  EXPECT_FALSE(ReopenCheckedForWriting(Env::Default(), spec, *key_).ok());
  EXPECT_TRUE(*Env::Default()->FileExists(leftover));

  ASSERT_TRUE(target_->Remove("key").ok());
  EXPECT_EQ(ReopenCheckedForWriting(Env::Default(), spec, *key_).status().code(),
            StatusCode::kCorruption);
  ASSERT_TRUE(Env::Default()->RemoveTree(target_dir_).ok());
  EXPECT_EQ(ReopenCheckedForWriting(Env::Default(), spec, *key_).status().code(),
            StatusCode::kNotFound);
  EXPECT_FALSE(*Env::Default()->FileExists(target_dir_)) << "a target gone is not made again";
}

TEST_F(OffsiteCopyTest, RefusesToStartARepositoryOverForeignObjects) {
  testing::TempDir other;
  auto t = OpenDirectoryTarget(Env::Default(), other.Sub("t"), true);
  ASSERT_TRUE((*t)->Put("objects/aa/x", StringFile("?")).ok());
  EXPECT_EQ(UnlockOrInitTarget(t->get(), "pw", KdfParams::ForTests()).status().code(),
            StatusCode::kConflict);
}

TEST_F(OffsiteCopyTest, ALocalObjectDamagedSinceItsCheckIsNotCopied) {
  const std::string id = Snap();
  auto manifest = ListTargetPoints(target_.get(), *key_, scratch_);
  const std::string sha = Sha256Hex(std::string(3000, '1'));
  // A small upload: stored in a pack, and read out of it by the copy.
  const RepoLayout repo(repo_dir_);
  auto packs = PackIndex::Load(Env::Default(), repo);
  ASSERT_TRUE(packs.ok()) << packs.status().ToString();
  Sha256Raw raw;
  ASSERT_TRUE(ParseSha256Hex(sha, &raw));
  const auto entry = packs->Find(raw);
  ASSERT_TRUE(entry.has_value());
  FlipByte(JoinPath(PacksDir(repo), packs->packs()[entry->pack]), entry->offset);
  auto copied = Copy(id);
  EXPECT_EQ(copied.status().code(), StatusCode::kCorruption) << copied.status().ToString();
  EXPECT_TRUE(ListTargetPoints(target_.get(), *key_, scratch_)->empty())
      << "no record without its objects";
}

TEST_F(OffsiteCopyTest, ACopyWaitingOnItsTargetHoldsUpNoRestorePointOnlyPrune) {
  const std::string first = Snap();
  StallingTarget slow(target_.get());
  Result<OffsiteCopyResult> copied = Status::IoError("not run");
  std::thread copy = CopyOnAThread(&slow, first, &copied);
  slow.WaitUntilStalled();
  // Beside the copy: a restore point, a delete and a check.
  AddUpload("two.bin", std::string(5000, '2'));
  const std::string second = Snap();
  EXPECT_FALSE(second.empty());
  EXPECT_TRUE(OpenRepo()->Delete(second).ok());
  EXPECT_TRUE(OpenRepo()->Check(CheckOptions{100, 0}).ok());
  // A prune could remove what the copy reads: refused, naming the copy.
  auto pruned = OpenRepo()->Prune();
  EXPECT_EQ(pruned.status().code(), StatusCode::kBusy);
  EXPECT_NE(pruned.status().message().find("off-site copy"), std::string::npos)
      << pruned.status().ToString();
  slow.Release();
  copy.join();
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_TRUE(RestoreCheck(first).ok());
  EXPECT_TRUE(OpenRepo()->Prune().ok());
  EXPECT_FALSE(std::filesystem::exists(repo_dir_ + "/copy-tmp")) << "the prune empties the spool";
}

// Cancelled while its first object is on the way, a copy puts no further
// object and no record, and the next copy sends only what is missing.
TEST_F(OffsiteCopyTest, ACancelledCopyStopsAtTheNextObjectAndTheNextCopyCompletesIt) {
  // Objects of their own, put one by one (the small files wait in a pack).
  AddLooseUpload("big.bin", 'b');
  AddLooseUpload("huge.bin", 'h');
  const std::string id = Snap();
  StallingTarget slow(target_.get());
  Cancellation cancel;
  OffsiteCopier copier(Env::Default(), repo_dir_, &slow, *key_, &cancel);
  auto copying = std::async(std::launch::async, [&] { return copier.Copy(id); });
  slow.WaitUntilStalled();
  cancel.Cancel("server stopping");
  slow.Release();
  const Result<OffsiteCopyResult> cancelled = copying.get();
  EXPECT_EQ(cancelled.status().code(), StatusCode::kCancelled) << cancelled.status().ToString();
  EXPECT_NE(cancelled.status().message().find("cancelled: server stopping"), std::string::npos)
      << cancelled.status().message();
  EXPECT_EQ(slow.puts(), 1) << "the object on its way finishes; no other starts";
  EXPECT_EQ(Objects().size(), 1u);
  EXPECT_TRUE(ListTargetPoints(target_.get(), *key_, scratch_)->empty())
      << "no record, no half point";
  auto next = Copy(id);
  ASSERT_TRUE(next.ok()) << next.status().ToString();
  EXPECT_EQ(next->objects_present, 1u);
  EXPECT_EQ(ListTargetPoints(target_.get(), *key_, scratch_)->size(), 1u);
}

TEST_F(OffsiteCopyTest, APointDeletedSinceItWasListedIsSkippedNotAFailure) {
  const std::string id = Snap();
  ASSERT_TRUE(OpenRepo()->Delete(id).ok());
  OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
  auto skipped = copier.CopyIfPresent(id);
  ASSERT_TRUE(skipped.ok()) << skipped.status().ToString();
  EXPECT_FALSE(skipped->has_value());
  EXPECT_EQ(copier.Copy(id).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(ListTargetPoints(target_.get(), *key_, scratch_)->empty());
}

TEST_F(OffsiteCopyTest, PruneForgetsByRetentionAndKeepsAPackTheKeptPointNeeds) {
  ASSERT_TRUE(Copy(Snap()).ok());
  AddUpload("two.bin", std::string(5000, '2'));
  const std::string newest = Snap();
  ASSERT_TRUE(Copy(newest).ok());
  RetentionPolicy keep_one{1, 0, 0, 0, 30};
  auto pruned =
      PruneTarget(target_.get(), *key_, keep_one, 2000000000, kOffsitePruneGraceSeconds, scratch_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->forgotten.size(), 1u);
  // The first point's pack also holds settings and one.bin, which the
  // newest point names: it is kept whole.
  EXPECT_EQ(pruned->objects.packs_removed, 0u);
  EXPECT_EQ(Packs().size(), 2u);
  auto points = ListTargetPoints(target_.get(), *key_, scratch_);
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->at(0).info.id, newest);
  EXPECT_TRUE(RestoreCheck(newest).ok());
  EXPECT_TRUE(CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_)->ok());
}

// A reader's index keeps 12 bytes of each name: a packed entry that shares
// them with a large file's object must not make a prune take that object
// for packed and remove it.
TEST_F(OffsiteCopyTest, PruneKeepsALargeFilesObjectThatAPackedNameResembles) {
  AddLooseUpload("big.bin", 'b');
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  auto read = ReadRecord(target_.get(), *key_, id, scratch_);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  std::string manifest(read->manifest->Size(), '\0');
  ASSERT_TRUE(read->manifest->ReadAt(0, manifest.data(), manifest.size()).ok());
  // The record rewritten, as a holder of the passphrase can, with one more
  // entry: a name that differs from big.bin's object only past 12 bytes.
  OffsitePackIndexWriter packed;
  ManifestFileStore files = NewFileStore(scratch_);
  ASSERT_TRUE(ParseRecordManifest(*read, &files).ok());
  std::string big_name;
  ManifestFileStore::Cursor cursor = files.Walk();
  for (const ManifestFileStore::File* f; (f = cursor.Next().value()) != nullptr;) {
    const std::string name = FileObjectName(*key_, *f).value();
    if (auto at = read->packed.Find(name)) ASSERT_TRUE(packed.Add(name, at->pack, at->offset).ok());
    if (f->size >= kPackedFileLimit) big_name = name;
  }
  ASSERT_FALSE(big_name.empty());
  std::string resembling = big_name;
  resembling.back() = resembling.back() == '0' ? '1' : '0';
  ASSERT_TRUE(packed.Add(resembling, read->packed.Packs().at(0), 0).ok());
  OffsiteRecord record = read->record;
  record.manifest_text = manifest;
  auto plaintext = RecordPlaintext(record, packed);
  ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
  auto sealed = EncryptBytes(*key_, RecordKey(id), *plaintext);
  ASSERT_TRUE(sealed.ok());
  ASSERT_TRUE(target_->Put(RecordKey(id), StringFile(*sealed)).ok());

  auto pruned =
      PruneTarget(target_.get(), *key_, RetentionPolicy{1, 0, 0, 0, 30}, 2000000000, 0, scratch_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_TRUE(*Env::Default()->FileExists(Path(ObjectKey(big_name))));
}

TEST_F(OffsiteCopyTest, PruneRefusesWhileARecordCannotBeRead) {
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  FlipByte(Path(RecordKey(id)), 50);
  auto pruned = PruneTarget(target_.get(), *key_, RetentionPolicy{}, 2000000000,
                            kOffsitePruneGraceSeconds, scratch_);
  EXPECT_EQ(pruned.status().code(), StatusCode::kCorruption);
  EXPECT_FALSE(Packs().empty());
}

// An object no record names may be a copy in progress from another machine
// (its record comes last): a prune removes it only once it is older than
// the grace period, by the time the target gives (here a file's mtime).
TEST_F(OffsiteCopyTest, PruneRemovesAnUnnamedObjectOnlyOnceItIsOlderThanTheGracePeriod) {
  ASSERT_TRUE(Copy(Snap()).ok());
  const size_t named = Objects().size();
  const std::string unnamed = std::string(kObjectsPrefix) + "ff/" + std::string(64, 'f');
  ASSERT_TRUE(target_->Put(unnamed, StringFile("from a copy elsewhere")).ok());
  auto listed = target_->List(unnamed);
  ASSERT_TRUE(listed.ok() && listed->size() == 1u);
  const int64_t written = listed->at(0).modified;
  ASSERT_GT(written, 0) << "the directory target gives each object's mtime";
  const int64_t day = kOffsitePruneGraceSeconds;

  auto young = PruneTarget(target_.get(), *key_, RetentionPolicy{}, written + day - 1,
                           kOffsitePruneGraceSeconds, scratch_);
  ASSERT_TRUE(young.ok()) << young.status().ToString();
  EXPECT_EQ(young->objects.objects_removed, 0u);
  EXPECT_EQ(young->objects_too_new, 1u);
  EXPECT_EQ(target_->Stat(unnamed).status().code(), StatusCode::kOk);

  auto shorter =
      PruneTarget(target_.get(), *key_, RetentionPolicy{}, written + 3600, 3600, scratch_);
  ASSERT_TRUE(shorter.ok()) << shorter.status().ToString();
  EXPECT_EQ(shorter->objects.objects_removed, 1u) << "a grace of an hour, an hour later";
  EXPECT_EQ(target_->Stat(unnamed).status().code(), StatusCode::kNotFound);
  EXPECT_EQ(Objects().size(), named) << "the objects a record names are kept";
}

// A listing may hold keys arkwiki never writes (another program's, or
// through a server that resolves ".."): a prune removes only keys of its
// own objects' and packs' shape, however old the others are.
TEST_F(OffsiteCopyTest, PruneLeavesKeysOfAnotherShapeAlone) {
  ASSERT_TRUE(Copy(Snap()).ok());
  const std::vector<std::string> foreign = {
      std::string(kObjectsPrefix) + "ff/" + std::string(63, 'f'),
      std::string(kObjectsPrefix) + "ee/" + std::string(64, 'f'),
      std::string(kObjectsPrefix) + "ff/" + std::string(64, 'F'),
      std::string(kObjectsPrefix) + "notes.txt",
      std::string(kPacksPrefix) + std::string(31, 'a'),
      std::string(kPacksPrefix) + "sub/" + std::string(32, 'a')};
  for (const std::string& key : foreign) ASSERT_TRUE(target_->Put(key, StringFile("x")).ok());
  const std::string ours = std::string(kPacksPrefix) + std::string(32, 'a');
  ASSERT_TRUE(target_->Put(ours, StringFile("an unnamed pack")).ok());
  auto pruned =
      PruneTarget(target_.get(), *key_, RetentionPolicy{}, int64_t{4000000000}, 0, scratch_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->objects.packs_removed, 1u);
  EXPECT_EQ(target_->Stat(ours).status().code(), StatusCode::kNotFound);
  for (const std::string& key : foreign) {
    EXPECT_EQ(target_->Stat(key).status().code(), StatusCode::kOk) << key;
  }
}

TEST_F(OffsiteCopyTest, APruneOfTheTargetACopyIsSendingToIsBusyAndOfAnotherIsNot) {
  const std::string id = Snap();
  StallingTarget slow(target_.get());
  // The copy's run holds the target's lock from before its first Put.
  auto copy_lock = OffsiteTargetLock::Acquire(repo_dir_, slow, "copy in the test");
  ASSERT_TRUE(copy_lock.ok()) << copy_lock.status().ToString();
  Result<OffsiteCopyResult> copied = Status::IoError("not run");
  std::thread copy([&, lock = std::move(copy_lock).value()]() mutable {
    OffsiteCopier copier(Env::Default(), repo_dir_, &slow, *key_);
    copied = copier.Copy(id);
    lock.reset();
  });
  slow.WaitUntilStalled();
  // Its objects are not all put and its record not at all: a prune of the
  // same target would remove what is there.
  auto same = OffsiteTargetLock::Acquire(repo_dir_, *target_, "prune in the test");
  EXPECT_EQ(same.status().code(), StatusCode::kBusy) << same.status().ToString();
  EXPECT_NE(same.status().message().find("another off-site copy or prune of " +
                                         target_->Describe() + " is running"),
            std::string::npos)
      << same.status().ToString();
  EXPECT_NE(same.status().message().find("copy in the test"), std::string::npos);
  testing::TempDir other_dir;
  auto other = OpenDirectoryTarget(Env::Default(), other_dir.Sub("t"), true);
  ASSERT_TRUE(other.ok()) << other.status().ToString();
  auto other_key = UnlockOrInitTarget(other->get(), "pass phrase", KdfParams::ForTests());
  ASSERT_TRUE(other_key.ok()) << other_key.status().ToString();
  {
    auto other_lock = OffsiteTargetLock::Acquire(repo_dir_, **other, "prune in the test");
    ASSERT_TRUE(other_lock.ok()) << other_lock.status().ToString();
    EXPECT_TRUE(PruneTarget(other->get(), **other_key, RetentionPolicy{}, 2000000000,
                            kOffsitePruneGraceSeconds, scratch_)
                    .ok());
  }
  slow.Release();
  copy.join();
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  auto after = OffsiteTargetLock::Acquire(repo_dir_, *target_, "prune in the test");
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  ASSERT_TRUE(PruneTarget(target_.get(), *key_, RetentionPolicy{}, 2000000000,
                          kOffsitePruneGraceSeconds, scratch_)
                  .ok());
  EXPECT_TRUE(CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_)->ok());
}

// Counts Puts, as requests to a provider.
class CountingTarget : public ForwardingTarget {
 public:
  using ForwardingTarget::ForwardingTarget;
  Status Put(const std::string& key, const RandomAccessFile& source) override {
    ++puts;
    return ForwardingTarget::Put(key, source);
  }
  int puts = 0;
};

TEST_F(OffsiteCopyTest, ManySmallFilesGoUpInOnePackAndComeBackWhole) {
  for (int i = 0; i < 40; ++i)
    AddUpload("small" + std::to_string(i), std::string(700 + i, 'a' + i % 26));
  const std::string id = Snap();
  CountingTarget counting(target_.get());
  OffsiteCopier copier(Env::Default(), repo_dir_, &counting, *key_);
  auto copied = copier.Copy(id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_GE(copied->objects_sent, 41u);
  EXPECT_EQ(copied->packs_sent, 1u);
  EXPECT_LE(counting.puts, 3) << "one pack, the record, and the database if it is large";
  Status s = RestoreCheck(id);
  EXPECT_TRUE(s.ok()) << s.ToString();
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_);
  ASSERT_TRUE(report.ok());
  EXPECT_TRUE(report->ok());
  EXPECT_GE(report->objects_checked, 41u);
}

// A pack of more small files than the process may open descriptors (1,024
// by default for a service) is staged one file at a time.
TEST_F(OffsiteCopyTest, APackOfMoreFilesThanTheDescriptorLimitIsRestored) {
  {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    for (int i = 0; i < 300; ++i) {
      testing::AddUpload(**storage, "home", "f" + std::to_string(i), "file " + std::to_string(i));
    }
  }
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  rlimit before{};
  ASSERT_EQ(getrlimit(RLIMIT_NOFILE, &before), 0);
  rlimit low = before;
  low.rlim_cur = 128;  // this test runs in a process of its own
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &low), 0);
  Status s = RestoreCheck(id);
  ASSERT_EQ(setrlimit(RLIMIT_NOFILE, &before), 0);
  EXPECT_TRUE(s.ok()) << s.ToString();
}

// A pack put by a copy that failed before its record is not trusted: on a
// directory target it may not have reached the disk whole. The next copy
// sends its files again, and a prune removes it.
TEST_F(OffsiteCopyTest, APackNoRecordNamesIsSentAgainAndPruned) {
  const std::string id = Snap();
  {
    FailingTarget failing(target_.get(), 2);  // the pack goes up, the record fails
    OffsiteCopier copier(Env::Default(), repo_dir_, &failing, *key_);
    ASSERT_EQ(copier.Copy(id).status().code(), StatusCode::kIoError);
  }
  ASSERT_EQ(Packs().size(), 1u);
  auto copied = Copy(id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->objects_present, 0u);
  EXPECT_EQ(copied->packs_sent, 1u);
  auto pruned = PruneTarget(target_.get(), *key_, RetentionPolicy{}, 2000000000,
                            kOffsitePruneGraceSeconds, scratch_);
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->objects.packs_removed, 1u);
  EXPECT_EQ(Packs().size(), 1u);
  EXPECT_TRUE(RestoreCheck(id).ok());
}

// A pack the newest record names but the target lost, or cut short, is
// not reused: its files are sent again, as a lost object is, so the new
// restore point restores.
TEST_F(OffsiteCopyTest, APackLostOrCutOnTheTargetIsNotReusedByTheNextCopy) {
  ASSERT_TRUE(Copy(Snap()).ok());
  ASSERT_EQ(Packs().size(), 1u);
  ASSERT_EQ(::truncate(Path(Packs()[0].key).c_str(), 40), 0);
  AddUpload("two.bin", std::string(5000, '2'));
  const std::string second = Snap();
  auto copied = Copy(second);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  Status s = RestoreCheck(second);
  EXPECT_TRUE(s.ok()) << "a cut pack was reused: " << s.ToString();

  for (const OffsiteObject& pack : Packs()) ASSERT_TRUE(target_->Remove(pack.key).ok());
  AddUpload("three.bin", std::string(6000, '3'));
  const std::string third = Snap();
  copied = Copy(third);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  s = RestoreCheck(third);
  EXPECT_TRUE(s.ok()) << "a lost pack was reused: " << s.ToString();
}

TEST_F(OffsiteCopyTest, RefusesTwoPackedFilesSwapped) {
  AddUpload("x.bin", std::string(4000, 'x'));
  AddUpload("y.bin", std::string(4000, 'y'));
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  auto record = ReadRecord(target_.get(), *key_, id, scratch_);
  ASSERT_TRUE(record.ok()) << record.status().ToString();
  auto where = [&](char fill) {
    Sha256Raw raw;
    EXPECT_TRUE(ParseSha256Hex(Sha256Hex(std::string(4000, fill)), &raw));
    auto at = record->packed.Find(key_->ObjectName(raw));
    EXPECT_TRUE(at.has_value());
    return at ? std::make_pair(std::string(at->pack), at->offset)
              : std::make_pair(std::string(), uint64_t{0});
  };
  const auto [pack, x] = where('x');
  const auto y = where('y').second;
  const std::string path = Path(PackKey(pack));
  std::string bytes;
  {
    std::ifstream in(path, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), {});
  }
  const size_t n = EncryptedSize(4000);
  std::string swapped = bytes;
  swapped.replace(x, n, bytes, y, n);
  swapped.replace(y, n, bytes, x, n);
  std::ofstream(path, std::ios::binary | std::ios::trunc) << swapped;
  Status s = RestoreCheck(id);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_);
  ASSERT_TRUE(report.ok());
  EXPECT_EQ(report->damaged.size(), 2u);
}

TEST_F(OffsiteCopyTest, ACutPackFailsEveryFileBeyondTheCut) {
  const std::string id = Snap();
  ASSERT_TRUE(Copy(id).ok());
  ASSERT_EQ(Packs().size(), 1u);
  ASSERT_EQ(::truncate(Path(Packs()[0].key).c_str(), 40), 0);
  EXPECT_EQ(RestoreCheck(id).code(), StatusCode::kCorruption);
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{0, 0}, scratch_);
  ASSERT_TRUE(report.ok());
  ASSERT_FALSE(report->damaged.empty());
  for (const DamagedObject& d : report->damaged) EXPECT_EQ(d.problem, "wrong size");
}

TEST_F(OffsiteCopyTest, AnEncryptedLocalRepositoryIsDecryptedAndReencryptedForTheTarget) {
  RepositoryOptions options;
  options.encrypt = true;
  options.passphrase = "local phrase";
  options.kdf = KdfParams::ForTests();
  AddUpload("large.bin", std::string(kPackObjectLimit + 10, 'L'));
  auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_, options);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  auto point = (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
  ASSERT_TRUE(point.ok()) << point.status().ToString();
  // Without the local key the copy is refused, naming the setting.
  OffsiteCopier keyless(Env::Default(), repo_dir_, target_.get(), *key_);
  auto refused = keyless.Copy(point->id);
  EXPECT_EQ(refused.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(refused.status().message().find("backup_passphrase_file"), std::string::npos);
  OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
  copier.SetLocalKey((*repo)->key());
  auto copied = copier.Copy(point->id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  auto points = ListTargetPoints(target_.get(), *key_, scratch_);
  ASSERT_TRUE(points.ok()) << points.status().ToString();
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ(points->at(0).info.made_by, "ann");
  EXPECT_TRUE(CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_)->ok());
  Status s = RestoreCheck("latest");
  EXPECT_TRUE(s.ok()) << s.ToString();
}

}  // namespace
}  // namespace arkwiki
