// arkwiki-bench-seed: makes a benchmark upload set (bench_support.h) in a
// data directory, for benchmarks/compare and for anyone reproducing a run.
//
//   arkwiki-bench-seed --set mixed [--total-mb 1024] [--small-files 3000]
//                      [--seed 1] --data DIR
//   arkwiki-bench-seed --set tiny [--files 50000] [--seed 1] --data DIR
//
// Prints "<files> <bytes>" (uploads only) on standard output. Reuses DIR if
// it already holds exactly this set.
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "bench_support.h"

namespace {

int Usage(const char* why) {
  std::fprintf(stderr,
               "arkwiki-bench-seed: %s\n"
               "usage: arkwiki-bench-seed --set mixed|tiny [--total-mb N] [--small-files N]\n"
               "                          [--files N] [--seed N] --data DIR\n",
               why);
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  using namespace arkwiki::bench;
  SetSpec spec;
  std::string data, set;
  bool small_given = false;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    if (i + 1 >= argc) return Usage(("missing value for " + flag).c_str());
    std::string value = argv[++i];
    uint64_t n = std::strtoull(value.c_str(), nullptr, 10);
    if (flag == "--set")
      set = value;
    else if (flag == "--data")
      data = value;
    else if (flag == "--total-mb")
      spec.total_mb = n;
    else if (flag == "--small-files")
      spec.small_files = n, small_given = true;
    else if (flag == "--files")
      spec.tiny_files = n;
    else if (flag == "--seed")
      spec.seed = n;
    else
      return Usage(("unknown flag " + flag).c_str());
  }
  if (data.empty() || !ParseKind(set, &spec))
    return Usage("--set mixed|tiny and --data are required");
  if (spec.kind == SetSpec::Kind::kMixed && !small_given) {
    spec.small_files = MixedSpec(spec.total_mb).small_files;  // same default as the benchmarks
  }
  double start = NowSeconds();
  auto stats = EnsureSet(spec, data);
  if (!stats.ok()) {
    std::fprintf(stderr, "arkwiki-bench-seed: %s\n", stats.status().ToString().c_str());
    return 1;
  }
  std::fprintf(stderr, "arkwiki-bench-seed: %s in %s: %llu files, %llu bytes (%.1f s)\n",
               spec.Name().c_str(), data.c_str(), static_cast<unsigned long long>(stats->files),
               static_cast<unsigned long long>(stats->bytes), NowSeconds() - start);
  std::printf("%llu %llu\n", static_cast<unsigned long long>(stats->files),
              static_cast<unsigned long long>(stats->bytes));
  return 0;
}
