// Attacks on the off-site copies by a hostile backup author (someone who
// holds the passphrase and writes records) or a hostile target: a record's
// paths are refused before anything is staged, a cut object is refused, and
// a key object or an object longer than it may be is stopped there.
#include <gtest/gtest.h>

#include <fstream>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/storage/storage.h"
#include "format/manifest_parser.h"
#include "format/manifest_source.h"
#include "offsite/offsite_fetch.h"
#include "offsite/offsite_record.h"
#include "repository/repo_layout.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class OffsiteAttackTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedWikiAt(data_, "a");
    auto target = OpenDirectoryTarget(Env::Default(), target_dir_, true);
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    target_ = std::move(target).value();
    auto key = UnlockOrInitTarget(target_.get(), "pass phrase", KdfParams::ForTests());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::move(key).value();
  }
  std::string SnapAndCopy() {
    auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    auto point = (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
    EXPECT_TRUE(copier.Copy(point->id).ok());
    return point->id;
  }
  // Puts `plain` encrypted as the object of a file with these bytes.
  std::string PutObjectFor(const std::string& plain) {
    Sha256Raw raw{};
    EXPECT_TRUE(ParseSha256Hex(Sha256Hex(plain), &raw));
    const std::string name = key_->ObjectName(raw);
    auto sealed = EncryptBytes(*key_, ObjectKey(name), plain);
    EXPECT_TRUE(sealed.ok());
    EXPECT_TRUE(target_->Put(ObjectKey(name), StringFile(*sealed)).ok());
    return name;
  }
  // Rewrites the record of `id` with `extra` added to its manifest, as a
  // holder of the passphrase can.
  void AddToRecord(const std::string& id, const ManifestFile& extra) {
    auto read = ReadRecord(target_.get(), *key_, id, {Env::Default(), dir_.path(), 2});
    ASSERT_TRUE(read.ok()) << read.status().ToString();
    std::string text(read->manifest->Size(), '\0');
    ASSERT_TRUE(read->manifest->ReadAt(0, text.data(), text.size()).ok());
    auto manifest = ParseManifest(text);
    ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
    // The index read back keeps part of each name: it is written anew
    // from the full names of the manifest's packed files.
    OffsitePackIndexWriter packed;
    for (const ManifestFile& f : manifest->files) {
      Sha256Raw raw{};
      ASSERT_TRUE(ParseSha256Hex(f.sha256, &raw));
      const std::string name = key_->ObjectName(raw);
      if (auto at = read->packed.Find(name)) {
        ASSERT_TRUE(packed.Add(name, at->pack, at->offset).ok());
      }
    }
    manifest->files.push_back(extra);
    read->record.manifest_text = SerializeManifest(*manifest);
    auto plaintext = RecordPlaintext(read->record, packed);
    ASSERT_TRUE(plaintext.ok()) << plaintext.status().ToString();
    auto sealed = EncryptBytes(*key_, RecordKey(id), *plaintext);
    ASSERT_TRUE(sealed.ok());
    ASSERT_TRUE(target_->Put(RecordKey(id), StringFile(*sealed)).ok());
  }

  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string repo_dir_ = DefaultBackupDir(data_);
  std::string target_dir_ = dir_.Sub("target");
  std::unique_ptr<OffsiteTarget> target_;
  std::unique_ptr<OffsiteKey> key_;
};

// The import's own check of the exported archive comes after staging, so
// staging must refuse a path that would land outside its directory.
TEST_F(OffsiteAttackTest, StagingNeverWritesOutsideTheStagingDirectory) {
  const std::string id = SnapAndCopy();
  const std::string payload = "written by a hostile record\n";
  PutObjectFor(payload);
  AddToRecord(id, {"../../../escaped-by-record.txt", payload.size(), Sha256Hex(payload)});
  testing::TempDir scratch;
  const std::string stage = scratch.Sub("stage");
  auto staged = StageTargetPoint(Env::Default(), target_.get(), *key_, id, stage);
  // stage/snapshots/<id>/../../../ is the scratch directory itself.
  EXPECT_FALSE(std::ifstream(scratch.Sub("escaped-by-record.txt")).good())
      << "a record's manifest path created a file outside " << stage;
  EXPECT_FALSE(staged.ok()) << "a manifest path that has no place in a backup must be refused";
}

// A file list holds the database, the settings and a third file that is
// not an upload named by its hash before it stops keeping such files (a
// check of the paths refuses the third); a record listing more would make
// a prune compute wrong names and remove objects a record needs.
TEST_F(OffsiteAttackTest, ARecordListingFilesNoBackupHoldsIsRefusedAndPruneRemovesNothing) {
  const std::string id = SnapAndCopy();
  AddToRecord(id, {"extra/one", 3, Sha256Hex("one")});
  AddToRecord(id, {"extra/two", 3, Sha256Hex("two")});
  const auto objects_before = target_->List("");
  ASSERT_TRUE(objects_before.ok());
  const OffsiteScratch scratch{Env::Default(), dir_.path(), 2};
  auto pruned = PruneTarget(target_.get(), *key_, RetentionPolicy{}, 2000000000, 0, scratch);
  EXPECT_EQ(pruned.status().code(), StatusCode::kCorruption) << pruned.status().ToString();
  EXPECT_NE(pruned.status().message().find("no place in a backup"), std::string::npos)
      << pruned.status().ToString();
  EXPECT_EQ(target_->List("")->size(), objects_before->size()) << "prune removed objects";
  auto report = CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->snapshot_problems.size(), 1u);
}

// A key object padded to any length stays valid JSON that unlocks; the
// target must not make every unlock read it all into memory.
TEST_F(OffsiteAttackTest, OversizedKeyObjectIsRefusedUnread) {
  const std::string path = target_dir_ + "/" + kKeyObjectKey;
  std::string text = key_->key_object();
  text.insert(1, std::string(size_t{1} << 20, ' '));
  std::ofstream(path, std::ios::binary | std::ios::trunc) << text;
  auto unlocked = UnlockTarget(target_.get(), "pass phrase");
  ASSERT_FALSE(unlocked.ok()) << "a 1 MiB key object was read and used";
  EXPECT_EQ(unlocked.status().code(), StatusCode::kCorruption) << unlocked.status().ToString();
  EXPECT_NE(unlocked.status().message().find("longer than the 65536 bytes"), std::string::npos)
      << unlocked.status().message();
}

// The record gives each file's size, so an object that goes on past its
// encrypted size is stopped there, and the file being staged is removed.
TEST_F(OffsiteAttackTest, ObjectLongerThanItsRecordSaysStopsAndLeavesNoPartialFile) {
  const std::string id = SnapAndCopy();
  const std::string payload(3 * kChunkBytes + 7, 'u');
  const std::string sha = Sha256Hex(payload);
  const std::string name = PutObjectFor(payload);
  AddToRecord(id,
              {std::string(kUploadsPrefix) + sha.substr(0, 2) + "/" + sha, payload.size(), sha});
  std::ofstream(target_dir_ + "/" + ObjectKey(name), std::ios::binary | std::ios::app)
      << std::string(size_t{8} << 20, 'z');
  testing::TempDir scratch;
  const std::string stage = scratch.Sub("stage");
  auto staged = StageTargetPoint(Env::Default(), target_.get(), *key_, id, stage);
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().code(), StatusCode::kCorruption) << staged.status().ToString();
  EXPECT_NE(staged.status().message().find(ObjectKey(name)), std::string::npos)
      << staged.status().message();
  EXPECT_NE(staged.status().message().find("longer than"), std::string::npos)
      << "stopped at the record's size, not after reading on: " << staged.status().message();
  EXPECT_FALSE(std::ifstream(RepoLayout(stage).ObjectPath(sha)).good())
      << "the partial file of the refused object was left in the staging directory";
}

// An object cut exactly at a chunk boundary (no FINAL chunk) and an
// object with a whole chunk more are both refused.
TEST_F(OffsiteAttackTest, CutAtAChunkBoundaryIsRefused) {
  const std::string plain(2 * kChunkBytes + 5, 'x');
  auto sealed = EncryptBytes(*key_, "objects/ab/x", plain);
  ASSERT_TRUE(sealed.ok());
  const size_t one_chunk = 32 + kChunkBytes + crypto_secretstream_xchacha20poly1305_ABYTES;
  for (size_t cut : {one_chunk, one_chunk + kChunkBytes + 17}) {
    auto opened = DecryptBytes(*key_, "objects/ab/x", std::string_view(*sealed).substr(0, cut));
    EXPECT_EQ(opened.status().code(), StatusCode::kCorruption) << "cut at " << cut;
  }
  auto whole = DecryptBytes(*key_, "objects/ab/x", *sealed);
  ASSERT_TRUE(whole.ok());
  EXPECT_EQ(*whole, plain);
}

}  // namespace
}  // namespace arkwiki
