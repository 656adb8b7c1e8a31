// arkwiki backup copy --to TARGET, and the --from / --target forms of
// backup snapshots, check, prune and restore: off-site copies
// (docs/offsite.md).
#include <Poco/JSON/Array.h>
#include <Poco/JSON/Object.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>

#include "args.h"
#include "arkwiki/backup/offsite.h"
#include "arkwiki/backup/offsite_config.h"
#include "arkwiki/backup/offsite_targets.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/cli/cli.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/config.h"
#include "commands.h"

namespace arkwiki::cli {

const char kOffsiteHelp[] =
    "usage: arkwiki backup copy      --data DIR [--backup-dir DIR] --to TARGET [--endpoint URL]\n"
    "                                [--snapshot ID] [--passphrase-file FILE] [--json]\n"
    "       arkwiki backup snapshots --from TARGET [--endpoint URL] [--passphrase-file FILE]\n"
    "                                [--json]\n"
    "       arkwiki backup restore   --data NEWDIR --from TARGET [--endpoint URL]\n"
    "                                --snapshot latest|ID [--passphrase-file FILE] --yes\n"
    "       arkwiki backup check     --target TARGET [--endpoint URL] [--read-all |\n"
    "                                --read-subset PCT] [--passphrase-file FILE] [--json]\n"
    "       arkwiki backup prune     --target TARGET [--data DIR] [--backup-dir DIR]\n"
    "                                [--endpoint URL] [--keep-last N]\n"
    "                                [--keep-daily N] [--keep-weekly N] [--keep-monthly N]\n"
    "                                [--passphrase-file FILE]\n"
    "copy, snapshots, restore, check and prune also take --repository-id ID: refuse\n"
    "a target that holds another repository than ID (the recovery sheet's). A\n"
    "target named from targets.conf is held to the repository_id recorded there.\n"
    "\n"
    "Off-site copies of restore points, encrypted on this machine. TARGET is a\n"
    "directory (a mounted NAS or USB disk), s3://BUCKET/PREFIX with --endpoint,\n"
    "or the name of a target in DATA/offsite/targets.conf (which holds its\n"
    "passphrase). Otherwise the passphrase is read from --passphrase-file, or\n"
    "else from standard input (its first line). The first copy to an empty\n"
    "target sets its passphrase. S3 credentials come from --credentials-file FILE\n"
    "(AWS shared credentials format, profile $AWS_PROFILE or default; mode 600),\n"
    "else targets.conf, else AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY.\n"
    "An s3:// TARGET also takes --region R (default us-east-1), --virtual-host\n"
    "(https://BUCKET.host/KEY; path-style https://host/BUCKET/KEY is the default)\n"
    "and --ca-file FILE (a CA bundle to verify the endpoint with).\n"
    "copy       copies the restore points the target lacks (--snapshot ID: that\n"
    "           one), sending only the files the target does not hold yet\n"
    "snapshots  lists the restore points on the target, oldest first\n"
    "restore    replaces ALL data in NEWDIR with a restore point from the target,\n"
    "           offline; everything is decrypted and checked before anything changes\n"
    "check      verifies every restore point on the target; --read-all decrypts\n"
    "           and re-hashes every object, --read-subset PCT that share of them;\n"
    "           exits 3 when it finds damage\n"
    "prune      forgets the target's restore points its retention does not keep\n"
    "           (the --keep-* flags, else targets.conf's keep_* keys, else last 3,\n"
    "           daily 7, weekly 4, monthly 6), then removes the objects no\n"
    "           remaining point needs that were written more than\n"
    "           targets.conf's prune_grace_hours (default 24) ago\n";

namespace {

Result<int> ParseCount(const Args& args, const std::string& flag, int fallback) {
  auto text = args.Get(flag);
  if (!text) return fallback;
  char* end = nullptr;
  const long n = std::strtol(text->c_str(), &end, 10);
  if (text->empty() || *end != '\0' || n < 0 || n > RetentionPolicy::kMaxCount) {
    return Status::InvalidArgument("--" + flag + " takes a count from 0 to " +
                                   std::to_string(RetentionPolicy::kMaxCount));
  }
  return static_cast<int>(n);
}

std::string BackupDirFor(const Args& args, std::string* data_dir, Status* status) {
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  sources.flag_backup_dir = args.Get("backup-dir");
  auto config = LoadServerConfig(sources);
  if (!config.ok()) {
    *status = config.status();
    return "";
  }
  *data_dir = config->data_dir;
  return config->backup_dir.empty() ? DefaultBackupDir(config->data_dir) : config->backup_dir;
}

// The repository a copy reads, opened for its key when it is encrypted
// (backup_passphrase_file); never converted to encryption here.
Result<std::unique_ptr<Repository>> OpenLocalForCopy(const Args& args,
                                                     const std::string& backup_dir) {
  ConfigSources sources;
  sources.flag_data = args.Get("data");
  sources.flag_backup_dir = args.Get("backup-dir");
  ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));
  DataDirLayout layout(config.data_dir);
  ARKWIKI_ASSIGN_OR_RETURN(RepositoryOptions options,
                           RepositoryOptionsFromConfig(Env::Default(), layout, backup_dir, false,
                                                       config.backup_passphrase_file));
  return Repository::Open(Env::Default(), layout, backup_dir, options);
}

Poco::JSON::Object::Ptr CopyJson(const OffsiteCopyResult& r) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", r.id);
  o->set("objects_sent", static_cast<Poco::UInt64>(r.objects_sent));
  o->set("bytes_sent", static_cast<Poco::UInt64>(r.bytes_sent));
  o->set("objects_present", static_cast<Poco::UInt64>(r.objects_present));
  o->set("packs_sent", static_cast<Poco::UInt64>(r.packs_sent));
  o->set("puts_unchecked", static_cast<Poco::UInt64>(r.puts_unchecked));
  return o;
}

// On standard error, so that --json output stays one document.
void PrintRecoverySheet(const OffsiteTargetSpec& spec, OffsiteTarget* target,
                        const OffsiteKey& key) {
  std::fprintf(stderr,
               "RECOVERY SHEET: new off-site repository %s at %s.\n"
               "Keep, away from this machine: the passphrase (it cannot be recovered or\n"
               "reset; without it nobody can read the copies), the target's details and\n"
               "credentials, and this repository id. To restore on a new machine:\n"
               "  %s\n"
               "(the passphrase on standard input or with --passphrase-file FILE)\n",
               key.repository_id().c_str(), target->Describe().c_str(),
               OffsiteRestoreCommand(spec, key.repository_id()).c_str());
}

// `checked`: the key, unlocked and checked against the repository the
// target must hold (CmdBackupOffsite); nullptr when none is expected.
int Copy(const Args& args, const ArgTarget& opened, std::string_view passphrase,
         std::unique_ptr<OffsiteKey> checked) {
  OffsiteTarget* target = opened.target.get();
  Status status;
  std::string data_dir;
  const std::string backup_dir = BackupDirFor(args, &data_dir, &status);
  if (!status.ok()) return ReportError(status);
  auto exists = Env::Default()->FileExists(JoinPath(backup_dir, "repository.json"));
  if (!exists.ok() || !*exists) {
    return ReportError(Status::NotFound("no repository of restore points in " + backup_dir +
                                        " (make one with `arkwiki backup snapshot`)"));
  }
  // Held from before a new target's key object is made to the last record.
  auto lock = OffsiteTargetLock::Acquire(backup_dir, *target, "backup copy (CLI)");
  if (!lock.ok()) return ReportError(lock.status());
  // A target expected to hold a repository gets no new one.
  bool created = false;
  Result<std::unique_ptr<OffsiteKey>> key =
      checked ? std::move(checked) : UnlockOrInitTarget(target, passphrase, KdfParams{}, &created);
  if (!key.ok()) return ReportError(key.status());
  if (created) PrintRecoverySheet(opened.spec, target, **key);
  auto local = OpenLocalForCopy(args, backup_dir);
  if (!local.ok()) return ReportError(local.status());
  OffsiteCopier copier(Env::Default(), backup_dir, target, **key);
  copier.SetLocalKey((*local)->key());
  if (!data_dir.empty()) copier.SetScratchDir(DataDirLayout(data_dir).tmp);
  std::vector<OffsiteCopyResult> results;
  if (auto id = args.Get("snapshot")) {
    auto one = copier.Copy(*id);
    if (!one.ok()) return ReportError(one.status());
    results.push_back(*one);
  } else {
    auto all = copier.CopyMissing();
    if (!all.ok()) return ReportError(all.status());
    results = std::move(*all);
  }
  if (args.Has("json")) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const OffsiteCopyResult& r : results) list->add(CopyJson(r));
    PrintJson(list);
  } else if (!args.Has("quiet")) {
    for (const OffsiteCopyResult& r : results) {
      std::printf(
          "copied %s to %s: %llu objects sent (%llu bytes, %llu packs), %llu already there\n",
          r.id.c_str(), target->Describe().c_str(), static_cast<unsigned long long>(r.objects_sent),
          static_cast<unsigned long long>(r.bytes_sent),
          static_cast<unsigned long long>(r.packs_sent),
          static_cast<unsigned long long>(r.objects_present));
      if (r.puts_unchecked > 0) {
        std::printf(
            "  %llu of them stored without a check on arrival (the target's ETag is no MD5 of "
            "the body); `arkwiki backup check --target ... --read-all` checks them\n",
            static_cast<unsigned long long>(r.puts_unchecked));
      }
    }
    if (results.empty())
      std::printf("%s already holds every restore point\n", target->Describe().c_str());
  }
  return kExitOk;
}

Poco::JSON::Object::Ptr PointJson(const OffsitePoint& p) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object(Poco::JSON_PRESERVE_KEY_ORDER);
  o->set("id", p.info.id);
  o->set("created", FormatIsoUtc(p.info.created));
  o->set("trigger", std::string(SnapshotTriggerName(p.info.trigger)));
  o->set("made_by", p.info.made_by);
  o->set("label", p.info.label);
  o->set("total_bytes", static_cast<Poco::UInt64>(p.info.total_bytes));
  o->set("files", static_cast<Poco::UInt64>(p.info.file_count));
  o->set("site_title", p.manifest.site_title);
  return o;
}

int Snapshots(const Args& args, OffsiteTarget* target, const OffsiteKey& key) {
  auto points = ListTargetPoints(target, key, OffsiteScratch::Default());
  if (!points.ok()) return ReportError(points.status());
  if (args.Has("json")) {
    Poco::JSON::Array::Ptr list = new Poco::JSON::Array;
    for (const OffsitePoint& p : *points) list->add(PointJson(p));
    PrintJson(list);
    return kExitOk;
  }
  for (const OffsitePoint& p : *points) {
    std::printf("%s  %s  %s  %llu bytes  %llu files%s\n", p.info.id.c_str(),
                FormatIsoUtc(p.info.created).c_str(), SnapshotTriggerName(p.info.trigger),
                static_cast<unsigned long long>(p.info.total_bytes),
                static_cast<unsigned long long>(p.info.file_count),
                p.info.label.empty() ? "" : ("  \"" + p.info.label + "\"").c_str());
  }
  return kExitOk;
}

int Check(const Args& args, OffsiteTarget* target, const OffsiteKey& key) {
  auto options = ParseCheckOptions(args);
  if (!options.ok()) return UsageError(options.status().message(), kOffsiteHelp);
  auto report = CheckTarget(target, key, *options, OffsiteScratch::Default());
  if (!report.ok()) return ReportError(report.status());
  PrintCheck(*report, args.Has("json"));
  if (report->ok()) return kExitOk;
  std::fprintf(stderr, "arkwiki: error: the off-site copy at %s has damage (see above)\n",
               target->Describe().c_str());
  return kExitArchiveRejected;
}

// The target's lock in the backup directory of --data / --backup-dir (as
// for `backup copy`), or none (nullptr) when that directory does not exist:
// a machine without a repository of restore points copies nothing, and a
// prune from elsewhere needs no local directory.
Result<std::unique_ptr<OffsiteTargetLock>> LockForPrune(const Args& args,
                                                        const OffsiteTarget& target) {
  Status status;
  std::string data_dir;
  const std::string backup_dir = BackupDirFor(args, &data_dir, &status);
  ARKWIKI_RETURN_IF_ERROR(status);
  auto lock = OffsiteTargetLock::Acquire(backup_dir, target, "backup prune --target (CLI)");
  if (lock.status().code() == StatusCode::kNotFound) {
    return std::unique_ptr<OffsiteTargetLock>();
  }
  return lock;
}

int Prune(const Args& args, OffsiteTarget* target, const OffsiteKey& key, RetentionPolicy policy,
          int grace_hours) {
  for (auto [flag, field] :
       {std::pair{"keep-last", &policy.keep_last}, std::pair{"keep-daily", &policy.keep_daily},
        std::pair{"keep-weekly", &policy.keep_weekly},
        std::pair{"keep-monthly", &policy.keep_monthly}}) {
    auto n = ParseCount(args, flag, *field);
    if (!n.ok()) return UsageError(n.status().message(), kOffsiteHelp);
    *field = *n;
  }
  auto lock = LockForPrune(args, *target);
  if (!lock.ok()) return ReportError(lock.status());
  auto pruned = PruneTarget(target, key, policy, NowUnixSeconds(), int64_t{grace_hours} * 3600,
                            OffsiteScratch::Default());
  if (!pruned.ok()) return ReportError(pruned.status());
  if (!args.Has("quiet")) {
    for (const std::string& id : pruned->forgotten) std::printf("forgot %s\n", id.c_str());
    std::printf("pruned %llu objects (%llu bytes); %llu kept\n",
                static_cast<unsigned long long>(pruned->objects.objects_removed),
                static_cast<unsigned long long>(pruned->objects.bytes_removed),
                static_cast<unsigned long long>(pruned->objects.objects_kept));
    if (pruned->objects_too_new > 0) {
      std::printf(
          "%llu unnamed objects kept: written less than %d hours ago "
          "(prune_grace_hours; perhaps a copy in progress elsewhere)\n",
          static_cast<unsigned long long>(pruned->objects_too_new), grace_hours);
    }
  }
  return kExitOk;
}

}  // namespace

bool IsOffsiteInvocation(const std::string& verb, const Args& args) {
  return verb == "copy" || (args.Get("from") && (verb == "snapshots" || verb == "restore")) ||
         (args.Get("target") && (verb == "check" || verb == "prune"));
}

namespace {

Result<ArgTarget> OpenTargetAs(const Args& args, bool for_writing, bool defer_writing) {
  auto location = args.Get("to");
  if (!location) location = args.Get("from");
  if (!location) location = args.Get("target");
  if (!location) return Status::InvalidArgument("no off-site target given");
  ArgTarget out;
  OffsiteTargetSpec spec;
  spec.location = *location;
  spec.endpoint = args.Get("endpoint").value_or("");
  if (location->find_first_of("/:") == std::string::npos) {
    // A name: a target of DATA/offsite/targets.conf.
    ConfigSources sources;
    sources.flag_data = args.Get("data");
    ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));
    const std::string path = OffsiteConfigPath(config.data_dir);
    ARKWIKI_ASSIGN_OR_RETURN(auto targets, LoadOffsiteTargets(Env::Default(), path));
    auto it = std::find_if(targets.begin(), targets.end(),
                           [&](const OffsiteTargetConfig& t) { return t.name == *location; });
    if (it == targets.end()) {
      return Status::NotFound("no off-site target named '" + *location + "' in " + path +
                              " (a directory target needs a path with a '/')");
    }
    spec = it->spec;
    out.configured_passphrase = it->passphrase;
    out.expected_repository_id = it->repository_id;
    out.retention = it->retention;
    out.prune_grace_hours = it->prune_grace_hours;
  }
  for (const char* flag : {"region", "ca-file", "virtual-host"}) {
    if ((args.Has(flag) || args.Get(flag)) && !IsS3Location(spec.location)) {
      return Status::InvalidArgument("--" + std::string(flag) + " is for s3:// targets only");
    }
  }
  if (auto region = args.Get("region")) spec.region = *region;
  if (auto ca_file = args.Get("ca-file")) spec.ca_file = *ca_file;
  if (args.Has("virtual-host")) spec.path_style = false;
  if (auto file = args.Get("credentials-file")) {
    if (!IsS3Location(spec.location)) {
      return Status::InvalidArgument("--credentials-file is for s3:// targets only");
    }
    const char* profile = std::getenv("AWS_PROFILE");
    ARKWIKI_ASSIGN_OR_RETURN(S3Credentials credentials,
                             LoadS3CredentialsFile(Env::Default(), *file, profile ? profile : ""));
    spec.access_key_id = std::move(credentials.access_key_id);
    spec.secret_access_key = std::move(credentials.secret_access_key);
  }
  // An S3 copy keeps an interrupted upload's state in the data directory
  // (--data, the config or its default), as the server does, so that the
  // next copy resumes it even after a reboot; never in a shared /tmp.
  if (IsS3Location(spec.location) && spec.state_dir.empty()) {
    ConfigSources sources;
    sources.flag_data = args.Get("data");
    ARKWIKI_ASSIGN_OR_RETURN(ServerConfig config, LoadServerConfig(sources));
    spec.state_dir = config.data_dir + "/offsite/s3-uploads";
  }
  if (auto id = args.Get("repository-id")) out.expected_repository_id = RepositoryIdAsWritten(*id);
  out.writable = for_writing && !(defer_writing && !out.expected_repository_id.empty());
  ARKWIKI_ASSIGN_OR_RETURN(out.target, OpenOffsiteTarget(Env::Default(), spec, out.writable));
  out.opened_spec = spec;
  out.spec = std::move(spec);
  out.spec.access_key_id.clear();  // the spec is kept for what may be shown
  out.spec.secret_access_key.clear();
  return out;
}

}  // namespace

Result<ArgTarget> OpenTargetFromArgs(const Args& args, bool for_writing) {
  return OpenTargetAs(args, for_writing, /*defer_writing=*/true);
}

Status ReopenForWriting(ArgTarget* opened, const OffsiteKey& checked) {
  if (opened->writable) return Status::Ok();
  ARKWIKI_ASSIGN_OR_RETURN(opened->target,
                           ReopenCheckedForWriting(Env::Default(), opened->opened_spec, checked));
  opened->writable = true;
  return Status::Ok();
}

Result<std::unique_ptr<OffsiteKey>> UnlockExpectedTarget(const ArgTarget& opened,
                                                         std::string_view passphrase) {
  return UnlockExpectedRepository(
      opened.target.get(), passphrase, opened.expected_repository_id,
      "--repository-id, or targets.conf's repository_id",
      "; if that was meant, give no --repository-id, and delete the target's repository_id line "
      "in targets.conf");
}

Result<std::string> ReadPassphrase(const Args& args, const std::string& configured) {
  if (!configured.empty() && !args.Get("passphrase-file")) return configured;
  std::string text;
  if (auto file = args.Get("passphrase-file")) {
    ARKWIKI_ASSIGN_OR_RETURN(text, ReadFileToString(Env::Default(), *file, 64 << 10));
  } else if (!std::getline(std::cin, text)) {
    return Status::InvalidArgument(
        "no passphrase: give --passphrase-file FILE or the passphrase on standard input");
  }
  const size_t eol = text.find_first_of("\r\n");
  if (eol != std::string::npos) text.resize(eol);
  if (text.empty()) return Status::InvalidArgument("the passphrase is empty");
  return text;
}

namespace {

// ExportFromTarget's work inside `staging`, which the caller removes.
Result<StagedArchive> ExportStagedPoint(Env* env, OffsiteTarget* target, const OffsiteKey& key,
                                        const std::string& wanted, const DataDirLayout& layout,
                                        const std::string& staging) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string id, StageTargetPoint(env, target, key, wanted, staging));
  ARKWIKI_ASSIGN_OR_RETURN(auto repository, Repository::Open(env, layout, staging));
  const std::string path = JoinPath(layout.tmp, "restore-point-" + id + ".zip");
  ARKWIKI_RETURN_IF_ERROR(repository->ExportToFile(id, path).status());
  return StagedArchive{path, id};
}

}  // namespace

Result<StagedArchive> ExportFromTarget(OffsiteTarget* target, const OffsiteKey& key,
                                       const std::string& wanted, const DataDirLayout& layout) {
  Env* env = Env::Default();
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(layout.tmp));
  const std::string staging = JoinPath(layout.tmp, "offsite-" + RandomHex(6));
  auto staged = ExportStagedPoint(env, target, key, wanted, layout, staging);
  (void)env->RemoveTree(staging);  // the archive holds everything now, or nothing is needed
  return staged;
}

int CmdBackupOffsite(const std::string& verb, const Args& args) {
  if (verb == "copy" && !args.Get("to")) return UsageError("--to TARGET is required", kOffsiteHelp);
  const bool writes = verb == "copy" || verb == "prune";
  auto opened = OpenTargetFromArgs(args, writes);
  if (!opened.ok()) return ReportError(opened.status());
  auto passphrase = ReadPassphrase(args, opened->configured_passphrase);
  if (!passphrase.ok()) return UsageError(passphrase.status().message(), kOffsiteHelp);
  if (verb == "copy" && opened->expected_repository_id.empty()) {
    return Copy(args, *opened, *passphrase, nullptr);
  }
  auto key = UnlockExpectedTarget(*opened, *passphrase);
  if (!key.ok()) return ReportError(key.status());
  // Checked: the expected repository may now be written to.
  if (writes) {
    if (Status s = ReopenForWriting(&*opened, **key); !s.ok()) return ReportError(s);
  }
  if (verb == "copy") return Copy(args, *opened, *passphrase, std::move(*key));
  OffsiteTarget* target = opened->target.get();
  if (verb == "snapshots") return Snapshots(args, target, **key);
  if (verb == "check") return Check(args, target, **key);
  if (verb == "prune") {
    return Prune(args, target, **key, opened->retention, opened->prune_grace_hours);
  }
  return UsageError("unknown backup subcommand '" + verb + "'", kOffsiteHelp);
}

}  // namespace arkwiki::cli
