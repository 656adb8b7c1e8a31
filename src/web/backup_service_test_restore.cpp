// BackupService's test restores (backup_service.h): the newest good restore
// point is exported under the exclusive lock, then `arkwiki backup
// test-restore` restores, serves and checks it in a scratch directory as a
// child process, outside the lock: the live data is not touched, so edits,
// backups and imports go on meanwhile. The CLI command is the one place that
// knows how to prove a backup restores; running it as a child also keeps a
// second server's threads and memory out of this process.
#include <Poco/Exception.h>
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>
#include <Poco/JSON/Parser.h>

#include <chrono>
#include <utility>

#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "arkwiki/process/child_process.h"
#include "backup_service.h"

namespace arkwiki::web {
namespace {

// Pages rendered (with their uploads fetched) per test restore: enough to
// catch a restore that serves nothing, quick on a large wiki.
constexpr char kSamplePages[] = "20";
// `backup test-restore` exit codes (cli.h): a check failed, the archive
// was refused. Any other non-zero code means it could not run.
constexpr int kExitCheckFailed = 1;
constexpr int kExitArchiveRejected = 3;

std::string LastLine(const std::string& text) {
  const size_t end = text.find_last_not_of(" \n\r\t");
  if (end == std::string::npos) return "";
  const size_t begin = text.find_last_of('\n', end);
  std::string line = text.substr(begin == std::string::npos ? 0 : begin + 1,
                                 end - (begin == std::string::npos ? 0 : begin + 1) + 1);
  const std::string prefix = "arkwiki: error: ";
  return line.rfind(prefix, 0) == 0 ? line.substr(prefix.size()) : line;
}

// The report's problems joined, or how many checks passed.
std::string Summary(const process::ProcessResult& r) {
  try {
    Poco::JSON::Parser parser;
    const auto report = parser.parse(r.out).extract<Poco::JSON::Object::Ptr>();
    const auto problems = report->getArray("problems");
    const auto checks = report->getArray("checks");
    std::string text;
    for (size_t i = 0; problems && i < problems->size(); ++i) {
      text +=
          (text.empty() ? "" : "; ") + problems->getElement<std::string>(static_cast<unsigned>(i));
    }
    if (!text.empty()) return text;
    return std::to_string(checks ? checks->size() : 0) + " checks passed";
  } catch (const Poco::Exception&) {
  } catch (const std::exception&) {
  }
  return LastLine(r.err);
}

std::string DurationText(int64_t ms) {
  return ms < 1000 ? std::to_string(ms) + " ms" : std::to_string(ms / 1000) + " s";
}

}  // namespace

std::string TestRestoreFailure(const std::string& point_id, const std::string& message) {
  return "test restore of restore point " + point_id + ": " + message;
}

Status BackupService::StartTestRestore(const std::string& actor) {
  return jobs_.Spawn([this, actor] {
    Status s = RunTestRestore(NowUnixSeconds(), actor);
    if (!s.ok()) LogWarning("test restore: " + s.ToString());
  });
}

TestRestoreRunner ChildTestRestoreRunner(std::string binary, int64_t time_limit_ms) {
  return [binary = std::move(binary), time_limit_ms](
             const std::string& archive, const std::string& scratch) -> Result<TestRestoreRun> {
    ARKWIKI_ASSIGN_OR_RETURN(
        process::ProcessResult r,
        process::RunProcess(binary,
                            {"backup", "test-restore", archive, "--scratch", scratch, "--sample",
                             kSamplePages, "--json", "--progress=never"},
                            "", {}, time_limit_ms));
    if (r.timed_out) {
      return TestRestoreRun{
          false, "did not finish within " + DurationText(time_limit_ms) + " and was stopped"};
    }
    TestRestoreRun run;
    run.passed = r.exit_code == 0;
    run.message = Summary(r);
    if (r.exit_code == 0 || r.exit_code == kExitCheckFailed ||
        r.exit_code == kExitArchiveRejected) {
      return run;
    }
    return Status::IoError("backup test-restore exited " + std::to_string(r.exit_code) + ": " +
                           run.message);
  };
}

Status BackupService::RunTestRestore(int64_t now, const std::string& actor) {
  const auto started = std::chrono::steady_clock::now();
  std::string point_id;
  // Its own directory: a test restore started by hand may overlap the
  // scheduler's outside the lock.
  const std::string work = JoinPath(app_.layout().tmp, "test-restore-" + RandomHex(6));
  Result<TestRestoreRun> run = [&]() -> Result<TestRestoreRun> {
    std::string archive;
    {
      std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
      if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
      ARKWIKI_ASSIGN_OR_RETURN(std::vector<SnapshotInfo> points, points_.List());
      const SnapshotInfo* point = NewestGoodPoint(points);
      if (point == nullptr) return Status::NotFound("there is no restore point to test");
      point_id = point->id;
      // DATA/tmp is emptied at start: a crash leaves nothing behind for long.
      ARKWIKI_RETURN_IF_ERROR(app_.env()->CreateDirs(work));
      archive = JoinPath(work, "restore-point-" + point_id + ".zip");
      ARKWIKI_RETURN_IF_ERROR(points_.ExportToFile(point_id, archive).status());
    }
    if (!test_restore_) return Status::Unsupported("no test restore runner");
    return test_restore_(archive, JoinPath(work, "scratch"));
  }();
  if (run.status().code() == StatusCode::kBusy || run.status().code() == StatusCode::kNotFound) {
    return run.status();  // nothing was tested: the scheduler tries again
  }
  if (Status removed = app_.env()->RemoveTree(work); !removed.ok()) {
    LogWarning("could not remove the test restore's files: " + removed.ToString());
  }
  const bool passed = run.ok() && run->passed;
  const std::string message =
      run.ok() ? run->message : "the test restore could not run: " + run.status().message();
  Journal({now, "test_restore", passed ? "ok" : "failed", actor, point_id, 0, MillisSince(started),
           message});
  {
    std::lock_guard<std::mutex> guard(status_mu_);
    status_.last_test_restore = now;
    status_.last_test_restore_passed = passed;
    status_.last_test_restore_message = message;
  }
  if (passed) return Status::Ok();
  points_.RecordFailure(now, TestRestoreFailure(point_id, message));
  Alert("test_restore_failed", now, message, {{"restore_point", point_id}});
  return run.ok() ? Status::Corruption(message) : run.status();
}

}  // namespace arkwiki::web
