// The import preview's difference (arkwiki/backup/restore_diff.h) between
// a backup's database and the live one, for a wiki of
// ARKWIKI_BENCH_DIFF_PAGES pages (50,000 by default; 2 KB of text each, 500
// users, an upload per 10 pages). Arg k: the live wiki changed every k-th
// page, removed every k-th (offset 1) and has N/k pages the backup lacks;
// k = 1 is the worst case, where every list is as long as the wiki.
// Reports the time of one comparison and its peak RSS (bench_report.h).
#include <algorithm>

#include "arkwiki/backup/restore_diff.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/schema.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

// The wiki's rows, generated in SQL (a recursive CTE) so that seeding
// 50,000 pages takes a second, not minutes of single inserts.
Status FillWiki(Db& db, uint64_t pages, uint64_t every, bool live) {
  const std::string n = std::to_string(pages);
  const std::string k = std::to_string(live ? every : 0);
  const std::string seq =
      "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " + n + " - 1) ";
  return db.Transaction([&](Db& tx) -> Status {
    // Changed: revision 2, later; removed from live: (i % k) == 1 % k.
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec(seq +
                "INSERT INTO pages(id, slug, title, current_revision, created_at, updated_at) "
                "SELECT i + 1, printf('page-%07d', i), printf('Page %d', i), "
                "CASE WHEN " +
                k + " > 0 AND i % " + k +
                " = 0 THEN 2 ELSE 1 END, 1000, 1000 "
                "FROM n WHERE NOT (" +
                k + " > 1 AND i % " + k + " = 1)"));
    if (live && every > 0) {  // pages the backup lacks
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec(seq +
                  "INSERT INTO pages(id, slug, title, current_revision, created_at, updated_at) "
                  "SELECT " +
                  n +
                  " + i + 1, printf('page-new-%07d', i), 'New', 1, 5000, 5000 "
                  "FROM n WHERE i % " +
                  std::to_string(every) + " = 0"));
    }
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("INSERT INTO revisions(page_id, number, title, markdown, author, created_at) "
                "SELECT id, current_revision, title, substr(hex(zeroblob(1000)), 1, 2000), "
                "'author-' || (id % 500), updated_at + 1000 * (current_revision - 1) FROM pages"));
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < 499) "
                "INSERT INTO users(name, password_hash, role, created_at) "
                "SELECT printf('user-%03d', i), 'x', CASE WHEN i % " +
                (live ? k : "0") + " = 0 THEN 'admin' ELSE 'editor' END, 1000 FROM n"));
    ARKWIKI_RETURN_IF_ERROR(tx.Exec(
        "INSERT INTO uploads(page_id, name, sha256, size, content_type, uploader, created_at) "
        "SELECT id, 'file.bin', printf('%064d', id), 4096, 'application/octet-stream', 'x', "
        "1000 FROM pages WHERE id % 10 = 0"));
    return tx.Exec("INSERT INTO settings(key, value) VALUES ('site_title', ?)",
                   {live ? "Live" : "Backup"});
  });
}

// BenchDir()/restore-diff/<pages>-<every>-{backup,live}.db, made once.
Result<DiffSources> EnsureWikis(uint64_t pages, uint64_t every) {
  const std::string dir = JoinPath(BenchDir(), "restore-diff");
  ARKWIKI_RETURN_IF_ERROR(Env::Default()->CreateDirs(dir));
  const std::string stem = JoinPath(dir, std::to_string(pages) + "-" + std::to_string(every));
  DiffSources sources{stem + "-backup.db", stem + "-live.db"};
  for (const bool live : {false, true}) {
    const std::string& path = live ? sources.live_db : sources.backup_db;
    ARKWIKI_ASSIGN_OR_RETURN(bool exists, Env::Default()->FileExists(path + ".done"));
    if (exists) continue;
    (void)Env::Default()->RemoveFile(path);
    DbOptions options;
    options.wal = false;
    ARKWIKI_ASSIGN_OR_RETURN(auto db, Db::Open(path, options));
    ARKWIKI_RETURN_IF_ERROR(Migrate(*db));
    ARKWIKI_RETURN_IF_ERROR(FillWiki(*db, pages, every, live));
    ARKWIKI_RETURN_IF_ERROR(WriteFileAtomically(Env::Default(), path + ".done", ""));
  }
  return sources;
}

void Diff(benchmark::State& state) {
  const uint64_t pages = EnvNumber("ARKWIKI_BENCH_DIFF_PAGES", 50000);
  const auto every = static_cast<uint64_t>(state.range(0));
  auto sources = EnsureWikis(pages, every);
  CheckOk(sources.status(), "seeding the databases");
  DiffOptions options;
  options.backup_made_at = 2000;
  uint64_t peak = 0;
  RestoreDiff last;
  for (auto _ : state) {
    state.PauseTiming();
    ResetPeakRss();
    state.ResumeTiming();
    auto diff = DiffDatabases(*sources, options);
    CheckOk(diff.status(), "DiffDatabases");
    peak = std::max(peak, PeakRssBytes());
    last = std::move(diff).value();
  }
  state.SetItemsProcessed(static_cast<int64_t>(pages) * static_cast<int64_t>(state.iterations()));
  state.counters["peak_rss_MiB"] = static_cast<double>(peak) / (1 << 20);
  state.counters["pages"] = static_cast<double>(pages);
  state.counters["changed"] = static_cast<double>(last.pages_changed.total);
  state.counters["added"] = static_cast<double>(last.pages_added.total);
  state.counters["removed"] = static_cast<double>(last.pages_removed.total);
}

void RegisterAll() {
  benchmark::RegisterBenchmark("RestoreDiff/every_kth_page_differs", Diff)
      ->Arg(100)
      ->Arg(1)
      ->Unit(benchmark::kMillisecond)
      ->UseRealTime()
      ->MeasureProcessCPUTime();
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::RegisterAll)
