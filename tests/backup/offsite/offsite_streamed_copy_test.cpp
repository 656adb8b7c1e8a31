// A copy to a target that takes streamed objects (the directory target
// here, S3 in s3_streamed_put_test.cpp) seals each file straight into the
// target: nothing passes through copy-tmp/, what lands is the sealed file
// whole, and a local file that no longer matches its restore point leaves
// nothing on the target.
#include <gtest/gtest.h>

#include <fstream>
#include <mutex>
#include <vector>

#include "arkwiki/backup/directory_target.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "offsite/offsite_record.h"
#include "repository/pack_store.h"
#include "repository/repo_layout.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Records the path of every file created for writing.
class CreatedFilesEnv : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    {
      const std::lock_guard<std::mutex> lock(mu_);
      created_.push_back(p);
    }
    return target()->NewWritableFile(p, m);
  }
  std::vector<std::string> CreatedUnder(const std::string& dir) const {
    const std::lock_guard<std::mutex> lock(mu_);
    std::vector<std::string> out;
    for (const std::string& p : created_) {
      if (p.compare(0, dir.size() + 1, dir + "/") == 0) out.push_back(p);
    }
    return out;
  }

 private:
  mutable std::mutex mu_;
  std::vector<std::string> created_;
};

class OffsiteStreamedCopyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    testing::SeedWikiAt(data_, "a");
    AddUpload("small.txt", std::string(3000, 's'));
    AddUpload("large.bin", large_);
    auto target = OpenDirectoryTarget(Env::Default(), target_dir_, true);
    ASSERT_TRUE(target.ok()) << target.status().ToString();
    target_ = std::move(target).value();
    auto key = UnlockOrInitTarget(target_.get(), "pass phrase", KdfParams::ForTests());
    ASSERT_TRUE(key.ok()) << key.status().ToString();
    key_ = std::move(key).value();
  }
  void AddUpload(const std::string& name, const std::string& data) {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::AddUpload(**storage, "home", name, data);
  }
  std::string Snap() {
    auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    if (!repo.ok()) return "";
    auto point = (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    return point.ok() ? point->id : "";
  }
  // The loose object the large upload is on the target, or "" when absent.
  std::string LargeObjectKey() {
    Sha256Raw raw{};
    EXPECT_TRUE(ParseSha256Hex(Sha256Hex(large_), &raw));
    const std::string key = ObjectKey(key_->ObjectName(raw));
    return target_->Stat(key).ok() ? key : "";
  }

  // Above the local repository's pack limit and the copy's: a loose object
  // in both places.
  std::string large_ = std::string(kPackObjectLimit + kPackedFileLimit + 100, 'L');
  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string repo_dir_ = DefaultBackupDir(data_);
  std::string target_dir_ = dir_.Sub("target");
  // Two files held: every manifest read back spills to its scratch file.
  OffsiteScratch scratch_{Env::Default(), dir_.path(), 2};
  std::unique_ptr<OffsiteTarget> target_;
  std::unique_ptr<OffsiteKey> key_;
};

TEST_F(OffsiteStreamedCopyTest, NothingPassesThroughCopyTmpAndTheObjectIsTheSealedFile) {
  const std::string id = Snap();
  CreatedFilesEnv env(Env::Default());
  OffsiteCopier copier(&env, repo_dir_, target_.get(), *key_);
  copier.SetScratchDir(dir_.Sub("data-tmp"));  // as the server and the CLI do
  auto copied = copier.Copy(id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->packs_sent, 1u);
  EXPECT_EQ(env.CreatedUnder(RepoLayout(repo_dir_).copy_tmp), std::vector<std::string>())
      << "no spool file";
  const std::string key = LargeObjectKey();
  ASSERT_FALSE(key.empty());
  StringByteSink stored;
  ASSERT_TRUE(target_->Get(key, UINT64_MAX, &stored).ok());
  EXPECT_EQ(stored.data().size(), EncryptedSize(large_.size()));
  auto plain = DecryptBytes(*key_, key, stored.data());
  ASSERT_TRUE(plain.ok()) << plain.status().ToString();
  EXPECT_EQ(Sha256Hex(*plain), Sha256Hex(large_));
  EXPECT_TRUE(CheckTarget(target_.get(), *key_, CheckOptions{100, 0}, scratch_)->ok());
}

TEST_F(OffsiteStreamedCopyTest, ALocalFileThatNoLongerMatchesLeavesNoObjectOnTheTarget) {
  const std::string id = Snap();
  {
    // Same size, one byte changed, past the first chunk the copy sends.
    std::fstream f(RepoLayout(repo_dir_).ObjectPath(Sha256Hex(large_)),
                   std::ios::in | std::ios::out | std::ios::binary);
    ASSERT_TRUE(f.is_open());
    f.seekp(static_cast<std::streamoff>(large_.size() - 10));
    f.put('X');
  }
  OffsiteCopier copier(Env::Default(), repo_dir_, target_.get(), *key_);
  auto copied = copier.Copy(id);
  EXPECT_EQ(copied.status().code(), StatusCode::kCorruption) << copied.status().ToString();
  EXPECT_EQ(LargeObjectKey(), "");
  auto incoming = Env::Default()->ListDir(target_dir_ + "/.incoming");
  EXPECT_TRUE(!incoming.ok() || incoming->empty()) << "no partial file left";
  EXPECT_TRUE(ListTargetPoints(target_.get(), *key_, scratch_)->empty());
}

TEST_F(OffsiteStreamedCopyTest, TheRecordReadBackGoesToTheScratchDirNotTheRepository) {
  OffsiteCopier first(Env::Default(), repo_dir_, target_.get(), *key_);
  ASSERT_TRUE(first.Copy(Snap()).ok());
  AddUpload("later.txt", std::string(2000, 'l'));
  const std::string second_id = Snap();
  CreatedFilesEnv env(Env::Default());
  OffsiteCopier second(&env, repo_dir_, target_.get(), *key_);
  const std::string scratch = dir_.Sub("data-tmp");
  second.SetScratchDir(scratch);
  auto copied = second.Copy(second_id);
  ASSERT_TRUE(copied.ok()) << copied.status().ToString();
  EXPECT_EQ(copied->objects_sent, 2u) << "the new upload and the database";
  // The newest record is read back, decrypted, to find what the target
  // holds in packs, and the manifest is copied out to be read without the
  // local pack index: plaintext both, so never into the repository.
  const std::vector<std::string> created = env.CreatedUnder(scratch);
  ASSERT_EQ(created.size(), 2u);
  EXPECT_EQ(BaseName(created[0]).rfind("arkwiki-manifest-", 0), 0u) << created[0];
  EXPECT_EQ(BaseName(created[1]).rfind("arkwiki-record-", 0), 0u) << created[1];
  EXPECT_EQ(env.CreatedUnder(repo_dir_), std::vector<std::string>());
  auto left = Env::Default()->ListDir(scratch);
  ASSERT_TRUE(left.ok()) << left.status().ToString();
  EXPECT_TRUE(left->empty()) << "the scratch file has no name";
}

}  // namespace
}  // namespace arkwiki
