// Which login sessions survive an import (restore.h, step 2).
//
// A session is kept only when the archive is of this same wiki (its
// manifest's instance_id equals the live database's) and its user exists in
// the archive, enabled, with the same password hash as in the live wiki.
// Anyone else is logged out: a name alone proves nothing, since another
// wiki's "bob" is another person, and an older "bob" may have had another
// password or role.
#pragma once

#include <string>

#include "arkwiki/backup/restore.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

// The live wiki's unexpired sessions and its instance id. A live database
// that cannot be read has no sessions to keep (an import is its repair).
struct LiveSessions {
  std::string instance_id;
  // token_hash, user name, csrf, created_at, expires_at, password_hash
  SqlRows rows;
};
LiveSessions ReadLiveSessions(const std::string& live_database);

// Who keeps and who loses their login if `staged_db` replaces the live data.
Result<SessionCarryOver> PlanSessionCarryOver(const LiveSessions& live, Db& staged_db,
                                              const Manifest& manifest);

// Copies the sessions of plan.kept users into `staged_db` (inside `tx`).
Status CopyKeptSessions(const LiveSessions& live, const SessionCarryOver& plan, Db& tx);

}  // namespace arkwiki
