// RepositoryFixture: a seeded wiki in a temporary data directory, its
// repository of restore points, and the steps the repository tests share
// (open, snapshot, add an upload, export and verify, check).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "repository/pack_store.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki::testing {

// Every entry of `index` with its name (PackIndex::ReadEntries).
inline std::vector<PackEntry> PackEntries(const PackIndex& index) {
  auto entries = index.ReadEntries();
  EXPECT_TRUE(entries.ok()) << entries.status().ToString();
  return entries.ok() ? std::move(entries).value() : std::vector<PackEntry>();
}

class RepositoryFixture : public ::testing::Test {
 protected:
  void SetUp() override { SeedWikiAt(data_, "a"); }

  // How the tests open the repository (an encrypted suite adds its keys).
  virtual RepositoryOptions Options() { return {}; }

  std::unique_ptr<Repository> Open() {
    auto repo = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_, Options());
    EXPECT_TRUE(repo.ok()) << repo.status().ToString();
    return repo.ok() ? std::move(repo).value() : nullptr;
  }
  SnapshotInfo Snap(const std::string& label = "") {
    auto point = Open()->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", label});
    EXPECT_TRUE(point.ok()) << point.status().ToString();
    return point.ok() ? *point : SnapshotInfo{};
  }
  void AddUpload(const std::string& name, const std::string& data) {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::AddUpload(**storage, "home", name, data);
  }
  // `count` small uploads f<i>.txt on the home page: enough rows for a
  // database of many pages, and a manifest of many chunks.
  void AddSmallUploads(int count) {
    auto storage = Storage::Open(Env::Default(), data_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    for (int i = 0; i < count; ++i) {
      testing::AddUpload(**storage, "home", "f" + std::to_string(i) + ".txt",
                         "upload number " + std::to_string(i));
    }
  }
  // Exports point `id` (again, if it was before) and verifies the archive
  // as an import would.
  Status ExportAndVerify(const std::string& id) {
    const std::string path = dir_.Sub(id + ".zip");
    (void)Env::Default()->RemoveFile(path);
    auto exported = Open()->ExportToFile(id, path);
    if (!exported.ok()) return exported.status();
    return VerifyArchive(Env::Default(), path).status();
  }
  CheckReport CheckAll() {
    auto report = Open()->Check(CheckOptions{100, 0});
    EXPECT_TRUE(report.ok()) << report.status().ToString();
    return report.ok() ? *report : CheckReport{};
  }
  PackIndex Packs() {
    auto index = PackIndex::Load(Env::Default(), repo_);
    EXPECT_TRUE(index.ok()) << index.status().ToString();
    return index.ok() ? std::move(index).value() : PackIndex();
  }
  std::string FormatFile() { return *ReadFileToString(Env::Default(), repo_.format_file); }

  TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string repo_dir_ = DefaultBackupDir(data_);
  RepoLayout repo_{repo_dir_};
};

}  // namespace arkwiki::testing
