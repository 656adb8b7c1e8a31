// SQLite I/O faults: a failed write is reported, and the database is left
// at its previous state, intact.
#include "arkwiki/testing/fault_vfs.h"

#include <gtest/gtest.h>
#include <sqlite3.h>

#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

Result<Page> SaveVia(Db& db, const std::string& text) {
  PageStore pages(&db);
  SavePageRequest r;
  r.slug = "home";
  r.title = "Home";
  r.markdown = text;
  r.author = "ann";
  return pages.Save(r);
}

TEST(FaultVfsTest, DiskFullAtEveryWriteOfASaveLeavesOldOrNewText) {
  FaultVfs::Register();
  testing::TempDir dir;
  std::string path;
  {
    auto storage = Storage::Open(Env::Default(), dir.path()).value();
    path = storage->layout().database;
    ASSERT_TRUE(SaveVia(storage->db(), "old").ok());
  }
  int failures = 0;
  for (uint64_t n = 1; n < 200; ++n) {
    Status saved;
    {
      auto db = Db::Open("file:" + path + "?vfs=" + FaultVfs::kName, DbOptions{});
      ASSERT_TRUE(db.ok()) << db.status().ToString();
      FaultVfs::FailAt(n, n % 2 ? SQLITE_FULL : SQLITE_IOERR_WRITE);
      saved = SaveVia(**db, "new").status();
      FaultVfs::FailAt(0, SQLITE_OK);
    }
    auto db = Db::Open(path, DbOptions{}).value();
    EXPECT_EQ(db->QueryInt("SELECT count(*) FROM pragma_integrity_check WHERE "
                           "integrity_check != 'ok'")
                  .value(),
              0)
        << "n=" << n;
    auto page = PageStore(db.get()).Get("home").value();
    if (saved.ok()) {
      EXPECT_EQ(page.markdown, "new");
      break;
    }
    ++failures;
    EXPECT_TRUE(saved.code() == StatusCode::kNoSpace || saved.code() == StatusCode::kIoError)
        << saved.ToString();
    EXPECT_EQ(page.markdown, "old") << "n=" << n << ": a failed save changed the page";
  }
  EXPECT_GT(failures, 0);
}

}  // namespace
}  // namespace arkwiki
