// Where multipart upload state is kept: a private directory of this user's
// own, created 0700, never one that another local user could have planted
// state in.
#include "offsite/upload_state.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>
#include <set>
#include <string>

#include "arkwiki/backup/offsite_targets.h"
#include "support/temp_dir.h"

namespace arkwiki::s3 {
namespace {

mode_t ModeOf(const std::string& path) {
  struct stat st {};
  EXPECT_EQ(::lstat(path.c_str(), &st), 0) << path;
  return st.st_mode & 0777;
}

UploadState SomeState() {
  UploadState state;
  state.key = "objects/ab/k";
  state.size = 100;
  state.part_size = 10;
  state.upload_id = "upload-1";
  state.parts[1] = {"sha", "etag"};
  return state;
}

TEST(UploadStateTest, DirectoryIsCreatedPrivate) {
  testing::TempDir dir;
  const std::string states = dir.Sub("data/offsite/s3-uploads");
  UploadStateStore store(Env::Default(), states, "target");
  ASSERT_TRUE(store.Save(SomeState()).ok());
  EXPECT_EQ(ModeOf(states), 0700u);
  auto loaded = store.Load("objects/ab/k");
  ASSERT_TRUE(loaded.ok()) << loaded.status().ToString();
  EXPECT_EQ(loaded->upload_id, "upload-1");
}

// State in a directory anyone may write could have been planted: it is not
// read, and nothing is written there.
TEST(UploadStateTest, RefusesADirectoryOthersMayWrite) {
  testing::TempDir dir;
  const std::string states = dir.Sub("shared");
  UploadStateStore planter(Env::Default(), states, "target");
  ASSERT_TRUE(planter.Save(SomeState()).ok());
  ASSERT_EQ(::chmod(states.c_str(), 01777), 0);
  UploadStateStore store(Env::Default(), states, "target");
  auto loaded = store.Load("objects/ab/k");
  EXPECT_EQ(loaded.status().code(), StatusCode::kPermissionDenied) << loaded.status().ToString();
  EXPECT_NE(loaded.status().message().find("writable by other users"), std::string::npos)
      << loaded.status().message();
  EXPECT_EQ(store.Save(SomeState()).code(), StatusCode::kPermissionDenied);
}

TEST(UploadStateTest, RefusesALinkAndTightensOurOwnReadableDirectory) {
  testing::TempDir dir;
  const std::string real = dir.Sub("real");
  ASSERT_EQ(::mkdir(real.c_str(), 0755), 0);
  const std::string link = dir.Sub("link");
  ASSERT_EQ(::symlink(real.c_str(), link.c_str()), 0);
  UploadStateStore linked(Env::Default(), link, "target");
  EXPECT_EQ(linked.Save(SomeState()).code(), StatusCode::kPermissionDenied);
  UploadStateStore store(Env::Default(), real, "target");
  ASSERT_TRUE(store.Save(SomeState()).ok());
  EXPECT_EQ(ModeOf(real), 0700u);
}

// Without a state directory an S3 target is refused rather than keeping
// its state in a shared temporary directory.
TEST(OffsiteTargetsTest, S3TargetWithoutAStateDirectoryIsRefused) {
  OffsiteTargetSpec spec;
  spec.location = "s3://bucket/prefix";
  spec.endpoint = "http://127.0.0.1:9";
  spec.access_key_id = "id";
  spec.secret_access_key = "secret";
  auto opened = OpenOffsiteTarget(Env::Default(), spec, true);
  EXPECT_EQ(opened.status().code(), StatusCode::kInvalidArgument) << opened.status().ToString();
  testing::TempDir dir;
  spec.state_dir = dir.Sub("states");
  EXPECT_TRUE(OpenOffsiteTarget(Env::Default(), spec, true).ok());
}

TEST(UploadStateTest, DamagedMarksAreKeptPerTargetUntilCleared) {
  testing::TempDir dir;
  const std::string states = dir.Sub("s3-state");
  {
    UploadStateStore empty(Env::Default(), states, "target");
    auto none = empty.DamagedKeys();
    ASSERT_TRUE(none.ok()) << none.status().ToString();
    EXPECT_TRUE(none->empty());
  }
  UploadStateStore first(Env::Default(), states, "target");
  UploadStateStore other(Env::Default(), states, "another target");
  ASSERT_TRUE(first.MarkDamaged("objects/ab/k").ok());
  ASSERT_TRUE(first.MarkDamaged("packs/p").ok());
  ASSERT_TRUE(other.MarkDamaged("objects/ab/k").ok());
  ASSERT_TRUE(first.Save(SomeState()).ok());  // an upload record beside the marks
  EXPECT_EQ(ModeOf(states), 0700u);

  UploadStateStore reopened(Env::Default(), states, "target");
  auto keys = reopened.DamagedKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::set<std::string>{"objects/ab/k", "packs/p"}));
  ASSERT_TRUE(reopened.ClearDamaged("objects/ab/k").ok());
  ASSERT_TRUE(reopened.ClearDamaged("never/marked").ok());
  keys = reopened.DamagedKeys();
  ASSERT_TRUE(keys.ok()) << keys.status().ToString();
  EXPECT_EQ(*keys, (std::set<std::string>{"packs/p"}));
  auto others = other.DamagedKeys();
  ASSERT_TRUE(others.ok()) << others.status().ToString();
  EXPECT_EQ(*others, (std::set<std::string>{"objects/ab/k"}));
}

}  // namespace
}  // namespace arkwiki::s3
