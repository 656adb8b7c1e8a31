#include "audit_trail.h"

#include "app.h"
#include "arkwiki/core/log.h"

namespace arkwiki::web {

std::string ActorName(const Exchange& ex) { return ex.user ? ex.user->name : ""; }

void AuditOrWarn(WikiApp& app, const Exchange& ex, AuditKind kind, const std::string& detail) {
  Status s = app.storage().audit().Append(ActorName(ex), kind, detail);
  if (!s.ok()) LogWarning("audit log: " + s.ToString());
}

}  // namespace arkwiki::web
