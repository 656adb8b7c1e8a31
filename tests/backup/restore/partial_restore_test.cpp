// Database-only (partial) backups: how the archive is marked, the round
// trip, and the restore onto a wiki that lacks some of the files.
#include <gtest/gtest.h>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

using testing::DumpWiki;
using testing::LiveFingerprint;

constexpr char kOnlyInBackup[] = "a file the live wiki never had\n";

Result<BackupResult> Backup(const std::string& data, const std::string& archive,
                            bool database_only) {
  BackupOptions options;
  options.database_only = database_only;
  return WriteBackupToFile(Env::Default(), DataDirLayout(data), archive, options);
}

// Seeds `data` as variant `v`, plus the upload extra.txt on "home" when asked.
void SeedAt(const std::string& data, const std::string& v, bool with_extra) {
  auto storage = Storage::Open(Env::Default(), data);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  testing::SeedWiki(**storage, v);
  if (with_extra) testing::AddUpload(**storage, "home", "extra.txt", kOnlyInBackup);
}

TEST(PartialBackupTest, DatabaseOnlyArchiveIsMarkedPartialAndHoldsNoUploads) {
  testing::TempDir dir;
  const std::string data = dir.Sub("data");
  testing::SeedWikiAt(data, "a");
  auto full = Backup(data, dir.Sub("full.zip"), false);
  auto partial = Backup(data, dir.Sub("db.zip"), true);
  ASSERT_TRUE(full.ok()) << full.status().ToString();
  ASSERT_TRUE(partial.ok()) << partial.status().ToString();
  EXPECT_FALSE(full->manifest.partial());
  EXPECT_EQ(full->manifest.format_version, kArchiveFormatVersion);

  auto report = VerifyArchive(Env::Default(), dir.Sub("db.zip"));
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const Manifest& m = report->manifest;
  EXPECT_TRUE(m.partial());
  EXPECT_EQ(m.format_version, kPartialArchiveFormatVersion);
  EXPECT_EQ(m.omits, std::vector<std::string>{kPartUploads});
  ASSERT_EQ(m.files.size(), 2u);  // the database and the settings only
  EXPECT_EQ(m.files[0].path, kDatabasePath);
  EXPECT_EQ(m.files[1].path, kSettingsPath);
  EXPECT_EQ(m.counts.uploads, full->manifest.counts.uploads);  // the rows are all there
  EXPECT_GT(m.counts.uploads, 0);
  EXPECT_LT(partial->archive_bytes, full->archive_bytes);

  auto inspected = ReadManifest(Env::Default(), dir.Sub("db.zip"));
  ASSERT_TRUE(inspected.ok()) << inspected.status().ToString();
  EXPECT_TRUE(inspected->partial());
}

class PartialRestoreTest : public ::testing::Test {
 protected:
  Result<StagedImport> Stage(const std::string& archive) {
    return Restorer(Env::Default(), DataDirLayout(live_)).Stage(archive, ImportOptions{});
  }
  Result<ImportOutcome> Commit(const StagedImport& staged, bool allow_missing) {
    ImportOptions options;
    options.allow_missing_uploads = allow_missing;
    return Restorer(Env::Default(), DataDirLayout(live_)).Commit(staged, options, CommitHooks{});
  }
  bool LiveHasUpload(const std::string& content) {
    auto exists = Env::Default()->FileExists(DataDirLayout(live_).UploadPath(Sha256Hex(content)));
    return exists.ok() && *exists;
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  std::string archive_ = dir_.Sub("db.zip");
};

TEST_F(PartialRestoreTest, RoundTripRestoresTheDatabaseAndKeepsTheWikisUploads) {
  SeedAt(live_, "a", false);
  const std::string before = DumpWiki(live_);
  ASSERT_TRUE(Backup(live_, archive_, true).ok());
  const std::string later = "uploaded after the backup\n";
  {
    auto storage = Storage::Open(Env::Default(), live_);
    ASSERT_TRUE(storage.ok()) << storage.status().ToString();
    testing::AddUpload(**storage, "home", "later.txt", later);
  }
  ASSERT_NE(DumpWiki(live_), before);

  auto staged = Stage(archive_);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_TRUE(staged->missing_uploads.empty());
  auto outcome = Commit(*staged, false);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();

  // The database is the backup's; every file it refers to is the wiki's own
  // (DumpWiki hashes them), and the newer file is still on disk.
  EXPECT_EQ(DumpWiki(live_), before);
  EXPECT_TRUE(LiveHasUpload(later));
  // The restored wiki is whole: a full backup of it verifies.
  ASSERT_TRUE(Backup(live_, dir_.Sub("after.zip"), false).ok());
  EXPECT_TRUE(VerifyArchive(Env::Default(), dir_.Sub("after.zip")).ok());
}

TEST_F(PartialRestoreTest, RefusesWhenFilesAreMissingThenRestoresWithoutThemWhenAllowed) {
  SeedAt(source_, "a", true);  // the backup's wiki has extra.txt ...
  SeedAt(live_, "a", false);   // ... this one does not
  ASSERT_TRUE(Backup(source_, archive_, true).ok());
  const std::string fingerprint = LiveFingerprint(live_);

  auto staged = Stage(archive_);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  ASSERT_EQ(staged->missing_uploads.size(), 1u);
  EXPECT_EQ(staged->missing_uploads[0].page, "home");
  EXPECT_EQ(staged->missing_uploads[0].name, "extra.txt");
  EXPECT_EQ(staged->missing_uploads[0].sha256, Sha256Hex(kOnlyInBackup));
  EXPECT_EQ(staged->missing_uploads[0].size, sizeof(kOnlyInBackup) - 1);

  auto refused = Commit(*staged, false);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), StatusCode::kConflict);
  EXPECT_NE(refused.status().message().find("home/extra.txt"), std::string::npos)
      << refused.status().ToString();
  EXPECT_EQ(LiveFingerprint(live_), fingerprint) << "a refused restore changed the wiki";

  auto reloaded = Restorer(Env::Default(), DataDirLayout(live_)).LoadStaged(staged->id);
  ASSERT_TRUE(reloaded.ok()) << reloaded.status().ToString();
  EXPECT_EQ(reloaded->missing_uploads.size(), 1u);

  auto outcome = Commit(*reloaded, true);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  // The other uploads are the wiki's own; the missing one's row is gone, so
  // the restored wiki backs up whole.
  const std::string dump = DumpWiki(live_);
  EXPECT_EQ(dump.find("extra.txt"), std::string::npos) << dump;
  EXPECT_NE(dump.find("notes.txt"), std::string::npos) << dump;
  auto after = Backup(live_, dir_.Sub("after.zip"), false);
  ASSERT_TRUE(after.ok()) << after.status().ToString();
  EXPECT_TRUE(VerifyArchive(Env::Default(), dir_.Sub("after.zip")).ok());
}

}  // namespace
}  // namespace arkwiki
