// Scenarios 1-5: the data is lost or damaged, or moves to a new machine;
// the backup taken before brings it back.
#include <filesystem>

#include "scenario_util.h"

namespace arkwiki::drill {
namespace {

namespace fs = std::filesystem;

// Shows (in the notes) that the fault really changed what the wiki serves.
void NoteFaultVisible(DrillContext& ctx, const Golden& g, int port, Verdict* v) {
  auto diffs = ctx.DiffServer(port, g.fp);
  if (diffs.ok()) {
    v->Note("fault visible before the restore: " + std::to_string(diffs->size()) +
            " difference(s)");
  } else {
    v->Note("fault visible before the restore: the wiki cannot be read (" +
            diffs.status().message().substr(0, 160) + ")");
  }
}

// Stops the server, damages the data with `fault`, then restores.
void DamageStoppedAndRestore(DrillContext& ctx, const Golden& g, const std::string& path,
                             Verdict* v, const std::string& name,
                             const std::function<Status(const std::string& data)>& fault) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, name));
  const double down = NowMs();
  p.server->Stop();
  p.server.reset();
  DRILL_CHECK(fault(p.data));
  std::string token = g.fp.admin_token();
  if (path == "http") {
    DRILL_CHECK(ServeOrFreshInstall(ctx, g, p.data, &p.server, &token, v));
    NoteFaultVisible(ctx, g, p.server->port(), v);
  }
  RestoreAndCheck(ctx, g.fp, path, p.data, p.archive, p.server, token, down, v);
}

void WipeDataDir(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "wipe"));
  const double down = NowMs();
  p.server->Stop();
  p.server.reset();
  std::error_code ec;
  fs::remove_all(p.data, ec);
  if (ec) return v->Fail("setup: wiping " + p.data + ": " + ec.message());
  std::string token;
  if (path == "http") {
    DRILL_ASSIGN(token, ctx.FreshInstall(p.data));
    DRILL_ASSIGN(p.server, ctx.Serve(p.data));
    v->Note("http path: fresh install with a bootstrap admin, then import");
  }
  RestoreAndCheck(ctx, g.fp, path, p.data, p.archive, p.server, token, down, v);
}

void DeleteUploads(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "uploads-deleted"));
  const double down = NowMs();  // from the moment files are gone
  std::error_code ec;
  uint64_t removed = 0;
  for (auto it = fs::recursive_directory_iterator(p.data + "/live/uploads", ec);
       !ec && it != fs::end(it); it.increment(ec)) {
    if (it->is_regular_file()) {
      fs::remove(it->path(), ec);
      ++removed;
    }
  }
  if (ec) return v->Fail("setup: deleting uploads: " + ec.message());
  v->Note("deleted " + std::to_string(removed) + " upload file(s) under live/uploads");
  NoteFaultVisible(ctx, g, p.server->port(), v);
  RestoreAndCheck(ctx, g.fp, path, p.data, p.archive, p.server, g.fp.admin_token(), down, v);
}

void CorruptDatabase(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DamageStoppedAndRestore(ctx, g, path, v, "db-corrupt", [v](const std::string& data) {
    const std::string db = data + "/live/arkwiki.db";
    ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, FileSize(db));
    // One whole page in the middle, and a few bytes in the second page.
    const uint64_t middle = (size / 2) / 4096 * 4096;
    ARKWIKI_RETURN_IF_ERROR(OverwriteBytes(db, middle, 4096, 7));
    if (size > 8192) ARKWIKI_RETURN_IF_ERROR(OverwriteBytes(db, 4096 + 100, 16, 8));
    v->Note("overwrote 4096 bytes at offset " + std::to_string(middle) + " and 16 at 4196 of " +
            std::to_string(size));
    return Status::Ok();
  });
}

void TruncateDatabase(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DamageStoppedAndRestore(ctx, g, path, v, "db-truncated", [v](const std::string& data) {
    const std::string db = data + "/live/arkwiki.db";
    ARKWIKI_ASSIGN_OR_RETURN(uint64_t size, FileSize(db));
    ARKWIKI_RETURN_IF_ERROR(TruncateTo(db, 0.4));
    for (const char* suffix : {"-wal", "-shm"}) {
      std::error_code ec;
      fs::remove(db + suffix, ec);  // absent after a clean stop
    }
    v->Note("truncated the database from " + std::to_string(size) + " bytes to 40%");
    return Status::Ok();
  });
}

void NewMachine(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "new-machine"));
  p.server->Stop();  // the old machine is gone
  p.server.reset();
  const std::string fresh = p.dir + "/new-machine-data";
  std::string token;
  ServerPtr server;
  if (path == "http") {
    DRILL_ASSIGN(token, ctx.FreshInstall(fresh));
    DRILL_ASSIGN(server, ctx.Serve(fresh));
  }
  RestoreAndCheck(ctx, g.fp, path, fresh, p.archive, server, token, -1, v);
  v->downtime_source = path == "cli" ? "new install: restore + first start" : v->downtime_source;
}

}  // namespace

std::vector<Scenario> DamageScenarios() {
  return {
      {1, "data-dir-wiped", "the data directory is wiped", {"cli", "http"}, WipeDataDir},
      {2, "uploads-deleted", "the upload files are deleted", {"cli", "http"}, DeleteUploads},
      {3,
       "db-bytes-corrupted",
       "bytes in the database are corrupted",
       {"cli", "http"},
       CorruptDatabase},
      {4, "db-truncated", "the database is truncated", {"cli", "http"}, TruncateDatabase},
      {5,
       "new-machine",
       "restore into a fresh install on a new data directory",
       {"cli", "http"},
       NewMachine},
  };
}

}  // namespace arkwiki::drill
