#include "restore/session_carry.h"

#include <algorithm>
#include <set>

#include "arkwiki/core/clock.h"
#include "restore/restore_files.h"

namespace arkwiki {

LiveSessions ReadLiveSessions(const std::string& live_database) {
  LiveSessions live;
  DbOptions ro;
  ro.read_only = true;
  ro.wal = false;
  auto db = Db::Open(live_database, ro);
  if (!db.ok()) return live;
  auto id = (*db)->Query("SELECT value FROM settings WHERE key = 'instance_id'");
  if (id.ok() && !id->empty()) live.instance_id = id->front().Text(0);
  auto rows = (*db)->Query(
      "SELECT s.token_hash, u.name, s.csrf, s.created_at, s.expires_at, u.password_hash "
      "FROM sessions s JOIN users u ON u.id = s.user_id WHERE s.expires_at > ? "
      "ORDER BY u.name",
      {NowUnixSeconds()});
  if (rows.ok()) live.rows = std::move(rows).value();
  return live;
}

Result<SessionCarryOver> PlanSessionCarryOver(const LiveSessions& live, Db& staged_db,
                                              const Manifest& manifest) {
  SessionCarryOver plan;
  plan.same_wiki = !live.instance_id.empty() && manifest.instance_id == live.instance_id;
  std::set<std::string> kept;
  std::set<std::string> logged_out;
  for (const SqlRow& r : live.rows) {
    const std::string& name = r.Text(1);
    if (kept.count(name) || logged_out.count(name)) continue;
    bool keep = false;
    if (plan.same_wiki) {
      ARKWIKI_ASSIGN_OR_RETURN(
          SqlRows user, staged_db.Query("SELECT 1 FROM users WHERE name = ? AND disabled = 0 AND "
                                        "password_hash = ?",
                                        {name, r.Text(5)}));
      keep = !user.empty();
    }
    (keep ? kept : logged_out).insert(name);
  }
  plan.kept.assign(kept.begin(), kept.end());
  plan.logged_out.assign(logged_out.begin(), logged_out.end());
  return plan;
}

Status CopyKeptSessions(const LiveSessions& live, const SessionCarryOver& plan, Db& tx) {
  for (const SqlRow& r : live.rows) {
    const std::string& name = r.Text(1);
    if (!std::binary_search(plan.kept.begin(), plan.kept.end(), name)) continue;
    // The same conditions as the plan, checked again where the rows go in.
    ARKWIKI_RETURN_IF_ERROR(tx.Exec(
        "INSERT OR IGNORE INTO sessions(token_hash, user_id, csrf, created_at, expires_at) "
        "SELECT ?, id, ?, ?, ? FROM users WHERE name = ? AND disabled = 0 AND password_hash = ?",
        {r.Text(0), r.Text(2), r.Int(3), r.Int(4), name, r.Text(5)}));
  }
  return Status::Ok();
}

Result<SessionCarryOver> Restorer::PlanSessions(const StagedImport& staged) {
  DbOptions ro;
  ro.read_only = true;
  ro.wal = false;
  ARKWIKI_ASSIGN_OR_RETURN(auto db,
                           Db::Open(JoinPath(StagedLive(layout_, staged.id), "arkwiki.db"), ro));
  return PlanSessionCarryOver(ReadLiveSessions(layout_.database), *db, staged.report.manifest);
}

}  // namespace arkwiki
