// The database snapshot a backup or a restore point starts from: its list
// of uploads when the upload rows are sorted in runs on disk.
#include "create/db_snapshot.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "arkwiki/storage/storage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Counts the files created through it whose names end in `suffix`.
class CountingCreatesEnv : public EnvWrapper {
 public:
  CountingCreatesEnv(Env* target, std::string suffix)
      : EnvWrapper(target), suffix_(std::move(suffix)) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    created += p.ends_with(suffix_) ? 1 : 0;
    return target()->NewWritableFile(p, m);
  }
  int created = 0;

 private:
  std::string suffix_;
};

// The distinct uploads `rows` name, as "hash size" lines; fails the test on
// an error.
std::vector<std::string> Distinct(UploadRows* rows) {
  std::vector<std::string> out;
  Status s = rows->ForEachDistinct([&](const Sha256Raw& hash, uint64_t, uint64_t max_size) {
    out.push_back(HexEncode(hash.data(), hash.size()) + " " + std::to_string(max_size));
    return Status::Ok();
  });
  EXPECT_TRUE(s.ok()) << s.ToString();
  return out;
}

TEST(DbSnapshotTest, UploadRowsSortedInRunsOnDiskGiveTheSameListAndLeaveNothingBehind) {
  testing::TempDir dir;
  const std::string data = dir.Sub("data");
  testing::SeedWikiAt(data);
  {
    auto storage = Storage::Open(Env::Default(), data);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    // Two rows for one content, so that runs hold a hash twice.
    for (int i = 0; i < 40; ++i) {
      testing::AddUpload(**storage, "home", "f" + std::to_string(i) + ".txt",
                         "upload number " + std::to_string(i % 30));
    }
  }
  const DataDirLayout layout(data);
  ASSERT_TRUE(Env::Default()->CreateDirs(dir.Sub("held")).ok());
  ASSERT_TRUE(Env::Default()->CreateDirs(dir.Sub("runs")).ok());
  auto held = SnapshotDatabase(Env::Default(), layout, dir.Sub("held/copy.db"));
  CountingCreatesEnv env(Env::Default(), ".run");
  auto runs = SnapshotDatabase(&env, layout, dir.Sub("runs/copy.db"), RowCheck::kCheck,
                               /*upload_run_rows=*/3);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  ASSERT_TRUE(runs.ok()) << runs.status().ToString();
  ASSERT_TRUE(held->upload_rows && runs->upload_rows);
  // The rows went to disk in runs of 3, beside the copy until they are read.
  EXPECT_GE(env.created, 10);
  EXPECT_GE(testing::EntriesIn(dir.Sub("runs")), 10u);
  const std::vector<std::string> from_memory = Distinct(held->upload_rows.get());
  EXPECT_GE(from_memory.size(), 30u);
  EXPECT_EQ(Distinct(runs->upload_rows.get()), from_memory);
  // Read, the runs are gone: only the copy is left.
  EXPECT_EQ(testing::EntriesIn(dir.Sub("runs")), 1u);
}

}  // namespace
}  // namespace arkwiki
