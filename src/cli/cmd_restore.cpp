// arkwiki backup restore --data DIR FILE --yes  (offline import)
#include <unistd.h>

#include <cstdio>
#include <functional>

#include "args.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/config.h"
#include "arkwiki/storage/settings_store.h"
#include "commands.h"
#include "preflight.h"
#include "progress.h"

namespace arkwiki::cli {

const char kRestoreHelp[] =
    "usage: arkwiki backup restore --data DIR FILE --yes [--allow-missing-uploads] [--quiet]\n"
    "                              [--progress=WHEN]\n"
    "       arkwiki backup restore --data DIR --snapshot ID --yes [--backup-dir DIR] [...]\n"
    "       arkwiki backup restore --data DIR --from TARGET [--endpoint URL]\n"
    "                              --snapshot latest|ID [--passphrase-file FILE] --yes [...]\n"
    "\n"
    "Replaces ALL data in DIR with the backup FILE, offline (stop the server\n"
    "first). The archive is verified completely before anything changes; the\n"
    "previous data is kept as a restore point (trigger before-import) in the\n"
    "repository of restore points. Before it starts it checks that\n"
    "DIR is writable. With --snapshot ID the restore point ID of the repository\n"
    "(see 'arkwiki backup snapshot --help') is restored the same way; with\n"
    "--from TARGET, a restore point of an off-site copy (see 'arkwiki backup\n"
    "copy --help'), decrypted and checked completely first; an s3:// TARGET\n"
    "also takes --region R, --virtual-host and --ca-file FILE.\n"
    "--progress=WHEN  never, auto (a bar on a terminal, otherwise a phase line\n"
    "                 at most every 5 s; the default) or always (a bar)\n"
    "--quiet          print nothing on success\n"
    "--allow-missing-uploads  restore a database-only backup even though upload\n"
    "                 files its pages refer to are missing from DIR (they are\n"
    "                 listed first; their attachments are dropped). Without it\n"
    "                 such a restore is refused (exit 1) before anything changes.\n"
    "A database-only backup keeps DIR's own upload files.\n";

namespace {

int Fail(const Status& s, int code) {
  std::fprintf(stderr, "arkwiki: error: %s\n", s.message().c_str());
  return code;
}

// A database-only backup restores onto this wiki's upload files: lists those
// its pages refer to that are missing here. Returns whether to go on.
bool AcceptMissingUploads(const StagedImport& staged, bool allowed) {
  const std::vector<MissingUpload>& missing = staged.missing_uploads;
  if (missing.empty()) return true;
  std::fprintf(stderr,
               "the backup is database only; %zu upload file(s) its pages refer to are missing "
               "from this wiki:\n",
               missing.size());
  for (const MissingUpload& m : missing) {
    std::fprintf(stderr, "  %s/%s  (%llu bytes, sha256 %s)\n", m.page.c_str(), m.name.c_str(),
                 static_cast<unsigned long long>(m.size), m.sha256.c_str());
  }
  if (allowed) {
    std::fprintf(stderr, "restoring without them (--allow-missing-uploads)\n");
    return true;
  }
  std::fprintf(stderr,
               "arkwiki: error: refusing to restore without %zu upload file(s); nothing was "
               "changed. Add --allow-missing-uploads to restore anyway.\n",
               missing.size());
  return false;
}

// Where the archive to import comes from: given the locked, recovered data
// directory, its path, and whether to remove it afterwards.
struct ArchiveToImport {
  std::string path;
  std::string name;  // for the report
  bool remove_after = false;
};
using ArchiveSource = std::function<Result<ArchiveToImport>(const DataDirLayout& layout)>;

int RunRestore(const Args& args, const ArchiveSource& source) {
  if (!args.Has("yes")) {
    return UsageError("restore replaces ALL data in the data directory; add --yes to confirm",
                      kRestoreHelp);
  }
  auto mode = ParseProgressMode(args.Get("progress").value_or("auto"));
  if (!mode.ok()) return UsageError(mode.status().message(), kRestoreHelp);
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) return ReportError(config.status());
  Env* env = Env::Default();
  DataDirLayout layout(config->data_dir);
  Status s = CheckWritableDir(layout.root, "the data directory");
  if (!s.ok()) return ReportError(s);
  s = PrepareDataDir(env, layout);
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
  auto archive = source(layout);
  if (!archive.ok()) return Fail(archive.status(), ArchiveExitCode(archive.status()));
  ProgressReporter progress(*mode, args.Has("quiet"), ::isatty(2) == 1);
  ImportOptions options;
  options.actor = "cli";
  options.progress = [&progress](const std::string& phase, uint64_t done, uint64_t total) {
    progress.Update(phase, done, total);
  };
  // The data it replaces is kept as a restore point, as the server keeps it.
  options.safety_point = [&args] { return SnapshotBeforeImport(args); };
  options.allow_missing_uploads = args.Has("allow-missing-uploads");
  auto staged = restorer.Stage(archive->path, options);
  // Staging holds its own copy now; a failed stage needs none.
  if (archive->remove_after) (void)env->RemoveFile(archive->path);
  if (!staged.ok()) {
    progress.Finish();
    return Fail(staged.status(), ArchiveExitCode(staged.status()));
  }
  if (!AcceptMissingUploads(*staged, options.allow_missing_uploads)) {
    progress.Finish();
    (void)restorer.Discard(staged->id);  // staging only; Recover empties it anyway
    return kExitFailure;
  }
  auto outcome = restorer.Commit(*staged, options, CommitHooks{});
  progress.Finish();
  JournalRestore(layout, archive->name, outcome);
  if (!outcome.ok()) return Fail(outcome.status(), ArchiveExitCode(outcome.status()));
  if (args.Has("quiet")) return kExitOk;
  const Manifest& m = staged->report.manifest;
  std::printf("restored %s (created %s): %lld pages, %lld revisions, %lld users, %lld uploads%s\n",
              archive->name.c_str(), m.created_at.c_str(), static_cast<long long>(m.counts.pages),
              static_cast<long long>(m.counts.revisions), static_cast<long long>(m.counts.users),
              static_cast<long long>(m.counts.uploads),
              m.partial() ? " (database only: this wiki's upload files kept)" : "");
  // Scripts read what follows "safety backup of the previous data: ":
  // "restore point ID" (as POST /api/restore's safety_backup says), or the
  // path of a safety backup archive.
  if (!outcome->safety_point.empty()) {
    std::printf("safety backup of the previous data: restore point %s\n",
                outcome->safety_point.c_str());
  } else if (outcome->safety_note.empty()) {
    std::printf("safety backup of the previous data: %s\n", outcome->safety_backup.c_str());
  } else {
    std::printf("%s\n", outcome->safety_note.c_str());
  }
  return 0;
}

}  // namespace

int CmdRestoreSnapshot(const Args& args) {
  if (!args.positional.empty()) {
    return UsageError("restore takes FILE or --snapshot ID, not both", kRestoreHelp);
  }
  const std::string id = *args.Get("snapshot");
  return RunRestore(args, [&](const DataDirLayout& layout) -> Result<ArchiveToImport> {
    ARKWIKI_ASSIGN_OR_RETURN(std::string path, ExportForRestore(args, id, layout));
    return ArchiveToImport{path, "restore point " + id, true};
  });
}

int CmdRestoreFromTarget(const Args& args) {
  if (!args.positional.empty()) {
    return UsageError("restore takes FILE or --from TARGET, not both", kRestoreHelp);
  }
  auto wanted = args.Get("snapshot");
  if (!wanted) return UsageError("--snapshot latest|ID is required with --from", kRestoreHelp);
  if (!args.Has("yes")) {
    return UsageError("restore replaces ALL data in the data directory; add --yes to confirm",
                      kRestoreHelp);
  }
  // The target and the passphrase are checked before the data directory is touched.
  auto opened = OpenTargetFromArgs(args, false);
  if (!opened.ok()) return ReportError(opened.status());
  OffsiteTarget* target = opened->target.get();
  auto passphrase = ReadPassphrase(args, opened->configured_passphrase);
  if (!passphrase.ok()) return UsageError(passphrase.status().message(), kRestoreHelp);
  auto key = UnlockExpectedTarget(*opened, *passphrase);
  if (!key.ok()) return ReportError(key.status());
  return RunRestore(args, [&](const DataDirLayout& layout) -> Result<ArchiveToImport> {
    ARKWIKI_ASSIGN_OR_RETURN(StagedArchive staged,
                             ExportFromTarget(target, **key, *wanted, layout));
    return ArchiveToImport{staged.path,
                           "restore point " + staged.id + " from " + target->Describe(), true};
  });
}

int CmdRestore(const Args& args) {
  if (args.positional.size() != 1) return UsageError("restore takes one FILE", kRestoreHelp);
  return RunRestore(args, [&](const DataDirLayout&) -> Result<ArchiveToImport> {
    return ArchiveToImport{args.positional[0], args.positional[0], false};
  });
}

}  // namespace arkwiki::cli
