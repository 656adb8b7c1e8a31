// Subcommand entry points. Each returns an exit code (see cli.h) and prints
// its own errors through ReportError.
#pragma once

#include <Poco/Dynamic/Var.h>

#include <string>
#include <vector>

#include "args.h"
#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_config.h"
#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/backup/retention.h"
#include "arkwiki/core/status.h"
#include "arkwiki/storage/data_dir.h"

namespace arkwiki::cli {

using Argv = std::vector<std::string>;

// The data directory a command works on: --data; without it, found as
// `serve` finds it: $ARKWIKI_DATA, else the configuration file's, else
// ./arkwiki-data. Without --data, a configuration that `serve` would
// refuse (a file that cannot be read, an invalid value) is an error, not a
// reason to fall back to ./arkwiki-data.
Result<std::string> DataDir(const Args& args);
// What a command did, in the backup journal of the data directory (actor
// "cli", time now); a journal that cannot be written is a warning on
// stderr, not a failure.
void JournalCli(const DataDirLayout& layout, JournalEntry entry);
// Prints `value` on stdout as one line of JSON.
void PrintJson(const Poco::Dynamic::Var& value);

int CmdServe(const Argv& argv);
int CmdUser(const Argv& argv);
int CmdToken(const Argv& argv);
int CmdBackup(const Argv& argv);
int CmdTestRestore(const Argv& argv);  // `backup test-restore`, from CmdBackup
int CmdBackupDiff(const Argv& argv);   // `backup diff`, from CmdBackup
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

// Off-site copies (cmd_backup_offsite.cpp): `backup copy`, and snapshots,
// check, prune and restore given --from or --target.
bool IsOffsiteInvocation(const std::string& verb, const Args& args);
int CmdBackupOffsite(const std::string& verb, const Args& args);
// `backup restore --from TARGET`, from CmdBackup.
int CmdRestoreFromTarget(const Args& args);
// The target --to, --from or --target names (with --endpoint): a path, an
// s3:// URL, or a name in DATA/offsite/targets.conf, which also gives its
// passphrase and retention.
struct ArgTarget {
  std::unique_ptr<OffsiteTarget> target;
  OffsiteTargetSpec spec;             // where it is, as given or configured
  std::string configured_passphrase;  // empty unless named in targets.conf
  RetentionPolicy retention;          // targets.conf's, or the defaults
  int prune_grace_hours = OffsiteTargetConfig{}.prune_grace_hours;  // likewise
  // The repository the target must hold: --repository-id, else the
  // repository_id targets.conf pins for a named target; empty if neither.
  std::string expected_repository_id;
  // Opened for writing. A target with an expected repository is opened
  // for reading only until its key is checked (ReopenForWriting): a
  // directory target opened for writing is made if missing (an unmounted
  // disk's mount point) and loses its old .incoming/ leftovers.
  bool writable = false;
  // The spec as opened, credentials included: ReopenForWriting opens the
  // target that was checked, not what the arguments name by then.
  OffsiteTargetSpec opened_spec;
};
Result<ArgTarget> OpenTargetFromArgs(const Args& args, bool for_writing);
// Opens `opened`'s target again for writing, unless it is already,
// refusing it if its key object is no longer the one `checked` came from
// (ReopenCheckedForWriting).
Status ReopenForWriting(ArgTarget* opened, const OffsiteKey& checked);
// The passphrase from --passphrase-file, else `configured` when not empty,
// else the first line of stdin.
Result<std::string> ReadPassphrase(const Args& args, const std::string& configured);
// Opens the target's key with `passphrase`, and refuses (kCorruption) a
// target whose key object names another repository than
// `opened.expected_repository_id` (when set): one replaced whole, by
// another repository sealed with the same passphrase, passes every other
// check.
Result<std::unique_ptr<OffsiteKey>> UnlockExpectedTarget(const ArgTarget& opened,
                                                         std::string_view passphrase);
// Decrypts restore point `wanted` ("latest" or an id) of the target into a
// staging repository in layout.tmp/, checking every file, and exports it to
// an archive there for the import; removes the staging repository.
struct StagedArchive {
  std::string path;
  std::string id;
};
Result<StagedArchive> ExportFromTarget(OffsiteTarget* target, const OffsiteKey& key,
                                       const std::string& wanted, const DataDirLayout& layout);
// Shared by the repository's and a target's `backup check`.
Result<CheckOptions> ParseCheckOptions(const Args& args);
void PrintCheck(const CheckReport& report, bool json);
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
// `arkwiki backup copy --help` (and the off-site forms of the others).
extern const char kOffsiteHelp[];

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
