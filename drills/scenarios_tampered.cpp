// Scenario 13: a backup whose database was edited by hand and re-packed
// with genuine checksums. Its checksums all pass; the import's row check
// must refuse it, naming the row, and leave the wiki as it was.
#include "scenario_util.h"
#include "tampered_archive.h"

namespace arkwiki::drill {
namespace {

// The attack that found the hole: one login for this user would run argon2
// with 4 GiB and 64 passes.
constexpr char kTamper[] =
    "UPDATE users SET password_hash = "
    "'$argon2id$v=19$m=4194304,t=64,p=1$c2FsdHNhbHQ$ZGlnZXN0ZGlnZXN0' "
    "WHERE id = (SELECT min(id) FROM users)";
constexpr char kTamperedRow[] = "SELECT name FROM users ORDER BY id LIMIT 1";

void ExpectRefusal(const std::string& label, bool refused, const std::string& message,
                   const std::string& refusal, Verdict* v) {
  v->Note(label + ": " + message.substr(0, 200));
  if (!refused) v->Fail(label + " was not refused as an invalid archive");
  if (message.find(refusal) == std::string::npos) {
    v->Fail(label + ": the refusal does not name the row (\"" + refusal + "\")");
  }
}

void TamperedBackup(DrillContext& ctx, const Golden& g, const std::string& path, Verdict* v) {
  DRILL_ASSIGN(Prepared p, PrepareWithBackup(ctx, g, "tampered-backup"));
  DRILL_ASSIGN(std::string scratch, ctx.NewDir("tampered-backup-scratch"));
  const std::string tampered = p.dir + "/tampered.zip";
  DRILL_ASSIGN(std::string user,
               RepackWithTamperedDatabase(p.archive, kTamper, kTamperedRow, tampered, scratch));
  const std::string refusal =
      "users row '" + user + "': password hash uses costs arkwiki never writes (m=4194304 KiB)";
  DRILL_ASSIGN(auto verify, ctx.Arkwiki({"backup", "verify", tampered}));
  ExpectRefusal("verify", verify.exit_code == 3, verify.err, refusal, v);
  if (path == "cli") {
    p.server->Stop();
    p.server.reset();
    RestoreRun run = ctx.RestoreCli(p.data, tampered);
    ExpectRefusal("restore", run.exit_code == 3, run.message, refusal, v);
    DRILL_ASSIGN(auto diffs, ctx.DiffDataDir(p.data, g.fp));
    v->RecordDiff("live data after the refused restore", diffs);
    return;
  }
  RestoreRun run = ctx.RestoreHttp(p.server->port(), g.fp.admin_token(), tampered);
  ExpectRefusal("POST /api/restore", run.http_status == 422, run.message, refusal, v);
  DRILL_ASSIGN(auto diffs, ctx.DiffServer(p.server->port(), g.fp));
  v->RecordDiff("live data after the refused import", diffs);
}

}  // namespace

std::vector<Scenario> TamperedScenarios() {
  return {
      {13,
       "tampered-backup",
       "a backup with one value edited by hand, re-packed with genuine checksums",
       {"cli", "http"},
       TamperedBackup},
  };
}

}  // namespace arkwiki::drill
