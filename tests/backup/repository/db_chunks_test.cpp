// Restore points whose database is stored as deduplicated chunks: what a
// second point stores, export, check of a damaged chunk and its repair,
// prune, and points of the format that stored the database whole.
#include "repository/db_chunks.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>
#include <optional>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "backup/repository/point_database.h"
#include "backup/repository/repository_fixture.h"
#include "repository/pack_store.h"
#include "repository/point_json.h"
#include "support/file_damage.h"
#include "support/seed_wiki.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

class DbChunksTest : public testing::RepositoryFixture {
 protected:
  void SetUp() override {
    RepositoryFixture::SetUp();
    AddSmallUploads(300);
  }

  uint64_t LiveDatabaseSize() {
    return *Env::Default()->GetFileSize(DataDirLayout(data_).database);
  }
  // Where the object `sha` is stored: its file, and the offset and size of
  // its bytes there.
  struct Place {
    std::string path;
    uint64_t offset = 0;
    uint64_t size = 0;
  };
  Place Stored(const std::string& sha) {
    if (*Env::Default()->FileExists(repo_.ObjectPath(sha))) {
      return {repo_.ObjectPath(sha), 0, *Env::Default()->GetFileSize(repo_.ObjectPath(sha))};
    }
    auto index = PackIndex::Load(Env::Default(), repo_);
    Sha256Raw raw;
    EXPECT_TRUE(ParseSha256Hex(sha, &raw));
    const std::optional<PackEntry> e = index->Find(raw);
    EXPECT_TRUE(e.has_value()) << sha;
    if (!e) return {};
    return {JoinPath(PacksDir(repo_), index->packs()[e->pack]), e->offset, e->size};
  }
};

using testing::FlipByteAt;

TEST_F(DbChunksTest, ASecondPointAfterASmallChangeStoresOnlyTheChangedChunks) {
  const SnapshotInfo first = Snap();
  const std::set<std::string> first_chunks = testing::DatabaseChunks(repo_, first.id);
  ASSERT_GT(first_chunks.size(), 8u);
  EXPECT_FALSE(
      *Env::Default()->FileExists(JoinPath(repo_.SnapshotDir(first.id), "database/arkwiki.db")));
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  size_t changed = 0;
  for (const std::string& c : testing::DatabaseChunks(repo_, second.id)) {
    changed += first_chunks.count(c) == 0;
  }
  EXPECT_GT(changed, 0u);
  EXPECT_LT(changed, first_chunks.size() / 2);
  // What the second point added: far less than a whole database.
  EXPECT_LT(second.new_bytes, LiveDatabaseSize() / 2);
  EXPECT_NE(FormatFile().find("\"format_version\": 5"), std::string::npos) << FormatFile();
}

TEST_F(DbChunksTest, AChunkedPointExportsAsTheArchiveAndChecks) {
  const SnapshotInfo first = Snap();
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
  EXPECT_TRUE(ExportAndVerify(second.id).ok());
  ASSERT_FALSE(testing::DatabaseChunks(repo_, second.id).empty());
  const CheckReport report = CheckAll();
  EXPECT_TRUE(report.ok());
  EXPECT_GT(report.objects_checked, testing::DatabaseChunks(repo_, second.id).size());
  // The reassembled database is byte for byte the one the manifest names.
  auto stored = OpenStoredObjects(Env::Default(), repo_, nullptr);
  ASSERT_TRUE(stored.ok());
  auto digest =
      Sha256File(stored->get(), JoinPath(repo_.SnapshotDir(second.id), "database/arkwiki.db"));
  ASSERT_TRUE(digest.ok()) << digest.status().ToString();
  auto manifest = Open()->ExportToFile(second.id, dir_.Sub("again.zip"));
  ASSERT_TRUE(manifest.ok());
  EXPECT_EQ(digest->sha256, manifest->manifest.files[0].sha256);
  EXPECT_EQ(digest->size, manifest->manifest.files.SizeAt(0));
}

TEST_F(DbChunksTest, CheckNamesThePointsNeedingADamagedChunkAndASnapshotOfTheSameBytesRepairsIt) {
  const SnapshotInfo first = Snap();
  const SnapshotInfo second = Snap();  // nothing changed: the same chunks
  const std::set<std::string> chunks = testing::DatabaseChunks(repo_, first.id);
  ASSERT_EQ(chunks, testing::DatabaseChunks(repo_, second.id));
  const std::string victim = *chunks.rbegin();
  // A byte inside the chunk: one of a few dozen bytes (a page of zeros,
  // deflated) ends before byte 100, where the next object of its pack lies.
  const Place place = Stored(victim);
  FlipByteAt(place.path, place.offset + std::min<uint64_t>(100, place.size / 2));
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.damaged.size(), 1u);
  EXPECT_EQ(report.damaged[0].sha256, victim);
  EXPECT_EQ(report.damaged[0].problem, "damaged");
  EXPECT_EQ(report.damaged[0].snapshots, (std::vector<std::string>{first.id, second.id}));
  auto points = Open()->List();
  ASSERT_TRUE(points.ok());
  EXPECT_EQ(points->at(0).check.state, CheckStatus::State::kFailed);
  EXPECT_NE(points->at(0).check.message.find("chunk"), std::string::npos)
      << points->at(0).check.message;
  const Status refused = ExportAndVerify(first.id);
  EXPECT_EQ(refused.code(), StatusCode::kCorruption) << refused.ToString();
  EXPECT_NE(refused.message().find(victim), std::string::npos) << refused.ToString();
  // The live database gives the same bytes again: stored loose, repaired.
  Snap();
  EXPECT_TRUE(*Env::Default()->FileExists(repo_.ObjectPath(victim)));
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(first.id).ok());
}

TEST_F(DbChunksTest, PruneKeepsEveryChunkAPointNamesAndRemovesTheRest) {
  const SnapshotInfo first = Snap();
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo second = Snap();
  ASSERT_TRUE(Open()->Delete(first.id).ok());
  auto pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(second.id).ok());
  ASSERT_TRUE(Open()->Delete(second.id).ok());
  pruned = Open()->Prune();
  ASSERT_TRUE(pruned.ok()) << pruned.status().ToString();
  EXPECT_TRUE(PackIndex::Load(Env::Default(), repo_)->packs().empty());
}

TEST_F(DbChunksTest, APointWithItsDatabaseWholeStillExportsChecksAndPrunesBesideChunkedOnes) {
  const SnapshotInfo old = Snap();
  ASSERT_NO_FATAL_FAILURE(testing::MakeDatabaseWhole(repo_, old.id));
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), repo_.format_file,
                                  "{\n  \"format\": \"arkwiki-repository\",\n  "
                                  "\"format_version\": 2\n}\n")
                  .ok());
  AddUpload("one-more.txt", "a small change");
  const SnapshotInfo chunked = Snap();
  // Marked before its first chunk, so that an older arkwiki refuses it.
  EXPECT_NE(FormatFile().find("\"format_version\": 5"), std::string::npos) << FormatFile();
  ASSERT_TRUE(Open()->Prune().ok());
  EXPECT_TRUE(CheckAll().ok());
  EXPECT_TRUE(ExportAndVerify(old.id).ok());
  EXPECT_TRUE(ExportAndVerify(chunked.id).ok());
  // A damaged whole database is still the point's own problem.
  FlipByteAt(JoinPath(repo_.SnapshotDir(old.id), "database/arkwiki.db"), 5000);
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_EQ(report.snapshot_problems[0].rfind(old.id, 0), 0u) << report.snapshot_problems[0];
}

TEST_F(DbChunksTest, ARepositoryOfANewerFormatIsRefusedAndVersionsFourAndFiveAreRead) {
  EXPECT_TRUE(ParseRepositoryJson(RepositoryJson()).ok());
  EXPECT_EQ(ParseRepositoryJson(RepositoryJson())->version, 5);
  EXPECT_TRUE(ParseRepositoryJson(RepositoryJson(true))->encrypted);
  EXPECT_EQ(
      ParseRepositoryJson("{\"format\": \"arkwiki-repository\", \"format_version\": 4}")->version,
      4);
  const auto newer =
      ParseRepositoryJson("{\"format\": \"arkwiki-repository\", \"format_version\": 6}");
  EXPECT_EQ(newer.status().code(), StatusCode::kUnsupported);
  EXPECT_NE(newer.status().message().find("reads up to 5"), std::string::npos);
  // Version 3 is always encrypted; encryption before version 3 never was.
  EXPECT_FALSE(
      ParseRepositoryJson("{\"format\": \"arkwiki-repository\", \"format_version\": 3}").ok());
  EXPECT_FALSE(ParseRepositoryJson("{\"format\": \"arkwiki-repository\", \"format_version\": 2, "
                                   "\"encryption\": \"xchacha20poly1305-secretstream\"}")
                   .ok());
}

TEST_F(DbChunksTest, ADamagedChunkListFailsItsPointAndPruneRefuses) {
  const SnapshotInfo point = Snap();
  const std::string list = JoinPath(repo_.SnapshotDir(point.id), kDatabaseChunksPath);
  // The last digit of the first chunk's size (its plain size: the sizes no
  // longer add up to the database's).
  const std::string text = *ReadFileToString(Env::Default(), list);
  FlipByteAt(list, text.find('\n') - 1);
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_NE(report.snapshot_problems[0].find("arkwiki.db.chunks"), std::string::npos)
      << report.snapshot_problems[0];
  EXPECT_EQ(ExportAndVerify(point.id).code(), StatusCode::kCorruption);
  std::ofstream(list, std::ios::app) << "not a chunk line\n";
  EXPECT_EQ(Open()->Prune().status().code(), StatusCode::kCorruption);
}

TEST_F(DbChunksTest, AChunkListWithTwoIntactChunksSwappedFailsItsCheck) {
  const SnapshotInfo point = Snap();
  const std::string list = JoinPath(repo_.SnapshotDir(point.id), kDatabaseChunksPath);
  std::string text = *ReadFileToString(Env::Default(), list, 1 << 20);
  auto chunks = ParseChunkList(text);
  ASSERT_TRUE(chunks.ok()) << chunks.status().ToString();
  // Two different chunks of the same size: the sizes still add up.
  size_t other = 1;
  while (other < chunks->size() && ((*chunks)[other].stored.sha256 == (*chunks)[0].stored.sha256 ||
                                    (*chunks)[other].plain_size != (*chunks)[0].plain_size)) {
    ++other;
  }
  ASSERT_LT(other, chunks->size());
  std::swap((*chunks)[0], (*chunks)[other]);
  ASSERT_TRUE(WriteFileAtomically(Env::Default(), list, ChunkListText(*chunks)).ok());
  const CheckReport report = CheckAll();
  ASSERT_EQ(report.snapshot_problems.size(), 1u);
  EXPECT_NE(report.snapshot_problems[0].find("does not match its manifest"), std::string::npos)
      << report.snapshot_problems[0];
  EXPECT_TRUE(report.damaged.empty());
  const auto points = Open()->List();
  ASSERT_TRUE(points.ok());
  ASSERT_EQ(points->size(), 1u);
  EXPECT_EQ((*points)[0].check.state, CheckStatus::State::kFailed);
}

TEST_F(DbChunksTest, AChunkListNamingAChunkLargerThanAPageIsDamaged) {
  const std::string sha(64, 'a');
  EXPECT_TRUE(ParseChunkList(sha + " 65536\n").ok());
  EXPECT_EQ(ParseChunkList(sha + " 65537\n").status().code(), StatusCode::kCorruption);
  // Far beyond what a reader could hold: refused, not allocated.
  const SnapshotInfo point = Snap();
  const std::string list = JoinPath(repo_.SnapshotDir(point.id), kDatabaseChunksPath);
  std::string text = *ReadFileToString(Env::Default(), list);
  text.replace(65, text.find('\n') - 65, std::to_string(uint64_t{1} << 63));
  std::ofstream(list, std::ios::trunc | std::ios::binary) << text;
  EXPECT_EQ(ExportAndVerify(point.id).code(), StatusCode::kCorruption);
  EXPECT_EQ(Open()->Prune().status().code(), StatusCode::kCorruption);
}

// A list of 2,000 lines (about 140 KiB) is read in 64 KiB blocks, so its
// lines are split between blocks: read as the same list as its text, and
// damage named by its line as ParseChunkList names it.
TEST(ChunkListReadTest, ReadsAListSpanningManyBlocksLineByLineAsItsTextParses) {
  testing::TempDir dir;
  std::string text;
  for (int i = 0; i < 2000; ++i) {
    text += Sha256Hex("chunk " + std::to_string(i)) + " " + std::to_string(1000 + i) +
            (i % 3 == 0 ? " gzip 4096\n" : "\n");
  }
  ASSERT_GT(text.size(), 2u * 65536);
  const std::string list = JoinPath(dir.path(), kDatabaseChunksPath);
  ASSERT_TRUE(Env::Default()->CreateDirs(JoinPath(dir.path(), "database")).ok());
  const auto read_with = [&](const std::string& contents) {
    std::ofstream(list, std::ios::trunc | std::ios::binary) << contents;
    return ReadPointChunks(Env::Default(), dir.path());
  };
  auto read = read_with(text);
  auto parsed = ParseChunkList(text);
  ASSERT_TRUE(read.ok()) << read.status().ToString();
  ASSERT_TRUE(parsed.ok());
  ASSERT_EQ(read->size(), 2000u);
  for (size_t i = 0; i < read->size(); ++i) {
    EXPECT_EQ((*read)[i].stored, (*parsed)[i].stored);
    EXPECT_EQ((*read)[i].stored.size, (*parsed)[i].stored.size);
    EXPECT_EQ((*read)[i].gzip, (*parsed)[i].gzip);
    EXPECT_EQ((*read)[i].plain_size, (*parsed)[i].plain_size);
  }
  // The last line without its newline; a line (the 1,000th, in the second
  // block) far too long; a bad size on the 1,500th line.
  const auto damaged_at = [&](const std::string& contents, const std::string& line) {
    auto bad = read_with(contents);
    EXPECT_EQ(bad.status().code(), StatusCode::kCorruption) << bad.status().ToString();
    EXPECT_NE(bad.status().message().find("(line " + line + ")"), std::string::npos)
        << bad.status().ToString();
    EXPECT_EQ(ParseChunkList(contents).status().message(), bad.status().message());
  };
  damaged_at(text.substr(0, text.size() - 1), "2000");
  std::string long_line = text;
  const size_t line_1000 = [&] {
    size_t at = 0;
    for (int i = 0; i < 999; ++i) at = long_line.find('\n', at) + 1;
    return at;
  }();
  long_line.insert(line_1000 + 70, std::string(200, '7'));
  damaged_at(long_line, "1000");
  std::string bad_size = text;
  size_t line_1500 = 0;
  for (int i = 0; i < 1499; ++i) line_1500 = bad_size.find('\n', line_1500) + 1;
  bad_size[line_1500 + 65] = 'x';
  damaged_at(bad_size, "1500");
  // A size padded with zeros past any line arkwiki writes, inside the
  // first block; a list of bare newlines (refused at its first line).
  std::string padded = text;
  size_t line_5 = 0;
  for (int i = 0; i < 4; ++i) line_5 = padded.find('\n', line_5) + 1;
  padded.insert(line_5 + 65, std::string(100, '0'));
  damaged_at(padded, "5");
  damaged_at(std::string(1 << 20, '\n'), "1");
  // No list: the database is whole.
  ASSERT_TRUE(Env::Default()->RemoveFile(list).ok());
  auto none = ReadPointChunks(Env::Default(), dir.path());
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

// Reads each restore point's database snapshot, as the snapshot splits it
// into chunks, as `pages` pages of 512 bytes: a SQLite header, then zeros.
class HugeDatabaseEnv final : public EnvWrapper {
 public:
  HugeDatabaseEnv(const std::string& tmp, uint64_t pages)
      : EnvWrapper(Env::Default()), tmp_(tmp + "/"), size_(pages * 512) {}
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& path) override {
    const std::string suffix = std::string("/") + kDatabasePath;
    if (path.rfind(tmp_, 0) != 0 || path.size() < suffix.size() ||
        path.compare(path.size() - suffix.size(), suffix.size(), suffix) != 0) {
      return target()->NewRandomAccessFile(path);
    }
    return std::unique_ptr<RandomAccessFile>(new Pages(size_));
  }

 private:
  class Pages final : public RandomAccessFile {
   public:
    explicit Pages(uint64_t size) : size_(size) {}
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      if (offset >= size_) return size_t{0};
      n = static_cast<size_t>(std::min<uint64_t>(n, size_ - offset));
      std::fill_n(buf, n, '\0');
      static constexpr std::string_view kHead("SQLite format 3\0\x02\x00", 18);
      for (uint64_t i = offset; i < kHead.size() && i < offset + n; ++i) buf[i - offset] = kHead[i];
      return n;
    }
    uint64_t Size() const override { return size_; }

   private:
    uint64_t size_;
  };
  std::string tmp_;
  uint64_t size_;
};

TEST_F(DbChunksTest,
       ADatabaseOfMoreChunksThanAListHoldsFailsTheSnapshotInsteadOfAnUnreadablePoint) {
  HugeDatabaseEnv env(repo_.tmp, kMaxChunks + 1);
  auto repo = Repository::Open(&env, DataDirLayout(data_), repo_dir_);
  ASSERT_TRUE(repo.ok()) << repo.status().ToString();
  auto point = (*repo)->Snapshot(SnapshotRequest{SnapshotTrigger::kManual, "ann", ""});
  EXPECT_EQ(point.status().code(), StatusCode::kTooLarge) << point.status().ToString();
  auto ids = Open()->List();
  ASSERT_TRUE(ids.ok()) << ids.status().ToString();
  EXPECT_TRUE(ids->empty()) << "no restore point that check, export and prune cannot read";
  EXPECT_TRUE(Open()->Prune().ok());
}

}  // namespace
}  // namespace arkwiki
