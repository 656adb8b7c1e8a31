// ZipStreamReader: ZipReader's checks and verdicts for canonical archives,
// at any entry count, holding no entries.
#include "zip/zip_stream_reader.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>
#include <vector>

#include "backup/zip_test_util.h"

namespace arkwiki {
namespace {

using testing::CraftEntry;
using testing::CraftZip;
using testing::TempDir;

using NamedEntries = std::vector<std::pair<std::string, std::string>>;

NamedEntries NumberedFiles(size_t n) {
  NamedEntries files;
  for (size_t i = 0; i < n; ++i) {
    files.emplace_back("f/" + std::to_string(i), "content " + std::to_string(i));
  }
  return files;
}

std::string Save(const TempDir& dir, const std::string& bytes) {
  static int counter = 0;
  std::string path = dir.Sub("a" + std::to_string(counter++) + ".zip");
  testing::WriteFileOrDie(path, bytes);
  return path;
}

// Every entry of a walk, by name, with its content.
Result<NamedEntries> WalkAll(const ZipStreamReader& zip) {
  NamedEntries out;
  ZipStreamReader::Walk walk = zip.NewWalk();
  for (;;) {
    ARKWIKI_ASSIGN_OR_RETURN(std::optional<ZipEntry> e, walk.Next());
    if (!e) return out;
    std::string data;
    ARKWIKI_RETURN_IF_ERROR(zip.ReadEntry(*e, [&](std::string_view chunk) {
      data.append(chunk);
      return Status::Ok();
    }));
    out.emplace_back(std::string(e->name), std::move(data));
  }
}

TEST(ZipStreamReaderTest, WalksEveryEntryInArchiveOrderAsOftenAsAsked) {
  TempDir dir;
  const NamedEntries files = NumberedFiles(50);
  auto zip = ZipStreamReader::Open(Env::Default(), Save(dir, testing::WriteCanonical(files)));
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  EXPECT_EQ((*zip)->entry_count(), files.size());
  for (int pass = 0; pass < 2; ++pass) {
    auto walked = WalkAll(**zip);
    ASSERT_TRUE(walked.ok()) << walked.status().ToString();
    EXPECT_EQ(*walked, files);
  }
}

// ZipReader refuses this count, whatever the limits; the stream reader
// reads it.
TEST(ZipStreamReaderTest, ReadsMoreEntriesThanZipReaderHolds) {
  TempDir dir;
  const NamedEntries files = NumberedFiles(ZipReader::kMaxHeldEntries + 1);
  const std::string path = Save(dir, testing::WriteCanonical(files));
  ZipLimits limits = testing::CanonicalLimits();
  limits.max_entries = files.size();
  auto held = ZipReader::Open(Env::Default(), path, limits);
  EXPECT_EQ(held.status().code(), StatusCode::kTooLarge) << held.status().ToString();
  EXPECT_NE(held.status().message().find("holds in memory"), std::string::npos);
  auto zip = ZipStreamReader::Open(Env::Default(), path, limits);
  ASSERT_TRUE(zip.ok()) << zip.status().ToString();
  auto walked = WalkAll(**zip);
  ASSERT_TRUE(walked.ok()) << walked.status().ToString();
  EXPECT_EQ(*walked, files);
}

// One change each to a canonical archive of 300 entries, far from the
// first entry: the stream reader must refuse it with ZipReader's words.
TEST(ZipStreamReaderTest, RefusesHostileLayoutsWithZipReadersVerdict) {
  TempDir dir;
  const std::vector<CraftEntry> base =
      testing::TakeApart(Save(dir, testing::WriteCanonical(NumberedFiles(300))));
  ASSERT_EQ(base.size(), 300u);
  const uint64_t early_offset = CraftZip(base).local_offsets[5];
  struct Variant {
    const char* what;
    std::vector<CraftEntry> entries;
    testing::CraftOptions options;
  };
  std::vector<Variant> variants;
  auto add = [&](const char* what, auto&& change, testing::CraftOptions options = {}) {
    std::vector<CraftEntry> entries = base;
    change(&entries);
    variants.push_back({what, std::move(entries), std::move(options)});
  };
  add("overlaps an early entry", [&](auto* e) { (*e)[250].local_offset = early_offset; });
  add("lies about its compressed size", [](auto* e) { (*e)[280].declared_compressed = 3; });
  add("lies about its size", [](auto* e) { (*e)[280].declared_uncompressed = 1000; });
  add("local name differs", [](auto* e) { (*e)[299].local_name = "f/other"; });
  add("path escapes", [](auto* e) { (*e)[200].name = "../f/200"; });
  add("symlink", [](auto* e) { (*e)[200].external_attrs = 0120777u << 16; });
  add(
      "junk before", [](auto*) {}, testing::CraftOptions{.prefix = "junk"});
  add(
      "count says fewer", [](auto*) {}, testing::CraftOptions{.declared_entry_count = 299});
  for (const Variant& v : variants) {
    const std::string path = Save(dir, CraftZip(v.entries, v.options).bytes);
    auto held = ZipReader::Open(Env::Default(), path, testing::CanonicalLimits());
    auto streamed = ZipStreamReader::Open(Env::Default(), path);
    EXPECT_FALSE(held.ok()) << v.what;
    EXPECT_EQ(streamed.status().ToString(), held.status().ToString()) << v.what;
  }
}

// Duplicates need every name at once: the caller matches the entries with
// a list of distinct names (CheckEntrySet; archive_checks_test.cpp).
TEST(ZipStreamReaderTest, LeavesDuplicateNamesToItsCaller) {
  TempDir dir;
  std::vector<CraftEntry> entries =
      testing::TakeApart(Save(dir, testing::WriteCanonical(NumberedFiles(20))));
  entries.push_back(entries[3]);
  const std::string path = Save(dir, CraftZip(entries).bytes);
  auto held = ZipReader::Open(Env::Default(), path, testing::CanonicalLimits());
  EXPECT_EQ(held.status().code(), StatusCode::kInvalidArgument) << held.status().ToString();
  auto streamed = ZipStreamReader::Open(Env::Default(), path);
  EXPECT_TRUE(streamed.ok()) << streamed.status().ToString();
}

}  // namespace
}  // namespace arkwiki
