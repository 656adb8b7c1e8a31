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
//                            written_MiB <= budget_MiB), check_vs_first
//                            (the database check every point gets, alone,
//                            on a copy of the same database: the least any
//                            second snapshot can take, over the first's time)
//   Retention30Days/<set>    30 daily restore points of a wiki that grows
//                            1% a day (1% more uploads, by count and bytes,
//                            and 1% of its pages edited, at least one), on
//                            a private copy of the set; nothing pruned.
//                            Counters: repo_MiB (the repository's blocks on
//                            disk), newest_MiB (the newest point's files:
//                            database, settings, uploads), vs_newest (their
//                            ratio; target <= 1.5), db_MiB (the newest
//                            point's database), snapshot_s (mean snapshot
//                            time). ARKWIKI_BENCH_RETENTION_DAYS changes 30.
//   CheckReadAll/<set>       Repository::Check re-hashing every object
//   Prune/<set>              Repository::Prune after a second, unchanged
//                            restore point and the deletion of the first:
//                            every manifest read, every object listed, and
//                            nothing to remove (peak RSS is the point)
//   Export/<set>             Repository::Export of the newest restore point
//                            into a sink that drops the bytes
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "arkwiki/backup/repository.h"
#include "arkwiki/storage/storage.h"
#include "bench_report.h"
#include "create/db_snapshot.h"
#include "verify/db_check.h"

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

// Adds `count` new uploads of `size` bytes to `page_id`, incompressible and
// different for every (round, i).
Status AddUploads(Storage* storage, int64_t page_id, int round, uint64_t count, uint64_t size) {
  std::string bytes(size, '\0');
  for (uint64_t i = 0; i < count; ++i) {
    uint64_t x = (static_cast<uint64_t>(round) << 32) + i + 1;
    for (size_t at = 0; at < bytes.size(); at += 8) {
      x ^= x << 13, x ^= x >> 7, x ^= x << 17;  // xorshift64: incompressible
      std::memcpy(&bytes[at], &x, std::min<size_t>(8, bytes.size() - at));
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

// Saves the pages "changed-0" .. "changed-<count-1>" (created on their
// first save, a new revision after), each with `markdown_bytes` of text;
// returns the last page's id.
Result<int64_t> EditPages(Storage* storage, int round, int count, size_t markdown_bytes) {
  int64_t page_id = 0;
  for (int i = 0; i < count; ++i) {
    SavePageRequest req;
    req.slug = "changed-" + std::to_string(i);
    req.title = "Changed page " + std::to_string(i);
    req.markdown = "Edited in round " + std::to_string(round) + ".\n";
    while (req.markdown.size() < markdown_bytes) {
      req.markdown += "A line of page text, edited in round " + std::to_string(round) + ".\n";
    }
    req.author = "bench";
    ARKWIKI_ASSIGN_OR_RETURN(Page page, storage->pages().Save(req));
    page_id = page.id;
  }
  return page_id;
}

// What the second snapshot follows: 10 pages edited (created on
// round 0) and 10 new uploads of 1 MiB, different in every round.
Status ChangeWiki(const std::string& data_dir, int round) {
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), data_dir));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t page_id, EditPages(storage.get(), round, 10, 0));
  return AddUploads(storage.get(), page_id, round, 10, 1 << 20);
}

// A private copy of the set's data directory at `dir` (the benchmark's
// changes must not leak into the cached set).
void CopySet(const std::string& set_dir, const std::string& dir) {
  CheckOk(Env::Default()->RemoveTree(dir), "removing the copy");
  const std::string cp = "cp -a --reflink=auto '" + set_dir + "' '" + dir + "'";
  if (std::system(cp.c_str()) != 0) CheckOk(Status::IoError(cp + " failed"), "copying the set");
}

// Seconds of CheckUntrustedDatabase on a copy of the wiki's database at
// `data_dir`, taken as a snapshot takes it (SnapshotDatabase, untimed):
// the check a snapshot runs on every restore point's database, here with
// nothing beside it.
double DatabaseCheckSeconds(const std::string& data_dir) {
  const std::string copy = JoinPath(BenchDir(), "repository-bench-check.db");
  CheckOk(SnapshotDatabase(Env::Default(), DataDirLayout(data_dir), copy, RowCheck::kCallerChecks)
              .status(),
          "copying the database");
  const double start = NowSeconds();
  CheckOk(CheckUntrustedDatabase(Env::Default(), copy, [](const Sha256Raw&, uint64_t) {}).status(),
          "checking the database copy");
  const double seconds = NowSeconds() - start;
  CheckOk(Env::Default()->RemoveFile(copy), "removing the database copy");
  return seconds;
}

void SnapshotAfterChange(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto set_dir = SetDirFor(spec, &stats);
  CheckOk(set_dir.status(), "seeding");
  const std::string dir = JoinPath(BenchDir(), "repository-bench-changed");
  CopySet(*set_dir, dir);
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
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
    // The whole database, as the budget counts it: since restore
    // points store the database as chunks, `new_bytes` holds only the
    // chunks that changed.
    db_bytes = std::filesystem::file_size(DataDirLayout(dir).database);
    peak = std::max(peak, PeakRssBytes());
    state.ResumeTiming();
  }
  const double check_seconds = DatabaseCheckSeconds(dir);
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  CheckOk(Env::Default()->RemoveTree(dir), "removing the copy");
  ReportSet(state, stats, peak);
  state.counters["first_s"] = first_seconds;
  state.counters["check_vs_first"] = check_seconds / first_seconds;
  state.counters["vs_first"] = snapshot_seconds /
                               static_cast<double>(std::max<int64_t>(state.iterations(), 1)) /
                               first_seconds;
  state.counters["written_MiB"] = static_cast<double>(written) / (1 << 20);
  state.counters["budget_MiB"] = 2.0 * static_cast<double>(db_bytes + (10u << 20)) / (1 << 20);
}

// Bytes of the blocks the files under `dir` take on disk (as du counts).
uint64_t DiskBytes(const std::string& dir) {
  uint64_t total = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
    struct stat st {};
    if (::lstat(e.path().c_str(), &st) == 0) total += static_cast<uint64_t>(st.st_blocks) * 512;
  }
  return total;
}

// One day of the retention benchmark: 1% more uploads (by count, each of
// the wiki's mean upload size) and 1% of the pages edited, at least one.
// The storage skips its per-file syncs (the benchmark syncs once before
// each snapshot): the growth is set-up, not what is measured.
Status GrowOnePercent(const std::string& data_dir, int day) {
  NoSyncEnv env(Env::Default());
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(&env, data_dir));
  ARKWIKI_ASSIGN_OR_RETURN(WikiCounts counts, storage->Counts());
  const int edits = static_cast<int>(std::max<int64_t>(1, counts.pages / 100));
  ARKWIKI_ASSIGN_OR_RETURN(int64_t page_id, EditPages(storage.get(), day, edits, 4096));
  const auto uploads = static_cast<uint64_t>(std::max<int64_t>(counts.uploads, 1));
  const uint64_t size = std::max<uint64_t>(1, static_cast<uint64_t>(counts.upload_bytes) / uploads);
  return AddUploads(storage.get(), page_id, day, (uploads + 99) / 100, size);
}

void Retention30Days(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto set_dir = SetDirFor(spec, &stats);
  CheckOk(set_dir.status(), "seeding");
  const int days = static_cast<int>(EnvNumber("ARKWIKI_BENCH_RETENTION_DAYS", 30));
  const std::string dir = JoinPath(BenchDir(), "repository-bench-retention");
  uint64_t peak = 0, repo_bytes = 0, newest_bytes = 0, db_bytes = 0;
  double snapshot_seconds = 0;
  for (auto _ : state) {
    CopySet(*set_dir, dir);
    CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
    ResetPeakRss();
    for (int day = 1; day <= days; ++day) {
      // Day 1 is the wiki as seeded.
      if (day > 1) CheckOk(GrowOnePercent(dir, day), "growing the wiki");
      ::sync();
      const double start = NowSeconds();
      auto point = OpenRepo(dir)->Snapshot(SnapshotRequest{});
      CheckOk(point.status(), "Snapshot");
      snapshot_seconds += NowSeconds() - start;
      newest_bytes = point->total_bytes;
    }
    peak = std::max(peak, PeakRssBytes());
    repo_bytes = DiskBytes(RepoDir());
    auto db_size = Env::Default()->GetFileSize(DataDirLayout(dir).database);
    db_bytes = db_size.ok() ? *db_size : 0;
  }
  CheckOk(Env::Default()->RemoveTree(RepoDir()), "removing the repository");
  CheckOk(Env::Default()->RemoveTree(dir), "removing the copy");
  ReportSet(state, stats, peak);
  const double mib = 1 << 20;
  state.counters["days"] = days;
  state.counters["repo_MiB"] = static_cast<double>(repo_bytes) / mib;
  state.counters["newest_MiB"] = static_cast<double>(newest_bytes) / mib;
  state.counters["vs_newest"] =
      static_cast<double>(repo_bytes) / static_cast<double>(std::max<uint64_t>(newest_bytes, 1));
  state.counters["db_MiB"] = static_cast<double>(db_bytes) / mib;
  state.counters["snapshot_s"] =
      snapshot_seconds / static_cast<double>(std::max<int64_t>(state.iterations(), 1) * days);
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

void Prune(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  const std::string dir = SetWithOnePoint(spec, &stats);
  uint64_t peak = 0;
  for (auto _ : state) {
    state.PauseTiming();
    auto repo = OpenRepo(dir);
    auto points = repo->List();
    CheckOk(points.status(), "List");
    CheckOk(repo->Snapshot(SnapshotRequest{}).status(), "Snapshot");
    CheckOk(repo->Delete(points->front().id), "Delete");
    ResetPeakRss();
    state.ResumeTiming();
    CheckOk(OpenRepo(dir)->Prune().status(), "Prune");
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
  RegisterPerSet("Retention30Days", Retention30Days, /*iterations=*/1);
  RegisterPerSet("Prune", Prune);
  RegisterPerSet("Export", Export);
}

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
