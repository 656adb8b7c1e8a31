#include "first_run_setup.h"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include <fstream>

#include "arkwiki/backup/repository.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::web {
namespace {

using arkwiki::testing::TempDir;

TEST(FirstRunSetupTest, TheCodeIsPrivateRandomAndOnlyItMatches) {
  TempDir dir;
  const std::string path = dir.Sub("setup-code");
  std::ofstream(path) << "an old code\n";  // replaced, mode and all
  ::chmod(path.c_str(), 0644);
  FirstRunSetup setup(path);
  EXPECT_FALSE(setup.active());
  EXPECT_FALSE(setup.CodeMatches(""));
  auto code = setup.Begin();
  ASSERT_TRUE(code.ok()) << code.status().ToString();
  EXPECT_EQ(code->size(), 32u);
  EXPECT_TRUE(setup.active());
  struct stat st {};
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600);
  std::string stored;
  std::getline(std::ifstream(path), stored);
  EXPECT_EQ(stored, *code);
  EXPECT_TRUE(setup.CodeMatches(*code));
  EXPECT_TRUE(setup.CodeMatches(" " + *code + "\n"));
  EXPECT_FALSE(setup.CodeMatches(""));
  EXPECT_FALSE(setup.CodeMatches(code->substr(1)));
  EXPECT_FALSE(setup.CodeMatches("an old code"));
  auto next = FirstRunSetup(dir.Sub("other")).Begin();
  ASSERT_TRUE(next.ok());
  EXPECT_NE(*next, *code);
}

TEST(FirstRunSetupTest, EndRemovesTheFileAndNoCodeMatchesAfter) {
  TempDir dir;
  const std::string path = dir.Sub("setup-code");
  FirstRunSetup setup(path);
  auto code = setup.Begin();
  ASSERT_TRUE(code.ok());
  ASSERT_TRUE(setup.End().ok());
  EXPECT_FALSE(setup.active());
  EXPECT_FALSE(setup.CodeMatches(*code));
  EXPECT_FALSE(std::ifstream(path).good());
  EXPECT_TRUE(setup.End().ok()) << "already gone is fine";
}

// A directory target holding one restore point of a seeded wiki, as
// `backup copy` makes it; returns its spec.
OffsiteTargetSpec MakeTarget(const TempDir& dir, const std::string& passphrase) {
  const std::string data = dir.Sub("source");
  arkwiki::testing::SeedWikiAt(data);
  Env* env = Env::Default();
  const std::string backups = JoinPath(data, "backups");
  auto repository = Repository::Open(env, DataDirLayout(data), backups);
  EXPECT_TRUE(repository.ok()) << repository.status().ToString();
  auto point = (*repository)->Snapshot(SnapshotRequest{});
  EXPECT_TRUE(point.ok()) << point.status().ToString();
  OffsiteTargetSpec spec;
  spec.location = dir.Sub("nas");
  auto target = OpenOffsiteTarget(env, spec, true);
  EXPECT_TRUE(target.ok()) << target.status().ToString();
  auto key = UnlockOrInitTarget(target->get(), passphrase);
  EXPECT_TRUE(key.ok()) << key.status().ToString();
  auto copied = OffsiteCopier(env, backups, target->get(), **key).Copy(point->id);
  EXPECT_TRUE(copied.ok()) << copied.status().ToString();
  return spec;
}

TEST(FirstRunSetupTest, AConnectionLastsThirtyMinutesAndEndsWithTheCode) {
  TempDir dir;
  const OffsiteTargetSpec spec = MakeTarget(dir, "the passphrase");
  FirstRunSetup setup(dir.Sub("setup-code"));
  auto before = setup.Connect(Env::Default(), dir.path(), spec, "the passphrase", 1000);
  EXPECT_EQ(before.status().code(), StatusCode::kNotFound) << "no code, no connection";
  ASSERT_TRUE(setup.Begin().ok());
  auto wrong = setup.Connect(Env::Default(), dir.path(), spec, "a guess", 1000);
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied);
  auto connection = setup.Connect(Env::Default(), dir.path(), spec, "the passphrase", 1000);
  ASSERT_TRUE(connection.ok()) << connection.status().ToString();
  ASSERT_EQ((*connection)->points.size(), 1u);
  const std::string id = (*connection)->id;
  EXPECT_EQ(id.size(), 32u);
  EXPECT_NE(setup.Find(id, 1000 + FirstRunSetup::kConnectionSeconds), nullptr);
  EXPECT_EQ(setup.Find(id, 1000 + FirstRunSetup::kConnectionSeconds + 1), nullptr);
  EXPECT_EQ(setup.Find(id.substr(1), 1000), nullptr);
  EXPECT_EQ(setup.Find("", 1000), nullptr);
  ASSERT_TRUE(setup.End().ok());
  EXPECT_EQ(setup.Find(id, 1000), nullptr);
}

}  // namespace
}  // namespace arkwiki::web
