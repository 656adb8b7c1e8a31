// The audit log as handlers write it: as the request's user. Private to the
// web layer.
#pragma once

#include <string>

#include "arkwiki/storage/audit_log.h"
#include "exchange.h"

namespace arkwiki::web {

class WikiApp;

// The current user's name, or "" (handlers behind Access::kLoggedIn or
// stricter always have a user).
std::string ActorName(const Exchange& ex);

// Appends to the audit log as the current user; a failure is logged, not
// shown, since the change itself has already been made.
void AuditOrWarn(WikiApp& app, const Exchange& ex, AuditKind kind, const std::string& detail);

}  // namespace arkwiki::web
