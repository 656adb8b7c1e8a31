// The repository of restore points, in-process, on the mixed and tiny sets:
//   SnapshotFirst/<set>      Repository::Snapshot into an empty repository:
//                            database snapshot, every upload copied and
//                            hashed, read back, database check, one syncfs,
//                            manifest; compare with BackupCreate/<set>
//   SnapshotUnchanged/<set>  a second snapshot with nothing changed: the
//                            database and settings only (new_MiB counter)
//   CheckReadAll/<set>       Repository::Check re-hashing every object
//   Export/<set>             Repository::Export of the newest restore point
//                            into a sink that drops the bytes
#include <unistd.h>

#include <algorithm>

#include "arkwiki/backup/repository.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

class NullSink final : public ByteSink {
 public:
  Status Write(std::string_view data) override {
    bytes_ += data.size();
    return Status::Ok();
  }
  uint64_t bytes_ = 0;
};

std::string RepoDir() { return JoinPath(BenchDir(), "repository-bench"); }

std::unique_ptr<Repository> OpenRepo(const std::string& data_dir) {
  auto repo = Repository::Open(Env::Default(), DataDirLayout(data_dir), RepoDir());
  CheckOk(repo.status(), "Repository::Open");
  return std::move(repo).value();
}

// The set's data directory, and a repository holding one restore point of it.
std::string SetWithOnePoint(const SetSpec& spec, SetStats* stats) {
  auto dir = SetDirFor(spec, stats);
  CheckOk(dir.status(), "seeding");
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  CheckOk(OpenRepo(*dir)->Snapshot(SnapshotRequest{}).status(), "first snapshot");
  return *dir;
}

void SnapshotFirst(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
    ::sync();
    ResetPeakRss();
    state.ResumeTiming();
    CheckOk(OpenRepo(*dir)->Snapshot(SnapshotRequest{}).status(), "Snapshot");
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  ReportSet(state, stats, peak);
}

void SnapshotUnchanged(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  const std::string dir = SetWithOnePoint(spec, &stats);
  uint64_t peak = 0, added = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ::sync();
    ResetPeakRss();
    state.ResumeTiming();
    auto point = OpenRepo(dir)->Snapshot(SnapshotRequest{});
    CheckOk(point.status(), "Snapshot");
    added = point->new_bytes;
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  ReportSet(state, stats, peak);
  state.counters["new_MiB"] = static_cast<double>(added) / (1 << 20);
}

void CheckReadAll(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  const std::string dir = SetWithOnePoint(spec, &stats);
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ResetPeakRss();
    state.ResumeTiming();
    auto report = OpenRepo(dir)->Check(CheckOptions{100, 0});
    CheckOk(report.status(), "Check");
    if (!report->ok()) CheckOk(Status::Corruption("the check found damage"), "Check");
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  ReportSet(state, stats, peak);
}

void Export(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  const std::string dir = SetWithOnePoint(spec, &stats);
  auto points = OpenRepo(dir)->List();
  CheckOk(points.status(), "List");
  const std::string id = points->back().id;
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    ResetPeakRss();
    state.ResumeTiming();
    NullSink sink;
    CheckOk(OpenRepo(dir)->Export(id, &sink).status(), "Export");
    peak = std::max(peak, PeakRssBytes());
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  ReportSet(state, stats, peak);
}

void Register() {
  RegisterPerSet("SnapshotFirst", SnapshotFirst);
  RegisterPerSet("SnapshotUnchanged", SnapshotUnchanged);
  RegisterPerSet("CheckReadAll", CheckReadAll);
  RegisterPerSet("Export", Export);
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
