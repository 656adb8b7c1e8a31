// Subcommand entry points. Each returns an exit code (see cli.h) and prints
// its own errors through ReportError.
#pragma once

#include <string>
#include <vector>

#include "args.h"
#include "arkwiki/core/status.h"

namespace arkwiki::cli {

using Argv = std::vector<std::string>;

int CmdServe(const Argv& argv);
int CmdUser(const Argv& argv);
int CmdToken(const Argv& argv);
int CmdBackup(const Argv& argv);
int CmdTestRestore(const Argv& argv);  // `backup test-restore`, from CmdBackup
int CmdRestore(const Args& args);      // `backup restore`, from CmdBackup

// The exit codes of cli.h, as every --help lists them.
extern const char kExitCodesHelp[];
// `arkwiki backup restore --help`.
extern const char kRestoreHelp[];

// Prints "arkwiki: error: <message>" and returns the exit code for it.
int ReportError(const Status& status);
int UsageError(const std::string& message, const std::string& help);
// Exit code for a Status (see cli.h).
int ExitCodeFor(const Status& status);
// Exit code for a failure to read, check or restore an archive: problems of
// the archive exit 3 whatever their code; environment ones exit 4; a missing
// file exits 1.
int ArchiveExitCode(const Status& s);

}  // namespace arkwiki::cli
