#include "arkwiki/storage/audit_log.h"

#include <algorithm>
#include <array>
#include <utility>

#include "arkwiki/core/clock.h"

namespace arkwiki {
namespace {

constexpr std::array<std::pair<AuditKind, std::string_view>, 21> kAuditKindNames = {{
    {AuditKind::kBackupCheck, "backup.check"},   {AuditKind::kBackupCreate, "backup.create"},
    {AuditKind::kBackupDelete, "backup.delete"}, {AuditKind::kBackupDownload, "backup.download"},
    {AuditKind::kBackupImport, "backup.import"}, {AuditKind::kBackupSnapshot, "backup.snapshot"},
    {AuditKind::kBackupUndo, "backup.undo"},     {AuditKind::kPageMove, "page.move"},
    {AuditKind::kPagePurge, "page.purge"},       {AuditKind::kSettingsUpdate, "settings.update"},
    {AuditKind::kTokenCreate, "token.create"},   {AuditKind::kTokenRevoke, "token.revoke"},
    {AuditKind::kUserAdd, "user.add"},           {AuditKind::kUserCreate, "user.create"},
    {AuditKind::kUserDisable, "user.disable"},   {AuditKind::kUserEnable, "user.enable"},
    {AuditKind::kUserPassword, "user.password"}, {AuditKind::kUserPasswd, "user.passwd"},
    {AuditKind::kUserRole, "user.role"},         {AuditKind::kUserSetRole, "user.set-role"},
    {AuditKind::kUserUpdate, "user.update"},
}};

// Every enumerator has its name at its own index (checked at compile time).
constexpr bool NamesFollowTheEnum() {
  for (size_t i = 0; i < kAuditKindNames.size(); ++i) {
    if (static_cast<size_t>(kAuditKindNames[i].first) != i) return false;
  }
  return static_cast<size_t>(AuditKind::kUserUpdate) + 1 == kAuditKindNames.size();
}
static_assert(NamesFollowTheEnum(), "kAuditKindNames must list every AuditKind in order");

}  // namespace

std::string_view AuditKindName(AuditKind kind) {
  return kAuditKindNames[static_cast<size_t>(kind)].second;
}

bool IsKnownAuditKind(std::string_view action) {
  const auto named = [&](const auto& entry) { return entry.second == action; };
  return std::any_of(kAuditKindNames.begin(), kAuditKindNames.end(), named) ||
         std::find(std::begin(kRetiredAuditKinds), std::end(kRetiredAuditKinds), action) !=
             std::end(kRetiredAuditKinds);
}

Status AuditLog::Append(const std::string& actor, AuditKind kind, const std::string& detail) {
  return db_->Exec("INSERT INTO audit_log(at, actor, action, detail) VALUES(?,?,?,?)",
                   {NowUnixSeconds(), actor, std::string(AuditKindName(kind)), detail});
}

Status AuditLog::Append(const std::string& actor, const std::string& action,
                        const std::string& detail) {
  for (const auto& [kind, name] : kAuditKindNames) {
    if (name == action) return Append(actor, kind, detail);
  }
  return Status::InvalidArgument("'" + action + "' is not a kind of audit entry arkwiki writes");
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
