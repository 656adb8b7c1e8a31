// Pack files in the repository of restore points: small objects packed,
// large ones loose, check and repair of packed objects, prune of packs,
// repositories written before packs existed, and a kill at each pack step.
#include <gtest/gtest.h>

#include <signal.h>
#include <stdlib.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/storage/storage.h"
#include "backup/repository/point_database.h"
#include "backup/repository/repository_fixture.h"
#include "repository/pack_store.h"
#include "repository/packed_env.h"
#include "repository/repo_layout.h"
#include "support/file_damage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// Run with the manifests' files held in memory and spilled past one file,
// as a check or prune of a large repository spills them.
class PackTest : public testing::RepositoryFixture, public ::testing::WithParamInterface<size_t> {
 protected:
  RepositoryOptions Options() override {
    RepositoryOptions options;
    options.manifest_files_held = GetParam();
    return options;
  }
  std::string PackPath(const PackIndex& index, uint32_t pack) {
    return JoinPath(PacksDir(repo_), index.packs().at(pack));
  }
};

using testing::FlipByteAt;

std::string Hex(const Sha256Raw& raw) { return HexEncode(raw.data(), raw.size()); }

// A packed upload: the first entry that is no database or manifest chunk
// of `points`.
PackEntry UploadEntry(const PackIndex& index, const std::vector<std::string>& points,
                      const RepoLayout& repo) {
  std::set<std::string> chunks;
  for (const std::string& id : points) chunks.merge(testing::PointChunks(repo, id));
  for (const PackEntry& e : testing::PackEntries(index)) {
    if (chunks.count(Hex(e.sha256)) == 0) return e;
  }
  ADD_FAILURE() << "no packed upload";
  return PackEntry{};
}

TEST_P(PackTest, SmallUploadsArePackedOnceAndLargeOnesStayLoose) {
  for (int i = 0; i < 20; ++i) AddUpload("s" + std::to_string(i), "small " + std::to_string(i));
  const std::string large(kPackObjectLimit, 'L');
  AddUpload("large.bin", large);
  SnapshotInfo first = Snap();
  PackIndex index = Packs();
  ASSERT_EQ(index.packs().size(), 2u);  // the uploads', and the database chunks'
  EXPECT_TRUE(index.unreadable().empty());
  EXPECT_GE(index.size(), 20u);
  // Named by the SHA-256 of its whole content, as documented.
  auto digest = Sha256File(Env::Default(), PackPath(index, 0));
  ASSERT_TRUE(digest.ok());
  EXPECT_EQ(digest->sha256 + ".pack", index.packs()[0]);
  const std::string large_sha = Sha256Hex(large);
  EXPECT_TRUE(*Env::Default()->FileExists(repo_.ObjectPath(large_sha)));
  Sha256Raw large_raw;
  ASSERT_TRUE(ParseSha256Hex(large_sha, &large_raw));
  EXPECT_FALSE(index.Find(large_raw).has_value());
  EXPECT_NE(FormatFile().find("\"format_version\": 5"), std::string::npos) << FormatFile();
  // A second snapshot finds every object stored and writes no pack, but
  // for the head and tail of its manifest when its created_at differs.
  SnapshotInfo second = Snap();
  size_t new_chunks = 0;
  const std::set<std::string> first_chunks = testing::PointChunks(repo_, first.id);
  for (const std::string& c : testing::PointChunks(repo_, second.id)) {
    new_chunks += first_chunks.count(c) == 0;
  }
  EXPECT_LE(new_chunks, 2u);
  EXPECT_EQ(Packs().packs().size(), new_chunks == 0 ? 2u : 3u);
  EXPECT_LT(second.new_bytes, first.new_bytes - large.size());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

// The off-site copy releases the index between its passes.
TEST_P(PackTest, AReleasedIndexIsLoadedAgainForTheNextPackedRead) {
  AddUpload("s", "a small upload");
  Snap();
  auto packed = OpenPackedObjects(Env::Default(), repo_);
  ASSERT_TRUE(packed.ok()) << packed.status().ToString();
  const std::string path = repo_.ObjectPath(Sha256Hex("a small upload"));
  ASSERT_FALSE(*Env::Default()->FileExists(path)) << "packed, not loose";
  for (int round = 0; round < 2; ++round) {
    auto file = (*packed)->NewRandomAccessFile(path);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    std::string bytes((*file)->Size(), '\0');
    ASSERT_TRUE((*file)->ReadAt(0, bytes.data(), bytes.size()).ok());
    EXPECT_EQ(bytes, "a small upload") << "round " << round;
    EXPECT_EQ(*(*packed)->GetFileSize(path), bytes.size());
    (*packed)->ReleaseIndex();
  }
  EXPECT_FALSE(*(*packed)->FileExists(repo_.ObjectPath(Sha256Hex("never stored"))));
}

TEST_P(PackTest, CheckReadsAnObjectOnceHoweverManyRestorePointsNameIt) {
  for (int i = 0; i < 20; ++i) AddUpload("s" + std::to_string(i), "small " + std::to_string(i));
  AddUpload("large.bin", std::string(kPackObjectLimit, 'L'));
  Snap();
  Snap();
  Snap();
  // Every packed object is named by a point (none was pruned), and the one
  // large upload is loose.
  const size_t stored = Packs().size() + 1;
  CheckReport report = CheckAll();
  EXPECT_EQ(report.objects_checked, stored);
  EXPECT_TRUE(report.damaged.empty());
}

TEST_P(PackTest, CheckNamesTheRestorePointsNeedingADamagedPackedObjectAndSnapshotRepairsIt) {
  SnapshotInfo first = Snap();
  SnapshotInfo second = Snap();
  PackIndex index = Packs();
  const PackEntry& victim = UploadEntry(index, {first.id, second.id}, repo_);
  FlipByteAt(PackPath(index, victim.pack), victim.offset + victim.size / 2);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].sha256, Hex(victim.sha256));
  EXPECT_EQ(report.damaged[0].problem, "damaged");
  EXPECT_EQ(report.damaged[0].snapshots, (std::vector<std::string>{first.id, second.id}));
  // Repaired as a loose object, which takes precedence over the packed copy.
  Snap();
  EXPECT_TRUE(*Env::Default()->FileExists(repo_.ObjectPath(Hex(victim.sha256))));
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
  // A prune keeps the repair: the object is named, though also packed.
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(*Env::Default()->FileExists(repo_.ObjectPath(Hex(victim.sha256))));
  EXPECT_TRUE(CheckAll().ok());
}

TEST_P(PackTest, ADamagedPackIndexMakesItsObjectsMissingUntilASnapshotStoresThemAgain) {
  SnapshotInfo first = Snap();
  // The pack of uploads (the live uploads repair it).
  const uint32_t uploads = UploadEntry(Packs(), {first.id}, repo_).pack;
  const std::string pack = PackPath(Packs(), uploads);
  size_t packed = 0;
  const PackIndex index = Packs();
  for (const PackEntry& e : testing::PackEntries(index)) packed += e.pack == uploads;
  auto size = Env::Default()->GetFileSize(pack);
  ASSERT_TRUE(size.ok());
  FlipByteAt(pack, *size - 3);  // a digit of the index length in the trailer
  EXPECT_EQ(Packs().unreadable().size(), 1u);
  CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), packed);
  EXPECT_EQ(report.damaged[0].problem, "missing");
  EXPECT_EQ(report.damaged[0].snapshots, std::vector<std::string>{first.id});
  Snap();
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_P(PackTest, PruneRemovesAPackOnlyWhenNoRestorePointNamesAnyOfItsObjects) {
  SnapshotInfo first = Snap();
  AddUpload("new.txt", "only in the second restore point");
  SnapshotInfo second = Snap();
  // Each snapshot's uploads, and its database chunks (the second's: those
  // the new upload's rows changed).
  ASSERT_EQ(Packs().packs().size(), 4u);
  // The first's packs hold objects the second restore point names too.
  ASSERT_TRUE(Open()->Delete(first.id).ok());
  auto kept = Open()->Prune();
  ASSERT_TRUE(kept.ok()) << kept.status().ToString();
  EXPECT_EQ(kept->packs_removed, 0u);
  EXPECT_EQ(Packs().packs().size(), 4u);
  // Once no restore point is left, all go.
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_EQ(pruned->packs_removed, 4u);
  EXPECT_GT(pruned->bytes_removed, 0u);
  EXPECT_TRUE(Packs().packs().empty());
}

TEST_P(PackTest, PruneRemovesThePackOfADeletedRestorePointAndKeepsTheRest) {
  SnapshotInfo first = Snap();
  AddUpload("new.txt", "only in the second restore point");
  SnapshotInfo second = Snap();
  size_t new_chunks = 0;
  const std::set<std::string> first_chunks = testing::PointChunks(repo_, first.id);
  for (const std::string& c : testing::PointChunks(repo_, second.id)) {
    new_chunks += first_chunks.count(c) == 0;
  }
  ASSERT_GT(new_chunks, 0u);
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  // Its upload's pack and the pack of the chunks only it named.
  EXPECT_EQ(pruned->packs_removed, 2u);
  EXPECT_EQ(pruned->objects_removed, 1u + new_chunks);
  EXPECT_EQ(Packs().packs().size(), 2u);
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_P(PackTest, PruneKeepsAPackWhoseIndexCannotBeRead) {
  SnapshotInfo first = Snap();
  const size_t packs = Packs().packs().size();
  const std::string pack = PackPath(Packs(), UploadEntry(Packs(), {first.id}, repo_).pack);
  auto size = Env::Default()->GetFileSize(pack);
  ASSERT_TRUE(size.ok());
  FlipByteAt(pack, *size - 3);  // a digit of the index length in the trailer
  ASSERT_TRUE(Open()->Delete(first.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  // Its objects are unknown, so it stays; every other pack goes.
  EXPECT_EQ(pruned->packs_removed, packs - 1);
  EXPECT_TRUE(*Env::Default()->FileExists(pack));
}

// Rewrites the repository as version 1 wrote it: every object loose, no
// packs/, restore point `id`'s database whole, "format_version": 1.
void MakeLooseOnly(Env* env, const RepoLayout& repo, const std::string& id) {
  ASSERT_NO_FATAL_FAILURE(testing::MakeDatabaseWhole(repo, id));
  ASSERT_NO_FATAL_FAILURE(testing::MakeManifestWhole(repo, id));
  auto index = PackIndex::Load(env, repo);
  ASSERT_TRUE(index.ok());
  for (const PackEntry& e : testing::PackEntries(*index)) {
    auto pack = ReadFileToString(env, JoinPath(PacksDir(repo), index->packs()[e.pack]));
    ASSERT_TRUE(pack.ok());
    const std::string path = repo.ObjectPath(Hex(e.sha256));
    ASSERT_TRUE(env->CreateDirs(DirName(path)).ok());
    ASSERT_TRUE(WriteFileAtomically(env, path, pack->substr(e.offset, e.size)).ok());
  }
  ASSERT_TRUE(env->RemoveTree(PacksDir(repo)).ok());
  ASSERT_TRUE(
      WriteFileAtomically(env, repo.format_file,
                          "{\n  \"format\": \"arkwiki-repository\",\n  \"format_version\": 1\n}\n")
          .ok());
}

TEST_P(PackTest, ReadsAndExtendsARepositoryOfLooseObjectsOnly) {
  SnapshotInfo first = Snap();
  ASSERT_NO_FATAL_FAILURE(MakeLooseOnly(Env::Default(), repo_, first.id));
  ASSERT_EQ(Open()->List()->size(), 1u);
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
  EXPECT_NE(FormatFile().find("\"format_version\": 1"), std::string::npos);
  // The next snapshot packs only what is new (the upload and the database
  // and manifest chunks the loose ones lack), and marks the format first.
  AddUpload("new.txt", "written after the upgrade");
  SnapshotInfo second = Snap();
  const std::set<std::string> chunks = testing::PointChunks(repo_, second.id);
  size_t uploads = 0;
  const PackIndex index = Packs();
  for (const PackEntry& e : testing::PackEntries(index)) {
    uploads += chunks.count(Hex(e.sha256)) == 0;
  }
  EXPECT_EQ(uploads, 1u);
  EXPECT_LT(index.size(), 1u + chunks.size());
  EXPECT_NE(FormatFile().find("\"format_version\": 5"), std::string::npos);
  EXPECT_TRUE(CheckAll().ok());
  ASSERT_TRUE(Open()->Delete(first.id).ok());
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(second.id).ok());
}

// A kill (SIGKILL) at each crash point of the pack steps, in a child
// process: a threadsafe death test runs this test again in a new process,
// which reads ARKWIKI_CRASH_AT (crash_point.h) afresh and works on the
// parent's data directory (kParentData); it runs only the statements, and
// the parent checks what each kill left. (Drill 15 kills the CLI at these
// points too.)
constexpr char kParentData[] = "ARKWIKI_TEST_PARENT_DATA";

TEST_P(PackTest, AKillAtEachPackStepLeavesEarlierRestorePointsIntact) {
  GTEST_FLAG_SET(death_test_style, "threadsafe");
  const char* parent_data = std::getenv(kParentData);
  const bool child = parent_data != nullptr;
  const std::string data = child ? parent_data : data_;
  const auto kill_at = [&](const char* point, bool prune) {
    ::setenv(kParentData, data.c_str(), 1);
    ::setenv("ARKWIKI_CRASH_AT", point, 1);
    EXPECT_EXIT(
        {
          // Only the child runs this: its own fixture's directory is unused
          // (it works on the parent's), and the kill would leave it behind.
          std::error_code ignored;
          std::filesystem::remove_all(dir_.path(), ignored);
          auto repo = Repository::Open(Env::Default(), DataDirLayout(data), DefaultBackupDir(data));
          if (repo.ok() && prune) (void)(*repo)->Prune();
          if (repo.ok() && !prune) (void)(*repo)->Snapshot(SnapshotRequest{});
          std::_Exit(0);
        },
        ::testing::KilledBySignal(SIGKILL), "")
        << point;
    ::unsetenv("ARKWIKI_CRASH_AT");
    ::unsetenv(kParentData);
  };
  const auto expect_intact = [&](const std::vector<std::string>& ids, const char* after) {
    if (child) return;
    auto points = Open()->List();
    ASSERT_TRUE(points.ok());
    std::vector<std::string> listed;
    for (const SnapshotInfo& p : *points) listed.push_back(p.id);
    EXPECT_EQ(listed, ids) << "after the kill at " << after;
    EXPECT_TRUE(CheckAll().ok()) << "after the kill at " << after;
    EXPECT_TRUE(ExportAndVerify(ids.front()).ok()) << "after the kill at " << after;
  };
  std::string first;
  if (!child) {
    first = Snap().id;
    AddUpload("k1.txt", "killed while packed 1");
    AddUpload("k2.txt", "killed while packed 2");
  }
  kill_at("repository.snapshot.before_pack", false);
  expect_intact({first}, "before_pack");
  kill_at("repository.snapshot.after_pack", false);
  expect_intact({first}, "after_pack");
  std::string second;
  if (!child) {
    // The first's two packs (uploads, database chunks) and the killed
    // snapshot's upload pack, placed.
    EXPECT_EQ(Packs().packs().size(), 3u) << "the killed snapshot's pack, placed";
    second = Snap().id;  // reuses that pack, and adds its changed chunks
    EXPECT_EQ(Packs().packs().size(), 4u);
    ASSERT_TRUE(Open()->Delete(second).ok());
  }
  kill_at("repository.prune.after_pack_removal", true);
  expect_intact({first}, "after_pack_removal");
  if (child) return;
  EXPECT_LE(Packs().packs().size(), 3u);
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(Env::Default()->ListDir(repo_.tmp)->empty());
}

TEST_P(PackTest, AWriterRefusesALiveFileThatDoesNotMatchAndAppendsNothing) {
  const std::string good = dir_.Sub("good");
  const std::string bad = dir_.Sub("bad");
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), good, "good bytes").ok());
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), bad, "changed bytes").ok());
  ASSERT_NE(Open(), nullptr);  // creates the repository and its tmp/
  PackWriter writer(Env::Default(), repo_);
  EXPECT_EQ(writer.Add(bad, Sha256Hex("bad bytes"), 9).code(), StatusCode::kCorruption);
  EXPECT_EQ(writer.Add(dir_.Sub("missing"), Sha256Hex("x"), 1).code(), StatusCode::kNotFound);
  ASSERT_TRUE(writer.Add(good, Sha256Hex("good bytes"), 10).ok());
  ASSERT_TRUE(writer.Finish().ok());
  PackIndex index = Packs();
  const std::vector<PackEntry> entries = testing::PackEntries(index);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(Hex(entries[0].sha256), Sha256Hex("good bytes"));
  EXPECT_EQ(entries[0].offset, 0u);
  EXPECT_EQ(entries[0].size, 10u);
}

// Writes objects/packs/<name>.pack with `data_size` bytes of objects (a
// hole: nothing is written there) and the index `lines`.
void WriteSparsePack(const RepoLayout& repo, const std::string& name, uint64_t data_size,
                     const std::string& lines) {
  ASSERT_TRUE(Env::Default()->CreateDirs(PacksDir(repo)).ok());
  std::ofstream out(JoinPath(PacksDir(repo), name + ".pack"), std::ios::binary);
  out.seekp(static_cast<std::streamoff>(data_size));
  char trailer[33];
  std::snprintf(trailer, sizeof trailer, "arkwiki-pack-v1 %015zu\n", lines.size());
  out << lines << trailer;
  ASSERT_TRUE(out.good());
}

// Offsets are held in 26 bits and sizes in 20 (kPackOffsetBits,
// kPackSizeBits); a pack arkwiki writes never needs more. The last offset
// and the last size that fit are read back exactly.
TEST(PackIndexTest, AnIndexNamingBytesPastItsBitsIsDamaged) {
  testing::TempDir dir;
  const RepoLayout repo(dir.path());
  const std::string object = Sha256Hex("object");
  const uint64_t far = uint64_t{1} << kPackOffsetBits;
  const uint64_t big = uint64_t{1} << kPackSizeBits;
  WriteSparsePack(repo, Sha256Hex("far"), far + 16, object + " " + std::to_string(far) + " 8\n");
  WriteSparsePack(repo, Sha256Hex("long"), big + 16, object + " 8 " + std::to_string(big) + "\n");
  WriteSparsePack(repo, Sha256Hex("edge"), far + big,
                  object + " " + std::to_string(far - 1) + " " + std::to_string(big - 1) + "\n");
  auto index = PackIndex::Load(Env::Default(), repo);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->unreadable().size(), 2u);
  for (const std::string& why : index->unreadable()) {
    EXPECT_NE(why.find("damaged index"), std::string::npos) << why;
  }
  const std::vector<PackEntry> entries = testing::PackEntries(*index);
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].offset, far - 1);
  EXPECT_EQ(entries[0].size, big - 1);
  Sha256Raw raw;
  ASSERT_TRUE(ParseSha256Hex(object, &raw));
  const std::optional<PackEntry> found = index->Find(raw);
  ASSERT_TRUE(found.has_value());
  EXPECT_EQ(found->offset, far - 1);
  EXPECT_EQ(found->size, big - 1);
  EXPECT_EQ(index->packs().at(found->pack), Sha256Hex("edge") + ".pack");
}

// A damaged line after good ones drops the whole pack, and the packs after
// it keep their own numbers.
TEST(PackIndexTest, ADamagedLineAfterGoodOnesDropsTheWholePack) {
  testing::TempDir dir;
  const RepoLayout repo(dir.path());
  const std::string a = Sha256Hex("a");
  const std::string b = Sha256Hex("b");
  const std::string c = Sha256Hex("c");
  // Pack names sort in this order: 0..., 1..., 2...
  const std::string first = "0" + Sha256Hex("first").substr(1);
  const std::string damaged = "1" + Sha256Hex("damaged").substr(1);
  const std::string last = "2" + Sha256Hex("last").substr(1);
  WriteSparsePack(repo, first, 16, a + " 0 8\n");
  WriteSparsePack(repo, damaged, 16, b + " 0 8\n" + c + " 8 8\n" + a + " 8 9\n");
  WriteSparsePack(repo, last, 16, c + " 8 8\n");
  auto index = PackIndex::Load(Env::Default(), repo);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->unreadable().size(), 1u);
  EXPECT_EQ(index->unreadable()[0].rfind(damaged, 0), 0u) << index->unreadable()[0];
  ASSERT_EQ(index->packs(), (std::vector<std::string>{first + ".pack", last + ".pack"}));
  ASSERT_EQ(index->size(), 2u);
  for (const PackEntry& e : testing::PackEntries(*index)) {
    EXPECT_EQ(index->packs().at(e.pack), (Hex(e.sha256) == a ? first : last) + ".pack");
  }
  Sha256Raw only_in_damaged;
  ASSERT_TRUE(ParseSha256Hex(b, &only_in_damaged));
  EXPECT_FALSE(index->Find(only_in_damaged).has_value());
}

// The index holds 4 bytes of each name and a keyed hash of the whole: a
// name that shares its first bytes is found only when the whole name
// matches.
TEST(PackIndexTest, ANameSharingTheFirstEightBytesIsFoundOnlyWhenTheWholeNameMatches) {
  testing::TempDir dir;
  const RepoLayout repo(dir.path());
  const std::string a = Sha256Hex("a");
  // Two more names with a's first 8 bytes, in another pack and in the same.
  const std::string b = a.substr(0, 16) + Sha256Hex("b").substr(16);
  const std::string c = a.substr(0, 16) + Sha256Hex("c").substr(16);
  const std::string unlisted = a.substr(0, 16) + Sha256Hex("unlisted").substr(16);
  WriteSparsePack(repo, Sha256Hex("one"), 32, a + " 0 8\n" + c + " 16 8\n");
  WriteSparsePack(repo, Sha256Hex("two"), 32, b + " 8 4\n");
  auto index = PackIndex::Load(Env::Default(), repo);
  ASSERT_TRUE(index.ok()) << index.status().ToString();
  ASSERT_EQ(index->size(), 3u);
  const auto find = [&](const std::string& hex) {
    Sha256Raw raw;
    EXPECT_TRUE(ParseSha256Hex(hex, &raw));
    return index->Find(raw);
  };
  for (const auto& [hex, offset] : {std::pair{a, 0u}, {b, 8u}, {c, 16u}}) {
    const std::optional<PackEntry> e = find(hex);
    ASSERT_TRUE(e.has_value()) << hex;
    EXPECT_EQ(Hex(e->sha256), hex);
    EXPECT_EQ(e->offset, offset);
    EXPECT_EQ(index->packs().at(e->pack), Sha256Hex(hex == b ? "two" : "one") + ".pack");
  }
  EXPECT_FALSE(find(unlisted).has_value());
  // Each entry has its own position.
  std::set<size_t> positions;
  for (const std::string& hex : {a, b, c}) {
    Sha256Raw raw;
    ASSERT_TRUE(ParseSha256Hex(hex, &raw));
    positions.insert(index->FindPosition(raw).value());
  }
  EXPECT_EQ(positions, (std::set<size_t>{0, 1, 2}));
}

INSTANTIATE_TEST_SUITE_P(ManifestFilesHeldOrSpilled, PackTest,
                         ::testing::Values(RepositoryOptions().manifest_files_held, size_t{1}));

}  // namespace
}  // namespace arkwiki
