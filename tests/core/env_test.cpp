// The POSIX Env's calls whose behaviour depends on the file system.
#include "arkwiki/core/env.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fstream>

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

// Whatever the umask, a private file is the owner's alone; an exclusive one
// still refuses an existing path.
TEST(PosixEnvTest, ExclusivePrivateFileIsTheOwnersAloneAndNeverReplacesOne) {
  testing::TempDir dir;
  Env* env = Env::Default();
  const mode_t old_umask = ::umask(0);
  auto file = env->NewWritableFile(dir.Sub("private"), CreateMode::kExclusivePrivate);
  auto shared = env->NewWritableFile(dir.Sub("shared"), CreateMode::kExclusive);
  ::umask(old_umask);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  ASSERT_TRUE(shared.ok()) << shared.status().ToString();
  struct stat st {};
  ASSERT_EQ(::stat(dir.Sub("private").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u) << std::oct << (st.st_mode & 0777);
  ASSERT_EQ(::stat(dir.Sub("shared").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u) << std::oct << (st.st_mode & 0777);
  EXPECT_EQ(env->NewWritableFile(dir.Sub("shared"), CreateMode::kExclusivePrivate).status().code(),
            StatusCode::kAlreadyExists);
}

// The POSIX Env answers with lstat, the default (here through a wrapper
// that does not forward the call) from ListDir: the same for each kind of
// entry, a link reported as itself, even one to a directory.
TEST(PosixEnvTest, GetEntryTypeReportsALinkAsALinkBothWays) {
  testing::TempDir dir;
  ASSERT_EQ(::mkdir(dir.Sub("d").c_str(), 0700), 0);
  std::ofstream(dir.Sub("f")) << "x";
  ASSERT_EQ(::symlink(dir.Sub("d").c_str(), dir.Sub("link").c_str()), 0);
  ASSERT_EQ(::mkfifo(dir.Sub("fifo").c_str(), 0600), 0);
  EnvWrapper listing(Env::Default());
  for (Env* env : {Env::Default(), static_cast<Env*>(&listing)}) {
    EXPECT_EQ(env->GetEntryType(dir.Sub("d")).value(), DirEntry::Type::kDir);
    EXPECT_EQ(env->GetEntryType(dir.Sub("f")).value(), DirEntry::Type::kFile);
    EXPECT_EQ(env->GetEntryType(dir.Sub("link")).value(), DirEntry::Type::kSymlink);
    EXPECT_EQ(env->GetEntryType(dir.Sub("fifo")).value(), DirEntry::Type::kOther);
    EXPECT_EQ(env->GetEntryType(dir.Sub("absent")).status().code(), StatusCode::kNotFound);
    EXPECT_EQ(env->GetEntryType(dir.Sub("absent/below")).status().code(), StatusCode::kNotFound);
  }
}

}  // namespace
}  // namespace arkwiki
