// The counters every arkwiki benchmark reports, so the tables line up:
//   bytes_per_second  upload-set bytes (uncompressed) per second: MB/s
//   items_per_second  files per second
//   peak_rss_MiB      the highest VmHWM seen in an iteration, measured from
//                     a reset at the start of that iteration (see
//                     ResetPeakRss), so seeding does not count
//   set_MiB, files    what was measured
#pragma once

#include <benchmark/benchmark.h>

#include <cstdint>

#include "bench_support.h"

namespace arkwiki::bench {

inline void ReportSet(benchmark::State& state, const SetStats& stats, uint64_t peak_rss_bytes) {
  const auto iterations = static_cast<int64_t>(state.iterations());
  state.SetBytesProcessed(static_cast<int64_t>(stats.bytes) * iterations);
  state.SetItemsProcessed(static_cast<int64_t>(stats.files) * iterations);
  state.counters["peak_rss_MiB"] = static_cast<double>(peak_rss_bytes) / (1 << 20);
  state.counters["set_MiB"] = static_cast<double>(stats.bytes) / (1 << 20);
  state.counters["files"] = static_cast<double>(stats.files);
}

// Registers `fn(state, spec)` once per mixed size and per tiny size from the
// environment (bench_support.h), named "<prefix>/<set name>". A positive
// `iterations` fixes the count (for a benchmark whose one run is long).
template <typename Fn>
void RegisterPerSet(const char* prefix, Fn fn, int64_t iterations = 0) {
  auto add = [&](const SetSpec& spec) {
    auto* b = benchmark::RegisterBenchmark((std::string(prefix) + "/" + spec.Name()).c_str(),
                                           [fn, spec](benchmark::State& st) { fn(st, spec); })
                  ->Unit(benchmark::kMillisecond)
                  ->UseRealTime()
                  ->MeasureProcessCPUTime();
    if (iterations > 0) b->Iterations(iterations);
  };
  for (uint64_t mb : EnvList("ARKWIKI_BENCH_MIXED_MB", {256, 1024})) add(MixedSpec(mb));
  for (uint64_t files : EnvList("ARKWIKI_BENCH_TINY_FILES", {50000})) add(TinySpec(files));
}

}  // namespace arkwiki::bench

// main() for a program whose benchmarks are registered by `register_fn`.
#define ARKWIKI_BENCH_MAIN(register_fn)                       \
  int main(int argc, char** argv) {                           \
    benchmark::Initialize(&argc, argv);                       \
    if (benchmark::ReportUnrecognizedArguments(argc, argv)) { \
      return 1;                                               \
    }                                                         \
    register_fn();                                            \
    benchmark::RunSpecifiedBenchmarks();                      \
    benchmark::Shutdown();                                    \
    return 0;                                                 \
  }
