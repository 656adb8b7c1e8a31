// arkwiki backup snapshot|snapshots|check|prune|delete|export, and
// backup restore --snapshot: the repository of restore points.
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "arkwiki/backup/backup_journal.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/backup/restore.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"
#include "commands.h"
#include "stdout_sink.h"

namespace arkwiki::cli {

const char kRepositoryHelp[] =
    "usage: arkwiki backup snapshot  --data DIR [--backup-dir DIR] [--label TEXT] [--json]\n"
    "       arkwiki backup snapshots --data DIR [--backup-dir DIR] [--json]\n"
    "       arkwiki backup check     --data DIR [--backup-dir DIR] [--read-all |\n"
    "                                --read-subset PCT] [--json]\n"
    "       arkwiki backup prune     --data DIR [--backup-dir DIR] [--forget ID...]\n"
    "       arkwiki backup delete    --data DIR [--backup-dir DIR] --snapshot ID\n"
    "       arkwiki backup export    --data DIR [--backup-dir DIR] --snapshot ID --out FILE|-\n"
    "       arkwiki backup restore   --data DIR [--backup-dir DIR] --snapshot ID --yes\n"
    "\n"
    "The repository of restore points lives in DATA/backups unless --backup-dir,\n"
    "$ARKWIKI_BACKUP_DIR or the config key backup_dir puts it elsewhere (never\n"
    "inside DATA/live). Uploads are stored once however many restore points\n"
    "hold them. Works while a server runs on DIR.\n"
    "snapshot   writes a restore point of the wiki and checks it (--label names it)\n"
    "snapshots  lists the restore points, oldest first\n"
    "check      verifies every restore point; --read-all re-hashes every stored\n"
    "           upload, --read-subset PCT that share of them (a different share\n"
    "           each day); exits 3 when it finds damage\n"
    "prune      removes stored uploads no restore point needs; --forget ID...\n"
    "           deletes those restore points first\n"
    "delete     deletes one restore point (prune then frees its bytes)\n"
    "export     writes the restore point as the backup archive `backup create`\n"
    "           writes; --out - writes to standard output\n"
    "restore    replaces ALL data in DIR with the restore point, offline, as\n"
    "           `backup restore FILE` does with an archive\n";

namespace {

struct Opened {
  DataDirLayout layout;
  std::unique_ptr<Repository> repository;
};

Result<Opened> OpenRepository(const Args& args) {
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  sources.flag_backup_dir = args.Get("backup-dir");
  ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));
  DataDirLayout layout(config.data_dir);
  ARKWIKI_ASSIGN_OR_RETURN(bool exists, Env::Default()->FileExists(layout.database));
  if (!exists) return Status::NotFound("no arkwiki database in " + config.data_dir);
  const std::string dir =
      config.backup_dir.empty() ? DefaultBackupDir(config.data_dir) : config.backup_dir;
  ARKWIKI_ASSIGN_OR_RETURN(
      RepositoryOptions options,
      RepositoryOptionsFromConfig(Env::Default(), layout, dir, config.backup_encrypt,
                                  config.backup_passphrase_file));
  ARKWIKI_ASSIGN_OR_RETURN(auto repository, Repository::Open(Env::Default(), layout, dir, options));
  return Opened{layout, std::move(repository)};
}

template <typename T>
void JournalResult(const DataDirLayout& layout, const char* event, const std::string& subject,
                   const Result<T>& result, uint64_t bytes, const std::string& note) {
  JournalCli(layout, {0, event, result.ok() ? "ok" : "failed", "", subject, bytes, 0,
                      result.ok() ? note : result.status().message()});
}

Poco::JSON::Object::Ptr PointJson(const SnapshotInfo& p) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", p.id);
  o->set("created", FormatIsoUtc(p.created));
  o->set("trigger", std::string(SnapshotTriggerName(p.trigger)));
  o->set("made_by", p.made_by);
  o->set("label", p.label);
  o->set("total_bytes", static_cast<Poco::UInt64>(p.total_bytes));
  o->set("new_bytes", static_cast<Poco::UInt64>(p.new_bytes));
  o->set("files", static_cast<Poco::UInt64>(p.file_count));
  o->set("check", std::string(CheckStateName(p.check.state)));
  o->set("checked_at", p.check.checked_at ? FormatIsoUtc(p.check.checked_at) : std::string());
  o->set("check_message", p.check.message);
  return o;
}

std::string PointLine(const SnapshotInfo& p) {
  std::string line = p.id + "  " + FormatIsoUtc(p.created) + "  " + SnapshotTriggerName(p.trigger) +
                     "  " + std::to_string(p.total_bytes) + " bytes (" +
                     std::to_string(p.new_bytes) + " new)  check " + CheckStateName(p.check.state);
  if (!p.label.empty()) line += "  \"" + p.label + "\"";
  return line;
}

int Snapshot(const Args& args) {
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  SnapshotRequest request;
  request.trigger = SnapshotTrigger::kCli;
  const char* user = std::getenv("USER");
  request.made_by = user ? user : "cli";
  request.label = args.Get("label").value_or("");
  auto point = opened->repository->Snapshot(request);
  JournalResult(opened->layout, "restore_point", point.ok() ? point->id : "", point,
                point.ok() ? point->new_bytes : 0, "cli");
  if (!point.ok()) return ReportError(point.status());
  if (args.Has("json")) {
    PrintJson(PointJson(*point));
  } else if (!args.Has("quiet")) {
    std::printf("restore point %s\n", PointLine(*point).c_str());
  }
  return kExitOk;
}

int Snapshots(const Args& args) {
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  auto points = opened->repository->List();
  if (!points.ok()) return ReportError(points.status());
  if (args.Has("json")) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const SnapshotInfo& p : *points) list->add(PointJson(p));
    PrintJson(list);
  } else {
    for (const SnapshotInfo& p : *points) std::printf("%s\n", PointLine(p).c_str());
  }
  return kExitOk;
}

}  // namespace

// Shared with a target's `backup check` (cmd_backup_offsite.cpp).
Result<CheckOptions> ParseCheckOptions(const Args& args) {
  CheckOptions options;
  options.subset_seed = static_cast<uint64_t>(NowUnixSeconds() / kSecondsPerDay);
  if (args.Has("read-all")) options.read_percent = 100;
  if (auto pct = args.Get("read-subset")) {
    if (args.Has("read-all")) {
      return Status::InvalidArgument("--read-all and --read-subset exclude each other");
    }
    char* end = nullptr;
    options.read_percent = std::strtod(pct->c_str(), &end);
    if (pct->empty() || *end != '\0' || options.read_percent < 0 || options.read_percent > 100) {
      return Status::InvalidArgument("--read-subset takes a percentage from 0 to 100");
    }
  }
  return options;
}

void PrintCheck(const CheckReport& report, bool json) {
  if (json) {
    Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
    o->set("ok", report.ok());
    o->set("snapshots_checked", static_cast<Poco::UInt64>(report.snapshots_checked));
    o->set("objects_rehashed", static_cast<Poco::UInt64>(report.objects_checked));
    o->set("bytes_hashed", static_cast<Poco::UInt64>(report.bytes_hashed));
    Poco::JSON::Array::Ptr damaged = new Poco::JSON::Array;
    for (const DamagedObject& d : report.damaged) {
      Poco::JSON::Object::Ptr e = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
      e->set("sha256", d.sha256);
      e->set("problem", d.problem);
      Poco::JSON::Array::Ptr ids = new Poco::JSON::Array;
      for (const std::string& id : d.snapshots) ids->add(id);
      e->set("snapshots", ids);
      damaged->add(e);
    }
    o->set("damaged", damaged);
    Poco::JSON::Array::Ptr problems = new Poco::JSON::Array;
    for (const std::string& p : report.snapshot_problems) problems->add(p);
    o->set("snapshot_problems", problems);
    PrintJson(o);
    return;
  }
  for (const DamagedObject& d : report.damaged) {
    std::string ids;
    for (const std::string& id : d.snapshots) ids += " " + id;
    std::printf("DAMAGED: stored upload %s (%s), needed by:%s\n", d.sha256.c_str(),
                d.problem.c_str(), ids.c_str());
  }
  for (const std::string& p : report.snapshot_problems) {
    std::printf("DAMAGED: restore point %s\n", p.c_str());
  }
  std::printf("%s: %llu restore points checked, %llu stored uploads re-hashed (%llu bytes)\n",
              report.ok() ? "OK" : "FAILED",
              static_cast<unsigned long long>(report.snapshots_checked),
              static_cast<unsigned long long>(report.objects_checked),
              static_cast<unsigned long long>(report.bytes_hashed));
}

namespace {

int Check(const Args& args) {
  auto options = ParseCheckOptions(args);
  if (!options.ok()) return UsageError(options.status().message(), kRepositoryHelp);
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  auto report = opened->repository->Check(*options);
  JournalCli(opened->layout,
             {0, "check", report.ok() && report->ok() ? "ok" : "failed", "", "",
              report.ok() ? report->bytes_hashed : 0, 0,
              !report.ok()   ? report.status().message()
              : report->ok() ? ""
                             : std::to_string(report->damaged.size()) + " damaged objects, " +
                                   std::to_string(report->snapshot_problems.size()) +
                                   " damaged restore points"});
  if (!report.ok()) return ReportError(report.status());
  PrintCheck(*report, args.Has("json"));
  if (report->ok()) return kExitOk;
  std::fprintf(stderr, "arkwiki: error: the backup repository has damage (see above)\n");
  return kExitArchiveRejected;
}

int Prune(const Args& args) {
  if (!args.Has("forget") && !args.positional.empty()) {
    return UsageError("prune takes restore point ids only after --forget", kRepositoryHelp);
  }
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  if (args.Has("forget") && args.positional.empty()) {
    return UsageError("--forget needs ids", kRepositoryHelp);
  }
  // One call, so that a prune refused as busy forgets nothing.
  auto result = opened->repository->Prune(args.positional);
  std::string ids;
  for (const std::string& id : args.positional) ids += (ids.empty() ? "" : " ") + id;
  if (result.ok() && !ids.empty())
    JournalCli(opened->layout, {0, "forget", "ok", "", ids, 0, 0, ""});
  // A failed prune names the restore points it was asked to forget, which
  // may or may not be gone (`backup snapshots` tells).
  JournalResult(opened->layout, "prune", result.ok() ? "" : ids, result,
                result.ok() ? result->bytes_removed : 0,
                result.ok() ? std::to_string(result->objects_removed) + " objects removed" : "");
  if (!result.ok()) return ReportError(result.status());
  if (!args.Has("quiet")) {
    std::printf("pruned %llu stored uploads (%llu bytes); %llu kept\n",
                static_cast<unsigned long long>(result->objects_removed),
                static_cast<unsigned long long>(result->bytes_removed),
                static_cast<unsigned long long>(result->objects_kept));
  }
  return kExitOk;
}

int Delete(const Args& args) {
  auto id = args.Get("snapshot");
  if (!id) return UsageError("--snapshot ID is required", kRepositoryHelp);
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  Status s = opened->repository->Delete(*id);
  JournalCli(opened->layout, {0, "forget", s.ok() ? "ok" : "failed", "", *id, 0, 0,
                              s.ok() ? "deleted" : s.message()});
  if (!s.ok()) return ReportError(s);
  return kExitOk;
}

int Export(const Args& args) {
  auto id = args.Get("snapshot");
  auto out = args.Get("out");
  if (!id || !out)
    return UsageError("--snapshot ID and --out FILE|- are required", kRepositoryHelp);
  auto opened = OpenRepository(args);
  if (!opened.ok()) return ReportError(opened.status());
  Result<BackupResult> result = Status::IoError("not run");
  if (*out == "-") {
    StdoutSink sink;
    result = opened->repository->Export(*id, &sink);
  } else {
    result = opened->repository->ExportToFile(*id, *out);
  }
  JournalResult(opened->layout, "download", *id, result, result.ok() ? result->archive_bytes : 0,
                result.ok() ? "sha256 " + result->archive_sha256 : "");
  if (!result.ok()) return ReportError(result.status());
  if (!args.Has("quiet") && *out != "-") {
    std::fprintf(stderr, "backup: %llu bytes, sha256 %s\n",
                 static_cast<unsigned long long>(result->archive_bytes),
                 result->archive_sha256.c_str());
  }
  return kExitOk;
}

}  // namespace

// The restore point is exported to an archive and imported from there by
// the same Stage and Commit as any archive, so it gets the same complete
// check, safety backup and undo.
Result<std::string> ExportForRestore(const Args& args, const std::string& id,
                                     const DataDirLayout& layout) {
  ARKWIKI_ASSIGN_OR_RETURN(Opened opened, OpenRepository(args));
  ARKWIKI_RETURN_IF_ERROR(Env::Default()->CreateDirs(layout.tmp));
  const std::string archive = JoinPath(layout.tmp, "restore-point-" + id + ".zip");
  ARKWIKI_RETURN_IF_ERROR(opened.repository->ExportToFile(id, archive).status());
  return archive;
}

Result<std::string> SnapshotBeforeImport(const Args& args) {
  ARKWIKI_ASSIGN_OR_RETURN(Opened opened, OpenRepository(args));
  SnapshotRequest request;
  request.trigger = SnapshotTrigger::kBeforeImport;
  request.made_by = "cli";
  request.label = "before import";
  auto point = opened.repository->Snapshot(request);
  JournalResult(opened.layout, "restore_point", point.ok() ? point->id : "", point,
                point.ok() ? point->new_bytes : 0, "before-import");
  ARKWIKI_RETURN_IF_ERROR(point.status());
  return point->id;
}

void JournalRestore(const DataDirLayout& layout, const std::string& subject,
                    const Result<ImportOutcome>& outcome) {
  std::string kept;
  if (outcome.ok()) {
    kept = !outcome->safety_point.empty()  ? "restore point " + outcome->safety_point
           : !outcome->safety_note.empty() ? outcome->safety_note
                                           : outcome->safety_backup;
  }
  JournalResult(layout, "import", subject, outcome, 0, "previous data kept as " + kept);
}

int CmdBackupRepository(const std::string& verb, const Args& args) {
  if (verb == "snapshot") return Snapshot(args);
  if (verb == "snapshots") return Snapshots(args);
  if (verb == "check") return Check(args);
  if (verb == "prune") return Prune(args);
  if (verb == "delete") return Delete(args);
  if (verb == "export") return Export(args);
  return UsageError("unknown backup subcommand '" + verb + "'", kRepositoryHelp);
}

bool IsRepositoryVerb(const std::string& verb) {
  return verb == "snapshot" || verb == "snapshots" || verb == "check" || verb == "prune" ||
         verb == "delete" || verb == "export";
}

}  // namespace arkwiki::cli
