// A backup taken while writers run is one consistent point in time, holds
// every upload its pages refer to, and barely holds writers up.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/storage/storage.h"
#include "support/temp_dir.h"

namespace arkwiki {
namespace {

using Clock = std::chrono::steady_clock;

// One write: a new page with an upload, then one transaction that appends
// to load_log and stores its row count; any consistent snapshot has
// counter == count(load_log), a torn one would not.
Status WriteOne(Storage& s, int i) {
  auto pending = s.uploads().Begin(1 << 20);
  if (!pending.ok()) return pending.status();
  ARKWIKI_RETURN_IF_ERROR(
      (*pending)->Append("payload " + std::to_string(i) + std::string(2000, 'x')));
  SavePageRequest r;
  r.slug = "p" + std::to_string(i);
  r.title = "Page " + std::to_string(i);
  r.markdown = "text";
  r.author = "w";
  auto page = s.pages().Save(r);
  if (!page.ok()) return page.status();
  auto up = s.uploads().Commit(std::move(pending).value(), page->id, "f.txt", "text/plain", "w");
  if (!up.ok()) return up.status();
  return s.db().Transaction([&](Db& tx) -> Status {
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO audit_log(at, actor, action, detail) "
                "VALUES(0, 'w', 'page.purge', ?)",
                {std::to_string(i)}));
    return tx.Exec(
        "INSERT INTO settings(key, value) VALUES('site_title', "
        "(SELECT count(*) FROM audit_log WHERE actor = 'w')) ON CONFLICT(key) DO "
        "UPDATE SET value = excluded.value");
  });
}

TEST(BackupUnderLoadTest, ArchiveIsOneConsistentPointInTime) {
  testing::TempDir dir;
  auto storage = Storage::Open(Env::Default(), dir.Sub("data")).value();
  for (int i = 0; i < 50; ++i) ASSERT_TRUE(WriteOne(*storage, i).ok());
  // A bigger database makes the snapshot take measurable time.
  ASSERT_TRUE(storage->db()
                  .Exec("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i+1 FROM n "
                        "WHERE i < 200000) INSERT INTO audit_log(at, actor, action, "
                        "detail) SELECT 0, 'ballast', 'settings.update', hex(randomblob(50)) "
                        "FROM n")
                  .ok());
  std::atomic<bool> stop{false};
  std::atomic<int> written{0};
  std::atomic<int64_t> worst_us{0};
  Status writer_status;
  // The backup starts once the writer has committed (or failed) at least
  // once, so writes are certainly under way whatever the machine's load.
  std::mutex mu;
  std::condition_variable cv;
  bool started = false;
  auto signal_started = [&] {
    std::lock_guard<std::mutex> lock(mu);
    started = true;
    cv.notify_all();
  };
  std::thread writer([&] {
    for (int i = 50; !stop; ++i) {
      auto start = Clock::now();
      Status s = WriteOne(*storage, i);
      int64_t us =
          std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
      if (us > worst_us) worst_us = us;
      if (!s.ok()) {
        writer_status = s;
        signal_started();
        return;
      }
      ++written;
      signal_started();
    }
  });
  std::string archive = dir.Sub("b.zip");
  {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [&] { return started; });
  }
  auto result = WriteBackupToFile(Env::Default(), storage->layout(), archive);
  stop = true;
  writer.join();
  ASSERT_TRUE(writer_status.ok()) << writer_status.ToString();
  ASSERT_TRUE(result.ok()) << result.status().ToString();
  std::printf(
      "[ measure ] %d writes ran during the backup; slowest write %.1f ms; snapshot "
      "copy %.1f ms\n",
      written.load(), worst_us / 1000.0, result->snapshot_copy_millis);
  EXPECT_GT(written.load(), 0);

  // Verify also checks every upload the database names is in the archive.
  std::string unpacked = dir.Sub("unpacked");
  ASSERT_TRUE(Env::Default()->CreateDirs(unpacked).ok());
  VerifyOptions options;
  options.extract_dir = unpacked;
  auto report = VerifyArchive(Env::Default(), archive, options);
  ASSERT_TRUE(report.ok()) << report.status().ToString();
  DbOptions ro;
  ro.read_only = true;
  auto db = Db::Open(unpacked + "/database/arkwiki.db", ro).value();
  int64_t counter = db->QueryInt("SELECT value FROM settings WHERE key = 'site_title'").value();
  int64_t logged = db->QueryInt("SELECT count(*) FROM audit_log WHERE actor = 'w'").value();
  EXPECT_EQ(counter, logged) << "the snapshot mixes two points in time";
  EXPECT_EQ(report->manifest.counts.uploads, db->QueryInt("SELECT count(*) FROM uploads").value());
}

}  // namespace
}  // namespace arkwiki
