// Cross-checks between a backup's manifest and its database (archive_checks.h).
#include "verify/archive_checks.h"

#include <gtest/gtest.h>

#include <algorithm>

#include "arkwiki/core/hash.h"
#include "backup/zip_test_util.h"

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

}  // namespace
}  // namespace arkwiki
