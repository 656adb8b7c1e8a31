// arkwiki backup diff FILE --data DIR [--json] [--all]
//
// What restoring FILE onto the wiki in DIR would change, touching neither:
//   1. FILE is verified and unpacked completely, as an import stages it, but
//      into a scratch data directory under $TMPDIR (the wiki in DIR may be
//      served meanwhile; its staging/ is the server's);
//   2. the staged database is compared with DIR's (restore_diff.h);
//   3. the scratch directory is removed.
#include <Poco/JSON/Stringifier.h>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include "args.h"
#include "arkwiki/backup/restore_diff.h"
#include "arkwiki/backup/restore_diff_json.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"
#include "arkwiki/core/hash.h"
#include "commands.h"

namespace arkwiki::cli {
namespace {

const char kBackupDiffHelp[] =
    "usage: arkwiki backup diff FILE --data DIR [--json] [--all]\n"
    "\n"
    "Prints what restoring the backup FILE onto the wiki in DIR would change:\n"
    "pages added, removed and changed (pages edited since the backup was made\n"
    "first), users added, removed or with another role, upload files and bytes\n"
    "added and removed, and settings that differ. FILE is checked completely\n"
    "first, in a scratch directory under $TMPDIR; nothing in DIR changes, and\n"
    "the server may keep running. Each list shows its first 200 entries and\n"
    "its total; --all prints every entry (not with --json).\n"
    "--json  the `difference` object of POST /api/restore?dry_run=1\n";

std::string Version(const std::optional<PageVersion>& v) {
  if (!v) return "-";
  return "r" + std::to_string(v->revision) + " by " + v->edited_by + " at " +
         FormatIsoUtc(v->edited_at);
}

void PrintPage(const PageChange& c) {
  const PageVersion& any = c.now ? *c.now : *c.in_backup;
  std::printf("  %-24s %-24s backup: %s; now: %s%s\n", c.slug.c_str(), any.title.c_str(),
              Version(c.in_backup).c_str(), Version(c.now).c_str(),
              c.edited_since_backup ? "  [edited since the backup]" : "");
}

std::string RoleText(const std::optional<UserVersion>& v) {
  if (!v) return "-";
  return v->role + (v->disabled ? " (disabled)" : "");
}

void PrintUser(const UserChange& c) {
  std::printf("  %-24s backup: %s; now: %s\n", c.name.c_str(), RoleText(c.in_backup).c_str(),
              RoleText(c.now).c_str());
}

// One list: its heading, then its kept entries, or with --all every entry.
template <typename T, typename Print, typename Stream>
Status PrintList(const char* heading, const BoundedList<T>& list, bool all, Print print,
                 Stream stream) {
  std::printf("%s: %llu\n", heading, static_cast<unsigned long long>(list.total));
  if (all) return stream();
  for (const T& entry : list.first) print(entry);
  if (!list.complete()) {
    std::printf("  ... and %llu more (--all lists them)\n",
                static_cast<unsigned long long>(list.total - list.first.size()));
  }
  return Status::Ok();
}

Status PrintText(const RestoreDiff& d, const DiffSources& sources, const DiffOptions& options,
                 bool all) {
  std::printf("pages edited since the backup was made: %llu\n",
              static_cast<unsigned long long>(d.pages_edited_since_backup));
  const std::pair<const char*, DiffList> page_lists[] = {{"pages removed", DiffList::kPagesRemoved},
                                                         {"pages changed", DiffList::kPagesChanged},
                                                         {"pages added", DiffList::kPagesAdded}};
  for (const auto& [heading, which] : page_lists) {
    const auto& list = which == DiffList::kPagesRemoved   ? d.pages_removed
                       : which == DiffList::kPagesChanged ? d.pages_changed
                                                          : d.pages_added;
    ARKWIKI_RETURN_IF_ERROR(PrintList(heading, list, all, PrintPage, [&, which = which] {
      return ForEachPageChange(sources, options, which, [](const PageChange& c) {
        PrintPage(c);
        return Status::Ok();
      });
    }));
  }
  const std::pair<const char*, DiffList> user_lists[] = {{"users removed", DiffList::kUsersRemoved},
                                                         {"users changed", DiffList::kUsersChanged},
                                                         {"users added", DiffList::kUsersAdded}};
  for (const auto& [heading, which] : user_lists) {
    const auto& list = which == DiffList::kUsersRemoved   ? d.users_removed
                       : which == DiffList::kUsersChanged ? d.users_changed
                                                          : d.users_added;
    ARKWIKI_RETURN_IF_ERROR(PrintList(heading, list, all, PrintUser, [&, which = which] {
      return ForEachUserChange(sources, which, [](const UserChange& c) {
        PrintUser(c);
        return Status::Ok();
      });
    }));
  }
  const UploadChange& u = d.uploads;
  std::printf("upload files: %llu added (%llu bytes), %llu removed (%llu bytes)\n",
              static_cast<unsigned long long>(u.files_added),
              static_cast<unsigned long long>(u.bytes_added),
              static_cast<unsigned long long>(u.files_removed),
              static_cast<unsigned long long>(u.bytes_removed));
  std::printf("settings that differ: %llu\n",
              static_cast<unsigned long long>(d.settings_changed.total));
  for (const SettingChange& c : d.settings_changed.first) {
    std::printf("  %-28s backup: %s; now: %s\n", c.key.c_str(),
                c.in_backup.value_or("(not set)").c_str(), c.now.value_or("(not set)").c_str());
  }
  return Status::Ok();
}

// Steps 1 and 2 in `scratch`, which the caller removes.
int DiffInScratch(const Args& args, const DataDirLayout& live, const std::string& scratch) {
  Env* env = Env::Default();
  DataDirLayout layout(scratch);
  if (Status s = PrepareDataDir(env, layout); !s.ok()) return ReportError(s);
  Restorer restorer(env, layout);
  auto staged = restorer.Stage(args.positional[0], ImportOptions{});
  if (!staged.ok()) {
    std::fprintf(stderr, "arkwiki: error: %s\n", staged.status().message().c_str());
    return ArchiveExitCode(staged.status());
  }
  const DiffSources sources{DiffSourcesFor(layout, *staged).backup_db, live.database};
  const DiffOptions options = DiffOptionsFor(*staged, "");
  auto diff = DiffDatabases(sources, options);
  if (!diff.ok()) return ReportError(diff.status());
  if (args.Has("json")) {
    Poco::JSON::Stringifier::stringify(DifferenceJson(*diff), std::cout, 2);
    std::cout << "\n";
    return kExitOk;
  }
  const Manifest& m = staged->report.manifest;
  std::printf("backup %s: made %s, site \"%s\"\n", args.positional[0].c_str(), m.created_at.c_str(),
              m.site_title.c_str());
  Status s = PrintText(*diff, sources, options, args.Has("all"));
  return s.ok() ? kExitOk : ReportError(s);
}

}  // namespace

int CmdBackupDiff(const Argv& argv) {
  auto args = ParseArgs(argv, {{"data"}, {"json", "all"}});
  if (args.ok() && args->Has("help")) {
    std::fputs(kBackupDiffHelp, stdout);
    std::fputs(kExitCodesHelp, stdout);
    return kExitOk;
  }
  if (!args.ok()) return UsageError(args.status().message(), kBackupDiffHelp);
  if (args->positional.size() != 1) return UsageError("diff takes one FILE", kBackupDiffHelp);
  ConfigSources sources;
  sources.flag_data = args->Get("data");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) return ReportError(config.status());
  const DataDirLayout live(config->data_dir);
  const std::string scratch = TempDir() + "/arkwiki-diff-" + RandomHex(6);
  Env* env = Env::Default();
  if (Status s = env->CreateDirs(scratch); !s.ok()) return ReportError(s);
  const int code = DiffInScratch(*args, live, scratch);
  if (Status s = env->RemoveTree(scratch); !s.ok()) {
    std::fprintf(stderr, "arkwiki: warning: could not remove %s: %s\n", scratch.c_str(),
                 s.message().c_str());
  }
  return code;
}

}  // namespace arkwiki::cli
