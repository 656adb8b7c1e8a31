// Shared pieces of the arkwiki benchmark programs (benchmarks/*_bench.cpp)
// and of arkwiki-bench-seed: the deterministic upload-set generator, the
// peak-RSS probes and the environment variables that size every run.
//
// Upload sets (see README.md):
//   mixed  about `total_mb` MiB of incompressible files of 1-16 MiB, plus
//          `small_files` compressible text files of 1-64 KiB;
//   tiny   `tiny_files` compressible text files of 1-4 KiB.
// The same SetSpec always produces byte-identical files (same names, same
// SHA-256s), so runs on different days measure the same data.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "arkwiki/core/env.h"
#include "arkwiki/core/status.h"

namespace arkwiki::bench {

struct SetSpec {
  enum class Kind { kMixed, kTiny } kind = Kind::kMixed;
  uint64_t total_mb = 1024;     // mixed: MiB of incompressible 1-16 MiB files
  uint64_t small_files = 3000;  // mixed: compressible 1-64 KiB text files
  uint64_t tiny_files = 50000;  // tiny: 1-4 KiB text files
  uint64_t seed = 1;
  // "mixed-1024mb-3000s-seed1" / "tiny-50000f-seed1": the set's directory name.
  std::string Name() const;
};

struct SetStats {
  uint64_t files = 0;
  uint64_t bytes = 0;
};

// An Env whose WritableFile::Sync and SyncDir do nothing. Used to seed sets
// quickly, and by benchmarks that measure "one syncfs at the end" against
// the fsync-per-file the code does today (a proposal, see README.md).
class NoSyncEnv final : public EnvWrapper {
 public:
  using EnvWrapper::EnvWrapper;
  Result<std::unique_ptr<WritableFile>> NewWritableFile(const std::string& p,
                                                        CreateMode m) override;
  Status SyncDir(const std::string&) override { return Status::Ok(); }
};

// syncfs(2) on the file system holding `path`: one barrier for everything.
Status SyncFileSystemOf(const std::string& path);

// Parses "mixed" / "tiny" into spec->kind; false when unknown.
bool ParseKind(const std::string& name, SetSpec* spec);

// Makes `data_dir` an arkwiki data directory holding the set: one admin user
// "bench", a few pages, and the uploads, added through Storage and
// UploadStore::Begin/Commit. Syncs are skipped while seeding (an Env that
// turns Sync/SyncDir into no-ops, rows committed in batches) and done once
// at the end with syncfs. If `data_dir`/.bench-set already names this spec,
// nothing is regenerated. Memory stays flat (files stream in 1 MiB blocks).
Result<SetStats> EnsureSet(const SetSpec& spec, const std::string& data_dir);

// Upload files and bytes of an existing set (from its .bench-set marker).
Result<SetStats> ReadSetStats(const std::string& data_dir);

// Peak resident set size in bytes of this process (VmHWM) or of `pid`.
uint64_t PeakRssBytes(pid_t pid = 0);
// Resets VmHWM to the current RSS (writes "5" to /proc/<pid>/clear_refs,
// Linux 4.0+), so the next PeakRssBytes covers only what follows. For this
// process it first calls malloc_trim(0), so heap an earlier benchmark freed
// does not count. False if
// the kernel refused.
bool ResetPeakRss(pid_t pid = 0);

// Benchmark sizing from the environment, with the defaults:
//   ARKWIKI_BENCH_DIR          where sets and archives go (./bench-data)
//   ARKWIKI_BENCH_MIXED_MB     comma list of mixed-set sizes (256,1024)
//   ARKWIKI_BENCH_SMALL_FILES  small files in a mixed set (3000; scaled
//                              down to 3 per MiB for sets under 1000 MiB)
//   ARKWIKI_BENCH_TINY_FILES   comma list of tiny-set sizes (50000)
//   ARKWIKI_BENCH_SEED         generator seed (1)
std::string BenchDir();
std::vector<uint64_t> EnvList(const char* name, std::vector<uint64_t> fallback);
uint64_t EnvNumber(const char* name, uint64_t fallback);
SetSpec MixedSpec(uint64_t total_mb);
SetSpec TinySpec(uint64_t files);
// BenchDir()/sets/<spec.Name()>, seeded on first use.
Result<std::string> SetDirFor(const SetSpec& spec, SetStats* stats);

// Seconds since an arbitrary point (steady clock).
double NowSeconds();

// Aborts the benchmark program with a message naming `what` when !s.ok():
// a benchmark on a failed operation would report nonsense numbers.
void CheckOk(const Status& s, const std::string& what);

}  // namespace arkwiki::bench
