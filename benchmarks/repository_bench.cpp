// The repository of restore points, in-process, on the mixed and tiny sets:
//   SnapshotFirst/<set>      Repository::Snapshot into an empty repository:
//                            database snapshot, every upload copied and
//                            hashed (those below 512 KiB into pack files),
//                            database check, one syncfs, manifest; compare
//                            with BackupCreate/<set>
//   SnapshotUnchanged/<set>  a second snapshot with nothing changed: the
//                            database and settings only (new_MiB counter)
//   SnapshotAfterChange/<set>  the second snapshot: on a private copy
//                            of the set, 10 pages edited and 10 MiB of new
//                            uploads, then a snapshot. Counters: vs_first
//                            (its time over the first snapshot's on the same
//                            copy; target <= 0.05), written_MiB (bytes this
//                            process sent to storage, /proc/self/io) and
//                            budget_MiB (2 x (database + 10 MiB); target
//                            written_MiB <= budget_MiB)
//   CheckReadAll/<set>       Repository::Check re-hashing every object
//   Export/<set>             Repository::Export of the newest restore point
//                            into a sink that drops the bytes
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <fstream>

#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
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

// Bytes this process has caused to be written to storage (write_bytes of
// /proc/self/io: counted when pages are dirtied or written directly).
uint64_t BytesWritten() {
  std::ifstream in("/proc/self/io");
  std::string key;
  uint64_t value = 0;
  while (in >> key >> value) {
    if (key == "write_bytes:") return value;
  }
  return 0;
}

// What the second snapshot follows: 10 pages edited (created on
// round 0) and 10 new uploads of 1 MiB, different in every round.
Status ChangeWiki(const std::string& data_dir, int round) {
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), data_dir));
  int64_t page_id = 0;
  for (int i = 0; i < 10; ++i) {
    SavePageRequest req;
    req.slug = "changed-" + std::to_string(i);
    req.title = "Changed page " + std::to_string(i);
    req.markdown = "Edited in round " + std::to_string(round) + ".\n";
    req.author = "bench";
    ARKWIKI_ASSIGN_OR_RETURN(Page page, storage->pages().Save(req));
    page_id = page.id;
  }
  std::string bytes(1 << 20, '\0');
  for (int i = 0; i < 10; ++i) {
    uint64_t x = (static_cast<uint64_t>(round) << 32) + static_cast<uint64_t>(i) + 1;
    for (size_t at = 0; at + 8 <= bytes.size(); at += 8) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64: incompressible
      std::memcpy(&bytes[at], &x, 8);
    }
    ARKWIKI_ASSIGN_OR_RETURN(auto pending, storage->uploads().Begin(bytes.size()));
    ARKWIKI_RETURN_IF_ERROR(pending->Append(bytes));
    const std::string name = "round-" + std::to_string(round) + "-" + std::to_string(i) + ".bin";
    ARKWIKI_RETURN_IF_ERROR(
        storage->uploads()
            .Commit(std::move(pending), page_id, name, ContentTypeForName(name), "bench")
            .status());
  }
  return Status::Ok();
}

void SnapshotAfterChange(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto set_dir = SetDirFor(spec, &stats);
  CheckOk(set_dir.status(), "seeding");
  // A private copy: the changes must not leak into the cached set.
  const std::string dir = JoinPath(BenchDir(), "repository-bench-changed");
  CheckOk(Env::Default()->RemoveTree(dir), "removing the copy");
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  const std::string cp = "cp -a --reflink=auto '" + *set_dir + "' '" + dir + "'";
  if (std::system(cp.c_str()) != 0) CheckOk(Status::IoError(cp + " failed"), "copying the set");
  CheckOk(ChangeWiki(dir, 0), "changing the wiki");
  ::sync();
  const double start = NowSeconds();
  CheckOk(OpenRepo(dir)->Snapshot(SnapshotRequest{}).status(), "first snapshot");
  const double first_seconds = NowSeconds() - start;
  uint64_t peak = 0, written = 0, db_bytes = 0;
  double snapshot_seconds = 0;
  int round = 0;
  for (auto _ : state) {
    state.PauseTiming();
    CheckOk(ChangeWiki(dir, ++round), "changing the wiki");
    ::sync();
    ResetPeakRss();
    const uint64_t written_before = BytesWritten();
    state.ResumeTiming();
    const double snapshot_start = NowSeconds();
    auto point = OpenRepo(dir)->Snapshot(SnapshotRequest{});
    CheckOk(point.status(), "Snapshot");
    snapshot_seconds += NowSeconds() - snapshot_start;
    state.PauseTiming();
    written = BytesWritten() - written_before;
    db_bytes = point->new_bytes - (10u << 20);  // database and settings; the rest: uploads
    peak = std::max(peak, PeakRssBytes());
    state.ResumeTiming();
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  CheckOk(Env::Default()->RemoveTree(dir), "removing the copy");
  ReportSet(state, stats, peak);
  state.counters["first_s"] = first_seconds;
  state.counters["vs_first"] = snapshot_seconds /
                               static_cast<double>(std::max<int64_t>(state.iterations(), 1)) /
                               first_seconds;
  state.counters["written_MiB"] = static_cast<double>(written) / (1 << 20);
  state.counters["budget_MiB"] = 2.0 * static_cast<double>(db_bytes + (10u << 20)) / (1 << 20);
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
  RegisterPerSet("SnapshotAfterChange", SnapshotAfterChange);
  RegisterPerSet("CheckReadAll", CheckReadAll);
  RegisterPerSet("Export", Export);
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
