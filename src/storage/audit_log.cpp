#include "arkwiki/storage/audit_log.h"

#include "arkwiki/core/clock.h"

namespace arkwiki {

Status AuditLog::Append(const std::string& actor, const std::string& action,
                        const std::string& detail) {
  return db_->Exec("INSERT INTO audit_log(at, actor, action, detail) VALUES(?,?,?,?)",
                   {NowUnixSeconds(), actor, action, detail});
}

Result<std::vector<AuditEntry>> AuditLog::List(int64_t limit, int64_t offset) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           db_->Query("SELECT id, at, actor, action, detail FROM audit_log "
                                      "ORDER BY id DESC LIMIT ? OFFSET ?",
                                      {limit, offset}));
  std::vector<AuditEntry> out;
  for (const auto& r : rows) out.push_back({r.Int(0), r.Int(1), r.Text(2), r.Text(3), r.Text(4)});
  return out;
}

}  // namespace arkwiki
