// Hostile archives, checked before anything live is touched:
// every fixture in fixtures/hostile/ (written by
// fixtures/make_hostile_archives.cpp from a real backup, one hostile class
// each; see fixtures/README.md) must be refused by VerifyArchive and by a
// restore (Stage, then Commit if staging ever succeeded), with a message
// naming the problem. The live wiki must stay byte-identical, staging must
// be left empty, and only a bounded number of bytes may reach the disk.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <memory>
#include <set>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/storage/storage.h"
#include "hostile_rows.h"
#include "support/counting_env.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

struct HostileCase {
  const char* fixture;                // fixtures/hostile/<fixture>.zip
  const char* behaviour;              // the test's name
  std::vector<std::string> keywords;  // the refusal names the problem
  // The caps for this class (as configured by an admin), default otherwise.
  uint64_t max_archive_bytes = 0;
  uint64_t max_total_bytes = 0;
};

// Appends the data-level tampering cases (fixtures/hostile_rows.h): a
// genuine backup with one value arkwiki's API could not have written.
std::vector<HostileCase> WithRowTampers(std::vector<HostileCase> cases) {
  static const std::vector<fixture::RowTamper> kTampers = fixture::RowTampers();
  static const std::vector<std::string> kNames = [] {
    std::vector<std::string> names;
    for (const fixture::RowTamper& t : kTampers) {
      std::string name = "RejectsTamperedValue_" + t.name;
      std::replace(name.begin(), name.end(), '-', '_');
      names.push_back(std::move(name));
    }
    return names;
  }();
  for (size_t i = 0; i < kTampers.size(); ++i) {
    cases.push_back({kTampers[i].name.c_str(), kNames[i].c_str(), {kTampers[i].refusal}});
  }
  return cases;
}

// One row per hostile class.
const std::vector<HostileCase>& Cases() {
  static const std::vector<HostileCase> kCases = {
      // Not a usable ZIP.
      {"not-a-zip", "RejectsFileThatIsNotAZip", {"not a ZIP archive"}},
      {"truncated", "RejectsTruncatedArchive", {"truncated"}},
      {"junk-before", "RejectsJunkBytesBeforeTheArchive", {"prepended"}},
      {"central-directory-missing", "RejectsArchiveWithoutCentralDirectory", {"central directory"}},
      {"central-directory-mismatch",
       "RejectsLocalHeaderDisagreeingWithCentralDirectory",
       {"config/settingz.json", "disagree"}},
      // Entries that break the layout.
      {"path-dotdot", "RejectsPathTraversalEntry", {"path escapes the archive"}},
      {"path-absolute", "RejectsAbsolutePathEntry", {"/etc/cron.d/evil", "path is absolute"}},
      {"path-drive-letter", "RejectsDriveLetterEntry", {"drive letter"}},
      {"path-backslash", "RejectsBackslashEntry", {"backslash"}},
      {"symlink", "RejectsSymlinkEntry", {"config/passwd", "symbolic link"}},
      {"special-file", "RejectsFifoEntry", {"config/fifo", "FIFO"}},
      {"duplicate-name", "RejectsDuplicateEntryNames", {"more than once"}},
      {"case-collision", "RejectsNamesDifferingOnlyByCase", {"only by letter case"}},
      {"invalid-utf8-name", "RejectsInvalidUtf8Name", {"not valid UTF-8"}},
      {"encrypted-entry", "RejectsEncryptedEntry", {"config/settings.json", "encrypted"}},
      {"unknown-compression-method", "RejectsUnknownCompressionMethod", {"compression method 12"}},
      // Over the caps.
      {"over-upload-size", "RejectsArchiveOverTheUploadSizeCap", {"over the limit of 2"}, 2000},
      {"too-many-entries",
       "RejectsArchiveOverTheEntryCountCap",
       {"10000000 entries, over the limit"}},
      {"over-total-bytes",
       "RejectsArchiveOverTheTotalBytesCap",
       {"bytes in total, over the limit"},
       0,
       512 << 10},
      {"zip-bomb-ratio",
       "RejectsEntryOverTheCompressionRatioCap",
       {"compression ratio", "zip bomb"}},
      {"zip-bomb-lying-size",
       "StopsZipBombAtItsDeclaredSize",
       {"expands beyond its declared size of 1048576 bytes"}},
      // Manifest problems.
      {"manifest-missing", "RejectsArchiveWithoutManifest", {"no manifest.json"}},
      {"manifest-bad-checksum", "RejectsManifestWithBadChecksum", {"does not match its checksum"}},
      {"file-missing", "RejectsArchiveMissingAListedFile", {"but the archive lacks it"}},
      {"file-extra", "RejectsArchiveWithAnUnlistedFile", {"which the manifest does not list"}},
      {"file-wrong-size",
       "RejectsFileOfTheWrongSize",
       {"config/settings.json", "bytes in the archive but"}},
      {"file-wrong-sha256",
       "RejectsFileWithTheWrongSha256",
       {"config/settings.json", "does not match the SHA-256"}},
      // The database.
      {"db-integrity-check", "RejectsDatabaseFailingIntegrityCheck", {"integrity check"}},
      {"db-wrong-application-id",
       "RejectsDatabaseWithWrongApplicationId",
       {"not an arkwiki database"}},
      {"db-schema-mismatch",
       "RejectsDatabaseWithAnExtraTable",
       {"database schema has an object arkwiki does not create: table backdoor"}},
      // The schema must be exactly the one the migrations produce, whatever
      // the names: each of these archives is otherwise genuine.
      {"db-trigger-innocent-name",
       "RejectsTriggerUnderAnInnocentName",
       {"database schema has an object arkwiki does not create: trigger page_search_backdoor"}},
      {"db-view-innocent-name",
       "RejectsViewUnderAnInnocentName",
       {"database schema has an object arkwiki does not create: view page_search_recent"}},
      {"db-index-innocent-name",
       "RejectsIndexUnderAnInnocentName",
       {"database schema has an object arkwiki does not create: index pages_slug"}},
      {"db-column-default-changed",
       "RejectsColumnWithAChangedDefault",
       {"database schema defines table pages differently", "schema version 3"}},
      {"db-column-constraint-changed",
       "RejectsColumnWithADroppedConstraint",
       {"database schema defines table users differently", "schema version 3"}},
      {"db-extra-column",
       "RejectsTableWithAnExtraColumn",
       {"database schema defines table users differently", "schema version 3"}},
      // Versions: a newer format or schema names both versions.
      {"newer-format-version",
       "RejectsNewerFormatVersionNamingBoth",
       {"format version 3", "up to 2"}},
      // Partial (database only) archives that lie about what they leave out.
      {"partial-still-carries-uploads",
       "RejectsPartialArchiveThatStillCarriesUploads",
       {"leaves out the uploads", "may not carry upload files"}},
      {"partial-omits-database",
       "RejectsPartialArchiveClaimingToOmitTheDatabase",
       {"claims to omit 'database'", "only 'uploads'"}},
      {"partial-omits-unknown-part",
       "RejectsPartialArchiveClaimingAnUnknownPart",
       {"claims to omit 'pictures'"}},
      {"partial-in-version-1", "RejectsPartialMarkInAVersion1Manifest", {"cannot be partial"}},
      {"partial-unmarked-version-2",
       "RejectsVersion2ManifestThatIsNotMarkedPartial",
       {"must say what the partial archive omits"}},
      {"newer-schema-version",
       "RejectsNewerSchemaVersionNamingBoth",
       {"schema version 4", "newer than this arkwiki (3)"}},
  };
  static const std::vector<HostileCase> kWithRows = WithRowTampers(kCases);
  return kWithRows;
}

std::string HostileDir() { return std::string(ARKWIKI_SOURCE_DIR) + "/fixtures/hostile"; }

ZipLimits LimitsFor(const HostileCase& c) {
  ZipLimits limits;
  if (c.max_archive_bytes != 0) limits.max_archive_bytes = c.max_archive_bytes;
  if (c.max_total_bytes != 0) limits.max_total_bytes = c.max_total_bytes;
  return limits;
}

class RestoreHostileTest : public ::testing::TestWithParam<HostileCase> {
 protected:
  // One live wiki for the suite: each refusal must leave it untouched, and
  // every test checks that it did.
  static void SetUpTestSuite() {
    dir_ = new testing::TempDir;
    live_ = new std::string(dir_->Sub("live"));
    {
      auto storage = Storage::Open(Env::Default(), *live_);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      testing::SeedWiki(**storage, "live");
    }
    fingerprint_ = new std::string(testing::LiveFingerprint(*live_));
    dump_ = new std::string(testing::DumpWiki(*live_));
  }
  static void TearDownTestSuite() {
    delete dump_;
    delete fingerprint_;
    delete live_;
    delete dir_;
  }
  static bool StagingEmpty() {
    auto entries = Env::Default()->ListDir(DataDirLayout(*live_).staging);
    return !entries.ok() || entries->empty();
  }

  static testing::TempDir* dir_;
  static std::string* live_;
  static std::string* fingerprint_;
  static std::string* dump_;
};

testing::TempDir* RestoreHostileTest::dir_ = nullptr;
std::string* RestoreHostileTest::live_ = nullptr;
std::string* RestoreHostileTest::fingerprint_ = nullptr;
std::string* RestoreHostileTest::dump_ = nullptr;

void ExpectNamesProblem(const Status& s, const HostileCase& c) {
  ASSERT_FALSE(s.ok()) << c.fixture << " was accepted";
  for (const std::string& keyword : c.keywords) {
    EXPECT_NE(s.message().find(keyword), std::string::npos)
        << c.fixture << ": the refusal should mention \"" << keyword << "\"; got " << s.ToString();
  }
}

// A scratch file of the manifest's list left in `dir`.
bool HasListScratch(const std::string& dir) {
  auto entries = Env::Default()->ListDir(dir);
  if (!entries.ok()) return false;
  for (const DirEntry& e : *entries) {
    if (e.name.rfind("arkwiki-manifest-files-", 0) == 0) return true;
  }
  return false;
}

TEST_P(RestoreHostileTest, Refused) {
  const HostileCase& c = GetParam();
  const std::string archive = HostileDir() + "/" + c.fixture + ".zip";
  ASSERT_TRUE(Env::Default()->FileExists(archive).value())
      << archive << " is missing: run arkwiki-make-hostile-fixtures";

  VerifyOptions verify;
  verify.limits = LimitsFor(c);
  verify.scratch_dir = dir_->path();
  auto report = VerifyArchive(Env::Default(), archive, verify);
  ExpectNamesProblem(report.status(), c);
  std::string held_unpack;  // the refusal when unpacking with the list held
  // The same refusal when the manifest's list is read back from a scratch
  // file (as for a large archive), whether checking or unpacking; the
  // scratch file does not outlive the verification.
  VerifyOptions spilled = verify;
  spilled.manifest_files_held = 1;
  EXPECT_EQ(VerifyArchive(Env::Default(), archive, spilled).status().ToString(),
            report.status().ToString())
      << "with the manifest's list spilled";
  for (size_t held : {size_t{1} << 16, size_t{1}}) {
    testing::TempDir unpack;
    VerifyOptions extract = verify;
    extract.extract_dir = unpack.path();
    extract.manifest_files_held = held;
    Status unpacked = VerifyArchive(Env::Default(), archive, extract).status();
    if (held == 1) {
      EXPECT_EQ(unpacked.ToString(), held_unpack) << "unpacking with the list spilled";
    }
    held_unpack = unpacked.ToString();
    EXPECT_FALSE(HasListScratch(unpack.path())) << "unpacking with " << held << " held";
  }
  EXPECT_FALSE(HasListScratch(dir_->path()));

  testing::CountingEnv env(Env::Default());
  Restorer restorer(&env, DataDirLayout(*live_));
  ImportOptions options;
  options.limits = LimitsFor(c);
  auto staged = restorer.Stage(archive, options);
  Status s = staged.status();
  if (staged.ok()) s = restorer.Commit(*staged, options, CommitHooks{}).status();
  ExpectNamesProblem(s, c);

  EXPECT_EQ(testing::LiveFingerprint(*live_), *fingerprint_) << "live files changed";
  EXPECT_EQ(testing::DumpWiki(*live_), *dump_) << "live data changed";
  EXPECT_TRUE(StagingEmpty()) << "staging was not emptied";
  // Disk stays bounded: at most the (small) real files of the backup plus
  // one declared-size entry; a zip bomb stops at its declared 1 MiB.
  EXPECT_LT(env.bytes_written(), uint64_t{2} << 20) << "bytes written while refusing";
}

INSTANTIATE_TEST_SUITE_P(Fixtures, RestoreHostileTest, ::testing::ValuesIn(Cases()),
                         [](const ::testing::TestParamInfo<HostileCase>& info) {
                           return std::string(info.param.behaviour);
                         });

// Every file in fixtures/hostile/ has an expected refusal above (and every
// class its file), and each is small.
TEST(RestoreHostileFixturesTest, EveryFixtureHasAnExpectedRefusalAndIsSmall) {
  std::set<std::string> expected, present;
  for (const HostileCase& c : Cases()) expected.insert(std::string(c.fixture) + ".zip");
  for (const fixture::RebuiltTamper& t : fixture::RebuiltTampers())
    expected.insert(t.name + ".zip");
  for (const auto& entry : std::filesystem::directory_iterator(HostileDir())) {
    present.insert(entry.path().filename().string());
    EXPECT_LT(entry.file_size(), 64u << 10) << entry.path() << " is not small";
  }
  EXPECT_EQ(present, expected);
}

// What an import rebuilds instead of trusting (the search index) is
// accepted, and none of the tampered content survives the import.
TEST(RestoreRebuiltTest, ImportRebuildsTheSearchIndexFromThePages) {
  for (const fixture::RebuiltTamper& t : fixture::RebuiltTampers()) {
    const std::string archive = HostileDir() + "/" + t.name + ".zip";
    ASSERT_TRUE(Env::Default()->FileExists(archive).value())
        << archive << " is missing: run arkwiki-make-hostile-fixtures";
    testing::TempDir dir;
    const std::string data = dir.Sub("data");
    {
      auto storage = Storage::Open(Env::Default(), data);
      ASSERT_TRUE(storage.ok()) << storage.status().ToString();
      testing::SeedWiki(**storage, "live");
    }
    Restorer restorer(Env::Default(), DataDirLayout(data));
    auto staged = restorer.Stage(archive, ImportOptions{});
    ASSERT_TRUE(staged.ok()) << t.name << ": " << staged.status().ToString();
    auto outcome = restorer.Commit(*staged, ImportOptions{}, CommitHooks{});
    ASSERT_TRUE(outcome.ok()) << t.name << ": " << outcome.status().ToString();
    DbOptions ro;
    ro.read_only = true;
    auto db = Db::Open(DataDirLayout(data).database, ro);
    ASSERT_TRUE(db.ok());
    EXPECT_EQ((*db)->QueryInt(t.leftover_sql).value(), 0) << t.name;
    EXPECT_EQ((*db)->QueryInt("SELECT count(*) FROM page_search").value(),
              (*db)->QueryInt("SELECT count(*) FROM pages WHERE deleted_at IS NULL").value())
        << t.name;
  }
}

}  // namespace
}  // namespace arkwiki
