#include "drill_context.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <thread>

#include "arkwiki/process/http_client.h"
#include "capture.h"
#include "state_diff.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

// The "arkwiki: error:" lines of a failed command's stderr (progress lines
// would drown them), or its tail when it has none.
std::string ErrorLines(const std::string& err) {
  std::string out;
  size_t at = 0;
  while ((at = err.find("error:", at)) != std::string::npos) {
    size_t start = err.rfind('\n', at);
    start = start == std::string::npos ? 0 : start + 1;
    size_t end = err.find('\n', at);
    out += (out.empty() ? "" : " / ") +
           err.substr(start, end == std::string::npos ? end : end - start);
    at = end == std::string::npos ? err.size() : end;
  }
  return out;
}

std::string Trim(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ' || s.back() == '\r')) s.pop_back();
  size_t cr = s.rfind('\r');  // progress lines: keep what follows the last \r
  if (cr != std::string::npos && s.size() > 4000) s = s.substr(cr + 1);
  return s.size() > 1500 ? s.substr(s.size() - 1500) : s;
}

}  // namespace

double NowMs() {
  return std::chrono::duration<double, std::milli>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

void DrillContext::Log(const std::string& line) const {
  if (config_.verbose) std::fprintf(stderr, "  | %s\n", line.c_str());
}

Result<std::string> DrillContext::NewDir(const std::string& name) {
  const std::string dir = config_.work_root + "/" + std::to_string(++dir_counter_) + "-" + name;
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  if (ec) return Status::IoError("cannot create " + dir + ": " + ec.message());
  scratch_dirs_.push_back(dir);
  return dir;
}

void DrillContext::RemoveScratchDirs() {
  for (const auto& dir : scratch_dirs_) {
    std::error_code ec;
    fs::remove_all(dir, ec);
    if (ec)
      std::fprintf(stderr, "warning: could not remove %s: %s\n", dir.c_str(), ec.message().c_str());
  }
  scratch_dirs_.clear();
}

Status DrillContext::CopyGolden(const Golden& golden, const std::string& dest) {
  std::error_code ec;
  fs::copy(golden.data_dir, dest, fs::copy_options::recursive | fs::copy_options::copy_symlinks,
           ec);
  if (ec)
    return Status::IoError("copying " + golden.data_dir + " to " + dest + ": " + ec.message());
  return Status::Ok();
}

Result<process::ProcessResult> DrillContext::Arkwiki(const std::vector<std::string>& args,
                                                     const process::EnvVars& env,
                                                     const std::string& stdin_text) {
  return process::RunProcess(config_.arkwiki, args, stdin_text, env);
}

Result<std::unique_ptr<process::ServerProcess>> DrillContext::Serve(const std::string& data_dir,
                                                                    const process::EnvVars& env) {
  // Logs go to the work root, not beside the data: a data directory may
  // sit on a small file system the drill fills on purpose.
  const std::string logs = config_.work_root + "/logs";
  std::error_code ec;
  fs::create_directories(logs, ec);
  return process::ServerProcess::Start(
      config_.arkwiki, data_dir, logs + "/server-" + std::to_string(++dir_counter_) + ".log", env);
}

Status DrillContext::Backup(const std::string& data_dir, const std::string& out) {
  ARKWIKI_ASSIGN_OR_RETURN(auto r, Arkwiki({"backup", "create", "--data", data_dir, "--out", out}));
  if (r.exit_code != 0) {
    return Status::IoError("backup create exited " + std::to_string(r.exit_code) + ": " +
                           Trim(r.err));
  }
  return Status::Ok();
}

Result<std::string> DrillContext::FreshInstall(const std::string& data_dir) {
  ARKWIKI_ASSIGN_OR_RETURN(auto add, Arkwiki({"user", "add", "--data", data_dir, "--name",
                                              "drill-admin", "--role", "admin", "--password-stdin"},
                                             {}, "drill-admin-password\n"));
  if (add.exit_code != 0) return Status::IoError("user add: " + Trim(add.err));
  ARKWIKI_ASSIGN_OR_RETURN(auto token, Arkwiki({"token", "create", "--data", data_dir, "--user",
                                                "drill-admin", "--label", "drill"}));
  if (token.exit_code != 0) return Status::IoError("token create: " + Trim(token.err));
  return Trim(token.out);
}

RestoreRun DrillContext::RestoreCli(const std::string& data_dir, const std::string& archive,
                                    const process::EnvVars& env) {
  RestoreRun run;
  auto r = Arkwiki({"backup", "restore", "--data", data_dir, archive, "--yes"}, env);
  if (!r.ok()) {
    run.message = r.status().ToString();
    return run;
  }
  run.exit_code = r->exit_code;
  run.seconds = r->seconds;
  const std::string errors = ErrorLines(r->err);
  run.message = Trim(r->exit_code == 0 ? r->out : errors.empty() ? r->err : errors);
  const std::string marker = "safety backup of the previous data: ";
  size_t at = r->out.find(marker);
  if (at != std::string::npos) run.safety_backup = Trim(r->out.substr(at + marker.size()));
  return run;
}

RestoreRun DrillContext::RestoreHttp(int port, const std::string& admin_token,
                                     const std::string& archive, bool dry_run) {
  RestoreRun run;
  std::atomic<bool> stop{false};
  double first_503 = -1, last_503 = -1;
  std::thread poller([&] {
    process::HttpClient probe(port);
    while (!stop) {
      const int status = probe.Health();
      if (status == 503) {
        if (first_503 < 0) first_503 = NowMs();
        last_503 = NowMs();
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
  });
  process::HttpClient client(port, admin_token);
  const double start = NowMs();
  auto reply = client.PostFile(std::string("/api/restore") + (dry_run ? "?dry_run=1" : ""), archive,
                               "application/zip");
  run.seconds = (NowMs() - start) / 1000;
  stop = true;
  poller.join();
  if (first_503 >= 0) run.measured_503_ms = last_503 - first_503;
  if (!reply.ok()) {
    run.message = reply.status().ToString();
    return run;
  }
  run.http_status = reply->status;
  run.message = Trim(reply->body);
  auto json = process::ParseJsonObject(reply->body);
  if (json.ok() && (*json)->has("unavailable_ms")) {
    run.unavailable_ms = (*json)->getValue<double>("unavailable_ms");
    run.safety_backup = (*json)->optValue<std::string>("safety_backup", "");
  }
  return run;
}

Result<std::vector<std::string>> DrillContext::DiffServer(int port,
                                                          const fixture::Fingerprint& expected,
                                                          const std::vector<std::string>& exclude) {
  ARKWIKI_ASSIGN_OR_RETURN(fixture::WikiState state,
                           fixture::CaptureState(port, expected.admin_token(), expected.tokens));
  fixture::DiffOptions options;
  options.exclude_slug_prefixes = exclude;
  return fixture::DiffStates(expected.state, state, options);
}

Result<std::vector<std::string>> DrillContext::DiffDataDir(
    const std::string& data_dir, const fixture::Fingerprint& expected,
    const std::vector<std::string>& exclude) {
  ARKWIKI_ASSIGN_OR_RETURN(auto server, Serve(data_dir));
  auto diffs = DiffServer(server->port(), expected, exclude);
  const int code = server->Stop();
  if (diffs.ok() && code != 0) {
    return Status::IoError("the server on " + data_dir + " exited with " + std::to_string(code));
  }
  return diffs;
}

}  // namespace arkwiki::drill
