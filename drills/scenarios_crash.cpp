// Scenarios 7 and 8: SIGKILL in the middle of a backup, and at every named
// crash point of a restore (ARKWIKI_CRASH_AT, see core/crash_point.h).
#include <signal.h>

#include <filesystem>
#include <thread>

#include "arkwiki/process/http_client.h"
#include "capture.h"
#include "scenario_util.h"
#include "state_diff.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

// The crash points of Restorer::Commit, in order. A point is "before the
// swap" when recovery must roll back to the old wiki.
struct CrashPointInfo {
  const char* name;
  bool after_swap;
};
const CrashPointInfo kRestorePoints[] = {
    {"restore.after_safety_backup", false}, {"restore.after_prepare", false},
    {"restore.after_marker", false},        {"restore.in_maintenance", false},
    {"restore.between_renames", false},     {"restore.after_swap", true},
    {"restore.after_marker_removed", true},
};

bool HasPartial(const std::string& dir) {
  std::error_code ec;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (e.path().filename().string().find(".partial-") != std::string::npos) return true;
  }
  return false;
}

// One `backup create` killed once its partial file appears (attempt 0) or
// after a fixed delay. Returns true if the kill landed before it finished.
bool KillOneBackup(DrillContext& ctx, const std::string& data, const std::string& out, int attempt,
                   Verdict* v) {
  auto child = process::ChildProcess::Start(ctx.config().arkwiki,
                                            {"backup", "create", "--data", data, "--out", out}, {},
                                            "/dev/null", out + ".stderr");
  if (!child.ok()) {
    v->Fail("setup: " + child.status().ToString());
    return false;
  }
  const double start = NowMs();
  int code = 0;
  while (!(*child)->Poll(&code)) {
    const bool due = attempt == 0 ? HasPartial(fs::path(out).parent_path().string())
                                  : NowMs() - start >= attempt * 4.0;
    if (due) {
      (*child)->Signal(SIGKILL);
      code = (*child)->Wait();
      break;
    }
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  const bool killed = code == 128 + SIGKILL;
  std::error_code ec;
  if (killed && fs::exists(out, ec)) {
    // Killed after the rename: the archive must be complete.
    auto verify = ctx.Arkwiki({"backup", "verify", out});
    if (!verify.ok() || verify->exit_code != 0) {
      v->Fail("a killed backup left an invalid archive under the final name " + out);
    }
  }
  return killed;
}

void KillDuringBackupCli(DrillContext& ctx, const Golden& g, Prepared& p, Verdict* v) {
  int landed = 0;
  for (int attempt = 0; attempt < 8; ++attempt) {
    const std::string dir = p.dir + "/kill-" + std::to_string(attempt);
    fs::create_directories(dir);
    if (KillOneBackup(ctx, p.data, dir + "/backup.zip", attempt, v)) ++landed;
    if (HasPartial(dir)) {
      v->Note("attempt " + std::to_string(attempt) +
              ": a .partial-* file was left beside the "
              "final name (documented; removed by nothing — an admin may delete it)");
    }
  }
  v->Note(std::to_string(landed) + " of 8 kills landed mid-backup");
  if (landed == 0) v->Fail("no kill landed before the backup finished; the drill proved nothing");
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), g.fp));
  v->RecordDiff("the wiki after the killed backups", diffs);
  DRILL_CHECK(ctx.Backup(p.data, p.dir + "/after.zip"));  // still possible afterwards
}

void KillDuringBackupHttp(DrillContext& ctx, const Golden& g, Prepared& p, Verdict* v) {
  const std::string out = p.dir + "/download.zip";
  Result<int> status = Status::IoError("not run");
  std::thread download([&] {
    process::HttpClient client(p.server->port(), g.fp.admin_token());
    status = client.DownloadToFile("POST", "/api/backups", out);
  });
  const double start = NowMs();
  std::error_code ec;
  while (NowMs() - start < 5000 && (!fs::exists(out, ec) || fs::file_size(out, ec) == 0)) {
    std::this_thread::sleep_for(std::chrono::microseconds(200));
  }
  p.server->Kill();  // SIGKILL the server while it streams the backup
  download.join();
  auto verify = ctx.Arkwiki({"backup", "verify", out});
  v->Note(std::string("download after the kill: ") + (verify.ok() && verify->exit_code == 0
                                                          ? "complete (the backup won the race)"
                                                          : "cut off and rejected by verify"));
  DRILL_ASSIGN(p.server, ctx.Serve(p.data));
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), g.fp));
  v->RecordDiff("the wiki after the server was killed mid-backup", diffs);
}

void KillDuringBackup(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "kill-backup"));
  if (path == "cli") return KillDuringBackupCli(ctx, g, p, v);
  KillDuringBackupHttp(ctx, g, p, v);
}

// Serves the crashed data dir (recovery runs at start) and says which
// state it holds: "old", "new", or a description of the mismatch.
std::string JudgeRecovered(DrillContext& ctx, const std::string& data,
                           const fixture::Fingerprint& old_fp, const fixture::Fingerprint& new_fp) {
  auto server = ctx.Serve(data);
  if (!server.ok()) return "the server did not start: " + server.status().message().substr(0, 200);
  auto state = fixture::CaptureState((*server)->port(), new_fp.admin_token(), new_fp.tokens);
  (*server)->Stop();
  if (!state.ok()) return "unreadable: " + state.status().message();
  if (fs::exists(data + "/restore-intent")) return "the intent marker is still there";
  auto to_old = fixture::DiffStates(old_fp.state, *state);
  auto to_new = fixture::DiffStates(new_fp.state, *state);
  if (to_old.empty()) return "old";
  if (to_new.empty()) return "new";
  return "neither old nor new (" + std::to_string(to_old.size()) + " vs old, " +
         std::to_string(to_new.size()) + " vs new; first: " + to_new[0] + ")";
}

// Kills one restore at `point`; false if the point was never reached.
bool CrashOneRestore(DrillContext& ctx, const std::string& path, const std::string& data,
                     const std::string& archive, const fixture::Fingerprint& fp,
                     const std::string& point, Verdict* v) {
  const process::EnvVars env = {{"ARKWIKI_CRASH_AT", point}};
  if (path == "cli") {
    RestoreRun run = ctx.RestoreCli(data, archive, env);
    return run.exit_code == 128 + SIGKILL;
  }
  auto server = ctx.Serve(data, env);
  if (!server.ok()) {
    v->Fail("setup: " + server.status().ToString());
    return false;
  }
  RestoreRun run = ctx.RestoreHttp((*server)->port(), fp.admin_token(), archive);
  for (int i = 0; i < 500 && !(*server)->Exited(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return (*server)->Exited() && run.http_status != 200;
}

void CrashDuringRestore(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  // The live wiki is changed after the backup, so "old" (changed) and
  // "new" (the archive's) states differ.
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "crash-restore"));
  DRILL_ASSIGN(fixture::Fingerprint changed, MakeChanges(ctx, p.server->port(), g.fp));
  p.server->Stop();
  int reached = 0;
  for (const CrashPointInfo& point : kRestorePoints) {
    const std::string data = p.dir + "/" + point.name;
    DRILL_CHECK(ctx.CopyGolden(Golden{g.profile, p.data, "", g.fp}, data));
    const double start = NowMs();
    if (!CrashOneRestore(ctx, path, data, p.archive, g.fp, point.name, v)) {
      v->Note(std::string(point.name) + ": not reached" +
              (std::string(point.name) == "restore.between_renames"
                   ? " (only on file systems without RENAME_EXCHANGE)"
                   : ""));
      if (std::string(point.name) != "restore.between_renames") {
        v->Fail(std::string(point.name) + " was not reached");
      }
      continue;
    }
    ++reached;
    const std::string got = JudgeRecovered(ctx, data, changed, g.fp);
    const std::string want = point.after_swap ? "new" : "old";
    v->Note(std::string(point.name) + ": killed after " +
            std::to_string(static_cast<int>(NowMs() - start)) + " ms; recovered to " + got);
    if (got != "old" && got != "new") {
      v->data_lost = true;
      v->Fail(std::string(point.name) + ": " + got);
    } else if (got != want) {
      v->Fail(std::string(point.name) + ": recovered to the " + got + " state, expected " + want);
    }
  }
  v->Note(std::to_string(reached) + " crash point(s) exercised");
}

}  // namespace

std::vector<Scenario> CrashScenarios() {
  return {
      {7, "kill-during-backup", "kill -9 during a backup", {"cli", "http"}, KillDuringBackup},
      {8,
       "kill-during-restore",
       "kill -9 at each restore step",
       {"cli", "http"},
       CrashDuringRestore},
  };
}

}  // namespace arkwiki::drill
