// The encrypted repository of restore points: nothing readable on the
// disk, everything still works (snapshot, dedup, check, export, prune),
// tampering and a wrong passphrase are refused, plain repositories stay
// as they were.
#include <gtest/gtest.h>

#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/repository/repository_fixture.h"
#include "repository/db_chunks.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "repository/repo_layout.h"
#include "repository/sealed_env.h"
#include "support/file_damage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

constexpr char kMarker[] = "MARKER-ONLY-IN-PLAINTEXT";

class EncryptedRepositoryTest : public testing::RepositoryFixture {
 protected:
  RepositoryOptions Options() override { return Options("correct horse"); }
  RepositoryOptions Options(const std::string& passphrase) {
    RepositoryOptions options;
    options.encrypt = true;
    options.passphrase = passphrase;
    options.kdf = KdfParams::ForTests();
    return options;
  }
  Result<std::unique_ptr<Repository>> TryOpen(const RepositoryOptions& options) {
    return Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_, options);
  }
  // Every regular file under the repository.
  std::vector<std::string> StoredFiles() {
    std::vector<std::string> files;
    for (const auto& e : std::filesystem::recursive_directory_iterator(repo_dir_)) {
      if (e.is_regular_file()) files.push_back(e.path().string());
    }
    return files;
  }
  std::string Slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream out;
    out << in.rdbuf();
    return out.str();
  }
  // The loose object files (not packs).
  std::vector<std::string> LooseObjects() {
    std::vector<std::string> files;
    for (const std::string& f : StoredFiles()) {
      if (f.rfind(repo_.objects + "/", 0) == 0 && f.find("/packs/") == std::string::npos) {
        files.push_back(f);
      }
    }
    return files;
  }
};

using testing::FlipByteAt;

TEST(SealedSizeTest, PlainSizeOfInvertsEncryptedSize) {
  for (uint64_t n : {uint64_t{0}, uint64_t{1}, uint64_t{kChunkBytes - 1}, uint64_t{kChunkBytes},
                     uint64_t{kChunkBytes + 1}, uint64_t{3 * kChunkBytes + 5}}) {
    auto plain = PlainSizeOf(EncryptedSize(n));
    ASSERT_TRUE(plain.ok()) << n;
    EXPECT_EQ(*plain, n);
  }
  EXPECT_EQ(PlainSizeOf(10).status().code(), StatusCode::kCorruption);
  EXPECT_EQ(PlainSizeOf(EncryptedSize(kChunkBytes) - 1).status().code(), StatusCode::kCorruption);
}

TEST_F(EncryptedRepositoryTest, NothingStoredRevealsContentNamesOrLabels) {
  const std::string small = std::string("small ") + kMarker;
  const std::string large = std::string(kPackObjectLimit + 10, 'x') + kMarker;
  AddUpload("small.txt", small);
  AddUpload("large.bin", large);
  const SnapshotInfo point = Snap(std::string("label ") + kMarker);
  ASSERT_FALSE(point.id.empty());
  for (const std::string& f : StoredFiles()) {
    EXPECT_EQ(Slurp(f).find(kMarker), std::string::npos) << f;
    EXPECT_EQ(f.find(Sha256Hex(small)), std::string::npos) << f;
    EXPECT_EQ(f.find(Sha256Hex(large)), std::string::npos) << f;
    EXPECT_EQ(Slurp(f).find(Sha256Hex(small)), std::string::npos) << f;
  }
  // The database is stored as sealed chunks: neither it nor its chunk list
  // is readable on the disk, and no stored file is a database.
  EXPECT_FALSE(
      std::filesystem::exists(JoinPath(repo_.SnapshotDir(point.id), "database/arkwiki.db")));
  const std::string chunks =
      Slurp(JoinPath(repo_.SnapshotDir(point.id), "database/arkwiki.db.chunks"));
  EXPECT_EQ(chunks.rfind("ARKWOFF1", 0), 0u);
  for (const std::string& f : StoredFiles()) {
    EXPECT_EQ(Slurp(f).find("SQLite format 3"), std::string::npos) << f;
  }
  // So is the manifest: its chunk list is sealed, its chunks are objects.
  EXPECT_FALSE(std::filesystem::exists(JoinPath(repo_.SnapshotDir(point.id), "manifest.json")));
  EXPECT_EQ(
      Slurp(JoinPath(repo_.SnapshotDir(point.id), "manifest.json.chunks")).rfind("ARKWOFF1", 0),
      0u);
  for (const std::string& f : StoredFiles()) {
    EXPECT_EQ(Slurp(f).find("\"sha256\""), std::string::npos) << f;
  }
  const std::string format = Slurp(repo_.format_file);
  EXPECT_NE(format.find("\"format_version\": 5"), std::string::npos) << format;
  EXPECT_NE(format.find("\"encryption\""), std::string::npos) << format;
  EXPECT_TRUE(std::filesystem::exists(repo_.key_file));
  // Yet the restore point reads back whole.
  auto listed = Open()->List();
  ASSERT_TRUE(listed.ok()) << listed.status().ToString();
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->at(0).label, std::string("label ") + kMarker);
  EXPECT_EQ(listed->at(0).check.state, CheckStatus::State::kPassed);
  EXPECT_TRUE(CheckAll().ok());
  Status exported = ExportAndVerify(point.id);
  EXPECT_TRUE(exported.ok()) << exported.ToString();
}

TEST_F(EncryptedRepositoryTest, ASecondSnapshotStoresNoUploadAgain) {
  AddUpload("small.txt", "small");
  AddUpload("large.bin", std::string(3 * kChunkBytes + 7, 'y'));  // several chunks
  const SnapshotInfo first = Snap();
  const size_t packs = Packs().packs().size();
  const size_t loose = LooseObjects().size();
  ASSERT_EQ(loose, 1u);
  const SnapshotInfo second = Snap();
  // At most a pack of the head and tail of its manifest (new when its
  // created_at differs).
  EXPECT_LE(Packs().packs().size(), packs + 1);
  EXPECT_EQ(LooseObjects().size(), loose);
  EXPECT_LT(second.new_bytes, first.new_bytes - 3 * kChunkBytes);
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(second.id).ok());
}

// Disk full or an I/O error at every step of an encrypted snapshot
// (sealed objects, packs, database, restore point files, the commit): the
// earlier restore point stays intact and the repository healthy.
TEST_F(EncryptedRepositoryTest, FailureAtEveryStepOfASnapshotLeavesEarlierPointsIntact) {
  const SnapshotInfo first = Snap();
  AddUpload("a.bin", std::string(300000, 'a'));                // packed
  AddUpload("c.bin", std::string(kPackObjectLimit + 9, 'c'));  // loose
  bool completed = false;
  for (uint64_t n = 1; !completed && n < 500; ++n) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(n, n % 2 ? StatusCode::kNoSpace : StatusCode::kIoError);
    auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_, Options());
    Result<SnapshotInfo> point =
        repo.ok() ? (*repo)->Snapshot(SnapshotRequest{}) : Result<SnapshotInfo>(repo.status());
    completed = point.ok();
    if (completed) break;
    auto points = Open()->List();
    ASSERT_TRUE(points.ok()) << "n=" << n << " " << points.status().ToString();
    ASSERT_GE(points->size(), 1u) << "n=" << n;
    ASSERT_EQ(points->front().id, first.id) << "n=" << n;
    // A failure after the commit's rename (the directory sync, then the
    // undo) leaves the new point, complete. Which iterations reach that
    // step differs between runs of the encrypted snapshot (the operation
    // count before it varied by one under ASan; not yet traced), so the
    // points left are not counted here: each must pass the check below.
    CheckReport report = CheckAll();
    ASSERT_TRUE(report.ok()) << "n=" << n;
    ASSERT_TRUE(ExportAndVerify(first.id).ok()) << "n=" << n;
  }
  ASSERT_TRUE(completed);
  EXPECT_TRUE(CheckAll().ok());
  // The next snapshot removes any plaintext database a failed one left on
  // the live disk.
  Snap();
  for (const auto& e : std::filesystem::directory_iterator(DataDirLayout(data_).tmp)) {
    EXPECT_EQ(e.path().filename().string().rfind("restore-point-", 0), std::string::npos)
        << e.path();
  }
}

TEST_F(EncryptedRepositoryTest, AFlippedLooseObjectIsDamagedAndExportRefusesIt) {
  const std::string large(kPackObjectLimit + 10, 'z');
  AddUpload("large.bin", large);
  const SnapshotInfo point = Snap();
  ASSERT_EQ(LooseObjects().size(), 1u);
  FlipByteAt(LooseObjects()[0], 100);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].sha256, Sha256Hex(large));
  EXPECT_EQ(report.damaged[0].problem, "damaged");
  EXPECT_EQ(report.damaged[0].snapshots, std::vector<std::string>{point.id});
  Status exported = ExportAndVerify(point.id);
  EXPECT_EQ(exported.code(), StatusCode::kCorruption) << exported.ToString();
  // The next snapshot stores it again from the intact live upload.
  Snap();
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(point.id).ok());
}

TEST_F(EncryptedRepositoryTest, AFlippedPackedObjectIsDamaged) {
  AddUpload("small.txt", "small content");
  const SnapshotInfo point = Snap();
  PackIndex index = Packs();
  ASSERT_NE(index.size(), 0u);
  const PackEntry victim = testing::PackEntries(index).front();
  FlipByteAt(JoinPath(PacksDir(repo_), index.packs()[victim.pack]),
             victim.offset + victim.size / 2);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].problem, "damaged");
  EXPECT_EQ(ExportAndVerify(point.id).code(), StatusCode::kCorruption);
}

// The repair of a damaged packed object is a loose object under the same
// keyed name; a prune keeps it, since a restore point names the object.
TEST_F(EncryptedRepositoryTest, APruneKeepsTheLooseRepairOfADamagedPackedObject) {
  AddUpload("small.txt", "small content");
  const SnapshotInfo point = Snap();
  Sha256Raw upload;
  ASSERT_TRUE(ParseSha256Hex(Sha256Hex("small content"), &upload));
  const std::string stored_name = Open()->key()->ObjectName(upload);
  Sha256Raw name;
  ASSERT_TRUE(ParseSha256Hex(stored_name, &name));
  PackIndex index = Packs();
  const std::optional<PackEntry> victim = index.Find(name);
  ASSERT_TRUE(victim.has_value());
  FlipByteAt(JoinPath(PacksDir(repo_), index.packs()[victim->pack]),
             victim->offset + victim->size / 2);
  ASSERT_EQ(CheckAll().damaged.size(), 1u);
  Snap();
  const std::string loose = repo_.ObjectPath(stored_name);
  ASSERT_TRUE(*Env::Default()->FileExists(loose));
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_TRUE(*Env::Default()->FileExists(loose));
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(point.id).ok());
}

// Notes the path of every file created through it.
class CreatedFilesEnv : public EnvWrapper {
 public:
  explicit CreatedFilesEnv(Env* target) : EnvWrapper(target) {}
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override {
    created.push_back(p);
    return target()->NewWritableFile(p, m);
  }
  std::vector<std::string> created;
};

// A check or prune of a large repository spills its manifests' files: in
// plaintext, so never into an encrypted repository, whose store may be
// the untrusted place.
TEST_F(EncryptedRepositoryTest, ManifestFilesSpilledByCheckAndPruneStayOutOfTheRepository) {
  AddSmallUploads(5);
  const SnapshotInfo first = Snap();
  AddUpload("second.txt", "only in the second");
  Snap();
  // The damaged object: the second point's upload (packed, under its
  // keyed name), not a chunk of a manifest the prune must read.
  Sha256Raw upload;
  ASSERT_TRUE(ParseSha256Hex(Sha256Hex("only in the second"), &upload));
  const std::string stored_name = Open()->key()->ObjectName(upload);
  PackIndex index = Packs();
  std::optional<PackEntry> victim;
  for (const PackEntry& e : testing::PackEntries(index)) {
    if (HexEncode(e.sha256.data(), e.sha256.size()) == stored_name) victim = e;
  }
  ASSERT_TRUE(victim.has_value());
  FlipByteAt(JoinPath(PacksDir(repo_), index.packs()[victim->pack]),
             victim->offset + victim->size / 2);
  RepositoryOptions options = Options();
  options.manifest_files_held = 1;
  CreatedFilesEnv env(Env::Default());
  auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_, options);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  auto report = (*repo)->Check(CheckOptions{100, 0});
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  ASSERT_EQ(report->damaged.size(), 1u);
  EXPECT_EQ(report->damaged[0].snapshots.size(), 1u);
  ASSERT_TRUE((*repo)->Delete(first.id).ok());
  auto pruned = (*repo)->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  size_t spilled = 0;
  for (const std::string& path : env.created) {
    if (path.find("arkwiki-manifest-files-") == std::string::npos) continue;
    ++spilled;
    EXPECT_NE(path.rfind(DataDirLayout(data_).tmp + "/", 0), std::string::npos) << path;
    EXPECT_EQ(path.rfind(repo_dir_ + "/", 0), std::string::npos) << path;
  }
  EXPECT_GE(spilled, 3u);  // two points checked, one pruned
}

TEST_F(EncryptedRepositoryTest, ChunksAreSharedSealedAndADamagedOneNamesThePointsNeedingIt) {
  const SnapshotInfo first = Snap();
  const SnapshotInfo second = Snap();  // nothing changed: no chunk stored again
  EXPECT_LT(second.new_bytes, first.new_bytes / 4);
  auto repo = Open();
  auto stored = OpenStoredObjects(Env::Default(), repo_, repo->key());
  ASSERT_TRUE(stored.ok()) << stored.status().ToString();
  auto chunks = ReadPointChunks(stored->get(), repo_.SnapshotDir(first.id));
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  ASSERT_FALSE(chunks->empty());
  // Stored under its keyed name, sealed, in a pack.
  const ObjectRef chunk = chunks->back().stored;
  Sha256Raw name;
  ASSERT_TRUE(ParseSha256Hex(repo->key()->ObjectName(chunk.sha256), &name));
  PackIndex index = Packs();
  const std::optional<PackEntry> entry = index.Find(name);
  ASSERT_TRUE(entry.has_value());
  EXPECT_EQ(entry->size, EncryptedSize(chunk.size));
  FlipByteAt(JoinPath(PacksDir(repo_), index.packs()[entry->pack]),
             entry->offset + entry->size / 2);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].sha256, HexEncode(chunk.sha256.data(), chunk.sha256.size()));
  EXPECT_EQ(report.damaged[0].problem, "damaged");
  EXPECT_EQ(report.damaged[0].snapshots, (std::vector<std::string>{first.id, second.id}));
  EXPECT_EQ(ExportAndVerify(first.id).code(), StatusCode::kCorruption);
  // The live database gives the same page again: repaired.
  Snap();
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(EncryptedRepositoryTest, ObjectsSwappedOrCutFailToDecrypt) {
  AddUpload("a.bin", std::string(kPackObjectLimit + 10, 'a'));
  AddUpload("b.bin", std::string(kPackObjectLimit + 10, 'b'));
  const SnapshotInfo point = Snap();
  std::vector<std::string> loose = LooseObjects();
  ASSERT_EQ(loose.size(), 2u);
  // Same sizes, swapped names: each decrypts under the other's binding.
  const std::string a = Slurp(loose[0]);
  const std::string b = Slurp(loose[1]);
  std::ofstream(loose[0], std::ios::binary | std::ios::trunc) << b;
  std::ofstream(loose[1], std::ios::binary | std::ios::trunc) << a;
  CheckReport swapped = CheckAll();
  EXPECT_EQ(swapped.damaged.size(), 2u);
  // Back in place, then one cut to the size of a shorter valid stream.
  std::ofstream(loose[0], std::ios::binary | std::ios::trunc) << a.substr(0, a.size() - 100);
  std::ofstream(loose[1], std::ios::binary | std::ios::trunc) << b;
  CheckReport cut = CheckAll();
  ASSERT_EQ(cut.damaged.size(), 1u);
  EXPECT_EQ(cut.damaged[0].problem, "damaged");
  EXPECT_EQ(ExportAndVerify(point.id).code(), StatusCode::kCorruption);
}

TEST_F(EncryptedRepositoryTest, ARestorePointsFileTamperedOrMovedIsRefused) {
  const SnapshotInfo first = Snap();
  const SnapshotInfo second = Snap();
  // The first's manifest chunk list put in place of the second's: bound to
  // the first.
  const std::string manifest = JoinPath(repo_.SnapshotDir(second.id), "manifest.json.chunks");
  std::filesystem::copy_file(JoinPath(repo_.SnapshotDir(first.id), "manifest.json.chunks"),
                             manifest, std::filesystem::copy_options::overwrite_existing);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_EQ(report.snapshot_problems[0].rfind(second.id, 0), 0u) << report.snapshot_problems[0];
  EXPECT_EQ(ExportAndVerify(second.id).code(), StatusCode::kCorruption);
  // A flipped database chunk list.
  FlipByteAt(JoinPath(repo_.SnapshotDir(first.id), "database/arkwiki.db.chunks"), 60);
  EXPECT_EQ(ExportAndVerify(first.id).code(), StatusCode::kCorruption);
  EXPECT_EQ(CheckAll().snapshot_problems.size(), 2u);
}

TEST_F(EncryptedRepositoryTest, AWrongOrMissingPassphraseIsRefused) {
  Snap();
  auto wrong = TryOpen(Options("wrong horse"));
  EXPECT_EQ(wrong.status().code(), StatusCode::kPermissionDenied) << wrong.status().ToString();
  EXPECT_NE(wrong.status().message().find("wrong passphrase"), std::string::npos);
  RepositoryOptions none;  // the setting off and no passphrase file
  auto missing = TryOpen(none);
  EXPECT_EQ(missing.status().code(), StatusCode::kPermissionDenied);
  EXPECT_NE(missing.status().message().find("backup_passphrase_file"), std::string::npos);
  // With the passphrase alone (backup_encrypt off) it opens.
  RepositoryOptions passphrase_only;
  passphrase_only.passphrase = "correct horse";
  auto opened = TryOpen(passphrase_only);
  ASSERT_TRUE(opened.ok()) << opened.status().ToString();
  EXPECT_TRUE((*opened)->encrypted());
}

TEST_F(EncryptedRepositoryTest, DeleteAndPruneRemoveSealedObjectsNoPointNeeds) {
  AddUpload("keep.bin", std::string(kPackObjectLimit + 10, 'k'));
  const SnapshotInfo first = Snap();
  AddUpload("gone.bin", std::string(kPackObjectLimit + 10, 'g'));
  AddUpload("gone.txt", "small and gone");
  const SnapshotInfo second = Snap();
  // Each snapshot wrote a pack of uploads and one of database chunks.
  ASSERT_EQ(LooseObjects().size(), 2u);
  ASSERT_EQ(Packs().packs().size(), 4u);
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(LooseObjects().size(), 1u);
  EXPECT_EQ(Packs().packs().size(), 2u);
  EXPECT_EQ(pruned->packs_removed, 2u);
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(EncryptedRepositoryTest, APlainRepositoryHoldingRestorePointsIsNotConverted) {
  auto plain = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
  ASSERT_TRUE(plain.ok());
  ASSERT_TRUE((*plain)->Snapshot(SnapshotRequest{}).ok());
  const std::string before = Slurp(repo_.format_file);
  EXPECT_NE(before.find("\"format_version\": 5"), std::string::npos) << before;
  EXPECT_FALSE(std::filesystem::exists(repo_.key_file));
  auto refused = TryOpen(Options());
  EXPECT_EQ(refused.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(refused.status().message().find("not converted"), std::string::npos);
  EXPECT_EQ(Slurp(repo_.format_file), before);
  // Without the setting it keeps working as it was.
  auto again = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE((*again)->encrypted());
  EXPECT_TRUE((*again)->Snapshot(SnapshotRequest{}).ok());
}

// repository.json is the one file in the clear that says whether the
// repository is encrypted. Whoever can write the backup disk must not be
// able to rewrite it as plain and have the next restore point written in
// plaintext (backup_encrypt need not be on once a repository is
// encrypted): key.json, or a sealed restore point, gives it away.
TEST_F(EncryptedRepositoryTest, ARepositoryJsonRewrittenAsPlainIsRefusedNotWrittenInPlaintext) {
  AddUpload("secret.txt", std::string(kMarker) + " in an upload");
  Snap();
  std::ofstream(repo_.format_file, std::ios::trunc) << RepositoryJson(false);
  RepositoryOptions setting_off = Options();
  setting_off.encrypt = false;
  auto refused = TryOpen(setting_off);
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();
  std::filesystem::remove(repo_.key_file);
  refused = TryOpen(setting_off);
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption) << refused.status().ToString();
  EXPECT_NE(refused.status().message().find("repository.json"), std::string::npos)
      << refused.status().message();
  for (const std::string& f : StoredFiles()) {
    const std::string bytes = Slurp(f);
    EXPECT_EQ(bytes.find(kMarker), std::string::npos) << f;
    EXPECT_NE(bytes.rfind("SQLite format 3", 0), 0u) << f;
  }
}

// A key.json left by a crash before repository.json made an empty
// repository encrypted is not taken for tampering: the repository stays
// plain while backup_encrypt is off, and keeps working.
TEST_F(EncryptedRepositoryTest, AKeyLeftByACrashBeforeEncryptionLeavesAnEmptyRepositoryPlain) {
  ASSERT_TRUE(Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_).ok());
  std::ofstream(repo_.key_file) << "{\"a key object a crash left\": true}\n";
  for (int run = 0; run < 2; ++run) {
    auto plain = Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_);
    ASSERT_TRUE(plain.ok()) << plain.status().ToString();
    EXPECT_FALSE((*plain)->encrypted());
    auto point = (*plain)->Snapshot(SnapshotRequest{});
    EXPECT_TRUE(point.ok()) << point.status().ToString();
  }
}

TEST_F(EncryptedRepositoryTest, AnEmptyPlainRepositoryIsMadeEncrypted) {
  ASSERT_TRUE(Repository::Open(Env::Default(), DataDirLayout(data_), repo_dir_).ok());
  auto repo = TryOpen(Options());
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  EXPECT_TRUE((*repo)->encrypted());
  EXPECT_NE(Slurp(repo_.format_file).find("\"format_version\": 5"), std::string::npos);
}

TEST_F(EncryptedRepositoryTest, ThePassphraseFileMustBePrivateAndOutsideLiveAndTheRepository) {
  const DataDirLayout layout(data_);
  auto options_from = [&](const std::string& file) {
    return RepositoryOptionsFromConfig(Env::Default(), layout, repo_dir_, true, file);
  };
  auto write_private = [](const std::string& path) {
    std::ofstream(path) << "correct horse\nsecond line ignored\n";
    EXPECT_EQ(::chmod(path.c_str(), 0600), 0);
  };
  const std::string good = dir_.Sub("backups.passphrase");
  write_private(good);
  auto options = options_from(good);
  ASSERT_TRUE(options.ok()) << options.status().ToString();
  EXPECT_TRUE(options->encrypt);
  EXPECT_EQ(options->passphrase, "correct horse");
  ASSERT_EQ(::chmod(good.c_str(), 0640), 0);
  EXPECT_EQ(options_from(good).status().code(), StatusCode::kPermissionDenied);
  const std::string in_live = JoinPath(layout.live, "passphrase");
  write_private(in_live);
  EXPECT_EQ(options_from(in_live).status().code(), StatusCode::kInvalidArgument);
  ASSERT_TRUE(Env::Default()->CreateDirs(repo_dir_).ok());
  const std::string in_repo = JoinPath(repo_dir_, "passphrase");
  write_private(in_repo);
  EXPECT_EQ(options_from(in_repo).status().code(), StatusCode::kInvalidArgument);
  auto none = options_from("");
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->passphrase.empty());
}

}  // namespace
}  // namespace arkwiki
