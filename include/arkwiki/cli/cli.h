// The `arkwiki` command line. Each subcommand has --help. Success exits 0;
// failure prints one line "arkwiki: error: ..." on stderr and exits with:
//   1  any other failure (e.g. a named user does not exist)
//   2  usage error (unknown command or flag, missing argument)
//   3  archive rejected: not a valid, intact arkwiki backup
//   4  environment problem: no space, no permission, I/O error, or the data
//      directory is in use by another process
#pragma once

namespace arkwiki {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitArchiveRejected = 3;
inline constexpr int kExitEnvironment = 4;

int RunCli(int argc, char** argv);

}  // namespace arkwiki
