// Restore: round trip, refusal, undo, faults and crashes at every step.
#include "arkwiki/backup/restore.h"

#include <gtest/gtest.h>
#include <sqlite3.h>
#include <unistd.h>

#include <algorithm>
#include <sstream>

#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/schema.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "support/backed_up_wiki.h"
#include "support/counting_env.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "zip/zip_reader.h"

namespace arkwiki {
namespace {

using testing::DumpWiki;
using testing::LiveFingerprint;
using testing::SeedWiki;

class RestoreTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // Wiki A is backed up; the live wiki then becomes B.
    archive_ = dir_.Sub("a.zip");
    testing::SeedArchiveAndLive(source_, archive_, live_);
    if (HasFatalFailure()) return;
    expected_new_ = DumpWiki(source_);
    expected_old_ = DumpWiki(live_);
    old_fingerprint_ = LiveFingerprint(live_);
  }
  Result<ImportOutcome> Import(Env* env, const std::string& archive) {
    Restorer restorer(env, DataDirLayout(live_));
    ImportOptions options;
    auto staged = restorer.Stage(archive, options);
    if (!staged.ok()) return staged.status();
    return restorer.Commit(*staged, options, CommitHooks{});
  }
  // Imports with the Nth file-system operation failing (no space or I/O
  // error), then recovers as the next start would.
  Result<ImportOutcome> ImportFailingAt(uint64_t n, bool* triggered) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(n, n % 2 ? StatusCode::kNoSpace : StatusCode::kIoError);
    auto outcome = Import(&env, archive_);
    *triggered = env.triggered();
    Status recovered = Restorer(Env::Default(), DataDirLayout(live_)).Recover();
    EXPECT_TRUE(recovered.ok()) << "n=" << n << ": " << recovered.ToString();
    return outcome;
  }
  bool StagingEmpty() {
    auto entries = Env::Default()->ListDir(DataDirLayout(live_).staging);
    return !entries.ok() || entries->empty();
  }

  testing::TempDir dir_;
  std::string source_ = dir_.Sub("source");
  std::string live_ = dir_.Sub("live");
  std::string archive_;
  std::string expected_new_, expected_old_, old_fingerprint_;
};

TEST_F(RestoreTest, ReplacesAllDataWithTheBackup) {
  auto outcome = Import(Env::Default(), archive_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(live_), expected_new_);
  EXPECT_TRUE(StagingEmpty());
  EXPECT_FALSE(Env::Default()->FileExists(DataDirLayout(live_).intent_marker).value());
  EXPECT_TRUE(Env::Default()->FileExists(outcome->safety_backup).value());
}

TEST_F(RestoreTest, AuditRecordOfTheImportSurvivesTheImport) {
  ASSERT_TRUE(Import(Env::Default(), archive_).ok());
  DbOptions ro;
  ro.read_only = true;
  auto db = Db::Open(DataDirLayout(live_).database, ro).value();
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM audit_log WHERE action = 'backup.import'").value(),
            1);
}

TEST_F(RestoreTest, UndoBringsBackThePreviousStateEvenAfterRestart) {
  auto outcome = Import(Env::Default(), archive_);
  ASSERT_TRUE(outcome.ok());
  // A new Restorer is what a restarted process has.
  Restorer restarted(Env::Default(), DataDirLayout(live_));
  ASSERT_TRUE(restarted.Recover().ok());
  auto safety = restarted.ListSafetyBackups();
  ASSERT_TRUE(safety.ok());
  ASSERT_EQ(safety->size(), 1u);
  ASSERT_TRUE(Import(Env::Default(), safety->front().path).ok());
  EXPECT_EQ(DumpWiki(live_), expected_old_);
}

TEST_F(RestoreTest, CorruptArchiveIsRefusedAndLiveDataUntouched) {
  std::string bytes = testing::ReadFileOrDie(archive_);
  bytes[bytes.size() / 2] ^= 0x5a;
  std::string bad = dir_.Sub("bad.zip");
  testing::WriteFileOrDie(bad, bytes);
  auto outcome = Import(Env::Default(), bad);
  ASSERT_FALSE(outcome.ok());
  EXPECT_EQ(LiveFingerprint(live_), old_fingerprint_);
  EXPECT_TRUE(StagingEmpty());
}

// Fails the Nth file-system operation of a whole import, for every N until
// the import succeeds. Each failure must leave exactly the old wiki (or,
// past the commit point, exactly the new one), never a mix, and a later
// Recover must settle it.
TEST_F(RestoreTest, FaultAtEveryStepLeavesOldOrNewState) {
  int failures = 0;
  for (uint64_t n = 1; n < 5000; ++n) {
    bool triggered = false;
    auto outcome = ImportFailingAt(n, &triggered);
    std::string now = DumpWiki(live_);
    if (outcome.ok()) {
      EXPECT_FALSE(triggered);
      EXPECT_EQ(now, expected_new_);
      break;
    }
    ++failures;
    EXPECT_FALSE(outcome.status().message().empty());
    ASSERT_TRUE(now == expected_old_ || now == expected_new_)
        << "mixed state after fault at operation " << n << ": " << outcome.status().ToString();
    if (now == expected_new_) {
      // Past the swap: the rest of the sweep would only import again.
      break;
    }
    EXPECT_TRUE(StagingEmpty()) << "n=" << n;
    EXPECT_TRUE(testing::TreeFingerprint(DataDirLayout(live_).tmp).empty()) << "n=" << n;
  }
  EXPECT_GT(failures, 20);
}

TEST_F(RestoreTest, RestoresIntoAnEmptyDataDirectoryWithoutASafetyBackup) {
  const std::string fresh = dir_.Sub("fresh");
  DataDirLayout layout(fresh);
  ASSERT_TRUE(Env::Default()->CreateDirs(layout.live).ok());
  Restorer restorer(Env::Default(), layout);
  ImportOptions options;
  auto staged = restorer.Stage(archive_, options);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  auto outcome = restorer.Commit(*staged, options, CommitHooks{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(fresh), expected_new_);
  EXPECT_TRUE(outcome->safety_backup.empty());
  EXPECT_NE(outcome->safety_note.find("held no wiki"), std::string::npos);
  EXPECT_TRUE(Env::Default()->ListDir(layout.safety).value().empty());
}

// A staged import loaded again (the web's preview, then its confirmation)
// counts a large manifest's files without holding them, as Stage did, and
// commits all the same; its scratch file is gone once it is loaded.
TEST_F(RestoreTest, StagedImportLoadedAgainCountsALargeListAndCommits) {
  Restorer restorer(Env::Default(), DataDirLayout(live_));
  ImportOptions options;
  auto staged = restorer.Stage(archive_, options);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  const std::string staging = JoinPath(DataDirLayout(live_).staging, staged->id);
  const std::string before = testing::TreeFingerprint(staging);
  auto held = restorer.LoadStaged(staged->id);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE(held->report.manifest.files.held());
  auto counted = restorer.LoadStaged(staged->id, 1);
  ASSERT_TRUE(counted.ok()) << counted.status().ToString();
  EXPECT_FALSE(counted->report.manifest.files.held());
  EXPECT_EQ(counted->report.manifest.files.size(), held->report.manifest.files.size());
  EXPECT_EQ(counted->report.manifest.counts.bytes, held->report.manifest.counts.bytes);
  EXPECT_EQ(testing::TreeFingerprint(staging), before) << "loading left a file in staging";
  auto outcome = restorer.Commit(*counted, options, CommitHooks{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(live_), expected_new_);
}

// What a restore repairs — a truncated database, deleted uploads, a database
// whose schema was tampered with — cannot be archived; the import goes ahead
// and keeps that data byte for byte.
class RestoreOverDamageTest : public RestoreTest,
                              public ::testing::WithParamInterface<std::string> {
 protected:
  void Damage() {
    DataDirLayout layout(live_);
    if (GetParam() == "truncated-database") {
      auto size = Env::Default()->GetFileSize(layout.database).value();
      ASSERT_EQ(::truncate(layout.database.c_str(), static_cast<off_t>(size / 2)), 0);
    } else if (GetParam() == "tampered-schema") {  // no backup may carry it on
      sqlite3* db = nullptr;
      ASSERT_EQ(sqlite3_open(layout.database.c_str(), &db), SQLITE_OK);
      const int rc = sqlite3_exec(db,
                                  "CREATE TRIGGER page_search_backdoor AFTER INSERT ON sessions "
                                  "BEGIN UPDATE users SET role='admin' WHERE id=NEW.user_id; END",
                                  nullptr, nullptr, nullptr);
      sqlite3_close(db);
      ASSERT_EQ(rc, SQLITE_OK);
    } else {
      ASSERT_TRUE(Env::Default()->RemoveTree(layout.uploads).ok());
    }
    damaged_ = LiveFingerprint(live_);
  }
  // The single DATA/safety/*-unarchived directory, or "".
  std::string KeptDirectory() {
    auto entries = Env::Default()->ListDir(DataDirLayout(live_).safety);
    if (!entries.ok()) return "";
    std::string found;
    for (const DirEntry& e : *entries) {
      if (e.name.find("-unarchived") != std::string::npos) {
        EXPECT_TRUE(found.empty()) << "two kept directories";
        found = JoinPath(DataDirLayout(live_).safety, e.name);
      }
    }
    return found;
  }
  // Like LiveFingerprint, for a kept directory: SQLite's empty -wal/-shm
  // files (from reading the database) do not count.
  static std::string KeptFingerprint(const std::string& dir) {
    std::istringstream in(testing::TreeFingerprint(dir));
    std::string line, out;
    while (std::getline(in, line)) {
      if (line.find("arkwiki.db-wal") == std::string::npos &&
          line.find("arkwiki.db-shm") == std::string::npos) {
        out += line + "\n";
      }
    }
    return out;
  }
  std::string damaged_;
};

TEST_P(RestoreOverDamageTest, KeepsTheDamagedDataAsItWas) {
  Damage();
  auto outcome = Import(Env::Default(), archive_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(live_), expected_new_);
  EXPECT_NE(outcome->safety_note.find("could not be archived"), std::string::npos)
      << outcome->safety_note;
  ASSERT_EQ(KeptDirectory(), outcome->safety_backup);
  EXPECT_EQ(KeptFingerprint(outcome->safety_backup), damaged_);
  EXPECT_TRUE(StagingEmpty());
}

// Like FaultAtEveryStepLeavesOldOrNewState, over damaged data: after every
// fault and a Recover, the damaged data is either still live or kept whole.
TEST_P(RestoreOverDamageTest, FaultAtEveryStepLosesNoneOfTheDamagedData) {
  Damage();
  for (uint64_t n = 1; n < 5000; ++n) {
    bool triggered = false;
    auto outcome = ImportFailingAt(n, &triggered);
    if (LiveFingerprint(live_) == damaged_) {
      ASSERT_FALSE(outcome.ok()) << "n=" << n;
      EXPECT_TRUE(KeptDirectory().empty()) << "n=" << n;
      continue;
    }
    ASSERT_EQ(DumpWiki(live_), expected_new_) << "n=" << n;
    const std::string kept = KeptDirectory();
    ASSERT_FALSE(kept.empty()) << "n=" << n;
    EXPECT_EQ(KeptFingerprint(kept), damaged_) << "n=" << n;
    if (outcome.ok()) EXPECT_FALSE(triggered);
    break;  // past the swap: the rest of the sweep would only import again
  }
}

INSTANTIATE_TEST_SUITE_P(Damage, RestoreOverDamageTest,
                         ::testing::Values("truncated-database", "deleted-uploads",
                                           "tampered-schema"),
                         [](const auto& info) {
                           std::string name = info.param;
                           name.erase(std::remove(name.begin(), name.end(), '-'), name.end());
                           return name;
                         });

TEST_F(RestoreTest, RecoverIsIdempotent) {
  Restorer r(Env::Default(), DataDirLayout(live_));
  ASSERT_TRUE(r.Recover().ok());
  ASSERT_TRUE(r.Recover().ok());
  EXPECT_EQ(DumpWiki(live_), expected_old_);
}

// An older backup — archive format 1 with its database at schema version 1
// (fixtures/archives/schema1-backup.zip, from arkwiki-make-hostile-fixtures)
// — restores through migration in staging: the live database ends at the
// current schema and the search index covers the old pages.
TEST_F(RestoreTest, RestoresSchema1BackupThroughMigration) {
  const std::string archive =
      std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/archives/schema1-backup.zip";
  Restorer restorer(Env::Default(), DataDirLayout(live_));
  ImportOptions options;
  auto staged = restorer.Stage(archive, options);
  ASSERT_TRUE(staged.ok()) << staged.status().ToString();
  EXPECT_EQ(staged->report.database.schema_version, 1);
  EXPECT_EQ(staged->report.manifest.schema_version, 1);
  auto outcome = restorer.Commit(*staged, options, CommitHooks{});
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_TRUE(StagingEmpty());
  {
    DbOptions ro;
    ro.read_only = true;
    auto db = Db::Open(DataDirLayout(live_).database, ro).value();
    EXPECT_EQ(db->QueryInt("PRAGMA user_version").value(), kSchemaVersion);
    EXPECT_EQ(db->QueryInt("SELECT count(*) FROM pages WHERE deleted_at IS NULL").value(), 2);
    EXPECT_EQ(db->QueryInt("SELECT count(*) FROM uploads").value(), 2);
  }
  auto storage = Storage::Open(Env::Default(), live_);
  ASSERT_TRUE(storage.ok()) << storage.status().ToString();
  auto hits = (*storage)->pages().Search("zephyrine", true, 10);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ(hits->front().slug, "start");
  EXPECT_EQ(DumpWiki(live_).find("MISSING"), std::string::npos) << "an upload file is missing";
}

// A backup holding a 2 MiB file of zeros: its entry compresses ~1000:1, far
// over the general reader's 100:1 ratio cap, yet it is our own backup and
// must restore. (Backups are read in canonical mode, where the declared
// size, not the ratio, bounds the output: see ZipLimits::require_canonical.)
class RestoreCompressibleTest : public RestoreTest {
 protected:
  void SetUp() override {
    RestoreTest::SetUp();
    {
      auto storage = Storage::Open(Env::Default(), source_);
      ASSERT_TRUE(storage.ok());
      testing::AddUpload(**storage, "home", "zeros.bin", zeros_);
    }
    zeros_archive_ = dir_.Sub("zeros.zip");
    auto written = WriteBackupToFile(Env::Default(), DataDirLayout(source_), zeros_archive_);
    ASSERT_TRUE(written.ok()) << written.status().ToString();
  }
  // The backup's entries, for re-crafting (the crafter re-creates our
  // writer's layout byte for byte, timestamps aside).
  std::vector<testing::CraftEntry> Entries() {
    ZipLimits limits;
    limits.require_canonical = true;
    auto zip = ZipReader::Open(Env::Default(), zeros_archive_, limits).value();
    const std::string bytes = testing::ReadFileOrDie(zeros_archive_);
    std::vector<testing::CraftEntry> out;
    for (const ZipEntry& z : zip->entries()) {
      testing::CraftEntry e;
      e.name = z.name;
      e.method = z.method;
      e.data_descriptor = true;
      e.raw = bytes.substr(z.data_offset, z.compressed_size);
      EXPECT_TRUE(zip->ReadEntry(z,
                                 [&](std::string_view c) {
                                   e.data.append(c);
                                   return Status::Ok();
                                 })
                      .ok());
      out.push_back(e);
    }
    return out;
  }
  const std::string zeros_ = std::string(2 << 20, '\0');
  const std::string zeros_entry_ = UploadEntryPath(Sha256Hex(zeros_));
  std::string zeros_archive_;
};

TEST_F(RestoreCompressibleTest, BackupWithZeroFilledUploadRoundTrips) {
  auto zip = ZipReader::Open(Env::Default(), zeros_archive_);  // general mode, ratio cap 100
  ASSERT_FALSE(zip.ok()) << "expected the general 100:1 cap to refuse this entry";
  EXPECT_NE(zip.status().message().find("compression ratio"), std::string::npos);
  const std::string expected = DumpWiki(source_);
  auto outcome = Import(Env::Default(), zeros_archive_);
  ASSERT_TRUE(outcome.ok()) << outcome.status().ToString();
  EXPECT_EQ(DumpWiki(live_), expected);
}

// The declared size lies: 64 MiB of zeros (~64 KiB of deflate) declared as
// the 2 MiB the wiki holds (size, CRC and manifest all match 2 MiB). The
// restore stops as soon as output passes 2 MiB: disk use stays near the
// declared size and memory at ReadEntry's 1 MiB chunks.
TEST_F(RestoreCompressibleTest, ZipBombWithLyingSizeStopsAtTheDeclaredSize) {
  auto entries = Entries();
  for (auto& e : entries) {
    if (e.name == zeros_entry_) e.raw = testing::DeflatedZeros(uint64_t{64} << 20);
  }
  const std::string bomb = dir_.Sub("bomb.zip");
  testing::WriteFileOrDie(bomb, testing::CraftZip(entries).bytes);
  testing::CountingEnv env(Env::Default());
  auto outcome = Import(&env, bomb);
  ASSERT_FALSE(outcome.ok());
  EXPECT_NE(outcome.status().message().find("expands beyond its declared size"), std::string::npos)
      << outcome.status().ToString();
  EXPECT_LT(env.bytes_written(), uint64_t{4} << 20) << "the bomb was not stopped at 2 MiB";
  EXPECT_EQ(LiveFingerprint(live_), old_fingerprint_);
  EXPECT_TRUE(StagingEmpty());
}

// Total over the cap: refused from the declared sizes, before one byte is
// unpacked.
TEST_F(RestoreCompressibleTest, ArchiveOverTheTotalBytesCapIsRefusedBeforeUnpacking) {
  testing::CountingEnv env(Env::Default());
  Restorer restorer(&env, DataDirLayout(live_));
  ImportOptions options;
  options.limits.max_total_bytes = 1 << 20;
  auto staged = restorer.Stage(zeros_archive_, options);
  ASSERT_FALSE(staged.ok());
  EXPECT_EQ(staged.status().code(), StatusCode::kTooLarge) << staged.status().ToString();
  EXPECT_NE(staged.status().message().find("bytes in total"), std::string::npos);
  EXPECT_EQ(env.bytes_written(), 0u);
  EXPECT_EQ(LiveFingerprint(live_), old_fingerprint_);
  EXPECT_TRUE(StagingEmpty());
}

}  // namespace
}  // namespace arkwiki
