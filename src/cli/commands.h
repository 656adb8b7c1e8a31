// Subcommand entry points. Each returns an exit code (see cli.h) and prints
// its own errors through ReportError.
#pragma once

#include <string>
#include <vector>

#include "args.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/core/status.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki::cli {

using Argv = std::vector<std::string>;

int CmdServe(const Argv& argv);
int CmdUser(const Argv& argv);
int CmdToken(const Argv& argv);
int CmdBackup(const Argv& argv);
int CmdTestRestore(const Argv& argv);  // `backup test-restore`, from CmdBackup
int CmdRestore(const Args& args);      // `backup restore`, from CmdBackup
// `backup restore --snapshot ID`, from CmdBackup.
int CmdRestoreSnapshot(const Args& args);
// The repository subcommands of `backup` (snapshot, snapshots, check,
// prune, delete, export), from CmdBackup.
bool IsRepositoryVerb(const std::string& verb);
int CmdBackupRepository(const std::string& verb, const Args& args);
// Exports restore point `id` of the repository `args` name to an archive
// in layout.tmp/ for `backup restore --snapshot` (which holds the data
// directory lock and removes it afterwards); returns its path.
Result<std::string> ExportForRestore(const Args& args, const std::string& id,
                                     const DataDirLayout& layout);

// Writes a restore point (trigger before-import) of the data directory the
// repository of `args` belongs to, for `backup restore`'s safety copy, and
// journals it; returns its id.
Result<std::string> SnapshotBeforeImport(const Args& args);
// Journals an offline import of `subject` (actor "cli").
void JournalRestore(const DataDirLayout& layout, const std::string& subject,
                    const Result<ImportOutcome>& outcome);

// The exit codes of cli.h, as every --help lists them.
extern const char kExitCodesHelp[];
// `arkwiki backup restore --help`.
extern const char kRestoreHelp[];
// `arkwiki backup snapshot --help` (and the other repository subcommands).
extern const char kRepositoryHelp[];

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
