// ManifestFileStore (format/manifest_file_store.h): a spilled list reads
// back as it was added, as often as asked, and leaves no scratch file.
#include "format/manifest_file_store.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <string>
#include <vector>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/env.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

ManifestFile Upload(int i) {
  std::string name = "u";  // appended to, not "u" + ...: gcc 12 -O3 warns falsely on that
  name += std::to_string(i);
  const std::string sha = Sha256Hex(name);
  return {UploadEntryPath(sha), static_cast<uint64_t>(100 + i), sha};
}

// The database and settings first, then `n` uploads, as a backup lists them.
std::vector<ManifestFile> Listing(int n) {
  std::vector<ManifestFile> files = {{kDatabasePath, 7, Sha256Hex("db")},
                                     {kSettingsPath, 3, Sha256Hex("settings")}};
  for (int i = 0; i < n; ++i) files.push_back(Upload(i));
  return files;
}

std::vector<ManifestFile> ReadBack(const ManifestFileStore& store) {
  std::vector<ManifestFile> out;
  ManifestFileStore::Cursor c = store.Walk();
  for (;;) {
    auto f = c.Next();
    EXPECT_TRUE(f.ok()) << f.status().ToString();
    if (!f.ok() || *f == nullptr) return out;
    out.push_back((*f)->Get());
  }
}

bool SameFiles(const std::vector<ManifestFile>& a, const std::vector<ManifestFile>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].path != b[i].path || a[i].size != b[i].size || a[i].sha256 != b[i].sha256) {
      return false;
    }
  }
  return true;
}

TEST(ManifestFileStoreTest, SpilledListReadsBackInOrderEveryTime) {
  const std::vector<ManifestFile> files = Listing(5000);  // several 64 KiB blocks
  testing::TempDir dir;
  for (size_t held : {size_t{1}, size_t{2}, size_t{1637}, size_t{1638}, size_t{6000}}) {
    {
      ManifestFileStore store(Env::Default(), dir.path() + "/list.bin", held);
      for (const ManifestFile& f : files) ARKWIKI_ASSERT_OK(store.Add(f));
      ARKWIKI_ASSERT_OK(store.Finish());
      EXPECT_EQ(store.spilled(), held < files.size()) << held;
      EXPECT_EQ(store.size(), files.size());
      EXPECT_EQ(store.uploads(), 5000u);
      EXPECT_TRUE(store.uploads_ascending() == false);  // Listing's hashes are unordered
      EXPECT_TRUE(SameFiles(ReadBack(store), files)) << "held " << held;
      EXPECT_TRUE(SameFiles(ReadBack(store), files)) << "held " << held << ", second pass";
      auto listed = store.ToManifestFiles();
      ARKWIKI_ASSERT_OK(listed.status());
      EXPECT_EQ(listed->size(), files.size());
      EXPECT_EQ(listed->held(), !store.spilled());
    }
    EXPECT_EQ(testing::EntriesIn(dir.path()), 0u) << "held " << held;
  }
}

TEST(ManifestFileStoreTest, NotesWhetherUploadsAscend) {
  std::vector<ManifestFile> uploads;
  for (int i = 0; i < 50; ++i) uploads.push_back(Upload(i));
  std::sort(uploads.begin(), uploads.end(),
            [](const ManifestFile& a, const ManifestFile& b) { return a.sha256 < b.sha256; });
  testing::TempDir dir;
  ManifestFileStore ascending(Env::Default(), dir.path() + "/a.bin", 4);
  for (const ManifestFile& f : Listing(0)) ARKWIKI_ASSERT_OK(ascending.Add(f));
  for (const ManifestFile& f : uploads) ARKWIKI_ASSERT_OK(ascending.Add(f));
  EXPECT_TRUE(ascending.uploads_ascending());
  ManifestFileStore twice(Env::Default(), dir.path() + "/b.bin", 4);
  for (const ManifestFile& f : uploads) ARKWIKI_ASSERT_OK(twice.Add(f));
  ARKWIKI_ASSERT_OK(twice.Add(uploads.back()));  // the same hash again is not ascending
  EXPECT_FALSE(twice.uploads_ascending());
}

// A disk that fills: the error names the scratch file, and nothing is
// left behind.
TEST(ManifestFileStoreTest, AFailedScratchWriteIsReportedAndLeavesNoFile) {
  const std::vector<ManifestFile> files = Listing(5000);
  testing::TempDir dir;
  for (uint64_t fail_at = 1;; ++fail_at) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(fail_at);
    Status s;
    bool triggered = false;
    {
      ManifestFileStore store(&env, dir.path() + "/list.bin", 10);
      for (const ManifestFile& f : files) {
        s = store.Add(f);
        if (!s.ok()) break;
      }
      if (s.ok()) s = store.Finish();
      triggered = env.triggered();
      env.FailAt(0);  // removing the file works, as on a full disk
    }
    EXPECT_EQ(testing::EntriesIn(dir.path()), 0u) << "failing operation " << fail_at;
    if (!triggered) {
      ARKWIKI_EXPECT_OK(s);
      break;
    }
    EXPECT_EQ(s.code(), StatusCode::kNoSpace) << fail_at << ": " << s.ToString();
    EXPECT_NE(s.message().find("list.bin"), std::string::npos) << s.ToString();
    ASSERT_LT(fail_at, 100u);
  }
}

// The scratch file is the owner's alone while it is written, and has no
// name once it is: the passes read through the descriptor opened then.
// Notes the mode of every file it creates, as it stands right after.
class ModeOnCreateEnv : public EnvWrapper {
 public:
  explicit ModeOnCreateEnv(Env* target) : EnvWrapper(target) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewWritableFile(p, m));
    struct stat st {};
    EXPECT_EQ(::stat(p.c_str(), &st), 0) << p;
    modes.push_back(st.st_mode & 0777);
    return file;
  }
  std::vector<mode_t> modes;
};

// The scratch file is private and has no name from its first spill on:
// a crash leaves nothing behind, and a file put at its name later is
// neither read nor removed.
TEST(ManifestFileStoreTest, ScratchFileIsPrivateAndUnnamedFromItsFirstSpill) {
  const std::vector<ManifestFile> files = Listing(3000);
  testing::TempDir dir;
  const std::string path = dir.path() + "/list.bin";
  ModeOnCreateEnv env(Env::Default());
  ManifestFileStore store(&env, path, 10);
  for (size_t i = 0; i < 11; ++i) ARKWIKI_ASSERT_OK(store.Add(files[i]));
  ASSERT_TRUE(store.spilled());
  ASSERT_EQ(env.modes.size(), 1u);
  EXPECT_EQ(env.modes[0] & 077, 0u) << std::oct << env.modes[0];
  EXPECT_EQ(testing::EntriesIn(dir.path()), 0u) << "the scratch file has a name";
  // Records of this very list, at the old name, the length the whole list takes.
  std::string impostor;
  for (size_t i = 0; i < files.size(); ++i) impostor += std::string(40, '\0');
  testing::WriteFileOrDie(path, impostor);
  for (size_t i = 11; i < files.size(); ++i) ARKWIKI_ASSERT_OK(store.Add(files[i]));
  ARKWIKI_ASSERT_OK(store.Finish());
  EXPECT_TRUE(SameFiles(ReadBack(store), files));
  EXPECT_TRUE(SameFiles(ReadBack(store), files));
  EXPECT_EQ(testing::EntriesIn(dir.path()), 1u) << "the file at the old name was removed";
}

// Reads the scratch file with `edits` (file offset -> bytes) laid over what
// is on disk, as a damaged disk or another writer would show it.
class AlteredReadEnv : public EnvWrapper {
 public:
  AlteredReadEnv(Env* target, std::map<uint64_t, std::string> edits)
      : EnvWrapper(target), edits_(std::move(edits)) {}

  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(p));
    return std::unique_ptr<RandomAccessFile>(new Altered(std::move(file), &edits_));
  }

 private:
  class Altered : public RandomAccessFile {
   public:
    Altered(std::unique_ptr<RandomAccessFile> file, const std::map<uint64_t, std::string>* edits)
        : file_(std::move(file)), edits_(edits) {}
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      ARKWIKI_ASSIGN_OR_RETURN(size_t got, file_->ReadAt(offset, buf, n));
      for (const auto& [at, bytes] : *edits_) {
        for (size_t i = 0; i < bytes.size(); ++i) {
          if (at + i >= offset && at + i < offset + got) buf[at + i - offset] = bytes[i];
        }
      }
      return got;
    }
    uint64_t Size() const override { return file_->Size(); }

   private:
    std::unique_ptr<RandomAccessFile> file_;
    const std::map<uint64_t, std::string>* edits_;
  };

  std::map<uint64_t, std::string> edits_;
};

// The first error a walk of `store` meets, or Ok.
Status WalkAll(const ManifestFileStore& store) {
  ManifestFileStore::Cursor c = store.Walk();
  for (;;) {
    auto f = c.Next();
    if (!f.ok()) return f.status();
    if (*f == nullptr) return Status::Ok();
    (void)(*f)->Get();  // reads the file a record points at
  }
}

// A record read back that was never added is an I/O error, not followed: an
// index past the list's other files, or uploads that fall out of the hash
// order they were added in.
TEST(ManifestFileStoreTest, AlteredRecordIsAnIoErrorNotFollowed) {
  std::vector<ManifestFile> files = Listing(40);
  std::sort(files.begin() + 2, files.end(),
            [](const ManifestFile& a, const ManifestFile& b) { return a.sha256 < b.sha256; });
  std::string far_index(40, '\xff');  // an "other" record: index, then kOther
  const uint32_t index = 0x7fffffff;
  std::memcpy(far_index.data(), &index, sizeof index);
  std::string first_upload_again = std::string(40, '\0');
  ASSERT_TRUE(
      ParseSha256Hex(files[2].sha256, reinterpret_cast<Sha256Raw*>(first_upload_again.data())));
  const std::map<std::string, std::map<uint64_t, std::string>> cases = {
      {"an index out of range", {{5 * 40, far_index}}},
      {"uploads out of hash order", {{30 * 40, first_upload_again}}},
  };
  testing::TempDir dir;
  for (const auto& [what, edits] : cases) {
    AlteredReadEnv env(Env::Default(), edits);
    ManifestFileStore store(&env, dir.path() + "/list.bin", 1);
    for (const ManifestFile& f : files) ARKWIKI_ASSERT_OK(store.Add(f));
    ARKWIKI_ASSERT_OK(store.Finish());
    ASSERT_TRUE(store.uploads_ascending());
    const Status s = WalkAll(store);
    EXPECT_EQ(s.code(), StatusCode::kIoError) << what << ": " << s.ToString();
    EXPECT_NE(s.message().find(what), std::string::npos) << s.ToString();
  }
  AlteredReadEnv unaltered(Env::Default(), {});
  ManifestFileStore store(&unaltered, dir.path() + "/list.bin", 1);
  for (const ManifestFile& f : files) ARKWIKI_ASSERT_OK(store.Add(f));
  ARKWIKI_ASSERT_OK(store.Finish());
  ARKWIKI_EXPECT_OK(WalkAll(store));
}

// Files that are not uploads named by their hash: the first three are kept
// whole (a backup has two, so the third is refused by the check of the
// paths), later ones only with their sizes, and the list is then only
// counted.
TEST(ManifestFileStoreTest, FilesPastTheThirdThatIsNoUploadKeepOnlyTheirSizes) {
  std::vector<ManifestFile> files = Listing(3);
  for (int i = 0; i < 10; ++i) {
    files.push_back({"uploads/zz/" + std::to_string(i), static_cast<uint64_t>(1000 + i), "x"});
  }
  for (size_t held : {size_t{1}, size_t{100}}) {
    testing::TempDir dir;
    ManifestFileStore store(Env::Default(), dir.path() + "/list.bin", held);
    for (const ManifestFile& f : files) ARKWIKI_ASSERT_OK(store.Add(f));
    ARKWIKI_ASSERT_OK(store.Finish());
    ManifestFileStore::Cursor c = store.Walk();
    for (size_t i = 0; i < files.size(); ++i) {
      auto f = c.Next();
      ARKWIKI_ASSERT_OK(f.status());
      ASSERT_NE(*f, nullptr);
      EXPECT_EQ((*f)->size, files[i].size) << i;
      if (i < 6) EXPECT_EQ((*f)->Get().path, files[i].path) << i;  // 2 + 3 uploads + 1
    }
    auto listed = store.ToManifestFiles();
    ARKWIKI_ASSERT_OK(listed.status());
    EXPECT_FALSE(listed->held()) << "held " << held;
    EXPECT_EQ(listed->size(), files.size());
  }
}

// A file that already stood at the scratch path is someone else's: the
// store says so and leaves it.
TEST(ManifestFileStoreTest, AFileAlreadyAtTheScratchPathIsRefusedAndLeftAlone) {
  testing::TempDir dir;
  const std::string path = dir.path() + "/list.bin";
  testing::WriteFileOrDie(path, "not yours");
  {
    ManifestFileStore store(Env::Default(), path, 1);
    ARKWIKI_ASSERT_OK(store.Add(Upload(1)));
    EXPECT_EQ(store.Add(Upload(2)).code(), StatusCode::kAlreadyExists);
  }
  EXPECT_EQ(testing::ReadFileOrDie(path), "not yours");
}

}  // namespace
}  // namespace arkwiki
