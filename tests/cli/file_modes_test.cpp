// Everything the CLI writes holds the wiki's private data (password
// hashes, private pages, uploads): whatever the caller's umask, what it
// creates is its owner's alone.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <filesystem>

#include "support/arkwiki_process.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {
namespace {

// The paths under `root` (and `root` itself) that group or others may use.
std::vector<std::string> SharedPaths(const std::string& root) {
  std::vector<std::string> shared;
  const auto note = [&](const std::filesystem::path& p) {
    struct stat st {};
    if (::lstat(p.c_str(), &st) == 0 && (st.st_mode & 077) != 0) shared.push_back(p.string());
  };
  note(root);
  if (!std::filesystem::is_directory(root)) return shared;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root)) note(entry.path());
  return shared;
}

TEST(FileModesTest, WhatTheCliCreatesIsTheOwnersAloneWhateverTheUmask) {
  TempDir dir;
  const std::string source = dir.Sub("source");
  SeedWikiAt(source);
  const mode_t old_umask = ::umask(022);  // the children inherit it
  const std::string archive = dir.Sub("backup.zip");
  const CommandResult created =
      RunArkwiki({"backup", "create", "--data", source, "--out", archive, "--quiet"});
  const std::string restored = dir.Sub("restored");
  const CommandResult restore =
      RunArkwiki({"backup", "restore", "--data", restored, archive, "--yes", "--quiet"});
  const CommandResult snapshot = RunArkwiki({"backup", "snapshot", "--data", restored, "--quiet"});
  ::umask(old_umask);
  ASSERT_EQ(created.exit_code, 0) << created.err;
  ASSERT_EQ(restore.exit_code, 0) << restore.err;
  ASSERT_EQ(snapshot.exit_code, 0) << snapshot.err;
  EXPECT_EQ(SharedPaths(archive), std::vector<std::string>{});
  EXPECT_EQ(SharedPaths(restored), std::vector<std::string>{});
}

}  // namespace
}  // namespace arkwiki::testing
