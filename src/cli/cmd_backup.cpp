// arkwiki backup create|verify|inspect
#include <unistd.h>

#include <Poco/JSON/Object.h>
#include <Poco/JSON/Stringifier.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <iostream>
#include <string_view>

#include "args.h"
#include "arkwiki/backup/archive_reader.h"
#include "arkwiki/backup/backup_writer.h"
#include "arkwiki/backup/verify_json.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/config.h"
#include "arkwiki/storage/storage.h"
#include "commands.h"
#include "preflight.h"
#include "stdout_sink.h"

namespace arkwiki::cli {
namespace {

const char kBackupHelp[] =
    "usage: arkwiki backup create --data DIR --out FILE|- [--only database] [--quiet]\n"
    "       arkwiki backup verify FILE [--json]\n"
    "       arkwiki backup inspect FILE [--json]\n"
    "       arkwiki backup restore --data DIR FILE --yes [--allow-missing-uploads]\n"
    "                              [--quiet] [--progress=WHEN]\n"
    "       arkwiki backup test-restore FILE [--scratch DIR] [--sample N] [--keep] [--json]\n"
    "                                   [--quiet] [--progress=WHEN]\n"
    "       arkwiki backup diff FILE --data DIR [--json] [--all]\n"
    "\n"
    "create   writes one ZIP with the database, uploads, configuration and a\n"
    "         manifest of SHA-256 sums; works while a server runs on DIR.\n"
    "         With --out FILE nothing appears under FILE until it is complete.\n"
    "verify   checks the archive completely and touches no wiki.\n"
    "inspect  prints the manifest summary (checks only the manifest).\n"
    "restore  replaces ALL data in DIR with the backup (see the README).\n"
    "test-restore  restores FILE into a scratch directory, serves it, checks it\n"
    "         against the manifest, reports and cleans up.\n"
    "diff     prints what restoring FILE onto DIR would change; changes nothing.\n"
    "snapshot, snapshots, check, prune, delete, export, restore --snapshot:\n"
    "         the repository of restore points ('arkwiki backup snapshot --help').\n"
    "copy, snapshots --from, restore --from, check --target, prune --target:\n"
    "         off-site copies ('arkwiki backup copy --help').\n"
    "Run 'arkwiki backup SUBCOMMAND --help' for one subcommand.\n";

const char kCreateHelp[] =
    "usage: arkwiki backup create --data DIR --out FILE|- [--only database] [--quiet]\n"
    "\n"
    "Writes one ZIP with the database, uploads, configuration and a manifest\n"
    "of SHA-256 sums; works while a server runs on DIR. With --out FILE\n"
    "nothing appears under FILE until it is complete; --out - writes to\n"
    "standard output. Before it starts it checks that the output directory\n"
    "is writable and every upload file readable.\n"
    "--only database  a partial backup: pages, revisions, users, preferences,\n"
    "                 settings and the audit log, without the upload files\n"
    "                 (marked partial in its manifest; restoring it keeps the\n"
    "                 wiki's own upload files).\n";

const char kVerifyHelp[] =
    "usage: arkwiki backup verify FILE [--json]\n"
    "\n"
    "Checks the archive completely (every entry, checksum and the database)\n"
    "and touches no wiki. --json prints one JSON object on standard output.\n"
    "A partial (database only) backup is reported as such.\n";

const char kInspectHelp[] =
    "usage: arkwiki backup inspect FILE [--json]\n"
    "\n"
    "Prints the manifest summary: when and by which version the backup was\n"
    "made, and what it holds. Checks only the manifest.\n";

void RecordAudit(const std::string& data_dir, const BackupResult& r, const std::string& out) {
  auto storage = Storage::Open(Env::Default(), data_dir);
  Status s = storage.ok()
                 ? (*storage)->audit().Append("cli", AuditKind::kBackupCreate,
                                              "to " + out + ", " + std::to_string(r.archive_bytes) +
                                                  " bytes, sha256 " + r.archive_sha256)
                 : storage.status();
  if (!s.ok())
    std::fprintf(stderr, "arkwiki: warning: could not write the audit log: %s\n",
                 s.message().c_str());
}

int Create(const Args& args) {
  auto out = args.Get("out");
  if (!out) return UsageError("--out FILE (or --out -) is required", kBackupHelp);
  BackupOptions options;
  if (auto only = args.Get("only")) {
    if (*only != "database") {
      return UsageError("--only takes 'database' (a backup without the upload files)", kCreateHelp);
    }
    options.database_only = true;
  }
  const Result<std::string> data_dir = DataDir(args);
  if (!data_dir.ok()) return ReportError(data_dir.status());
  const std::string& data = *data_dir;
  DataDirLayout layout(data);
  auto exists = Env::Default()->FileExists(layout.database);
  if (!exists.ok() || !*exists) {
    return ReportError(Status::NotFound("no arkwiki database in " + data));
  }
  if (*out != "-") {
    if (Status s = CheckOutputDirFor(*out); !s.ok()) return ReportError(s);
  }
  if (!options.database_only) {
    if (Status s = CheckFilesReadable(layout.uploads, "the upload file"); !s.ok()) {
      return ReportError(s);
    }
  }
  Result<BackupResult> result = Status::IoError("not run");
  const auto started = std::chrono::steady_clock::now();
  if (*out == "-") {
    StdoutSink sink;
    result = WriteBackup(Env::Default(), layout, &sink, options);
  } else {
    result = WriteBackupToFile(Env::Default(), layout, *out, options);
  }
  const auto millis = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - started);
  JournalCli(layout,
             {0, "backup", result.ok() ? "ok" : "failed", "",
              *out == "-" ? std::string("standard output") : "file " + *out,
              result.ok() ? result->archive_bytes : 0, static_cast<uint64_t>(millis.count()),
              result.ok() ? "sha256 " + result->archive_sha256 : result.status().message()});
  if (!result.ok()) return ReportError(result.status());
  RecordAudit(data, *result, *out);
  if (args.Has("quiet")) return kExitOk;
  std::fprintf(stderr, "backup: %llu bytes, sha256 %s, %lld pages, %lld uploads%s\n",
               static_cast<unsigned long long>(result->archive_bytes),
               result->archive_sha256.c_str(),
               static_cast<long long>(result->manifest.counts.pages),
               static_cast<long long>(result->manifest.counts.uploads),
               options.database_only ? " (database only: upload files left out)" : "");
  return 0;
}

int Verify(const Args& args) {
  if (args.positional.size() != 1) return UsageError("verify takes one FILE", kBackupHelp);
  auto start = std::chrono::steady_clock::now();
  auto report = VerifyArchive(Env::Default(), args.positional[0]);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  int code = report.ok() ? 0 : ArchiveExitCode(report.status());
  if (args.Has("json")) {
    std::cout << VerifyJson(args.positional[0], report, seconds, code) << "\n";
  } else if (report.ok()) {
    std::printf("OK: %s: %llu files, %llu bytes verified in %.2f s\n", args.positional[0].c_str(),
                static_cast<unsigned long long>(report->files_checked),
                static_cast<unsigned long long>(report->bytes_checked), seconds);
    if (report->manifest.partial()) {
      std::printf("partial: %s\n", ArchiveContentsText(report->manifest).c_str());
    }
  }
  if (!report.ok()) {
    std::fprintf(stderr, "arkwiki: error: %s\n", report.status().message().c_str());
  }
  return code;
}

int Inspect(const Args& args) {
  if (args.positional.size() != 1) return UsageError("inspect takes one FILE", kBackupHelp);
  auto manifest = ReadManifest(Env::Default(), args.positional[0]);
  if (!manifest.ok()) {
    std::fprintf(stderr, "arkwiki: error: %s\n", manifest.status().message().c_str());
    return ArchiveExitCode(manifest.status());
  }
  if (args.Has("json")) {
    std::cout << ManifestSummaryJson(*manifest) << "\n";
  } else {
    std::cout << ManifestSummaryText(*manifest);
  }
  return 0;
}

// The flag that names an off-site target differs by subcommand (--to,
// --from, --target). Another one is a mistake: left unread, the command
// would work on the local repository and exit 0.
Status CheckOffsiteFlag(const std::string& verb, const Args& args) {
  const char* takes = verb == "copy"                             ? "to"
                      : verb == "snapshots" || verb == "restore" ? "from"
                      : verb == "check" || verb == "prune"       ? "target"
                                                                 : "";
  for (const char* flag : {"to", "from", "target"}) {
    if (args.Get(flag) && std::string_view(flag) != takes) {
      return Status::InvalidArgument(
          "backup " + verb + " takes no --" + flag +
          (*takes != '\0' ? std::string(" (an off-site target is --") + takes + ")" : ""));
    }
  }
  return Status::Ok();
}

}  // namespace

// Each subcommand's own help, with the exit codes.
void PrintHelp(const std::string& verb) {
  const char* text = kBackupHelp;
  if (verb == "create") text = kCreateHelp;
  if (verb == "verify") text = kVerifyHelp;
  if (verb == "inspect") text = kInspectHelp;
  if (verb == "restore") text = kRestoreHelp;
  if (IsRepositoryVerb(verb)) text = kRepositoryHelp;
  if (verb == "copy") text = kOffsiteHelp;
  std::fputs(text, stdout);
  std::fputs(kExitCodesHelp, stdout);
}

int CmdBackup(const Argv& argv) {
  if (argv.empty()) return UsageError("backup needs a subcommand", kBackupHelp);
  const std::string& verb = argv[0];
  // Own options, so its own parser and help.
  if (verb == "test-restore") return CmdTestRestore(Argv(argv.begin() + 1, argv.end()));
  if (verb == "diff") return CmdBackupDiff(Argv(argv.begin() + 1, argv.end()));
  FlagSpec spec{{"data", "out", "progress", "only"},
                {"json", "yes", "quiet", "allow-missing-uploads"}};
  if (IsRepositoryVerb(verb) || verb == "restore") {
    // The repository's own flags, for its subcommands and restore --snapshot.
    spec.with_value.insert({"backup-dir", "label", "read-subset", "snapshot"});
    spec.booleans.insert({"read-all", "forget"});
  }
  if (IsRepositoryVerb(verb) || verb == "restore" || verb == "copy") {
    // Off-site copies (cmd_backup_offsite.cpp).
    spec.with_value.insert({"backup-dir", "snapshot", "read-subset", "to", "from", "target",
                            "endpoint", "passphrase-file", "keep-last", "keep-daily", "keep-weekly",
                            "keep-monthly", "credentials-file", "region", "ca-file",
                            "repository-id"});
    spec.booleans.insert({"read-all", "virtual-host"});
  }
  auto args = ParseArgs(Argv(argv.begin() + 1, argv.end()), spec);
  if (verb == "--help" || verb == "-h" || verb == "help" || (args.ok() && args->Has("help"))) {
    PrintHelp(args.ok() && IsOffsiteInvocation(verb, *args) ? "copy" : verb);
    return kExitOk;
  }
  if (!args.ok()) return UsageError(args.status().message(), kBackupHelp);
  if (Status s = CheckOffsiteFlag(verb, *args); !s.ok()) {
    return UsageError(s.message(), kBackupHelp);
  }
  if (verb == "create") return Create(*args);
  if (verb == "verify") return Verify(*args);
  if (verb == "inspect") return Inspect(*args);
  if (verb == "restore" && args->Get("from")) return CmdRestoreFromTarget(*args);
  if (IsOffsiteInvocation(verb, *args)) return CmdBackupOffsite(verb, *args);
  if (IsRepositoryVerb(verb)) return CmdBackupRepository(verb, *args);
  if (verb == "restore" && args->Get("snapshot")) return CmdRestoreSnapshot(*args);
  if (verb == "restore") return CmdRestore(*args);
  return UsageError("unknown backup subcommand '" + verb + "'", kBackupHelp);
}

}  // namespace arkwiki::cli
