// arkwiki backup restore --data DIR FILE --yes  (offline import)
#include <cstdio>

#include "arkwiki/backup/restore.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/config.h"
#include "arkwiki/storage/settings_store.h"
#include "cli/args.h"
#include "cli/commands.h"

namespace arkwiki::cli {
namespace {

int RestoreExitCode(const Status& s) {
  switch (s.code()) {
    case StatusCode::kNoSpace:
    case StatusCode::kPermissionDenied:
    case StatusCode::kIoError:
    case StatusCode::kBusy:
      return kExitEnvironment;
    case StatusCode::kNotFound:
      return kExitFailure;
    default:
      return kExitArchiveRejected;
  }
}

int Fail(const Status& s, int code) {
  std::fprintf(stderr, "arkwiki: error: %s\n", s.message().c_str());
  return code;
}

}  // namespace

int CmdRestore(const Args& args) {
  if (args.positional.size() != 1) {
    return UsageError("restore takes one FILE",
                      "usage: arkwiki backup restore --data DIR FILE --yes\n");
  }
  if (!args.Has("yes")) {
    return UsageError("restore replaces ALL data in the data directory; add --yes to confirm",
                      "usage: arkwiki backup restore --data DIR FILE --yes\n");
  }
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) return ReportError(config.status());
  Env* env = Env::Default();
  DataDirLayout layout(config->data_dir);
  Status s = PrepareDataDir(env, layout);
  if (!s.ok()) return Fail(s, kExitEnvironment);
  auto lock = DataDirLock::Acquire(layout, "arkwiki backup restore");
  if (!lock.ok()) {
    return Fail(
        Status::Busy(lock.status().message() + "; stop the server first, or import "
                                               "through the running server (POST /api/restore)"),
        kExitEnvironment);
  }
  Restorer restorer(env, layout);
  s = restorer.Recover();
  if (!s.ok()) return Fail(s, kExitEnvironment);
  ImportOptions options;
  options.actor = "cli";
  options.progress = [](const std::string& phase, uint64_t done, uint64_t total) {
    if (total > 0) {
      std::fprintf(stderr, "\r%s: %3.0f%%", phase.c_str(), 100.0 * done / total);
    } else {
      std::fprintf(stderr, "\n%s...", phase.c_str());
    }
  };
  auto staged = restorer.Stage(args.positional[0], options);
  if (!staged.ok()) {
    std::fprintf(stderr, "\n");
    return Fail(staged.status(), RestoreExitCode(staged.status()));
  }
  auto outcome = restorer.Commit(*staged, options, CommitHooks{});
  std::fprintf(stderr, "\n");
  if (!outcome.ok()) return Fail(outcome.status(), RestoreExitCode(outcome.status()));
  const Manifest& m = staged->report.manifest;
  std::printf("restored %s (created %s): %lld pages, %lld revisions, %lld users, %lld uploads\n",
              args.positional[0].c_str(), m.created_at.c_str(),
              static_cast<long long>(m.counts.pages), static_cast<long long>(m.counts.revisions),
              static_cast<long long>(m.counts.users), static_cast<long long>(m.counts.uploads));
  // Scripts read the path after "safety backup of the previous data: ".
  if (outcome->safety_note.empty()) {
    std::printf("safety backup of the previous data: %s\n", outcome->safety_backup.c_str());
  } else {
    std::printf("%s\n", outcome->safety_note.c_str());
  }
  return 0;
}

}  // namespace arkwiki::cli
