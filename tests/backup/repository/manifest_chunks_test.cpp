// Restore points whose manifest.json is stored as deduplicated chunks cut at
// file records: the cut rule, what a second point stores, export, check of a
// damaged chunk, prune, and points that hold their manifest whole.
#include "repository/manifest_chunks.h"

#include <gtest/gtest.h>

#include <optional>
#include <string>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "backup/repository/point_database.h"
#include "backup/repository/repository_fixture.h"
#include "format/manifest_source.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "support/file_damage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

// A manifest of `n` uploads with hashes from `seed`, as a restore point
// writes it.
std::string ManifestText(int n, const std::string& seed = "") {
  Manifest m;
  m.format = "arkwiki-backup";
  m.format_version = 1;
  m.created_at = "2026-12-03T10:00:00Z";
  for (int i = 0; i < n; ++i) {
    const std::string sha = Sha256Hex(seed + std::to_string(i));
    m.files.push_back({"uploads/" + sha.substr(0, 2) + "/" + sha, 10, sha});
  }
  return SerializeManifest(m);
}

TEST(ManifestCutTest, CutsTheHeadTheTailAndRecordsByTheirHashesAndReassembles) {
  const std::string text = ManifestText(5000);
  const std::vector<std::string_view> pieces = CutManifest(text);
  std::string joined;
  for (std::string_view p : pieces) joined.append(p);
  EXPECT_EQ(joined, text);
  ASSERT_GT(pieces.size(), 3u);
  EXPECT_TRUE(pieces.front().ends_with(" \"files\": [\n")) << pieces.front();
  EXPECT_TRUE(pieces.back().starts_with(" ],\n")) << pieces.back();
  // Record chunks: whole records, between the minimum and the maximum
  // count, about 24 on average.
  for (size_t i = 1; i + 1 < pieces.size(); ++i) {
    size_t records = 0;
    for (size_t at = pieces[i].find("  }"); at != std::string_view::npos;
         at = pieces[i].find("  }", at + 1)) {
      ++records;
    }
    EXPECT_TRUE(pieces[i].starts_with("  {\n")) << i;
    EXPECT_GE(records, i + 2 < pieces.size() ? kMinManifestChunkRecords : 1) << i;
    EXPECT_LE(records, kMaxManifestChunkRecords) << i;
  }
  EXPECT_GT(pieces.size(), 5000u / 40);
  EXPECT_LT(pieces.size(), 5000u / 16);
}

TEST(ManifestCutTest, ARecordInsertedChangesOnlyTheChunksAroundIt) {
  const std::string before = ManifestText(2000);
  // The same records plus one in the middle (the hashes need no order).
  std::string after = before;
  const std::string sha = Sha256Hex("inserted");
  const std::string record = "  {\n   \"path\": \"uploads/" + sha.substr(0, 2) + "/" + sha +
                             "\",\n   \"size\": 10,\n   \"sha256\": \"" + sha + "\"\n  },\n";
  after.insert(after.find("  {\n", after.size() / 2), record);
  std::set<std::string_view> old;
  for (std::string_view p : CutManifest(before)) old.insert(p);
  size_t fresh = 0;
  for (std::string_view p : CutManifest(after)) fresh += old.count(p) == 0;
  EXPECT_LE(fresh, 3u);
}

TEST(ManifestCutTest, NoChunkExceedsItsBoundWhateverTheText) {
  // One line far longer than a chunk may be, and no file records at all.
  std::string text = "{\n \"site_title\": \"" + std::string(3 * kMaxManifestChunkBytes, 'x') +
                     "\",\n \"files\": [\n ],\n}\n";
  std::string joined;
  for (std::string_view p : CutManifest(text)) {
    EXPECT_LE(p.size(), kMaxManifestChunkBytes);
    EXPECT_FALSE(p.empty());
    joined.append(p);
  }
  EXPECT_EQ(joined, text);
  EXPECT_TRUE(CutManifest("").empty());
}

// The chunks of `text` given to a ManifestCutter in pieces of `piece`
// bytes (the last one shorter).
std::vector<std::string> CutInPieces(std::string_view text, size_t piece) {
  std::vector<std::string> chunks;
  ManifestCutter cutter([&](std::string_view chunk) {
    chunks.emplace_back(chunk);
    return Status::Ok();
  });
  for (size_t at = 0; at < text.size(); at += piece) {
    EXPECT_TRUE(cutter.Add(text.substr(at, piece)).ok());
  }
  EXPECT_TRUE(cutter.Finish().ok());
  return chunks;
}

TEST(ManifestCutTest, ATextGivenPieceByPieceIsCutAsTheWholeText) {
  const std::string records = ManifestText(600);
  // Lines longer than a chunk, one of them just before the files' end.
  const std::string long_lines = "{\n \"site_title\": \"" +
                                 std::string(kMaxManifestChunkBytes + 7, 'x') +
                                 "\",\n \"files\": [\n" + records.substr(records.find("  {\n")) +
                                 std::string(2 * kMaxManifestChunkBytes - 3, 'y') + "\n ],\n}";
  for (const std::string& text : {records, long_lines}) {
    std::vector<std::string> whole;
    for (std::string_view p : CutManifest(text)) whole.emplace_back(p);
    for (size_t piece : {size_t{1}, size_t{3}, size_t{77}, size_t{4096}, text.size()}) {
      EXPECT_EQ(CutInPieces(text, piece), whole) << "pieces of " << piece;
    }
  }
}

TEST(ManifestCutTest, ACutterHoldsNoMoreThanAChunkOfAText) {
  // A chunk is given out as soon as its end is known: the text is never
  // held whole.
  size_t given = 0;
  ManifestCutter cutter([&](std::string_view chunk) {
    EXPECT_LE(chunk.size(), kMaxManifestChunkBytes);
    given += chunk.size();
    return Status::Ok();
  });
  const std::string line(64 * 1024, 'x');
  for (int i = 0; i < 100; ++i) ASSERT_TRUE(cutter.Add(line).ok());
  EXPECT_GE(given, 100 * line.size() - kMaxManifestChunkBytes);
  ASSERT_TRUE(cutter.Finish().ok());
  EXPECT_EQ(given, 100 * line.size());
  // An error from where the chunks go stops the cutting.
  ManifestCutter failing([](std::string_view) { return Status::IoError("disk full"); });
  EXPECT_EQ(failing.Add(std::string(2 * kMaxManifestChunkBytes, 'x')).code(), StatusCode::kIoError);
}

class ManifestChunksTest : public testing::RepositoryFixture {
 protected:
  void SetUp() override {
    RepositoryFixture::SetUp();
    AddSmallUploads(400);
  }

  std::set<std::string> ManifestChunks(const std::string& id) {
    return testing::DatabaseChunks(repo_, id, kManifestChunks);
  }
  // Loose objects and pack entries.
  size_t ObjectCount() {
    size_t n = PackIndex::Load(Env::Default(), repo_)->size();
    auto prefixes = Env::Default()->ListDir(repo_.objects);
    for (const DirEntry& p : *prefixes) {
      if (p.name != "packs") n += Env::Default()->ListDir(JoinPath(repo_.objects, p.name))->size();
    }
    return n;
  }
  bool Held(const std::string& sha) {
    Sha256Raw raw;
    EXPECT_TRUE(ParseSha256Hex(sha, &raw));
    return *Env::Default()->FileExists(repo_.ObjectPath(sha)) ||
           PackIndex::Load(Env::Default(), repo_)->Find(raw).has_value();
  }
  // Where object `sha` is stored: its loose file, or its pack and offset.
  std::pair<std::string, uint64_t> Stored(const std::string& sha) {
    if (*Env::Default()->FileExists(repo_.ObjectPath(sha))) return {repo_.ObjectPath(sha), 0};
    auto index = PackIndex::Load(Env::Default(), repo_);
    Sha256Raw raw;
    EXPECT_TRUE(ParseSha256Hex(sha, &raw));
    const std::optional<PackEntry> e = index->Find(raw);
    EXPECT_TRUE(e.has_value()) << sha;
    if (!e) return {};
    return {JoinPath(PacksDir(repo_), index->packs()[e->pack]), e->offset};
  }
  std::string PointFile(const std::string& id, const std::string& name) {
    return JoinPath(repo_.SnapshotDir(id), name);
  }
};

using testing::FlipByteAt;

TEST_F(ManifestChunksTest, ASecondPointAfterASmallChangeStoresOnlyTheChangedManifestChunks) {
  const SnapshotInfo first = Snap();
  EXPECT_FALSE(*Env::Default()->FileExists(PointFile(first.id, "manifest.json")));
  const std::set<std::string> first_chunks = ManifestChunks(first.id);
  ASSERT_GT(first_chunks.size(), 10u);
  const std::set<std::string> first_all = testing::PointChunks(repo_, first.id);
  const size_t objects = ObjectCount();
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  size_t changed = 0;
  for (const std::string& c : ManifestChunks(second.id)) changed += first_chunks.count(c) == 0;
  // The head (counts, time), the tail (checksum), the records of the
  // database and settings, and the record of the new upload with its
  // neighbours.
  EXPECT_GE(changed, 3u);
  EXPECT_LE(changed, 6u);
  // New objects: the upload, the database chunks its rows changed, and
  // those manifest chunks.
  size_t new_chunks = 0;
  for (const std::string& c : testing::PointChunks(repo_, second.id)) {
    new_chunks += first_all.count(c) == 0;
  }
  EXPECT_EQ(ObjectCount(), objects + 1 + new_chunks);
  EXPECT_LE(new_chunks, changed + testing::DatabaseChunks(repo_, second.id).size() / 2);
  ASSERT_EQ(Open()->List()->size(), 2u);
}

TEST_F(ManifestChunksTest, AChunkedManifestExportsAsTheCanonicalArchiveAndVerifies) {
  const SnapshotInfo point = Snap();
  ASSERT_FALSE(ManifestChunks(point.id).empty());
  EXPECT_TRUE(ExportAndVerify(point.id).ok());
  auto exported = Open()->ExportToFile(point.id, dir_.Sub("again.zip"));
  ASSERT_TRUE(exported.ok()) << exported.status().ToString();
  // Reassembled byte for byte as the canonical text of its manifest.
  auto stored = OpenStoredObjects(Env::Default(), repo_, nullptr);
  ASSERT_TRUE(stored.ok());
  auto text = ReadFileToString(stored->get(), PointFile(point.id, "manifest.json"), 1 << 30);
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  EXPECT_EQ(*text, SerializeManifest(exported->manifest));
  EXPECT_GT(exported->manifest.files.size(), 400u);
  EXPECT_TRUE(CheckAll().ok());
}

TEST_F(ManifestChunksTest, CheckNamesThePointsNeedingADamagedManifestChunk) {
  const SnapshotInfo first = Snap();
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  // A chunk of records both manifests share.
  std::string victim;
  const std::set<std::string> second_chunks = ManifestChunks(second.id);
  for (const std::string& c : ManifestChunks(first.id)) {
    if (second_chunks.count(c) > 0) victim = c;
  }
  ASSERT_FALSE(victim.empty());
  const auto [path, offset] = Stored(victim);
  FlipByteAt(path, offset + 20);
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].sha256, victim);
  EXPECT_EQ(report.damaged[0].snapshots, (std::vector<std::string>{first.id, second.id}));
  ASSERT_EQ(report.snapshot_problems.size(), 2u);
  EXPECT_NE(report.snapshot_problems[0].find("manifest chunk " + victim), std::string::npos)
      << report.snapshot_problems[0];
  auto points = Open()->List();
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 2u);
  EXPECT_EQ(points->at(1).check.state, CheckStatus::State::kFailed);
  const Status refused = ExportAndVerify(second.id);
  EXPECT_EQ(refused.code(), StatusCode::kCorruption) << refused.ToString();
  EXPECT_NE(refused.message().find(victim), std::string::npos) << refused.ToString();
  // Listed damaged, so the next snapshot, whose manifest has the same
  // records, stores it again (loose) and repairs both.
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  Snap();
  EXPECT_TRUE(*Env::Default()->FileExists(repo_.ObjectPath(victim)));
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(ManifestChunksTest, PruneKeepsSharedManifestChunksAndRemovesUnsharedOnes) {
  const SnapshotInfo first = Snap();
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  const std::set<std::string> kept = ManifestChunks(first.id);
  std::vector<std::string> only_second;
  for (const std::string& c : ManifestChunks(second.id)) {
    if (kept.count(c) == 0) only_second.push_back(c);
  }
  ASSERT_FALSE(only_second.empty());
  // The second point's pack holds only what it added: prune removes it.
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  for (const std::string& c : only_second) EXPECT_FALSE(Held(c)) << c;
  for (const std::string& c : kept) EXPECT_TRUE(Held(c)) << c;
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(ManifestChunksTest, APointWithItsManifestWholeStillReadsBesideChunkedOnes) {
  const SnapshotInfo old = Snap();
  ASSERT_NO_FATAL_FAILURE(testing::MakeManifestWhole(repo_, old.id));
  ASSERT_NO_FATAL_FAILURE(testing::MakeDatabaseWhole(repo_, old.id));
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo chunked = Snap();
  ASSERT_EQ(Open()->List()->size(), 2u);
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(old.id).ok());
  EXPECT_TRUE(ExportAndVerify(chunked.id).ok());
  // A damaged whole manifest is still the point's own problem.
  FlipByteAt(PointFile(old.id, "manifest.json"), 300);
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_EQ(report.snapshot_problems[0].rfind(old.id, 0), 0u) << report.snapshot_problems[0];
  EXPECT_TRUE(ExportAndVerify(chunked.id).ok());
}

TEST_F(ManifestChunksTest, AManifestChunkListNamingAChunkBeyondItsBoundIsDamaged) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(ParseChunkList(sha + " 1048576\n", kManifestChunks).ok());
  EXPECT_EQ(ParseChunkList(sha + " 1048577\n", kManifestChunks).status().code(),
            StatusCode::kCorruption);
  // Lines that each name one small gzip chunk of 1 MiB, adding up to more
  // than a manifest may hold: refused before a byte of it is read.
  const std::string line = sha + " 2000 gzip 1048576\n";
  std::string many;
  for (uint64_t n = 0; n < kMaxChunkedManifestBytes / kMaxManifestChunkBytes; ++n) many += line;
  EXPECT_TRUE(ParseChunkList(many, kManifestChunks).ok());
  EXPECT_EQ(ParseChunkList(many + line, kManifestChunks).status().code(), StatusCode::kCorruption);
  const SnapshotInfo point = Snap();
  const std::string list = PointFile(point.id, kManifestChunksPath);
  std::string text = *ReadFileToString(Env::Default(), list);
  text.replace(65, text.find('\n') - 65, std::to_string(uint64_t{1} << 63));
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), list, text).ok());
  EXPECT_EQ(ExportAndVerify(point.id).code(), StatusCode::kCorruption);
  EXPECT_EQ(Open()->Prune().status().code(), StatusCode::kCorruption);
  ASSERT_EQ(CheckAll().snapshot_problems.size(), 1u);
}

}  // namespace
}  // namespace arkwiki
