// Backup download over HTTP: POST /api/backups with an admin API token
// against a real `arkwiki serve` child process, the body written to a file
// on the same disk (as `curl -o` would). Compare with BackupCreate in
// backup_create_bench (the target: within 10%).
//   peak_rss_MiB         the benchmark process (the HTTP client)
//   server_peak_rss_MiB  the server, reset before each download
//   server_life_rss_MiB  the server's whole life (wait4's ru_maxrss)
#include <algorithm>
#include <vector>

#include "arkwiki/process/child_process.h"
#include "arkwiki/process/http_client.h"
#include "arkwiki/storage/storage.h"
#include "bench_report.h"

namespace arkwiki::bench {
namespace {

Result<std::string> AdminToken(const std::string& data_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), data_dir));
  ARKWIKI_ASSIGN_OR_RETURN(User user, storage->users().Get("bench"));
  return storage->users().CreateApiToken(user.id, "http_backup_bench");
}

// Downloads one backup into `out`; returns the bytes received.
Result<uint64_t> Download(int port, const std::string& token, const std::string& out) {
  process::HttpClient client(port, token);
  ARKWIKI_ASSIGN_OR_RETURN(int status, client.DownloadToFile("POST", "/api/backups", out));
  if (status != 200) return Status::IoError("POST /api/backups answered " + std::to_string(status));
  return Env::Default()->GetFileSize(out);
}

void HttpBackup(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  auto token = AdminToken(*dir);
  CheckOk(token.status(), "creating an API token");
  auto server = process::ServerProcess::Start(ARKWIKI_BINARY, *dir,
                                              JoinPath(BenchDir(), "http-bench-server.log"));
  CheckOk(server.status(), "starting the server");
  const std::string out = JoinPath(BenchDir(), "http-backup-bench.zip");
  uint64_t peak = 0, server_peak = 0, received = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Env::Default()->RemoveFile(out);
    ResetPeakRss();
    ResetPeakRss((*server)->pid());
    state.ResumeTiming();
    auto n = Download((*server)->port(), *token, out);
    if (!n.ok()) (*server)->Stop();
    CheckOk(n.status(), "downloading the backup");
    received = *n;
    peak = std::max(peak, PeakRssBytes());
    server_peak = std::max(server_peak, PeakRssBytes((*server)->pid()));
  }
  (*server)->Stop();
  const uint64_t server_life = static_cast<uint64_t>((*server)->LifePeakRssKiB()) * 1024;
  (void)Env::Default()->RemoveFile(out);
  ReportSet(state, stats, peak);
  state.counters["server_peak_rss_MiB"] = static_cast<double>(server_peak) / (1 << 20);
  state.counters["server_life_rss_MiB"] = static_cast<double>(server_life) / (1 << 20);
  state.counters["archive_MiB"] = static_cast<double>(received) / (1 << 20);
}

void Register() { RegisterPerSet("HttpBackup", HttpBackup); }

}  // namespace
}  // namespace arkwiki::bench

ARKWIKI_BENCH_MAIN(arkwiki::bench::Register)
