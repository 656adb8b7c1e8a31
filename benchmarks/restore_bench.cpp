// Restore (`arkwiki backup restore --data DIR FILE --yes`, in-process) of
// each set's archive onto a freshly installed, empty wiki: Restorer::Stage
// (verify everything while unpacking on a second thread, database check and
// migration, one syncfs) then Commit (safety backup of the empty wiki,
// intent marker, swap). stage_s and commit_s split the time of the last
// iteration.
//   Unpack/<set>         VerifyArchive with extract_dir: the verify-and-unpack
//                        step of Stage, without its closing syncfs
//   UnpackOneSync/<set>  the same followed by the one syncfs Stage does (with
//                        a NoSyncEnv; unpacking does not sync file by file)
#include <algorithm>

#include <unistd.h>

#include "archive_cache.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/storage/storage.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

// A fresh install: the data directory with an empty database.
Status FreshWiki(const std::string& dir) {
  ARKWIKI_RETURN_IF_ERROR(Env::Default()->RemoveTree(dir));
  return Storage::Open(Env::Default(), dir).status();
}

void Restore(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto archive = ArchiveFor(spec, &stats);
  CheckOk(archive.status(), "preparing the archive");
  const std::string target = JoinPath(BenchDir(), "restore-target");
  uint64_t peak = 0;
  double stage_s = 0, commit_s = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CheckOk(FreshWiki(target), "preparing " + target);
    ::sync();  // removing the last restore's files must not bleed into this one
    ResetPeakRss();
    state.ResumeTiming();
    const DataDirLayout layout(target);
    Restorer restorer(Env::Default(), layout);
    ImportOptions options;
    options.actor = "bench";
    const double t0 = NowSeconds();
    CheckOk(restorer.Recover(), "Recover");
    auto staged = restorer.Stage(*archive, options);
    CheckOk(staged.status(), "Stage");
    const double t1 = NowSeconds();
    CheckOk(restorer.Commit(*staged, options, CommitHooks{}).status(), "Commit");
    stage_s = t1 - t0;
    commit_s = NowSeconds() - t1;
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(target), "removing " + target);
  ReportSet(state, stats, peak);
  state.counters["stage_s"] = stage_s;
  state.counters["commit_s"] = commit_s;
}

void Unpack(benchmark::State& state, const SetSpec& spec, bool one_sync) {
  SetStats stats;
  auto archive = ArchiveFor(spec, &stats);
  CheckOk(archive.status(), "preparing the archive");
  const std::string target = JoinPath(BenchDir(), "unpack-target");
  NoSyncEnv no_sync(Env::Default());
  Env* env = one_sync ? static_cast<Env*>(&no_sync) : Env::Default();
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CheckOk(Env::Default()->RemoveTree(target), "removing " + target);
    CheckOk(Env::Default()->CreateDirs(target), "creating " + target);
    ::sync();
    ResetPeakRss();
    state.ResumeTiming();
    VerifyOptions options;
    options.extract_dir = target;
    CheckOk(VerifyArchive(env, *archive, options).status(), "VerifyArchive");
    if (one_sync) CheckOk(SyncFileSystemOf(target), "syncfs");
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(target), "removing " + target);
  ReportSet(state, stats, peak);
}

void Register() {
  RegisterPerSet("Restore", Restore);
  RegisterPerSet("Unpack", [](benchmark::State& st, const SetSpec& s) { Unpack(st, s, false); });
  RegisterPerSet("UnpackOneSync",
                 [](benchmark::State& st, const SetSpec& s) { Unpack(st, s, true); });
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
