// Scenarios 9-12 and 20: disk full, a damaged archive, undoing an import through
// its safety copy (a before-import restore point), an archive from an
// older format version; and an older backup imported by mistake.
#include <filesystem>
#include <thread>

#include "arkwiki/process/http_client.h"
#include "scenario_util.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

void DiskFullBackup(DrillContext& ctx, const Golden& g, Prepared& p, Verdict* v) {
  DRILL_ASSIGN(uint64_t archive_bytes, FileSize(p.archive));
  auto mount = TmpfsMount::Mount(p.dir + "/small-fs", archive_bytes / 2);
  if (!mount.ok()) return v->Skip(mount.status().message() + " (needs root; Env seam not used)");
  v->Note("backup --out onto a tmpfs of " + std::to_string(archive_bytes / 2) +
          " bytes (the archive needs " + std::to_string(archive_bytes) + ")");
  const std::string out = (*mount)->dir() + "/backup.zip";
  DRILL_ASSIGN(auto r, ctx.Arkwiki({"backup", "create", "--data", p.data, "--out", out}));
  if (r.exit_code != 4) v->Fail("backup create exited " + std::to_string(r.exit_code) + ", not 4");
  if (!MentionsNoSpace(r.err)) v->Fail("the error does not name missing space: " + r.err);
  v->Note("backup create: exit " + std::to_string(r.exit_code) + ": " + r.err.substr(0, 200));
  std::error_code ec;
  if (fs::exists(out, ec)) v->Fail("a file was left under the final name " + out);
  if (!fs::is_empty((*mount)->dir(), ec)) v->Fail("files were left on the full file system");
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), g.fp));
  v->RecordDiff("the wiki after the failed backup", diffs);
}

void DiskFullRestore(DrillContext& ctx, const Golden& g, const std::string& path, Prepared& p,
                     Verdict* v) {
  p.server->Stop();
  p.server.reset();
  const uint64_t live = TreeBytes(p.data);
  const uint64_t size = live + (6 << 20);  // room to serve, not to stage an import
  auto mount = TmpfsMount::Mount(p.dir + "/small-data-fs", size);
  if (!mount.ok()) return v->Skip(mount.status().message() + " (needs root; Env seam not used)");
  const std::string data = (*mount)->dir() + "/data";
  DRILL_CHECK(ctx.CopyGolden(Golden{g.profile, p.data, "", g.fp}, data));
  v->Note("data dir on a tmpfs of " + std::to_string(size) + " bytes (" + std::to_string(live) +
          " in use)");
  if (path == "cli") {
    RestoreRun run = ctx.RestoreCli(data, p.archive);
    v->restore_seconds = run.seconds;
    v->Note("restore: exit " + std::to_string(run.exit_code) + ": " + run.message.substr(0, 200));
    if (run.exit_code != 4) v->Fail("restore exited " + std::to_string(run.exit_code) + ", not 4");
    if (!MentionsNoSpace(run.message)) v->Fail("the error does not name missing space");
  } else {
    DRILL_ASSIGN(p.server, ctx.Serve(data));
    RestoreRun run = ctx.RestoreHttp(p.server->port(), g.fp.admin_token(), p.archive);
    v->restore_seconds = run.seconds;
    v->Note("POST /api/restore: " + std::to_string(run.http_status) + ": " +
            run.message.substr(0, 200));
    if (run.http_status != 507)
      v->Fail("expected HTTP 507, got " + std::to_string(run.http_status));
    if (!MentionsNoSpace(run.message)) v->Fail("the error does not name missing space");
    p.server->Stop();
    p.server.reset();
  }
  DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(data, g.fp));
  v->RecordDiff("the wiki after the failed restore", diffs);
}

void DiskFull(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "disk-full"));
  if (path == "cli") {
    DiskFullBackup(ctx, g, p, v);
    if (v->result == "skip") return;
  } else {
    v->Note("backup part: cli path only (the http backup streams to the client)");
  }
  DiskFullRestore(ctx, g, path, p, v);
}

void CheckDamagedArchive(DrillContext& ctx, const Golden& g, const std::string& path, Prepared& p,
                         const std::string& bad, const std::string& label, Verdict* v) {
  DRILL_ASSIGN(auto verify, ctx.Arkwiki({"backup", "verify", bad}));
  if (verify.exit_code != 3) {
    v->Fail(label + ": verify exited " + std::to_string(verify.exit_code) + ", not 3");
  }
  if (path == "cli") {
    if (p.server) p.server->Stop();
    p.server.reset();
    RestoreRun run = ctx.RestoreCli(p.data, bad);
    v->Note(label + ": restore exit " + std::to_string(run.exit_code) + ": " +
            run.message.substr(0, 160));
    if (run.exit_code != 3) v->Fail(label + ": restore exited " + std::to_string(run.exit_code));
    DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(p.data, g.fp));
    v->RecordDiff(label + ": live data after the refused restore", diffs);
    return;
  }
  if (!p.server) {
    DRILL_ASSIGN(p.server, ctx.Serve(p.data));
  }
  RestoreRun run = ctx.RestoreHttp(p.server->port(), g.fp.admin_token(), bad);
  v->Note(label + ": POST /api/restore " + std::to_string(run.http_status) + ": " +
          run.message.substr(0, 160));
  if (run.http_status != 422) {
    v->Fail(label + ": import answered " + std::to_string(run.http_status) + ", not 422");
  }
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), g.fp));
  v->RecordDiff(label + ": live data after the refused import", diffs);
}

void DamagedArchive(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "bad-archive"));
  DRILL_ASSIGN(uint64_t size, FileSize(p.archive));
  const std::string flipped = p.dir + "/bitflip.zip", truncated = p.dir + "/truncated.zip";
  std::error_code ec;
  fs::copy_file(p.archive, flipped, ec);
  fs::copy_file(p.archive, truncated, ec);
  if (ec) return v->Fail("setup: copying the archive: " + ec.message());
  DRILL_CHECK(FlipBit(flipped, size / 2));
  DRILL_CHECK(TruncateTo(truncated, 0.6));
  CheckDamagedArchive(ctx, g, path, p, flipped, "bit flip at " + std::to_string(size / 2), v);
  CheckDamagedArchive(ctx, g, path, p, truncated, "truncated to 60%", v);
}

// Starts the undo (newest safety backup) and waits until it is done.
Status UndoHttp(DrillContext& ctx, int port, const std::string& token, double* seconds) {
  process::HttpClient client(port, token);
  const double start = NowMs();
  ARKWIKI_ASSIGN_OR_RETURN(auto reply, client.Send("POST", "/settings/backup/undo", "",
                                                   "application/x-www-form-urlencoded"));
  if (reply.status != 202 && reply.status != 200 && reply.status != 303) {
    return Status::IoError("POST /settings/backup/undo answered " + std::to_string(reply.status) +
                           ": " + reply.body.substr(0, 200));
  }
  // The job swaps in the background; wait for 503 to come and go, then for
  // the audit entry that ends the job.
  for (int i = 0; i < 6000; ++i) {
    auto audit = client.Send("GET", "/api/audit?limit=5");
    if (audit.ok() && audit->status == 200 &&
        audit->body.find("backup.undo") != std::string::npos) {
      *seconds = (NowMs() - start) / 1000;
      return Status::Ok();
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  (void)ctx;
  return Status::IoError("the undo did not finish within 60 s");
}

// Imports p.archive over the wiki MakeChanges made (`changed`), checks
// that the import restored the backup, then undoes it and checks that
// `changed` is back.
void ImportThenUndo(DrillContext& ctx, const Golden& g, const std::string& path, Prepared& p,
                    const fixture::Fingerprint& changed, Verdict* v) {
  RestoreAndCheck(ctx, g.fp, path, p.data, p.archive, p.server, g.fp.admin_token(), -1, v);
  if (v->result != "pass") return;
  if (path == "http") {
    double seconds = 0;
    DRILL_CHECK(UndoHttp(ctx, p.server->port(), g.fp.admin_token(), &seconds));
    v->Note("undo through /settings/backup/undo took " + std::to_string(seconds) + " s");
    DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), changed));
    return v->RecordDiff("after the undo vs the wiki before the import", diffs);
  }
  p.server->Stop();
  p.server.reset();
  // The offline restore kept the replaced data as a before-import restore
  // point: `backup snapshots` lists them oldest first, "ID  TIME  TRIGGER ...".
  DRILL_ASSIGN(auto list, ctx.Arkwiki({"backup", "snapshots", "--data", p.data}));
  std::string newest;
  for (size_t begin = 0; begin < list.out.size();) {
    size_t end = list.out.find('\n', begin);
    if (end == std::string::npos) end = list.out.size();
    const std::string line = list.out.substr(begin, end - begin);
    if (line.find("  before-import  ") != std::string::npos)
      newest = line.substr(0, line.find(' '));
    begin = end + 1;
  }
  if (newest.empty()) return v->Fail("no before-import restore point: " + list.out + list.err);
  DRILL_ASSIGN(auto run,
               ctx.Arkwiki({"backup", "restore", "--data", p.data, "--snapshot", newest, "--yes"}));
  if (run.exit_code != 0) return v->Fail("restoring the safety restore point: " + run.err);
  v->Note("undo: restored the before-import restore point " + newest);
  DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(p.data, changed));
  v->RecordDiff("after the undo vs the wiki before the import", diffs);
}

void UndoImport(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "undo"));
  DRILL_ASSIGN(fixture::Fingerprint changed, MakeChanges(ctx, p.server->port(), g.fp));
  ImportThenUndo(ctx, g, path, p, changed, v);
}

// The difference the preview shows for p.archive: the dry run's
// preview.difference (http) or `backup diff --json` (cli).
Result<Poco::JSON::Object::Ptr> PreviewDifference(DrillContext& ctx, const std::string& path,
                                                  const Prepared& p, const std::string& token) {
  std::string text;
  if (path == "http") {
    RestoreRun run = ctx.RestoreHttp(p.server->port(), token, p.archive, true);
    if (run.http_status != 200) {
      return Status::IoError("the dry run answered " + std::to_string(run.http_status) + ": " +
                             run.message.substr(0, 200));
    }
    ARKWIKI_ASSIGN_OR_RETURN(auto body, process::ParseJsonObject(run.message));
    auto preview = body->getObject("preview");
    if (!preview || !preview->getObject("difference")) {
      return Status::Corruption("the dry run has no preview.difference: " + run.message);
    }
    return preview->getObject("difference");
  }
  ARKWIKI_ASSIGN_OR_RETURN(auto run,
                           ctx.Arkwiki({"backup", "diff", p.archive, "--data", p.data, "--json"}));
  if (run.exit_code != 0) return Status::IoError("backup diff failed: " + run.err);
  return process::ParseJsonObject(run.out);
}

// True when `list` ({"entries": [page...]}) names `slug` as edited since the backup.
bool ListsEditedPage(const Poco::JSON::Object::Ptr& list, const std::string& slug) {
  auto entries = list ? list->getArray("entries") : nullptr;
  for (size_t i = 0; entries && i < entries->size(); ++i) {
    auto page = entries->getObject(static_cast<unsigned>(i));
    if (page->optValue<std::string>("slug", "") == slug &&
        page->optValue<bool>("edited_since_backup", false)) {
      return true;
    }
  }
  return false;
}

// The admin picks an older backup by mistake: the preview must show the
// work the import would throw away (the page written after the backup,
// and the page edited after it, first in their lists); the import goes
// ahead anyway, and undo must bring that work back.
void WrongBackupPicked(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "wrong-backup"));
  DRILL_ASSIGN(fixture::Fingerprint changed, MakeChanges(ctx, p.server->port(), g.fp));
  DRILL_ASSIGN(auto difference, PreviewDifference(ctx, path, p, g.fp.admin_token()));
  auto pages = difference->getObject("pages");
  if (!pages) return v->Fail("the difference has no pages: " + process::ToJsonText(difference));
  if (!ListsEditedPage(pages->getObject("removed"), "written-after-the-backup")) {
    return v->Fail("the preview does not list written-after-the-backup as lost work");
  }
  auto changed_pages = pages->getObject("changed");
  if (!changed_pages || changed_pages->optValue<int>("total", 0) < 1 ||
      pages->optValue<int>("edited_since_backup", 0) < 2) {
    return v->Fail("the preview does not list the page edited after the backup");
  }
  v->Note("preview: " + std::to_string(pages->optValue<int>("edited_since_backup", 0)) +
          " pages edited since the backup would be lost");
  ImportThenUndo(ctx, g, path, p, changed, v);
}

void OldFormatArchive(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  (void)g;
  const std::string archive = ctx.config().archives_dir + "/arkwiki-schema-v2.zip";
  auto expected =
      fixture::ReadFingerprint(ctx.config().archives_dir + "/arkwiki-schema-v2.expected.json");
  if (!fs::exists(archive) || !expected.ok()) {
    return v->Fail("missing " + archive +
                   " or its .expected.json (make it with "
                   "arkwiki-old-archive fixtures/archives)");
  }
  DRILL_ASSIGN(auto verify, ctx.Arkwiki({"backup", "verify", archive}));
  if (verify.exit_code != 0) return v->Fail("verify rejected the old archive: " + verify.err);
  DRILL_ASSIGN(std::string dir, ctx.NewDir("old-format"));
  const std::string data = dir + "/data";
  ServerPtr server;
  std::string token;
  if (path == "http") {
    DRILL_ASSIGN(token, ctx.FreshInstall(data));
    DRILL_ASSIGN(server, ctx.Serve(data));
  }
  v->Note("archive at schema version 2, format 1; restore migrates it to the current schema");
  RestoreAndCheck(ctx, *expected, path, data, archive, server, token, -1, v);
}

}  // namespace

std::vector<Scenario> FaultScenarios() {
  return {
      {9,
       "disk-full",
       "disk full during a backup, then during a restore",
       {"cli", "http"},
       DiskFull},
      {10,
       "corrupted-archive",
       "a corrupted archive (bit flip, truncation)",
       {"cli", "http"},
       DamagedArchive},
      {11,
       "undo-import",
       "undo of an import through the safety backup",
       {"cli", "http"},
       UndoImport},
      {12,
       "old-format-archive",
       "an older archive restores through migration",
       {"cli", "http"},
       OldFormatArchive},
      {20,
       "wrong-backup-picked",
       "an older backup imported by mistake: the preview shows the lost pages, undo brings them "
       "back",
       {"cli", "http"},
       WrongBackupPicked},
  };
}

}  // namespace arkwiki::drill
