// ObjectCopier: objects stored by copy or by reflink, hashed as stored, and
// never stored when their bytes do not match their name.
#include "repository/object_store.h"

#include <gtest/gtest.h>

#include "arkwiki/core/hash.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// An Env whose CloneFile is scripted: kUnsupported, a faithful "reflink"
// (a copy), or one that stores other bytes. Counts the calls.
class CloneEnv final : public EnvWrapper {
 public:
  enum class Mode { kUnsupported, kFaithful, kAltered };
  explicit CloneEnv(Mode mode) : EnvWrapper(Env::Default()), mode_(mode) {}
  Status CloneFile(const std::string& from, const std::string& to) override {
    ++clone_calls;
    if (mode_ == Mode::kUnsupported) return Status::Unsupported("no reflinks here");
    ARKWIKI_ASSIGN_OR_RETURN(std::string bytes, ReadFileToString(this, from));
    if (mode_ == Mode::kAltered) bytes[0] = static_cast<char>(bytes[0] ^ 1);
    ARKWIKI_ASSIGN_OR_RETURN(auto out, NewWritableFile(to, CreateMode::kExclusive));
    ARKWIKI_RETURN_IF_ERROR(out->Append(bytes));
    return out->Close();
  }
  int clone_calls = 0;

 private:
  Mode mode_;
};

class ObjectCopierTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(Env::Default()->CreateDirs(repo_.tmp).ok());
    ASSERT_TRUE(Env::Default()->CreateDirs(repo_.objects).ok());
  }
  // A live file holding `bytes`; returns its SHA-256.
  std::string Live(const std::string& name, const std::string& bytes) {
    EXPECT_TRUE(WriteFileAtomically(Env::Default(), dir_.Sub(name), bytes).ok());
    return Sha256Hex(bytes);
  }
  std::string Stored(const std::string& sha256) {
    auto bytes = ReadFileToString(Env::Default(), repo_.ObjectPath(sha256));
    return bytes.ok() ? *bytes : "<" + bytes.status().ToString() + ">";
  }
  bool TmpIsEmpty() { return Env::Default()->ListDir(repo_.tmp)->empty(); }

  testing::TempDir dir_;
  RepoLayout repo_{dir_.Sub("repo")};
};

TEST_F(ObjectCopierTest, CopiesWhereReflinksAreUnsupportedAndAsksOnlyOnce) {
  CloneEnv env(CloneEnv::Mode::kUnsupported);
  ObjectCopier copier(&env, repo_);
  for (const char* name : {"a", "b", "c"}) {
    const std::string bytes = std::string("bytes of ") + name;
    ASSERT_TRUE(copier.Copy(dir_.Sub(name), Live(name, bytes), bytes.size()).ok());
    EXPECT_EQ(Stored(Sha256Hex(bytes)), bytes);
  }
  EXPECT_EQ(env.clone_calls, 1);
  EXPECT_EQ(copier.cloned(), 0u);
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(ObjectCopierTest, CopiesALargeFileWholeThroughDirectIo) {
  std::string bytes(3 * (1 << 20) + 123, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 7 + i / 4096);
  CloneEnv env(CloneEnv::Mode::kUnsupported);
  ObjectCopier copier(&env, repo_);
  ASSERT_TRUE(copier.Copy(dir_.Sub("big"), Live("big", bytes), bytes.size()).ok());
  EXPECT_TRUE(Stored(Sha256Hex(bytes)) == bytes);
}

// The blocks of a large copy are written on the copier's writer thread: a
// write that fails there fails the copy, stores nothing, and leaves the
// copier able to store the next object.
TEST_F(ObjectCopierTest, AWriteFailingMidwayInALargeCopyStoresNothingAndTheNextCopyWorks) {
  std::string bytes(3 * (1 << 20) + 123, '\0');
  for (size_t i = 0; i < bytes.size(); ++i) bytes[i] = static_cast<char>(i * 5 + i / 4096);
  const std::string sha = Live("big", bytes);
  FaultInjectionEnv env(Env::Default());
  ObjectCopier copier(&env, repo_);
  uint64_t fail_at = 1;  // counted from the start of each copy
  for (;; ++fail_at) {
    env.FailAt(env.operations() + fail_at);
    Status s = copier.Copy(dir_.Sub("big"), sha, bytes.size());
    env.FailAt(0);
    if (s.ok()) break;
    ASSERT_EQ(s.code(), StatusCode::kNoSpace) << s.ToString();
    EXPECT_FALSE(Env::Default()->FileExists(repo_.ObjectPath(sha)).value());
    ASSERT_LT(fail_at, 50u);
  }
  EXPECT_GE(fail_at, 7u);  // the creation, the four appends, close and rename were swept
  EXPECT_TRUE(Stored(sha) == bytes);
}

TEST_F(ObjectCopierTest, StoresAReflinkAfterHashingTheClone) {
  CloneEnv env(CloneEnv::Mode::kFaithful);
  ObjectCopier copier(&env, repo_);
  const std::string bytes = "shared blocks";
  ASSERT_TRUE(copier.Copy(dir_.Sub("r"), Live("r", bytes), bytes.size()).ok());
  EXPECT_EQ(copier.cloned(), 1u);
  EXPECT_EQ(Stored(Sha256Hex(bytes)), bytes);
}

TEST_F(ObjectCopierTest, RefusesAReflinkWhoseBytesDoNotMatchAndStoresNothing) {
  CloneEnv env(CloneEnv::Mode::kAltered);
  ObjectCopier copier(&env, repo_);
  const std::string bytes = "cloned wrong";
  const std::string sha = Live("w", bytes);
  Status s = copier.Copy(dir_.Sub("w"), sha, bytes.size());
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_FALSE(*Env::Default()->FileExists(repo_.ObjectPath(sha)));
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(ObjectCopierTest, RefusesALiveFileThatNoLongerMatchesItsName) {
  ObjectCopier copier(Env::Default(), repo_);
  const std::string sha = Sha256Hex("the original");
  Live("rotten", "the 0riginal");
  Status s = copier.Copy(dir_.Sub("rotten"), sha, 12);
  EXPECT_EQ(s.code(), StatusCode::kCorruption) << s.ToString();
  EXPECT_FALSE(*Env::Default()->FileExists(repo_.ObjectPath(sha)));
  EXPECT_TRUE(TmpIsEmpty());
}

TEST_F(ObjectCopierTest, AMissingLiveFileIsNotFound) {
  ObjectCopier copier(Env::Default(), repo_);
  Status s = copier.Copy(dir_.Sub("absent"), Sha256Hex("x"), 1);
  EXPECT_EQ(s.code(), StatusCode::kNotFound) << s.ToString();
  EXPECT_TRUE(TmpIsEmpty());
}

}  // namespace
}  // namespace arkwiki
