// What scenarios use to act on wikis: scratch directories, copies of the
// golden data, the arkwiki CLI, servers, the two restore paths, and diffs.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "arkwiki/process/child_process.h"
#include "drill.h"

namespace arkwiki::drill {

struct RestoreRun {
  int http_status = 0;  // http path
  int exit_code = -1;   // cli path
  std::string message;  // stderr or response body (trimmed)
  double seconds = 0;
  double unavailable_ms = -1;   // from the restore JSON (http)
  double measured_503_ms = -1;  // /api/health answered 503 for this long (http)
  std::string safety_backup;  // "restore point ID", or a safety backup's name (http) or path (cli)
};

class DrillContext {
 public:
  explicit DrillContext(DrillConfig config) : config_(std::move(config)) {}
  const DrillConfig& config() const { return config_; }

  // A new empty directory under the run's work root.
  Result<std::string> NewDir(const std::string& name);
  // Copies a golden data directory (server stopped) to `dest`.
  Status CopyGolden(const Golden& golden, const std::string& dest);

  // Runs `arkwiki args...`.
  Result<process::ProcessResult> Arkwiki(const std::vector<std::string>& args,
                                         const process::EnvVars& env = {},
                                         const std::string& stdin_text = "");
  Result<std::unique_ptr<process::ServerProcess>> Serve(const std::string& data_dir,
                                                        const process::EnvVars& env = {});
  // `arkwiki backup create --data DIR --out FILE`; fails unless exit 0.
  Status Backup(const std::string& data_dir, const std::string& out);
  // A fresh install: a bootstrap admin "drill-admin" and its API token.
  Result<std::string> FreshInstall(const std::string& data_dir);

  // `arkwiki backup restore --data DIR FILE --yes` (server must be stopped).
  RestoreRun RestoreCli(const std::string& data_dir, const std::string& archive,
                        const process::EnvVars& env = {});
  // POST /api/restore with the archive as body, polling /api/health on
  // another connection to measure the 503 window.
  RestoreRun RestoreHttp(int port, const std::string& admin_token, const std::string& archive,
                         bool dry_run = false);

  // Captures the wiki on `port` and diffs it against `expected`.
  Result<std::vector<std::string>> DiffServer(int port, const fixture::Fingerprint& expected,
                                              const std::vector<std::string>& exclude = {});
  // Serves `data_dir` briefly (this runs restore recovery) and diffs it.
  Result<std::vector<std::string>> DiffDataDir(const std::string& data_dir,
                                               const fixture::Fingerprint& expected,
                                               const std::vector<std::string>& exclude = {});
  // Removes the directories NewDir made since the last call (after a
  // passing scenario; failing ones are kept for inspection).
  void RemoveScratchDirs();
  std::vector<std::string> scratch_dirs() const { return scratch_dirs_; }
  // Logs a line when verbose.
  void Log(const std::string& line) const;

 private:
  DrillConfig config_;
  int dir_counter_ = 0;
  std::vector<std::string> scratch_dirs_;
};

// Milliseconds since an arbitrary fixed point (steady clock).
double NowMs();

}  // namespace arkwiki::drill
