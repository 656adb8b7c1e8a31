// Backup download over HTTP: POST /api/backups with an admin API token
// against a real `arkwiki serve` child process, the body written to a file
// on the same disk (as `curl -o` would). Compare with BackupCreate in
// backup_create_bench (the target: within 10%).
//   peak_rss_MiB         the benchmark process (the HTTP client)
//   server_peak_rss_MiB  the server, reset before each download
//   server_life_rss_MiB  the server's whole life (wait4's ru_maxrss)
#include <Poco/Net/HTTPClientSession.h>
#include <Poco/Net/HTTPRequest.h>
#include <Poco/Net/HTTPResponse.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <thread>
#include <vector>

#include "arkwiki/storage/storage.h"
#include "bench_report.h"

extern char** environ;

namespace arkwiki::bench {
namespace {

struct Server {
  pid_t pid = -1;
  int port = 0;
};

Result<std::string> AdminToken(const std::string& data_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto storage, Storage::Open(Env::Default(), data_dir));
  ARKWIKI_ASSIGN_OR_RETURN(User user, storage->users().Get("bench"));
  return storage->users().CreateApiToken(user.id, "http_backup_bench");
}

Result<Server> StartServer(const std::string& data_dir) {
  const std::string port_file = JoinPath(BenchDir(), "http-bench.port");
  (void)Env::Default()->RemoveFile(port_file);
  std::vector<std::string> args = {ARKWIKI_BINARY, "serve",       "--data",      data_dir,
                                   "--listen",     "127.0.0.1:0", "--port-file", port_file};
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  Server server;
  if (posix_spawn(&server.pid, ARKWIKI_BINARY, nullptr, nullptr, argv.data(), environ) != 0) {
    return Status::IoError("cannot start " + std::string(ARKWIKI_BINARY));
  }
  for (int i = 0; i < 300; ++i) {  // up to 30 s
    auto text = ReadFileToString(Env::Default(), port_file, 64);
    if (text.ok() && !text->empty() && text->back() == '\n') {
      server.port = std::stoi(*text);
      return server;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ::kill(server.pid, SIGKILL);
  ::waitpid(server.pid, nullptr, 0);
  return Status::IoError("the server did not write its port file within 30 s");
}

uint64_t StopServer(const Server& server) {
  ::kill(server.pid, SIGTERM);
  int status = 0;
  struct rusage usage {};
  ::wait4(server.pid, &status, 0, &usage);
  return static_cast<uint64_t>(usage.ru_maxrss) * 1024;
}

// Downloads one backup into `out`; returns the bytes received.
Result<uint64_t> Download(const Server& server, const std::string& token, const std::string& out,
                          std::vector<char>* buf) {
  Poco::Net::HTTPClientSession session("127.0.0.1", static_cast<Poco::UInt16>(server.port));
  session.setTimeout(Poco::Timespan(600, 0));
  Poco::Net::HTTPRequest request(Poco::Net::HTTPRequest::HTTP_POST, "/api/backups",
                                 Poco::Net::HTTPMessage::HTTP_1_1);
  request.set("Authorization", "Bearer " + token);
  request.setContentLength(0);
  session.sendRequest(request);
  Poco::Net::HTTPResponse response;
  std::istream& body = session.receiveResponse(response);
  if (response.getStatus() != Poco::Net::HTTPResponse::HTTP_OK) {
    return Status::IoError("POST /api/backups answered " + std::to_string(response.getStatus()));
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto file, Env::Default()->NewWritableFile(out, CreateMode::kTruncate));
  uint64_t total = 0;
  while (body) {
    body.read(buf->data(), static_cast<std::streamsize>(buf->size()));
    const auto n = static_cast<size_t>(body.gcount());
    if (n == 0) break;
    ARKWIKI_RETURN_IF_ERROR(file->Append(std::string_view(buf->data(), n)));
    total += n;
  }
  ARKWIKI_RETURN_IF_ERROR(file->Close());
  return total;
}

void HttpBackup(benchmark::State& state, const SetSpec& spec) {
  SetStats stats;
  auto dir = SetDirFor(spec, &stats);
  CheckOk(dir.status(), "seeding");
  auto token = AdminToken(*dir);
  CheckOk(token.status(), "creating an API token");
  auto server = StartServer(*dir);
  CheckOk(server.status(), "starting the server");
  const std::string out = JoinPath(BenchDir(), "http-backup-bench.zip");
  std::vector<char> buf(1 << 20);
  uint64_t peak = 0, server_peak = 0, received = 0;
  for (auto _ : state) {
    state.PauseTiming();
    (void)Env::Default()->RemoveFile(out);
    ResetPeakRss();
    ResetPeakRss(server->pid);
    state.ResumeTiming();
    auto n = Download(*server, *token, out, &buf);
    if (!n.ok()) StopServer(*server);
    CheckOk(n.status(), "downloading the backup");
    received = *n;
    peak = std::max(peak, PeakRssBytes());
    server_peak = std::max(server_peak, PeakRssBytes(server->pid));
  }
  const uint64_t server_life = StopServer(*server);
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
