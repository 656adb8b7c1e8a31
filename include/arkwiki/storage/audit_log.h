// The audit log of admin actions (user changes, settings, backups, imports).
// Rows are append-only; nothing in arkwiki updates or deletes them.
#pragma once

#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

struct AuditEntry {
  int64_t id = 0;
  int64_t at = 0;
  std::string actor;
  std::string action;
  std::string detail;
};

class AuditLog {
 public:
  explicit AuditLog(Db* db) : db_(db) {}
  Status Append(const std::string& actor, const std::string& action, const std::string& detail);
  // Newest first.
  Result<std::vector<AuditEntry>> List(int64_t limit, int64_t offset = 0);

 private:
  Db* db_;
};

}  // namespace arkwiki
