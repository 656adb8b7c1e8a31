// Verify (`arkwiki backup verify FILE`, in-process) of each set's archive:
// ZIP structure, manifest checksum, every entry's CRC-32 and SHA-256, and
// the hardened database check. bytes_per_second counts uncompressed bytes
// checked; archive_MBps counts archive bytes read.
#include <algorithm>

#include "archive_cache.h"
#include "arkwiki/backup/archive_reader.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

void Verify(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto archive = ArchiveFor(spec, &stats);
  CheckOk(archive.status(), "preparing the archive");
  const std::string scratch = JoinPath(BenchDir(), "tmp");
  CheckOk(Env::Default()->CreateDirs(scratch), "creating " + scratch);
  VerifyOptions options;
  options.scratch_dir = scratch;
  uint64_t peak = 0;
  VerifyReport last;
  for (auto _ : state) {
    state.PauseTiming();
    ResetPeakRss();
    state.ResumeTiming();
    auto report = VerifyArchive(Env::Default(), *archive, options);
    CheckOk(report.status(), "VerifyArchive");
    last = std::move(report).value();
    peak = std::max(peak, PeakRssBytes());
  }
  // Bytes checked = uploads + database + settings: what verify hashes.
  ReportSet(state, SetStats{last.files_checked, last.bytes_checked}, peak);
  state.counters["archive_MBps"] = benchmark::Counter(
      static_cast<double>(last.archive_bytes) * static_cast<double>(state.iterations()),
      benchmark::Counter::kIsRate, benchmark::Counter::kIs1000);
}

void Register() { RegisterPerSet("Verify", Verify); }

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
