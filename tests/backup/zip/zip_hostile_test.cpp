// Hostile and malformed archives: every one must be refused by Open() (or, for
// damaged data, by ReadEntry) before anything could be extracted. The cases
// follow what Poco 1.11's Decompress got wrong (see
// docs/design-notes.md#poco-zip-is-unsafe-for-uploaded-archives).
#include <gtest/gtest.h>

#include "backup/zip_test_util.h"
#include "zip/zip_reader.h"

namespace arkwiki {
namespace {

using testing::CraftEntry;
using testing::CraftOptions;
using testing::CraftZip;
using testing::TempDir;
using testing::TextBytes;

CraftEntry Entry(std::string name, std::string data = "content", uint16_t method = 0) {
  CraftEntry e;
  e.name = std::move(name);
  e.data = std::move(data);
  e.method = method;
  return e;
}

Status OpenStatus(std::string_view bytes, const ZipLimits& limits = ZipLimits()) {
  TempDir dir;
  auto r = testing::OpenZipBytes(dir, bytes, limits);
  return r.ok() ? Status::Ok() : r.status();
}

Status OpenEntries(const std::vector<CraftEntry>& entries, const CraftOptions& o = {}) {
  return OpenStatus(CraftZip(entries, o).bytes);
}

#define EXPECT_REFUSED(status_expr, expected_code, fragment)                    \
  do {                                                                          \
    ::arkwiki::Status _s = (status_expr);                                       \
    EXPECT_EQ(_s.code(), expected_code) << _s.ToString();                       \
    EXPECT_NE(_s.message().find(fragment), std::string::npos) << _s.ToString(); \
  } while (0)

TEST(ZipReaderTest, RejectsPathTraversalEntry) {
  Status s = OpenEntries({Entry("ok.txt"), Entry("../x")});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "entry \"../x\": path escapes the archive");
  for (const char* name : {"a/../../x", "a/..", "..", "a/b/../../../etc/passwd"}) {
    EXPECT_REFUSED(OpenEntries({Entry(name)}), StatusCode::kInvalidArgument, "escapes");
  }
}

TEST(ZipReaderTest, RejectsAbsolutePathsAndDriveLetters) {
  EXPECT_REFUSED(OpenEntries({Entry("/etc/passwd")}), StatusCode::kInvalidArgument, "absolute");
  EXPECT_REFUSED(OpenEntries({Entry("C:x")}), StatusCode::kInvalidArgument, "drive letter");
  EXPECT_REFUSED(OpenEntries({Entry("c:/x")}), StatusCode::kInvalidArgument, "drive letter");
}

TEST(ZipReaderTest, RejectsBackslashes) {
  EXPECT_REFUSED(OpenEntries({Entry("..\\x")}), StatusCode::kInvalidArgument, "backslash");
  EXPECT_REFUSED(OpenEntries({Entry("C:\\x")}), StatusCode::kInvalidArgument, "backslash");
}

TEST(ZipReaderTest, RejectsDotAndEmptyComponents) {
  EXPECT_REFUSED(OpenEntries({Entry("./a")}), StatusCode::kInvalidArgument, "\".\" component");
  EXPECT_REFUSED(OpenEntries({Entry("a/./b")}), StatusCode::kInvalidArgument, "\".\" component");
  EXPECT_REFUSED(OpenEntries({Entry("a//b")}), StatusCode::kInvalidArgument, "empty component");
}

TEST(ZipReaderTest, RejectsDirectoryEntries) {
  EXPECT_REFUSED(OpenEntries({Entry("dir/", "")}), StatusCode::kInvalidArgument, "directory");
  CraftEntry unix_dir = Entry("dir", "");
  unix_dir.external_attrs = 040755u << 16;
  EXPECT_REFUSED(OpenEntries({unix_dir}), StatusCode::kInvalidArgument, "a directory");
  CraftEntry dos_dir = Entry("dir", "");
  dos_dir.made_by_os = 0;
  dos_dir.external_attrs = 0x10;
  EXPECT_REFUSED(OpenEntries({dos_dir}), StatusCode::kInvalidArgument, "a directory");
}

TEST(ZipReaderTest, RejectsControlCharactersInNames) {
  for (const char* name : {"a\nb", "a\rb", "tab\there", "del\x7f", "nel\xC2\x85"}) {
    EXPECT_REFUSED(OpenEntries({Entry(name)}), StatusCode::kInvalidArgument, "control character");
  }
}

TEST(ZipReaderTest, RejectsInvalidUtf8Names) {
  for (const char* name : {"\xC0\xAF", "a\xED\xA0\x80", "\xFF", "trunc\xE2\x82"}) {
    EXPECT_REFUSED(OpenEntries({Entry(name)}), StatusCode::kInvalidArgument, "not valid UTF-8");
  }
  CraftEntry unflagged = Entry("caf\xC3\xA9");
  unflagged.flags = 0;  // CP437 per the spec: other tools would name it differently
  EXPECT_REFUSED(OpenEntries({unflagged}), StatusCode::kInvalidArgument, "not marked as UTF-8");
}

TEST(ZipReaderTest, RejectsEmptyAndOverlongNames) {
  EXPECT_REFUSED(OpenEntries({Entry("")}), StatusCode::kInvalidArgument, "name is empty");
  EXPECT_REFUSED(OpenEntries({Entry(std::string(513, 'a'))}), StatusCode::kInvalidArgument,
                 "over the limit of 512");
  ZipLimits tight;
  tight.max_name_bytes = 8;
  EXPECT_REFUSED(OpenStatus(CraftZip({Entry("123456789")}).bytes, tight),
                 StatusCode::kInvalidArgument, "over the limit of 8");
}

TEST(ZipReaderTest, RejectsDuplicateNames) {
  EXPECT_REFUSED(OpenEntries({Entry("a.txt", "1"), Entry("a.txt", "2")}),
                 StatusCode::kInvalidArgument, "appears more than once");
}

// With several collisions, the first entry in archive order whose name an
// earlier entry already has is the one named, with that earlier entry.
TEST(ZipReaderTest, NamesTheFirstCollisionInArchiveOrder) {
  EXPECT_REFUSED(OpenEntries({Entry("b.txt"), Entry("a.txt"), Entry("c.txt"), Entry("B.TXT"),
                              Entry("A.txt"), Entry("b.txt")}),
                 StatusCode::kInvalidArgument,
                 "entry \"B.TXT\": differs from entry \"b.txt\" only by letter case");
  EXPECT_REFUSED(OpenEntries({Entry("z"), Entry("y"), Entry("y"), Entry("z")}),
                 StatusCode::kInvalidArgument, "entry \"y\": appears more than once");
}

TEST(ZipReaderTest, RejectsNamesDifferingOnlyByCase) {
  EXPECT_REFUSED(OpenEntries({Entry("Dir/A.txt"), Entry("dir/a.TXT")}),
                 StatusCode::kInvalidArgument, "only by letter case");
}

TEST(ZipReaderTest, RejectsSymlinkEntry) {
  CraftEntry link = Entry("uploads/evil", "/etc/passwd");
  link.external_attrs = 0120777u << 16;
  Status s = OpenEntries({link});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(),
            "entry \"uploads/evil\": is a symbolic link (mode 0120777); a backup "
            "holds only regular files");
}

TEST(ZipReaderTest, RejectsDevicesFifosAndSockets) {
  for (uint32_t mode : {020644u, 060644u, 010644u, 0140644u, 0170644u}) {
    CraftEntry e = Entry("dev");
    e.external_attrs = mode << 16;
    EXPECT_EQ(OpenEntries({e}).code(), StatusCode::kInvalidArgument) << std::oct << mode;
  }
}

TEST(ZipReaderTest, AcceptsEntriesWithoutUnixMode) {
  CraftEntry e = Entry("plain.txt");
  e.made_by_os = 0;         // MS-DOS: no st_mode recorded
  e.external_attrs = 0x20;  // archive bit
  ARKWIKI_EXPECT_OK(OpenEntries({e}));
}

TEST(ZipReaderTest, RejectsEncryptedEntries) {
  CraftEntry classic = Entry("a");
  classic.flags |= 0x0001;
  EXPECT_REFUSED(OpenEntries({classic}), StatusCode::kUnsupported, "encrypted");
  CraftEntry strong = Entry("a");
  strong.flags |= 0x0041;
  EXPECT_REFUSED(OpenEntries({strong}), StatusCode::kUnsupported, "encrypted");
  CraftEntry aes = Entry("a");
  aes.method = 99;
  EXPECT_REFUSED(OpenEntries({aes}), StatusCode::kUnsupported, "encrypted");
}

TEST(ZipReaderTest, RejectsUnsupportedMethodsAndFlags) {
  for (uint16_t method : {1, 9, 12, 14, 93, 95}) {
    CraftEntry e = Entry("a");
    e.method = method;
    EXPECT_REFUSED(OpenEntries({e}), StatusCode::kUnsupported, "compression method");
  }
  CraftEntry cd_encrypted = Entry("a");
  cd_encrypted.flags |= 0x2000;
  EXPECT_REFUSED(OpenEntries({cd_encrypted}), StatusCode::kUnsupported, "unsupported ZIP flags");
}

TEST(ZipReaderTest, RejectsLocalHeaderThatDisagreesWithCentralDirectory) {
  CraftEntry name = Entry("safe.txt");
  name.local_name = "../../x.txt";
  Status s = OpenEntries({name});
  EXPECT_EQ(s.code(), StatusCode::kCorruption);
  EXPECT_NE(s.message().find("local header names it \"../../x.txt\""), std::string::npos)
      << s.ToString();
  CraftEntry method = Entry("a", TextBytes(100), 8);
  method.local_method = 0;
  EXPECT_REFUSED(OpenEntries({method}), StatusCode::kCorruption, "compression method");
  CraftEntry flags = Entry("a");
  flags.local_flags = 0x0801 & ~0x0001;
  flags.local_flags = 0x0000;
  EXPECT_REFUSED(OpenEntries({flags}), StatusCode::kCorruption, "flags");
  CraftEntry descriptor = Entry("a");
  descriptor.data_descriptor = true;
  descriptor.descriptor_crc = 12345;
  EXPECT_REFUSED(OpenEntries({descriptor}), StatusCode::kCorruption, "data descriptor");
}

TEST(ZipReaderTest, RejectsStoredEntryWhoseSizesDiffer) {
  CraftEntry e = Entry("a", "hello");
  e.declared_uncompressed = 6;
  EXPECT_REFUSED(OpenEntries({e}), StatusCode::kCorruption, "is stored but declares");
}

TEST(ZipReaderTest, RejectsPrependedJunk) {
  CraftOptions shifted;  // offsets adjusted, as a self-extracting stub would have
  shifted.prefix = "MZ junk stub";
  EXPECT_REFUSED(OpenEntries({Entry("a")}, shifted), StatusCode::kCorruption, "prepended");
  CraftOptions unshifted;  // junk glued in front of an ordinary archive
  unshifted.prefix = "junk";
  unshifted.offsets_include_prefix = false;
  EXPECT_REFUSED(OpenEntries({Entry("a")}, unshifted), StatusCode::kCorruption, "prepended");
}

TEST(ZipReaderTest, RejectsTrailingJunkAndBadComments) {
  CraftOptions trailing;
  trailing.suffix = "tail";
  EXPECT_REFUSED(OpenEntries({Entry("a")}, trailing), StatusCode::kCorruption,
                 "after the end of the archive");
  CraftOptions long_comment;
  long_comment.comment = "short";
  long_comment.declared_comment_length = 500;
  EXPECT_REFUSED(OpenEntries({Entry("a")}, long_comment), StatusCode::kCorruption,
                 "comment runs past the end");
  CraftOptions ok_comment;
  ok_comment.comment = "a comment is fine";
  ARKWIKI_EXPECT_OK(OpenEntries({Entry("a")}, ok_comment));
}

TEST(ZipReaderTest, RejectsGapsAndOverlapsBetweenEntries) {
  std::string text = TextBytes(2000);
  CraftEntry gap = Entry("a", text, 8);
  gap.raw = testing::RawDeflate(text) + "hidden";
  gap.declared_compressed = gap.raw->size() - 6;
  EXPECT_REFUSED(OpenEntries({gap, Entry("b")}), StatusCode::kCorruption, "unexplained bytes");
  CraftEntry second = Entry("b");
  second.local_offset = 0;  // points at the first entry's header
  EXPECT_EQ(OpenEntries({Entry("a"), second}).code(), StatusCode::kCorruption);
  CraftEntry inside = Entry("b");
  inside.local_offset = 10;  // inside the first entry
  EXPECT_EQ(OpenEntries({Entry("a", TextBytes(500)), inside}).code(), StatusCode::kCorruption);
}

TEST(ZipReaderTest, RejectsEveryTruncation) {
  std::string z = CraftZip({Entry("a", TextBytes(300), 8), Entry("b", "bee")}).bytes;
  TempDir dir;
  for (size_t len = 0; len < z.size(); ++len) {
    auto r = testing::OpenZipBytes(dir, std::string_view(z).substr(0, len));
    EXPECT_FALSE(r.ok()) << "accepted a file cut to " << len << " of " << z.size() << " bytes";
    if (!r.ok()) {
      EXPECT_EQ(r.status().code(), StatusCode::kCorruption) << r.status().ToString();
    }
  }
}

TEST(ZipReaderTest, RejectsNonZipFiles) {
  EXPECT_REFUSED(OpenStatus(""), StatusCode::kCorruption, "not a ZIP archive");
  EXPECT_REFUSED(OpenStatus("hello world, this is not a zip file at all"), StatusCode::kCorruption,
                 "not a ZIP archive");
  EXPECT_EQ(OpenStatus(testing::PseudoRandomBytes(100'000)).code(), StatusCode::kCorruption);
}

TEST(ZipReaderTest, RejectsInconsistentCentralDirectory) {
  auto entries = std::vector<CraftEntry>{Entry("a"), Entry("b")};
  CraftOptions fewer;
  fewer.declared_entry_count = 1;
  EXPECT_REFUSED(OpenEntries(entries, fewer), StatusCode::kCorruption, "bytes more than");
  CraftOptions more;
  more.declared_entry_count = 3;
  EXPECT_EQ(OpenEntries(entries, more).code(), StatusCode::kCorruption);
  CraftOptions far;
  far.declared_cd_offset = 1u << 30;
  EXPECT_REFUSED(OpenEntries(entries, far), StatusCode::kCorruption, "central directory");
  // A central directory with a record cut out of its middle.
  auto z = CraftZip(entries);
  std::string cut = z.bytes;
  cut.erase(z.cd_offset + 10, 20);
  EXPECT_EQ(OpenStatus(cut).code(), StatusCode::kCorruption);
}

TEST(ZipReaderTest, RejectsMalformedZip64Records) {
  CraftOptions o;
  o.zip64_end = true;
  o.saturate_eocd = true;
  auto z = CraftZip({Entry("a"), Entry("b")}, o);
  const size_t rec = z.eocd_offset - 20 - 56, loc = z.eocd_offset - 20;
  auto patched = [&](size_t at, char value) {
    std::string b = z.bytes;
    b[at] = value;
    return b;
  };
  ARKWIKI_EXPECT_OK(OpenStatus(z.bytes));
  EXPECT_REFUSED(OpenStatus(patched(rec, 'X')), StatusCode::kCorruption, "ZIP64");     // signature
  EXPECT_REFUSED(OpenStatus(patched(rec + 4, 45)), StatusCode::kCorruption, "ZIP64");  // size
  EXPECT_REFUSED(OpenStatus(patched(loc + 8, 1)), StatusCode::kCorruption, "ZIP64");   // offset
  EXPECT_EQ(OpenStatus(patched(rec + 32, 3)).code(), StatusCode::kCorruption);         // count
  EXPECT_EQ(OpenStatus(patched(loc + 4, 1)).code(), StatusCode::kUnsupported);         // disk
  CraftOptions disagree = o;
  disagree.saturate_eocd = false;
  auto z2 = CraftZip({Entry("a"), Entry("b")}, disagree);
  std::string b = z2.bytes;
  b[z2.eocd_offset + 8] = 1;  // EOCD says 1 entry, ZIP64 record says 2
  b[z2.eocd_offset + 10] = 1;
  EXPECT_REFUSED(OpenStatus(b), StatusCode::kCorruption, "disagrees with the ZIP64 record");
  CraftEntry missing_extra = Entry("a");
  missing_extra.declared_uncompressed = 0xFFFFFFFFu;
  missing_extra.declared_compressed = 0xFFFFFFFFu;
  EXPECT_REFUSED(OpenEntries({missing_extra}), StatusCode::kCorruption, "ZIP64");
}

TEST(ZipReaderTest, EnforcesCountSizeAndRatioCaps) {
  ZipLimits limits;
  limits.max_entries = 2;
  EXPECT_REFUSED(OpenStatus(CraftZip({Entry("a"), Entry("b"), Entry("c")}).bytes, limits),
                 StatusCode::kTooLarge, "3 entries, over the limit of 2");
  limits = ZipLimits();
  limits.max_entry_bytes = 100;
  EXPECT_REFUSED(OpenStatus(CraftZip({Entry("a", TextBytes(101))}).bytes, limits),
                 StatusCode::kTooLarge, "per-entry limit");
  limits = ZipLimits();
  limits.max_total_bytes = 150;
  EXPECT_REFUSED(
      OpenStatus(CraftZip({Entry("a", TextBytes(100)), Entry("b", TextBytes(100))}).bytes, limits),
      StatusCode::kTooLarge, "in total");
  limits = ZipLimits();
  limits.max_archive_bytes = 50;
  EXPECT_REFUSED(OpenStatus(CraftZip({Entry("a", TextBytes(100))}).bytes, limits),
                 StatusCode::kTooLarge, "archive is");
}

TEST(ZipReaderTest, RejectsHighCompressionRatioButExemptsSmallEntries) {
  CraftEntry bomb = Entry("bomb.sql", "");
  bomb.method = 8;
  bomb.raw = testing::DeflatedZeros(200 << 20);  // ~200 KB -> 200 MB
  bomb.declared_uncompressed = 200u << 20;
  bomb.crc = 0;
  EXPECT_REFUSED(OpenEntries({bomb}), StatusCode::kTooLarge, "compression ratio");
  CraftEntry small = Entry("zeros.bin", std::string(500'000, '\0'), 8);  // ratio ~1000, < 1 MiB
  TempDir dir;
  auto r = testing::OpenZipBytes(dir, CraftZip({small}).bytes);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(testing::ReadAll(**r, (*r)->entries()[0])->size(), 500'000u);
}

TEST(ZipReaderTest, RejectsThousandsOfEntriesOverTheDefaultCap) {
  std::vector<CraftEntry> many;
  for (int i = 0; i < 20'000; ++i) many.push_back(Entry("f" + std::to_string(i), ""));
  ZipLimits limits;
  limits.max_entries = 10'000;
  EXPECT_REFUSED(OpenStatus(CraftZip(many).bytes, limits), StatusCode::kTooLarge, "entries");
}

}  // namespace
}  // namespace arkwiki
