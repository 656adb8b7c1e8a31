#include "arkwiki/cli/cli.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstring>

#include "arkwiki/backup/verify_json.h"
#include "commands.h"

namespace arkwiki {
namespace {

const char kHelp[] =
    "usage: arkwiki <command> [options]\n"
    "\n"
    "commands:\n"
    "  serve                 serve the wiki over HTTP\n"
    "  user add              create a user (the first admin, for instance)\n"
    "  user set-role         change a user's role\n"
    "  user disable|enable   lock a user out, or let them back in\n"
    "  user passwd           set a user's password\n"
    "  token create          print a new API token for a user\n"
    "  token list            list API tokens (never the secret)\n"
    "  token revoke          revoke an API token by its id\n"
    "  backup create         write a backup archive\n"
    "  backup verify         check an archive completely, touching no wiki\n"
    "  backup inspect        print an archive's manifest summary\n"
    "  backup restore        replace a wiki's data with a backup (offline)\n"
    "  backup test-restore   prove a backup restores and serves, in a scratch copy\n"
    "  backup snapshot       write a restore point into the repository of restore points\n"
    "  backup snapshots      list the restore points\n"
    "  backup check          verify the restore points and their stored uploads\n"
    "  backup prune          remove stored uploads no restore point needs\n"
    "  backup delete         delete a restore point\n"
    "  backup export         write a restore point as a backup archive\n"
    "  backup copy           copy restore points, encrypted, to an off-site target\n"
    "  backup diff           what restoring a backup would change in a wiki\n"
    "  version               print the version\n"
    "\n"
    "Run 'arkwiki <command> --help' for a command's options.\n";

}  // namespace

namespace cli {

const char kExitCodesHelp[] =
    "\n"
    "exit codes:\n"
    "  0  success\n"
    "  1  failure: not found (no such file, user or database), or a check failed\n"
    "  2  usage error: unknown command or option, missing argument\n"
    "  3  archive rejected: not a valid, intact arkwiki backup\n"
    "  4  environment problem: no space, no permission, I/O error, or the data\n"
    "     directory is in use by another process\n";

}  // namespace cli

int RunCli(int argc, char** argv) {
  // What arkwiki writes holds the wiki's private data (password hashes,
  // private pages and uploads, the passphrases of targets): the data
  // directory, restore points and archives are their owner's alone, as a
  // database server's data directory is, whatever umask it was started with.
  ::umask(077);
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty() || args[0] == "--help" || args[0] == "-h" || args[0] == "help") {
    std::FILE* out = args.empty() ? stderr : stdout;
    std::fputs(kHelp, out);
    std::fputs(cli::kExitCodesHelp, out);
    return args.empty() ? kExitUsage : kExitOk;
  }
  const std::string command = args[0];
  cli::Argv rest(args.begin() + 1, args.end());
  if (command == "serve") return cli::CmdServe(rest);
  if (command == "user") return cli::CmdUser(rest);
  if (command == "token") return cli::CmdToken(rest);
  if (command == "backup") return cli::CmdBackup(rest);
  if (command == "version" || command == "--version") {
    if (rest.size() == 1 && (rest[0] == "--help" || rest[0] == "-h")) {
      std::fputs("usage: arkwiki version\n\nPrints the version.\n", stdout);
      std::fputs(cli::kExitCodesHelp, stdout);
      return kExitOk;
    }
    std::printf("arkwiki %s\n", ARKWIKI_VERSION);
    return kExitOk;
  }
  return cli::UsageError("unknown command '" + command + "'", kHelp);
}

namespace cli {

int ArchiveExitCode(const Status& s) { return VerifyExitCode(s); }

int ExitCodeFor(const Status& s) {
  switch (s.code()) {
    case StatusCode::kOk:
      return kExitOk;
    case StatusCode::kInvalidArgument:
      return kExitUsage;
    case StatusCode::kCorruption:
    case StatusCode::kUnsupported:
    case StatusCode::kTooLarge:
      return kExitArchiveRejected;
    case StatusCode::kNoSpace:
    case StatusCode::kPermissionDenied:
    case StatusCode::kIoError:
    case StatusCode::kBusy:
      return kExitEnvironment;
    default:
      return kExitFailure;
  }
}

int ReportError(const Status& status) {
  std::string line = status.message();
  for (char& c : line) {
    if (c == '\n') c = ' ';
  }
  std::fprintf(stderr, "arkwiki: error: %s\n", line.c_str());
  return ExitCodeFor(status);
}

int UsageError(const std::string& message, const std::string& help) {
  std::fprintf(stderr, "arkwiki: error: %s\n%s", message.c_str(), help.c_str());
  return kExitUsage;
}

}  // namespace cli
}  // namespace arkwiki
