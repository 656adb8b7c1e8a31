// The central directory kept in a scratch file (ZipWriter::SpoolCentralDirectory).
#include <gtest/gtest.h>

#include "arkwiki/testing/fault_injection_env.h"
#include "backup/zip_test_util.h"
#include "zip/zip_reader.h"
#include "zip/zip_writer.h"

namespace arkwiki {
namespace {

using testing::OpenZipBytes;
using testing::TempDir;

// Long names, so that a few thousand entries fill several 1 MiB pieces of
// the directory and most of it goes through the spool file.
std::string LongName(int i) { return "dir/" + std::string(400, 'n') + "/" + std::to_string(i); }

constexpr int kEntries = 6000;  // ~2.8 MB of central directory

Status WriteEntries(ZipWriter* w, int from, int to) {
  EntryOptions store;
  store.method = EntryOptions::Method::kStore;
  for (int i = from; i < to; ++i) {
    ARKWIKI_RETURN_IF_ERROR(w->AddBytes(LongName(i), std::to_string(i), store));
  }
  return Status::Ok();
}

TEST(ZipCentralSpoolTest, SpooledDirectoryWritesTheSameArchiveAsInMemory) {
  TempDir dir;
  StringByteSink in_memory, spooled;
  {
    ZipWriter w(&in_memory);
    ARKWIKI_ASSERT_OK(WriteEntries(&w, 0, kEntries));
    ARKWIKI_ASSERT_OK(w.Finish());
  }
  {
    ZipWriter w(&spooled);
    ARKWIKI_ASSERT_OK(w.SpoolCentralDirectory(Env::Default(), dir.Sub("cd.spool")));
    ARKWIKI_ASSERT_OK(WriteEntries(&w, 0, kEntries));
    auto spool_size = Env::Default()->GetFileSize(dir.Sub("cd.spool"));
    ASSERT_TRUE(spool_size.ok());
    EXPECT_GE(*spool_size, 2u << 20);  // most of the directory went to the file
    ARKWIKI_ASSERT_OK(w.Finish());
  }
  EXPECT_TRUE(in_memory.data() == spooled.data());
  auto exists = Env::Default()->FileExists(dir.Sub("cd.spool"));
  ASSERT_TRUE(exists.ok());
  EXPECT_FALSE(*exists) << "the writer leaves no spool file behind";
  auto reader = OpenZipBytes(dir, spooled.data());
  ASSERT_TRUE(reader.ok()) << reader.status().ToString();
  ASSERT_EQ((*reader)->entries().size(), static_cast<size_t>(kEntries));
  // ~2.5 MB of names: the reader keeps them in several blocks; each stays put.
  for (int i = 0; i < kEntries; ++i) {
    ASSERT_EQ((*reader)->entries()[static_cast<size_t>(i)].name, LongName(i));
    ASSERT_EQ((*reader)->Find(LongName(i)), &(*reader)->entries()[static_cast<size_t>(i)]);
  }
  EXPECT_EQ((*reader)->Find(LongName(kEntries)), nullptr);
}

TEST(ZipCentralSpoolTest, DuplicateOfASpooledNameIsRefused) {
  TempDir dir;
  StringByteSink sink;
  ZipWriter w(&sink);
  ARKWIKI_ASSERT_OK(w.SpoolCentralDirectory(Env::Default(), dir.Sub("cd.spool")));
  ARKWIKI_ASSERT_OK(WriteEntries(&w, 0, kEntries));
  std::string upper = LongName(3);
  upper[0] = 'D';  // names must differ even ignoring case
  Status s = w.AddBytes(upper, "again", EntryOptions{});
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << s.ToString();
  ARKWIKI_ASSERT_OK(w.Finish());  // the refusal left the archive consistent
}

TEST(ZipCentralSpoolTest, SpoolWriteFailureIsStickyAndLeavesNoFile) {
  TempDir dir;
  for (StatusCode code : {StatusCode::kNoSpace, StatusCode::kIoError}) {
    FaultInjectionEnv env(Env::Default());
    StringByteSink sink;  // in memory: only the spool touches the Env
    Status s;
    {
      ZipWriter w(&sink);
      ARKWIKI_ASSERT_OK(w.SpoolCentralDirectory(&env, dir.Sub("cd.spool")));
      env.FailAt(env.operations() + 1, code);  // the first piece written to the spool
      s = WriteEntries(&w, 0, kEntries);
      EXPECT_TRUE(env.triggered());
      EXPECT_EQ(w.Finish().code(), s.code()) << "sticky";
      env.FailAt(0);  // the disk recovers (the fault env fails every later call, removal too)
    }
    EXPECT_FALSE(s.ok());
    EXPECT_EQ(s.code(), code == StatusCode::kNoSpace ? code : StatusCode::kIoError) << s.ToString();
    auto exists = Env::Default()->FileExists(dir.Sub("cd.spool"));
    ASSERT_TRUE(exists.ok());
    EXPECT_FALSE(*exists);
  }
}

}  // namespace
}  // namespace arkwiki
