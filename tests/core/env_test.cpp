// The POSIX Env's calls whose behaviour depends on the file system.
#include "arkwiki/core/env.h"

#include <gtest/gtest.h>

#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// On a file system with reflinks the clone is a file of its own; elsewhere
// (ext4, tmpfs) the call says Unsupported and leaves nothing behind.
TEST(PosixEnvTest, CloneFileMakesAnIndependentFileOrSaysUnsupportedAndLeavesNothing) {
  testing::TempDir dir;
  Env* env = Env::Default();
  const std::string from = dir.Sub("from"), to = dir.Sub("to");
  ASSERT_TRUE(WriteFileAtomically(env, from, "original bytes").ok());
  Status s = env->CloneFile(from, to);
  if (s.code() == StatusCode::kUnsupported) {
    EXPECT_FALSE(*env->FileExists(to));
    return;
  }
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(*ReadFileToString(env, to), "original bytes");
  auto out = env->NewWritableFile(to, CreateMode::kAppend);
  ASSERT_TRUE(out.ok());
  ASSERT_TRUE((*out)->Append(" changed").ok());
  ASSERT_TRUE((*out)->Close().ok());
  EXPECT_EQ(*ReadFileToString(env, from), "original bytes");
}

TEST(PosixEnvTest, CloneFileRefusesAnExistingTargetAndAMissingSource) {
  testing::TempDir dir;
  Env* env = Env::Default();
  ASSERT_TRUE(WriteFileAtomically(env, dir.Sub("a"), "a").ok());
  ASSERT_TRUE(WriteFileAtomically(env, dir.Sub("b"), "b").ok());
  EXPECT_EQ(env->CloneFile(dir.Sub("a"), dir.Sub("b")).code(), StatusCode::kAlreadyExists);
  EXPECT_EQ(*ReadFileToString(env, dir.Sub("b")), "b");
  EXPECT_EQ(env->CloneFile(dir.Sub("missing"), dir.Sub("c")).code(), StatusCode::kNotFound);
  EXPECT_FALSE(*env->FileExists(dir.Sub("c")));
}

}  // namespace
}  // namespace arkwiki
