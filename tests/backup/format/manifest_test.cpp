// manifest.json: the streaming writer and pull parser (manifest_source.cpp, manifest_parser.cpp,
// manifest_json.h) against the format, archives written by the Poco::JSON
// version, and hostile input.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>
#include <gtest/gtest.h>

#include <malloc.h>

#include <sstream>
#include <stdexcept>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "format/manifest_json.h"
#include "format/manifest_parser.h"
#include "format/manifest_source.h"
#include "support/temp_dir.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

Manifest Sample(size_t uploads = 3) {
  Manifest m;
  m.app_version = "0.1.0";
  m.schema_version = 3;
  m.created_at = "2026-11-26T20:55:27Z";
  m.site_title = "Team wiki";
  m.base_url = "http://127.0.0.1:8080";
  m.instance_id = "9483515e4351b232170bc122a3b6ffc7";
  m.counts = {4, 9, 2, static_cast<int64_t>(uploads), 0};
  m.files.push_back({kDatabasePath, 12566528, Sha256Hex("db")});
  m.files.push_back({kSettingsPath, 291, Sha256Hex("settings")});
  for (size_t i = 0; i < uploads; ++i) {
    const std::string sha = Sha256Hex("upload " + std::to_string(i));
    m.files.push_back({UploadEntryPath(sha), 1000 + i, sha});
  }
  for (const ManifestFile& f : m.files) m.counts.bytes += static_cast<int64_t>(f.size);
  return m;
}

// What Poco::JSON's writer produces for a manifest, with the checksum
// computed the same way: archives of older arkwiki versions hold these bytes.
std::string PocoManifest(const Manifest& m) {
  auto stringify = [&](const std::string& checksum) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("format", m.format);
    o->set("format_version", m.format_version);
    o->set("app_version", m.app_version);
    o->set("schema_version", m.schema_version);
    o->set("created_at", m.created_at);
    o->set("site_title", m.site_title);
    o->set("base_url", m.base_url);
    o->set("instance_id", m.instance_id);
    Poco::JSON::Object::Ptr c = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    c->set("pages", m.counts.pages);
    c->set("revisions", m.counts.revisions);
    c->set("users", m.counts.users);
    c->set("uploads", m.counts.uploads);
    c->set("bytes", m.counts.bytes);
    o->set("counts", c);
    Poco::JSON::Array::Ptr files = new Poco::JSON::Array;
    for (const ManifestFile& f : m.files) {
      Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      e->set("path", f.path);
      e->set("size", f.size);
      e->set("sha256", f.sha256);
      files->add(e);
    }
    o->set("files", files);
    o->set("manifest_sha256", checksum);
    std::ostringstream out;
    Poco::JSON::Stringifier::stringify(o, out, 1);
    return out.str() + "\n";
  };
  return stringify(Sha256Hex(stringify(std::string(64, '0'))));
}

// A manifest text with a valid checksum over whatever else it says.
std::string WithChecksum(std::string text) {
  const std::string zero(64, '0');
  const size_t at = text.find(zero);
  EXPECT_NE(at, std::string::npos);
  text.replace(at, 64, Sha256Hex(text));
  return text;
}

void ExpectSame(const Manifest& a, const Manifest& b) {
  EXPECT_EQ(a.format, b.format);
  EXPECT_EQ(a.format_version, b.format_version);
  EXPECT_EQ(a.app_version, b.app_version);
  EXPECT_EQ(a.schema_version, b.schema_version);
  EXPECT_EQ(a.created_at, b.created_at);
  EXPECT_EQ(a.site_title, b.site_title);
  EXPECT_EQ(a.base_url, b.base_url);
  EXPECT_EQ(a.instance_id, b.instance_id);
  EXPECT_EQ(a.counts.pages, b.counts.pages);
  EXPECT_EQ(a.counts.revisions, b.counts.revisions);
  EXPECT_EQ(a.counts.users, b.counts.users);
  EXPECT_EQ(a.counts.uploads, b.counts.uploads);
  EXPECT_EQ(a.counts.bytes, b.counts.bytes);
  ASSERT_EQ(a.files.size(), b.files.size());
  for (size_t i = 0; i < a.files.size(); ++i) {
    EXPECT_EQ(a.files[i].path, b.files[i].path);
    EXPECT_EQ(a.files[i].size, b.files[i].size);
    EXPECT_EQ(a.files[i].sha256, b.files[i].sha256);
  }
}

TEST(ManifestTest, RoundTrips) {
  const Manifest m = Sample(50);
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectSame(*parsed, m);
}

TEST(ManifestTest, WritesByteForByteWhatThePocoWriterWrote) {
  for (size_t n : {0, 1, 7}) {
    const Manifest m = Sample(n);
    EXPECT_EQ(SerializeManifest(m), PocoManifest(m)) << n << " uploads";
  }
}

// Passes reads through until `fail` is set, then fails them.
class ReadFailingEnv : public EnvWrapper {
 public:
  explicit ReadFailingEnv(Env* target) : EnvWrapper(target) {}
  Result<std::unique_ptr<RandomAccessFile>> NewRandomAccessFile(const std::string& p) override {
    ARKWIKI_ASSIGN_OR_RETURN(auto file, target()->NewRandomAccessFile(p));
    return std::unique_ptr<RandomAccessFile>(new File(std::move(file), &fail));
  }
  bool fail = false;

 private:
  class File final : public RandomAccessFile {
   public:
    File(std::unique_ptr<RandomAccessFile> file, const bool* fail)
        : file_(std::move(file)), fail_(fail) {}
    Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
      if (*fail_) return Status::IoError("bad sector");
      return file_->ReadAt(offset, buf, n);
    }
    uint64_t Size() const override { return file_->Size(); }

   private:
    std::unique_ptr<RandomAccessFile> file_;
    const bool* fail_;
  };
};

// What a ManifestSource of `m`'s header listing `files` delivers, and in
// how many pieces; fails the test on an error.
std::string SourceText(const Manifest& m, const ManifestFileStore& files, int* pieces = nullptr) {
  auto source = ManifestSource::Open(m, files);
  EXPECT_TRUE(source.ok()) << source.status().ToString();
  if (!source.ok()) return "";
  std::string joined;
  for (;;) {
    auto piece = (*source)->Next();
    EXPECT_TRUE(piece.ok()) << piece.status().ToString();
    if (!piece.ok() || piece->empty()) break;
    joined.append(*piece);
    if (pieces) ++*pieces;
  }
  EXPECT_EQ(joined.size(), (*source)->size());
  return joined;
}

TEST(ManifestTest, StreamsInPiecesThatAddUpToTheSerializedText) {
  const Manifest m = Sample(3000);  // ~0.9 MB: several pieces
  int pieces = 0;
  EXPECT_EQ(SourceText(m, ManifestFileStore::Of(m.files), &pieces), PocoManifest(m));
  EXPECT_GT(pieces, 3);
}

// A list spilled to a scratch file reads as the same text; a scratch file
// that cannot be read back is an error, not a shorter manifest.
TEST(ManifestTest, SourceOfASpilledListWritesTheSameTextOrFailsWhenTheScratchCannotBeRead) {
  const Manifest m = Sample(3000);
  testing::TempDir dir;
  ReadFailingEnv env(Env::Default());
  ManifestFileStore files = ManifestFileStore::InDir(&env, dir.path(), 100);
  for (const ManifestFile& f : m.files) ARKWIKI_ASSERT_OK(files.Add(f));
  ARKWIKI_ASSERT_OK(files.Finish());
  ASSERT_TRUE(files.spilled());
  EXPECT_EQ(SourceText(m, files), PocoManifest(m));
  env.fail = true;
  auto source = ManifestSource::Open(m, files);
  ASSERT_FALSE(source.ok());
  EXPECT_EQ(source.status().code(), StatusCode::kIoError);
  Status streamed = StreamManifest(m, files, [](std::string_view) { return Status::Ok(); });
  EXPECT_EQ(streamed.code(), StatusCode::kIoError);
}

// Above ZipWriter's whole-entry limit (8 MiB) the manifest is deflated as
// it streams: what a 45,000-file backup writes (~200 bytes a file).
TEST(ManifestTest, LargeManifestStreamsIntoTheArchiveAndReadsBack) {
  const Manifest m = Sample(45'000);
  const ManifestFileStore files = ManifestFileStore::Of(m.files);
  auto source = ManifestSource::Open(m, files);
  ASSERT_TRUE(source.ok()) << source.status().ToString();
  ASSERT_GT((*source)->size(), uint64_t{8} << 20);
  testing::TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  ARKWIKI_ASSERT_OK(w.AddSource(kManifestPath, source->get(),
                                EntryOptions{EntryOptions::Method::kDeflate, 1, 0}));
  ARKWIKI_ASSERT_OK(w.Finish());
  auto reader = testing::OpenZipBytes(dir, sink.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  auto text = testing::ReadAll(**reader, *(*reader)->Find(kManifestPath));
  ASSERT_TRUE(text.ok()) << text.status().ToString();
  auto parsed = ParseManifest(*text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectSame(*parsed, m);
}

TEST(ManifestTest, ReadsManifestsWrittenByThePocoWriter) {
  Manifest m = Sample(5);
  m.site_title = "Caf\xC3\xA9 \xE2\x9C\x93 wiki";  // raw UTF-8, as Poco wrote it
  auto parsed = ParseManifest(PocoManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectSame(*parsed, m);
}

TEST(ManifestTest, EscapesAndUnicodeRoundTrip) {
  Manifest m = Sample(1);
  m.site_title = std::string("q\"uote \\ back/slash\nnew\tline\x01\x1f ctl ") +
                 "\xC3\xBC\xE2\x82\xAC\xF0\x9F\x98\x80";
  m.base_url = "";
  auto parsed = ParseManifest(SerializeManifest(m));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->site_title, m.site_title);
  EXPECT_EQ(parsed->base_url, "");
}

TEST(ManifestTest, ReadsJsonEscapesAndOtherLayouts) {
  // Any JSON layout is a manifest: other key order, no whitespace, escapes
  // (a surrogate pair among them), unknown keys of any type.
  const std::string sha = Sha256Hex("x");
  std::string text =
      "{\"files\":[{\"sha256\":\"" + Sha256Hex("db") + "\",\"size\":1,\"path\":\"" + kDatabasePath +
      "\",\"extra\":[1,2.5e3,{\"a\":null}]},{\"path\":\"config\\/settings.json\"," +
      "\"size\":2,\"sha256\":\"" + sha + "\"}],\"format\":\"arkwiki-backup\"," +
      "\"format_version\":1,\"app_version\":\"1\",\"schema_version\":3,\"created_at\":\"t\"," +
      "\"site_title\":\"\\u00e9\\ud83d\\ude00\\\"\",\"base_url\":\"b\",\"instance_id\":\"i\"," +
      "\"future\":{\"x\":[true,false]},\"counts\":{\"pages\":0,\"revisions\":0,\"users\":0," +
      "\"uploads\":0,\"bytes\":3},\"manifest_sha256\":\"" + std::string(64, '0') + "\"}";
  auto parsed = ParseManifest(WithChecksum(text));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  EXPECT_EQ(parsed->site_title, "\xC3\xA9\xF0\x9F\x98\x80\"");
  ASSERT_EQ(parsed->files.size(), 2u);
  EXPECT_EQ(parsed->files[1].path, kSettingsPath);
  EXPECT_EQ(parsed->counts.bytes, 3);
}

TEST(ManifestTest, AnyChangedByteFailsTheChecksum) {
  const std::string good = SerializeManifest(Sample(2));
  for (size_t i = 0; i < good.size(); i += 7) {
    std::string bad = good;
    bad[i] = bad[i] == 'a' ? 'b' : 'a';
    auto parsed = ParseManifest(bad);
    EXPECT_FALSE(parsed.ok()) << "byte " << i;
    if (!parsed.ok()) {
      EXPECT_TRUE(parsed.status().code() == StatusCode::kCorruption ||
                  parsed.status().code() == StatusCode::kUnsupported)
          << parsed.status().ToString();
    }
  }
}

// Replaces `from` by `to` in a valid manifest and fixes the checksum, so
// that the parse fails (if it does) for the intended reason.
std::string Edited(const std::string& from, const std::string& to) {
  std::string text = SerializeManifest(Sample(1));
  const size_t at = text.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  text.replace(at, from.size(), to);
  const size_t sum = text.rfind("\"manifest_sha256\": \"") + 20;
  text.replace(sum, 64, std::string(64, '0'));
  return WithChecksum(text);
}

// A version 2 manifest whose "partial" member is `member`.
std::string PartialEdited(const std::string& member) {
  std::string text = SerializeManifest(Sample(0));
  const auto replace = [&](const std::string& from, const std::string& to) {
    const size_t at = text.find(from);
    EXPECT_NE(at, std::string::npos) << from;
    text.replace(at, from.size(), to);
  };
  replace("\"format_version\": 1", "\"format_version\": 2");
  replace("\"files\": [", member + ", \"files\": [");
  const size_t sum = text.rfind("\"manifest_sha256\": \"") + 20;
  text.replace(sum, 64, std::string(64, '0'));
  return WithChecksum(text);
}

TEST(ManifestTest, PartialManifestRoundTripsWithWhatItOmits) {
  Manifest m = Sample(0);
  m.format_version = kPartialArchiveFormatVersion;
  m.omits = {kPartUploads};
  const std::string text = SerializeManifest(m);
  EXPECT_NE(text.find("\"partial\": {\n  \"omits\": [\"uploads\"]\n }"), std::string::npos) << text;
  auto parsed = ParseManifest(text);
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectSame(*parsed, m);
  EXPECT_TRUE(parsed->partial());
  EXPECT_EQ(parsed->omits, m.omits);
  auto full = ParseManifest(SerializeManifest(Sample(2)));
  ASSERT_TRUE(full.ok());
  EXPECT_FALSE(full->partial());
}

TEST(ManifestTest, RefusesHostileOrMalformedManifests) {
  struct Case {
    std::string text;
    std::string message;  // a part of the expected message
  };
  const std::vector<Case> cases = {
      {"", "not an object"},
      {"[]", "not an object"},
      {"{", "text ends"},
      {SerializeManifest(Sample(1)) + "x", "after the end"},
      {Edited("\"format_version\": 1", "\"format_version\": 1, \"format_version\": 1"),
       "appears twice"},
      {Edited("\"size\": 291", "\"size\": 99999999999999999999"), "not an integer"},
      {Edited("\"size\": 291", "\"size\": -1"), "negative"},
      {Edited("\"size\": 291", "\"size\": 2.5"), "not an integer"},
      {Edited("\"size\": 291", "\"size\": 0291"), "leading zero"},
      {Edited("\"size\": 291", "\"size\": \"291\""), "not an integer"},
      {Edited("\"site_title\": \"Team wiki\"", "\"site_title\": \"\\ud800\""), "surrogate"},
      {Edited("\"site_title\": \"Team wiki\"", "\"site_title\": \"\xC3\""), "UTF-8"},
      {Edited("\"site_title\": \"Team wiki\"", "\"site_title\": \"a\nb\""), "control"},
      {Edited("\"site_title\": \"Team wiki\"", "\"site_title\": \"\\q\""), "unknown escape"},
      {Edited("\"site_title\": \"Team wiki\"", "\"site_title\": null"), "'site_title'"},
      {Edited("\"files\": [",
              "\"nested\": " + std::string(100, '[') + std::string(100, ']') + ", \"files\": ["),
       "too deep"},
      {Edited("\"format\": \"arkwiki-backup\"", "\"format\": \"other\""), "not an arkwiki backup"},
      {Edited("\"format_version\": 1", "\"format_version\": 3"), "format version 3"},
      // Partial archives (format version 2) must say exactly what they omit.
      {Edited("\"format_version\": 1", "\"format_version\": 2"),
       "must say what the partial archive omits"},
      {Edited("\"files\": [", "\"partial\": {\"omits\": [\"uploads\"]}, \"files\": ["),
       "a version 1 manifest cannot be partial"},
      {PartialEdited("\"partial\": {\"omits\": []}"), "omits nothing"},
      {PartialEdited("\"partial\": 5"), "'partial' is not an object"},
      {PartialEdited("\"partial\": {\"omits\": [\"uploads\"], \"also\": []}"),
       "unknown member 'also'"},
      {PartialEdited("\"partial\": {}"), "does not say what it omits"},
      {PartialEdited("\"partial\": {\"omits\": [\"uploads\", \"uploads\"]}"), "names a part twice"},
      {PartialEdited("\"partial\": {\"omits\": [7]}"), "'omits' is missing or not a string"},
      {PartialEdited("\"partial\": {\"omits\": [\"config\"]}"), "claims to omit 'config'"},
      {Edited("\"counts\": {", "\"counts\": 5, \"x\": {"), "'counts' is missing"},
      {Edited("\"sha256\": \"" + Sha256Hex("settings") + "\"", "\"sha256\": \"ABC\""),
       "bad sha256"},
      {Edited("\"files\": [", "\"files\": 1, \"y\": ["), "'files' is missing"},
  };
  for (const Case& c : cases) {
    auto parsed = ParseManifest(c.text);
    ASSERT_FALSE(parsed.ok()) << c.message;
    EXPECT_NE(parsed.status().message().find(c.message), std::string::npos)
        << "expected '" << c.message << "', got: " << parsed.status().ToString();
  }
}

TEST(ManifestTest, ChecksumWrittenWithEscapesIsNotFound) {
  std::string text = SerializeManifest(Sample(1));
  const size_t at = text.rfind("\"manifest_sha256\": \"") + 20;
  // \u0030 is '0': the same string value, but not the 64 bytes the checksum
  // rule replaces.
  text.replace(at, 1, "\\u00" + std::string(1, '3') + text.substr(at, 1));
  auto parsed = ParseManifest(text);
  ASSERT_FALSE(parsed.ok());
}

TEST(ManifestTest, TamperedManifestIsReportedAsDamaged) {
  std::string text = SerializeManifest(Sample(1));
  text.replace(text.find("Team wiki"), 9, "Evil wiki");
  auto parsed = ParseManifest(text);
  ASSERT_FALSE(parsed.ok());
  EXPECT_NE(parsed.status().message().find("does not match its checksum"), std::string::npos);
}

}  // namespace
}  // namespace arkwiki

namespace arkwiki {
namespace {

void ExpectSameFile(const ManifestFile& got, const ManifestFile& want) {
  EXPECT_EQ(got.path, want.path);
  EXPECT_EQ(got.size, want.size);
  EXPECT_EQ(got.sha256, want.sha256);
}

// Uploads are kept as raw hashes, anything else as given; either way every
// file reads back exactly as it was added.
TEST(ManifestFilesTest, ReadsBackEveryFileAsGiven) {
  const std::string a = Sha256Hex("a"), b = Sha256Hex("b");
  const std::vector<ManifestFile> given = {
      {kDatabasePath, 7, Sha256Hex("db")},
      {UploadEntryPath(a), 1, a},
      {UploadEntryPath(a), 2, b},                  // an upload path, but not its hash
      {"uploads/zz/" + a, 3, a},                   // wrong shard
      {"pages/x.md", 4, ""},                       // no place in a backup, still kept
      {UploadEntryPath(b), uint64_t{1} << 40, b},  // sizes beyond 32 bits
      {UploadEntryPath(a), UINT64_MAX, a},         // the size that marks other files
  };
  ManifestFiles files;
  for (const ManifestFile& f : given) files.push_back(f);
  ASSERT_EQ(files.size(), given.size());
  for (size_t i = 0; i < given.size(); ++i) {
    ExpectSameFile(files[i], given[i]);
    EXPECT_EQ(files.SizeAt(i), given[i].size);
    EXPECT_EQ(files.UploadHashAt(i) != nullptr, i == 1 || i == 5) << i;
  }
  Sha256Raw raw_a;
  ASSERT_TRUE(ParseSha256Hex(a, &raw_a));
  EXPECT_EQ(*files.UploadHashAt(1), raw_a);

  size_t n = 0;
  for (const ManifestFile& f : files) ExpectSameFile(f, given[n++]);
  EXPECT_EQ(n, given.size());

  ManifestFiles more;
  more.push_back(given[4]);
  more.push_back(given[1]);
  files.Append(more);
  ASSERT_EQ(files.size(), given.size() + 2);
  ExpectSameFile(files[given.size()], given[4]);
  ExpectSameFile(files[given.size() + 1], given[1]);

  files.Set(1, given[4]);
  ExpectSameFile(files[1], given[4]);
  EXPECT_EQ(files.UploadHashAt(1), nullptr);
  files.Set(4, given[5]);
  ExpectSameFile(files[4], given[5]);
  EXPECT_NE(files.UploadHashAt(4), nullptr);
}

// A list that only counts its files (a large verification's report) says
// so, and refuses to hand out a file it does not hold.
TEST(ManifestFilesTest, NotHeldListCountsFilesButHandsOutNone) {
  const ManifestFiles files = ManifestFiles::NotHeld(70000);
  EXPECT_FALSE(files.held());
  EXPECT_EQ(files.size(), 70000u);
  EXPECT_FALSE(files.empty());
  EXPECT_THROW((void)files[0], std::out_of_range);
  EXPECT_THROW((void)files.SizeAt(69999), std::out_of_range);
  EXPECT_THROW((void)files.UploadHashAt(1), std::out_of_range);
  EXPECT_THROW(
      {
        for (const ManifestFile& f : files) (void)f;
      },
      std::out_of_range);
  EXPECT_TRUE(ManifestFiles().held());
}

TEST(ManifestFilesTest, NotHeldListTakesNoFiles) {
  ManifestFiles files = ManifestFiles::NotHeld(3);
  const ManifestFile upload{UploadEntryPath(Sha256Hex("a")), 1, Sha256Hex("a")};
  EXPECT_THROW(files.push_back(upload), std::logic_error);
  EXPECT_THROW(files.PushUpload(Sha256Raw{}, 1), std::logic_error);
  EXPECT_THROW(files.Set(0, upload), std::logic_error);
  ManifestFiles held;
  held.push_back(upload);
  EXPECT_THROW(files.Append(held), std::logic_error);
  EXPECT_THROW(held.Append(files), std::logic_error);
  EXPECT_EQ(files.size(), 3u);
  EXPECT_EQ(held.size(), 1u);
  EXPECT_THROW(held.Set(1, upload), std::out_of_range);
}

TEST(ManifestFilesTest, ParseSha256HexTakesOnly64LowercaseHexDigits) {
  Sha256Raw raw{};
  EXPECT_FALSE(ParseSha256Hex("", &raw));
  EXPECT_FALSE(ParseSha256Hex(std::string(63, 'a'), &raw));
  EXPECT_FALSE(ParseSha256Hex(std::string(64, 'A'), &raw));
  EXPECT_FALSE(ParseSha256Hex(std::string(63, 'a') + "g", &raw));
  const std::string hex = Sha256Hex("x");
  ASSERT_TRUE(ParseSha256Hex(hex, &raw));
  EXPECT_EQ(HexEncode(raw.data(), raw.size()), hex);
}

}  // namespace
}  // namespace arkwiki

namespace arkwiki {
namespace {

// manifest.json as a file, optionally failing once `fail_from` bytes are read.
class StringFile final : public RandomAccessFile {
 public:
  explicit StringFile(std::string text, uint64_t fail_from = UINT64_MAX)
      : text_(std::move(text)), fail_from_(fail_from) {}
  Result<size_t> ReadAt(uint64_t offset, char* buf, size_t n) const override {
    if (offset + n > fail_from_) return Status::IoError("read error (injected)");
    if (offset >= text_.size()) return size_t{0};
    const size_t got = std::min<size_t>(n, text_.size() - offset);
    text_.copy(buf, got, offset);
    return got;
  }
  uint64_t Size() const override { return text_.size(); }

 private:
  std::string text_;
  uint64_t fail_from_;
};

Manifest Big() { return Sample(30'000); }  // ~6 MB of text: three 2 MiB windows

TEST(ManifestStreamTest, ParsesAcrossWindowsAsTheWholeTextDoes) {
  const Manifest m = Big();
  const std::string text = SerializeManifest(m);
  ASSERT_GT(text.size(), 5 * manifest_json::Reader::kLookahead);
  auto parsed = ParseManifestFile(StringFile(text));
  ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
  ExpectSame(*parsed, m);
}

// The checksum may stand anywhere: here first, so that the streamed reader
// has long dropped its bytes from the window when it checks them.
TEST(ManifestStreamTest, ChecksumIsFoundAndCheckedWhereverItStands) {
  std::string text = SerializeManifest(Big());
  const size_t tail = text.rfind(",\n \"manifest_sha256\"");
  ASSERT_NE(tail, std::string::npos);
  text.erase(tail, text.rfind('}') - tail);
  text.insert(1, "\"manifest_sha256\": \"" + std::string(64, '0') + "\",");
  text = WithChecksum(text);
  auto whole = ParseManifest(text);
  ASSERT_TRUE(whole.ok()) << whole.status().ToString();
  auto streamed = ParseManifestFile(StringFile(text));
  ASSERT_TRUE(streamed.ok()) << streamed.status().ToString();
  ExpectSame(*streamed, *whole);

  std::string altered = text;
  const size_t size_digit = altered.find("\"size\": 1", text.size() / 2) + 9;
  altered[size_digit] = altered[size_digit] == '2' ? '3' : '2';
  auto refused = ParseManifestFile(StringFile(altered));
  EXPECT_EQ(refused.status().code(), StatusCode::kCorruption);
  EXPECT_NE(refused.status().message().find("does not match its checksum"), std::string::npos)
      << refused.status().ToString();
}

TEST(ManifestStreamTest, OnePassStreamWritesTheBytesOfTheSource) {
  Manifest empty = Sample();
  empty.files.clear();
  for (const Manifest& m : {Big(), Sample(), empty}) {
    std::string streamed;
    size_t pieces = 0;
    ASSERT_TRUE(StreamManifest(m, [&](std::string_view piece) {
                  streamed.append(piece);
                  ++pieces;
                  return Status::Ok();
                }).ok());
    EXPECT_EQ(streamed, SourceText(m, ManifestFileStore::Of(m.files)));
    EXPECT_TRUE(ParseManifest(streamed).ok());
    if (m.files.size() > 1000) EXPECT_GT(pieces, 3u);  // not held whole
  }
  Status refused =
      StreamManifest(Big(), [](std::string_view) { return Status::NoSpace("disk full"); });
  EXPECT_EQ(refused.code(), StatusCode::kNoSpace);
}

TEST(ManifestStreamTest, StringOfTheLimitsLengthIsReadEitherWay) {
  Manifest m = Sample();
  m.site_title = std::string(manifest_json::Reader::kLookahead - 4, 't') + "\xC3\xA9\"";
  const std::string text = SerializeManifest(m);  // 'é' raw, '"' escaped: kLookahead bytes
  for (const Result<Manifest>& parsed :
       {ParseManifestFile(StringFile(text)), ParseManifest(text)}) {
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->site_title, m.site_title);
  }
}

TEST(ManifestStreamTest, StringLongerThanTheWindowIsRefused) {
  Manifest m = Sample();
  m.site_title = std::string(manifest_json::Reader::kLookahead + 10, 't');
  for (const Result<Manifest>& parsed :
       {ParseManifestFile(StringFile(SerializeManifest(m))), ParseManifest(SerializeManifest(m))}) {
    EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption);
    EXPECT_NE(parsed.status().message().find("longer than"), std::string::npos)
        << parsed.status().ToString();
  }
}

TEST(ManifestStreamTest, ReadErrorIsReportedAsSuchNotAsBadJson) {
  const std::string text = SerializeManifest(Big());
  auto parsed = ParseManifestFile(StringFile(text, text.size() / 2));
  EXPECT_EQ(parsed.status().code(), StatusCode::kIoError) << parsed.status().ToString();
}

// A damaged manifest is reported as damaged even when the disk that would
// hold its file list fills up, as it would be with room to spare; with a
// good manifest the full disk is the error.
TEST(ManifestStreamTest, ChecksumMismatchIsReportedBeforeAFullScratchDisk) {
  const std::string text = SerializeManifest(Big());
  std::string edited = text;
  edited.replace(edited.find("Team wiki"), 9, "Evil wiki");
  const std::string& altered = edited;
  testing::TempDir dir;
  for (const std::string* manifest : {&altered, &text}) {
    FaultInjectionEnv env(Env::Default());
    env.FailAt(1);
    ManifestFileStore files(&env, dir.Sub("list.bin"), 100);
    auto parsed = ParseManifestFile(StringFile(*manifest), &files);
    if (manifest == &altered) {
      EXPECT_EQ(parsed.status().code(), StatusCode::kCorruption) << parsed.status().ToString();
      EXPECT_NE(parsed.status().message().find("does not match its checksum"), std::string::npos)
          << parsed.status().ToString();
    } else {
      EXPECT_EQ(parsed.status().code(), StatusCode::kNoSpace) << parsed.status().ToString();
    }
  }
}

// A manifest from a newer arkwiki (or with a bad field) is reported as
// such, held or spilled, even when the scratch disk is full: the scratch
// file's error is the machine's, the manifest's the archive's.
TEST(ManifestStreamTest, NewerFormatIsReportedBeforeAFullScratchDisk) {
  Manifest m = Sample(200);
  m.format_version = 99;
  const std::string text = SerializeManifest(m);
  const Status held = ParseManifestFile(StringFile(text)).status();
  ASSERT_EQ(held.code(), StatusCode::kUnsupported) << held.ToString();
  testing::TempDir dir;
  FaultInjectionEnv env(Env::Default());
  env.FailAt(1);
  ManifestFileStore files(&env, dir.Sub("list.bin"), 100);
  const Status spilled = ParseManifestFile(StringFile(text), &files).status();
  EXPECT_EQ(spilled.ToString(), held.ToString());
}

// A hostile manifest of many files that are neither uploads named by their
// hash nor the database or settings takes no memory for them while it is
// parsed into a spilling store (they are refused later, at the third).
TEST(ManifestStreamTest, ManyFilesThatAreNoUploadsTakeNoMemoryWhenSpilled) {
  Manifest m = Sample(0);
  for (int i = 0; i < 100000; ++i) {
    m.files.push_back({"uploads/zz/" + std::to_string(i), 0, Sha256Hex("db")});
  }
  const std::string text = SerializeManifest(m);
  m = Manifest();
  testing::TempDir dir;
  const size_t before = mallinfo2().uordblks;
  ManifestFileStore files(Env::Default(), dir.Sub("list.bin"), 100);
  auto parsed = ParseManifestFile(StringFile(text), &files);
  ARKWIKI_ASSERT_OK(parsed.status());
  ASSERT_TRUE(files.spilled());
  EXPECT_EQ(files.size(), 100002u);
  const size_t held = mallinfo2().uordblks - before;
  // Kept whole, the 100,000 files took over 10 MB.
  EXPECT_LT(held, size_t{1} << 20) << held << " bytes held for " << files.size() << " files";
}

}  // namespace
}  // namespace arkwiki
