// Backup create + verify: round trip, and a bit flip anywhere is caught.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/storage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"
#include "support/zip_crafter.h"
#include "zip/zip_reader.h"

namespace arkwiki {
namespace {

class BackupVerifyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    {
      auto storage = Storage::Open(Env::Default(), data_);
      ASSERT_TRUE(storage.ok());
      testing::SeedWiki(**storage);
      // Incompressible, with JPEG magic: stored, not deflated.
      testing::AddUpload(**storage, "guide", "photo.jpg", photo_);
    }
    archive_ = dir_.Sub("backup.zip");
    auto r = WriteBackupToFile(Env::Default(), DataDirLayout(data_), archive_);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    result_ = *r;
  }
  static std::string Photo() {
    std::string out("\xFF\xD8\xFF\xE0", 4);
    uint64_t x = 0x9E3779B97F4A7C15ull;
    while (out.size() < 1500) {
      x ^= x << 13;
      x ^= x >> 7;
      x ^= x << 17;
      out.push_back(static_cast<char>(x >> 24));
    }
    return out;
  }
  const std::string photo_ = Photo();
  testing::TempDir dir_;
  std::string data_ = dir_.Sub("data");
  std::string archive_;
  BackupResult result_;
};

TEST_F(BackupVerifyTest, ArchiveHoldsExactlyTheLiveWiki) {
  std::string unpacked = dir_.Sub("unpacked");
  ASSERT_TRUE(Env::Default()->CreateDirs(unpacked).ok());
  VerifyOptions options;
  options.extract_dir = unpacked;
  auto report = VerifyArchive(Env::Default(), archive_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->manifest.counts.pages, 4);
  EXPECT_EQ(report->manifest.counts.users, 3);
  EXPECT_EQ(report->manifest.counts.uploads, 4);
  // Lay the unpacked files out as a data directory and compare content.
  std::string restored = dir_.Sub("restored");
  DataDirLayout layout(restored);
  ASSERT_TRUE(PrepareDataDir(Env::Default(), layout).ok());
  ASSERT_TRUE(Env::Default()->Rename(unpacked + "/database/arkwiki.db", layout.database).ok());
  ASSERT_TRUE(Env::Default()->RemoveTree(layout.uploads).ok());
  ASSERT_TRUE(Env::Default()->Rename(unpacked + "/uploads", layout.uploads).ok());
  EXPECT_EQ(testing::DumpWiki(restored), testing::DumpWiki(data_));
  DbOptions ro;
  ro.read_only = true;
  auto db = Db::Open(layout.database, ro).value();
  EXPECT_EQ(db->QueryInt("SELECT count(*) FROM sessions").value(), 0) << "sessions leaked";
}

// A large archive's list is read back from a scratch file (here: every
// archive's, with one file held): the verdict and the extracted files are
// the same, the report counts the files without holding them, and the
// scratch file is removed.
TEST_F(BackupVerifyTest, ManifestListSpilledToScratchChecksAndUnpacksTheSame) {
  const std::string scratch = dir_.Sub("scratch");
  ASSERT_TRUE(Env::Default()->CreateDirs(scratch).ok());
  VerifyOptions options;
  options.scratch_dir = scratch;
  options.manifest_files_held = 1;
  auto report = VerifyArchive(Env::Default(), archive_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  EXPECT_EQ(report->manifest.files.size(), result_.manifest.files.size());
  EXPECT_FALSE(report->manifest.files.held());
  EXPECT_EQ(report->files_checked, result_.manifest.files.size());
  EXPECT_TRUE(Env::Default()->ListDir(scratch).value().empty()) << "scratch left behind";

  const std::string unpacked = dir_.Sub("unpacked");
  ASSERT_TRUE(Env::Default()->CreateDirs(unpacked).ok());
  options.extract_dir = unpacked;
  report = VerifyArchive(Env::Default(), archive_, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  const std::vector<DirEntry> entries = Env::Default()->ListDir(unpacked).value();
  std::vector<std::string> names;
  for (const DirEntry& e : entries) names.push_back(e.name);
  std::sort(names.begin(), names.end());
  EXPECT_EQ(names, (std::vector<std::string>{"config", "database", "manifest.json", "uploads"}));
  EXPECT_EQ(testing::ReadFileOrDie(unpacked + "/uploads/" + Sha256Hex(photo_).substr(0, 2) + "/" +
                                   Sha256Hex(photo_)),
            photo_);
}

// A backup whose list of files is spilled to scratch while it is written
// (past one file held) lists the same files in the same order, verifies,
// counts its files without holding them, and leaves no scratch behind.
TEST_F(BackupVerifyTest, BackupWrittenWithItsListSpilledListsTheSameFilesAndVerifies) {
  const std::string scratch = dir_.Sub("scratch");
  ASSERT_TRUE(Env::Default()->CreateDirs(scratch).ok());
  BackupOptions options;
  options.scratch_dir = scratch;
  options.manifest_files_held = 1;
  const std::string spilled = dir_.Sub("spilled.zip");
  auto written = WriteBackupToFile(Env::Default(), DataDirLayout(data_), spilled, options);
  ASSERT_TRUE(written.ok()) << written.status().ToString();
  EXPECT_FALSE(written->manifest.files.held());
  EXPECT_EQ(written->manifest.files.size(), result_.manifest.files.size());
  EXPECT_EQ(written->manifest.counts.bytes, result_.manifest.counts.bytes);
  EXPECT_TRUE(Env::Default()->ListDir(scratch).value().empty()) << "scratch left behind";
  auto report = VerifyArchive(Env::Default(), spilled);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_TRUE(report->manifest.files.held());
  ASSERT_EQ(report->manifest.files.size(), result_.manifest.files.size());
  EXPECT_EQ(report->manifest.files[0].path, kDatabasePath);  // a copy of its own
  for (size_t i = 1; i < result_.manifest.files.size(); ++i) {
    EXPECT_EQ(report->manifest.files[i].path, result_.manifest.files[i].path) << i;
    EXPECT_EQ(report->manifest.files[i].sha256, result_.manifest.files[i].sha256) << i;
  }
}

// What `backup inspect` reads: past the files it holds, their list is
// spilled while it is summed (and the scratch file removed), and the
// manifest counts them without holding them.
TEST_F(BackupVerifyTest, ManifestReadForInspectSpillsALargeListAndStillSumsIt) {
  const std::string scratch = dir_.Sub("scratch");
  ASSERT_TRUE(Env::Default()->CreateDirs(scratch).ok());
  VerifyOptions options;
  options.scratch_dir = scratch;
  options.manifest_files_held = 1;
  auto manifest = ReadManifest(Env::Default(), archive_, options);
  ASSERT_TRUE(manifest.ok()) << manifest.status().ToString();
  EXPECT_FALSE(manifest->files.held());
  EXPECT_EQ(manifest->files.size(), result_.manifest.files.size());
  EXPECT_EQ(manifest->counts.bytes, result_.manifest.counts.bytes);
  EXPECT_TRUE(Env::Default()->ListDir(scratch).value().empty()) << "scratch left behind";

  options.manifest_files_held = SIZE_MAX;
  auto held = ReadManifest(Env::Default(), archive_, options);
  ASSERT_TRUE(held.ok()) << held.status().ToString();
  EXPECT_TRUE(held->files.held());
  EXPECT_EQ(held->files.size(), result_.manifest.files.size());
}

// A ZIP as other tools write it (here: no data descriptors, made on DOS)
// with no manifest is named for what it is, not as a damaged backup.
TEST_F(BackupVerifyTest, OtherZipIsReportedAsNotAnArkwikiBackup) {
  testing::CraftEntry photo{"holiday/photo.jpg", photo_};
  photo.made_by_os = 0;
  testing::CraftEntry notes{"notes.txt", "shopping list"};
  notes.made_by_os = 0;
  const std::string path = dir_.Sub("photos.zip");
  ASSERT_TRUE(
      WriteFileAtomically(Env::Default(), path, testing::CraftZip({photo, notes}).bytes).ok());
  auto report = VerifyArchive(Env::Default(), path, VerifyOptions{});
  ASSERT_FALSE(report.ok());
  EXPECT_EQ(report.status().code(), StatusCode::kCorruption);
  EXPECT_NE(report.status().message().find("not an arkwiki backup"), std::string::npos)
      << report.status().ToString();
  auto manifest = ReadManifest(Env::Default(), path, ZipLimits{});
  ASSERT_FALSE(manifest.ok());
  EXPECT_NE(manifest.status().message().find("not an arkwiki backup"), std::string::npos);
}

TEST_F(BackupVerifyTest, FileNameCarriesSiteAndUtcTime) {
  EXPECT_EQ(BackupFileName("Team Wiki!", 1795716065),
            "arkwiki-backup-team-wiki-2026-11-26T180105Z.zip");
  EXPECT_EQ(BackupFileName("Ünïcode", 0), "arkwiki-backup-ncode-1970-01-01T000000Z.zip");
}

// An archive a restore would refuse is not written at all.
TEST_F(BackupVerifyTest, WikiWithMoreFilesThanAnImportTakesIsRefusedUpFront) {
  BackupOptions options;
  options.limits.max_entries = 3;  // manifest, database, settings: no room for the upload
  const std::string target = dir_.Sub("too-many.zip");
  auto r = WriteBackupToFile(Env::Default(), DataDirLayout(data_), target, options);
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge) << r.status().ToString();
  EXPECT_NE(r.status().message().find("more than a backup archive may hold"), std::string::npos);
  EXPECT_FALSE(Env::Default()->FileExists(target).value());
  EXPECT_TRUE(testing::TreeFingerprint(DataDirLayout(data_).tmp).empty());
  EXPECT_EQ(BackupOptions().limits.max_entries, ZipLimits().max_entries);
}

// A base URL over the manifest reader's string limit, put into the database
// by hand (the settings page caps the site title, not the base URL), would give an archive verify
// refuses: create refuses it first and writes nothing.
TEST_F(BackupVerifyTest, CreateRefusesAManifestStringVerifyWouldRefuse) {
  {
    auto db = Db::Open(DataDirLayout(data_).database, DbOptions());
    ASSERT_TRUE(db.ok()) << db.status().ToString();
    // hex() of N zero bytes is 2N characters: over the limit.
    Status set = (*db)->Exec(
        "INSERT INTO settings(key, value) VALUES('base_url', 'https://' || hex(zeroblob(?))) "
        "ON CONFLICT(key) DO UPDATE SET value = excluded.value",
        {static_cast<int64_t>(kMaxManifestStringBytes / 2 + 1)});
    ASSERT_TRUE(set.ok()) << set.ToString();
  }
  const std::string target = dir_.Sub("long-title.zip");
  auto r = WriteBackupToFile(Env::Default(), DataDirLayout(data_), target);
  EXPECT_EQ(r.status().code(), StatusCode::kTooLarge) << r.status().ToString();
  EXPECT_NE(r.status().message().find("base URL"), std::string::npos) << r.status().ToString();
  EXPECT_FALSE(Env::Default()->FileExists(target).value());
  EXPECT_TRUE(testing::TreeFingerprint(DataDirLayout(data_).tmp).empty());
}

TEST_F(BackupVerifyTest, FailedWriteLeavesNothingUnderTheFinalName) {
  std::string target = dir_.Sub("no-such-dir/backup.zip");
  auto r = WriteBackupToFile(Env::Default(), DataDirLayout(data_), target);
  EXPECT_FALSE(r.ok());
  EXPECT_FALSE(Env::Default()->FileExists(target).value());
  EXPECT_TRUE(testing::TreeFingerprint(DataDirLayout(data_).tmp).empty());
}

// The byte ranges of `archive` where a flip must be tried exhaustively:
// everything but entry data (local headers, data descriptors, the central
// directory, the end records) plus all of manifest.json's data. Other entry
// data is covered by CRC-32 and SHA-256, which treat every byte alike, so
// the sweep samples it (its first and last 16 bytes, then every
// kDataStride-th byte).
std::vector<bool> ExhaustiveZone(const std::string& archive_path, size_t size) {
  std::vector<bool> zone(size, true);
  ZipLimits canonical;
  canonical.require_canonical = true;
  auto zip = ZipReader::Open(Env::Default(), archive_path, canonical);
  EXPECT_TRUE(zip.ok()) << zip.status().ToString();
  if (!zip.ok()) return zone;
  for (const ZipEntry& e : (*zip)->entries()) {
    if (e.name == kManifestPath) continue;
    for (uint64_t i = 16; i + 16 < e.compressed_size; ++i) zone[e.data_offset + i] = false;
  }
  return zone;
}

// Where byte `pos` of the archive lies, for failure messages.
std::string DescribePosition(const std::string& archive_path, size_t pos) {
  ZipLimits canonical;
  canonical.require_canonical = true;
  auto zip = ZipReader::Open(Env::Default(), archive_path, canonical);
  if (!zip.ok()) return std::to_string(pos);
  for (const ZipEntry& e : (*zip)->entries()) {
    const uint64_t data_end = e.data_offset + e.compressed_size;
    if (pos < e.local_header_offset || pos >= data_end + 24) continue;
    const char* part = pos < e.data_offset ? "local header"
                       : pos < data_end    ? "data"
                                           : "descriptor";
    return std::to_string(pos) + " (" + std::string(e.name) + " " + part + ", offset " +
           std::to_string(pos - (pos < e.data_offset ? e.local_header_offset : e.data_offset)) +
           ")";
  }
  return std::to_string(pos) + " (central directory or end records)";
}

// Flips one byte at every header, directory, descriptor and manifest
// position of a real backup (and samples the rest): verify must refuse each.
TEST_F(BackupVerifyTest, BitFlipAnywhereFailsVerify) {
  // ARKWIKI_BITFLIP_STRIDE=1 flips every byte of the entry data as well.
  const char* stride_env = std::getenv("ARKWIKI_BITFLIP_STRIDE");
  const size_t kDataStride = stride_env != nullptr ? std::max(1, std::atoi(stride_env)) : 11;
  const auto t0 = std::chrono::steady_clock::now();
  const std::string bytes = testing::ReadFileOrDie(archive_);
  const std::vector<bool> zone = ExhaustiveZone(archive_, bytes.size());
  std::string flipped_path = dir_.Sub("flipped.zip");
  auto Describe = [&](size_t pos) { return DescribePosition(archive_, pos); };
  size_t tried = 0, exhaustive = 0, accepted = 0;
  std::string first_accepted;
  for (size_t pos = 0; pos < bytes.size(); ++pos) {
    if (!zone[pos] && pos % kDataStride != 0) continue;
    exhaustive += zone[pos] ? 1 : 0;
    std::string copy = bytes;
    copy[pos] = static_cast<char>(copy[pos] ^ 0x01);
    // A fresh file each time: rewriting one in place makes ext4 flush it on
    // close (auto_da_alloc), which costs far more than the check.
    (void)Env::Default()->RemoveFile(flipped_path);
    testing::WriteFileOrDie(flipped_path, copy);
    ++tried;
    auto report = VerifyArchive(Env::Default(), flipped_path);
    if (report.ok() && accepted++ < 10) first_accepted += "\n  " + Describe(pos);
  }
  const double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  std::printf(
      "[ measure ] %zu of %zu byte positions flipped (%zu exhaustively, the rest of the "
      "entry data every %zu bytes); %zu accepted; %.1f s\n",
      tried, bytes.size(), exhaustive, kDataStride, accepted, secs);
  EXPECT_EQ(accepted, 0u) << "undetected flips (of " << bytes.size()
                          << " bytes):" << first_accepted;
}

// Damage inside entry data: the deflated database and a stored upload are
// caught by their CRC-32 (and the manifest's SHA-256) — at every bit.
TEST_F(BackupVerifyTest, FlipInsideDeflatedDatabaseOrStoredUploadFailsVerify) {
  const std::string bytes = testing::ReadFileOrDie(archive_);
  ZipLimits canonical;
  canonical.require_canonical = true;
  auto zip = ZipReader::Open(Env::Default(), archive_, canonical);
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  const ZipEntry* db = (*zip)->Find(kDatabasePath);
  ASSERT_NE(db, nullptr);
  EXPECT_EQ(db->method, kZipMethodDeflate);
  const ZipEntry* stored = (*zip)->Find(UploadEntryPath(Sha256Hex(photo_)));
  ASSERT_NE(stored, nullptr);
  EXPECT_EQ(stored->method, kZipMethodStore) << "the JPEG-like upload should be stored";
  const std::string path = dir_.Sub("flipped.zip");
  for (const ZipEntry* e : {db, stored}) {
    for (uint64_t at :
         {uint64_t{0}, e->compressed_size / 3, e->compressed_size / 2, e->compressed_size - 1}) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string copy = bytes;
        copy[e->data_offset + at] = static_cast<char>(copy[e->data_offset + at] ^ (1 << bit));
        (void)Env::Default()->RemoveFile(path);
        testing::WriteFileOrDie(path, copy);
        auto report = VerifyArchive(Env::Default(), path);
        ASSERT_FALSE(report.ok()) << e->name << " byte " << at << " bit " << bit;
        EXPECT_EQ(report.status().code(), StatusCode::kCorruption) << report.status().ToString();
        EXPECT_NE(report.status().message().find(e->name), std::string::npos)
            << report.status().ToString();
      }
    }
  }
}

// Every entry of one backup carries the same timestamp, the manifest's
// created_at (the reader only needs local == central, but a backup should
// not depend on how long it took to write).
TEST_F(BackupVerifyTest, EveryEntryCarriesTheBackupTime) {
  ZipLimits canonical;
  canonical.require_canonical = true;
  auto zip = ZipReader::Open(Env::Default(), archive_, canonical);
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  for (const ZipEntry& e : (*zip)->entries()) {
    EXPECT_EQ(e.dos_time, (*zip)->entries().front().dos_time) << e.name;
    EXPECT_EQ(e.dos_date, (*zip)->entries().front().dos_date) << e.name;
  }
}

}  // namespace
}  // namespace arkwiki
