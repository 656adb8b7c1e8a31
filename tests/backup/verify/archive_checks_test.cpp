// Cross-checks between a backup's manifest and its database (archive_checks.h).
#include "verify/archive_checks.h"

#include <gtest/gtest.h>
#include <algorithm>
#include <functional>
#include <memory>
#include <set>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"
#include "format/manifest_file_store.h"
#include "support/temp_dir.h"
#include "zip/zip_stream_reader.h"

namespace arkwiki {
namespace {

Sha256Raw Raw(const std::string& content) {
  Sha256Raw raw{};
  EXPECT_TRUE(ParseSha256Hex(Sha256Hex(content), &raw));
  return raw;
}

// A manifest listing the database, the settings and uploads of `contents`,
// in the order given (not sorted: the matcher sorts).
ManifestFiles Files(const std::vector<std::string>& contents) {
  ManifestFiles files;
  files.push_back({kDatabasePath, 1, Sha256Hex("db")});
  files.push_back({kSettingsPath, 1, Sha256Hex("settings")});
  for (const std::string& c : contents) {
    files.push_back({UploadEntryPath(Sha256Hex(c)), c.size(), Sha256Hex(c)});
  }
  return files;
}

// What the database would feed: distinct hashes, ascending.
std::vector<Sha256Raw> Sorted(const std::vector<std::string>& contents) {
  std::vector<Sha256Raw> out;
  for (const std::string& c : contents) out.push_back(Raw(c));
  std::sort(out.begin(), out.end());
  return out;
}

Status Match(const ManifestFiles& files, const std::vector<Sha256Raw>& db) {
  UploadHashMatcher matcher(files);
  for (const Sha256Raw& h : db) matcher.Add(h);
  return matcher.Finish();
}

TEST(UploadHashMatcherTest, SameUploadsInAnyManifestOrderPass) {
  const std::vector<std::string> c = {"x", "y", "z", "w"};
  ARKWIKI_ASSERT_OK(Match(Files(c), Sorted(c)));
  ARKWIKI_ASSERT_OK(Match(Files({}), {}));
}

TEST(UploadHashMatcherTest, UploadTheArchiveLacksIsNamed) {
  Status s = Match(Files({"x", "z"}), Sorted({"x", "y", "z"}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("refers to upload " + Sha256Hex("y") + ", which the archive"),
            std::string::npos)
      << s.ToString();
}

TEST(UploadHashMatcherTest, UploadTheDatabaseDoesNotReferToIsRefused) {
  for (const std::vector<std::string>& db :
       std::vector<std::vector<std::string>>{{"x", "z"}, {}, {"x", "y"}}) {
    Status s = Match(Files({"x", "y", "z"}), Sorted(db));
    EXPECT_EQ(s.code(), StatusCode::kCorruption);
    EXPECT_NE(s.message().find("the database does not refer to"), std::string::npos)
        << s.ToString();
  }
}

TEST(UploadHashMatcherTest, FirstDifferenceIsReportedEvenWhenCountsAgree) {
  Status s = Match(Files({"x", "y"}), Sorted({"x", "q"}));
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("which the archive does not hold"), std::string::npos) << s.ToString();
}

// CheckEntrySet on a canonical archive of manifest.json and then the
// files of a manifest of 500 uploads, crafted with one change.
class EntrySetTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<std::string> contents;
    for (int i = 0; i < 500; ++i) contents.push_back("upload " + std::to_string(i));
    manifest_.files = Files(contents);
    for (const ManifestFile f : manifest_.files) manifest_.counts.bytes += f.size;
    std::vector<std::pair<std::string, std::string>> list{{kManifestPath, "{}"}};
    for (const ManifestFile f : manifest_.files)
      list.emplace_back(f.path, std::string(f.size, 'x'));
    entries_ = testing::TakeApart(Save(testing::WriteCanonical(list)));
    ASSERT_EQ(entries_.size(), 503u);
  }
  std::string Save(const std::string& bytes) {
    std::string path = dir_.Sub("a" + std::to_string(saved_++) + ".zip");
    testing::WriteFileOrDie(path, bytes);
    return path;
  }
  Status Check() {
    auto zip = ZipStreamReader::Open(Env::Default(), Save(testing::CraftZip(entries_).bytes));
    if (!zip.ok()) return zip.status();
    return CheckEntrySet(**zip, manifest_);
  }

  testing::TempDir dir_;
  int saved_ = 0;
  Manifest manifest_;
  std::vector<testing::CraftEntry> entries_;
};

TEST_F(EntrySetTest, EntriesInManifestOrderPass) { EXPECT_TRUE(Check().ok()); }

// The twin is hundreds of entries back: no name is held to find it.
TEST_F(EntrySetTest, DuplicateFarFromItsTwinIsRefused) {
  entries_.push_back(entries_[3]);
  const Status s = Check();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find(entries_[3].name + "\": appears more than once"), std::string::npos)
      << s.ToString();
}

TEST_F(EntrySetTest, DuplicateOfTheManifestIsRefused) {
  entries_.push_back(entries_[0]);
  EXPECT_NE(Check().message().find("\"manifest.json\": appears more than once"), std::string::npos);
}

TEST_F(EntrySetTest, NameDifferingOnlyByCaseFromAnEarlierOneIsRefused) {
  testing::CraftEntry twin = entries_[2];  // config/settings.json
  twin.name = "CONFIG/Settings.json";
  entries_.insert(entries_.begin() + 400, twin);
  const Status s = Check();
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_NE(s.message().find("only by letter case"), std::string::npos) << s.ToString();
}

// arkwiki writes the entries in manifest order; a swap is refused.
TEST_F(EntrySetTest, EntriesOutOfManifestOrderAreRefused) {
  std::swap(entries_[10], entries_[400]);
  const Status s = Check();
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find(entries_[400].name + ", but the archive lacks it where arkwiki"),
            std::string::npos)
      << s.ToString();
}

TEST_F(EntrySetTest, MissingAndUnlistedEntriesAreNamed) {
  const std::string last = entries_.back().name;
  entries_.pop_back();
  EXPECT_NE(Check().message().find("the manifest lists " + last + ", but the archive lacks it"),
            std::string::npos);
  entries_.push_back(testing::CraftEntry{.name = "uploads/extra.txt", .data = "x"});
  entries_.back().data_descriptor = true;
  EXPECT_NE(Check().message().find("uploads/extra.txt, which the manifest does not list"),
            std::string::npos);
}

TEST_F(EntrySetTest, ManifestThatIsNotTheFirstEntryIsRefused) {
  std::swap(entries_[0], entries_[1]);
  EXPECT_NE(Check().message().find("no manifest.json as its first entry"), std::string::npos);
}

}  // namespace
}  // namespace arkwiki

namespace arkwiki {
namespace {
// A spilled list refuses exactly as the held one.

// A store of `files`, spilled to a scratch file past one file held.
std::unique_ptr<ManifestFileStore> Spilled(const ManifestFiles& files, const std::string& dir) {
  auto store = std::make_unique<ManifestFileStore>(Env::Default(), dir + "/list.bin", 1);
  for (size_t i = 0; i < files.size(); ++i) EXPECT_TRUE(store->Add(files[i]).ok());
  EXPECT_TRUE(store->Finish().ok());
  EXPECT_TRUE(store->spilled());
  return store;
}

Status MatchSpilled(const ManifestFiles& files, const std::vector<Sha256Raw>& db,
                    const std::string& dir) {
  auto store = Spilled(files, dir);
  UploadHashMatcher matcher(*store);
  for (const Sha256Raw& h : db) matcher.Add(h);
  return matcher.Finish();
}

TEST(UploadHashMatcherTest, SpilledListMatchesAsTheHeldOneInEveryOrder) {
  testing::TempDir dir;
  const std::vector<std::vector<std::string>> manifests = {
      {"x", "y", "z", "w"}, {}, {"x"}, {"x", "z"}, {"x", "y", "z"}, {"x", "y"}};
  const std::vector<std::vector<std::string>> dbs = {
      {"x", "y", "z", "w"}, {}, {"x"}, {"x", "z"}, {"x", "y", "z"}, {"x", "q"}, {"q"}};
  for (const auto& m : manifests) {
    std::vector<std::string> ascending = m;
    std::sort(ascending.begin(), ascending.end(),
              [](const std::string& a, const std::string& b) { return Raw(a) < Raw(b); });
    std::vector<std::string> descending(ascending.rbegin(), ascending.rend());
    for (const auto& order : {m, ascending, descending}) {
      for (const auto& db : dbs) {
        EXPECT_EQ(MatchSpilled(Files(order), Sorted(db), dir.path()).ToString(),
                  Match(Files(order), Sorted(db)).ToString());
      }
    }
  }
}

// Uploads listed twice (adjacent in hash order, far apart, out of order),
// or in a partial archive: the same first refusal, held or spilled.
TEST_F(EntrySetTest, SpilledListRefusesAsTheHeldOne) {
  struct Variant {
    const char* name;
    std::function<void(Manifest*)> edit;
  };
  auto sorted_uploads = [](Manifest* m) {
    std::vector<ManifestFile> up;
    for (size_t i = 2; i < m->files.size(); ++i) up.push_back(m->files[i]);
    std::sort(up.begin(), up.end(),
              [](const ManifestFile& a, const ManifestFile& b) { return a.sha256 < b.sha256; });
    ManifestFiles f;
    f.push_back(m->files[0]);
    f.push_back(m->files[1]);
    for (const ManifestFile& u : up) f.push_back(u);
    m->files = f;
  };
  const std::vector<Variant> variants = {
      {"as written", [](Manifest*) {}},
      {"hash order", sorted_uploads},
      {"twice adjacent in hash order",
       [&](Manifest* m) {
         sorted_uploads(m);
         m->files.push_back(m->files[10]);
         sorted_uploads(m);
       }},
      {"twice far apart", [](Manifest* m) { m->files.push_back(m->files[7]); }},
      {"twice at the end of hash order",
       [&](Manifest* m) {
         sorted_uploads(m);
         m->files.push_back(m->files[m->files.size() - 1]);
       }},
      {"no settings", [](Manifest* m) { m->files.Set(1, m->files[5]); }},
      {"partial with uploads", [](Manifest* m) { m->omits = {"uploads"}; }},
      {"bytes lie", [](Manifest* m) { m->counts.bytes += 1; }},
  };
  for (const Variant& v : variants) {
    Manifest m = manifest_;
    v.edit(&m);
    std::vector<std::pair<std::string, std::string>> list{{kManifestPath, "{}"}};
    for (const ManifestFile f : m.files) list.emplace_back(f.path, std::string(f.size, 'x'));
    // Names listed twice are entered once: the ZIP reader would refuse a
    // duplicate entry before the manifest is compared.
    std::vector<std::pair<std::string, std::string>> unique_list;
    std::set<std::string> seen;
    for (auto& e : list)
      if (seen.insert(e.first).second) unique_list.push_back(e);
    auto zip = ZipStreamReader::Open(Env::Default(), Save(testing::WriteCanonical(unique_list)));
    ASSERT_TRUE(zip.ok()) << v.name << ": " << zip.status().ToString();
    testing::TempDir scratch;
    auto store = Spilled(m.files, scratch.path());
    const std::string held = CheckEntrySet(**zip, m).ToString();
    EXPECT_EQ(CheckEntrySet(**zip, m, *store).ToString(), held) << v.name;
    if (std::string(v.name).find("twice") != std::string::npos) {
      EXPECT_NE(held.find("twice"), std::string::npos) << v.name << ": " << held;
    }
  }
}

}  // namespace
}  // namespace arkwiki
