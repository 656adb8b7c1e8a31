// The audit log of admin actions (user changes, settings, backups, imports).
// Rows are append-only; nothing in arkwiki updates or deletes them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

namespace arkwiki {

// Every kind of entry (the `action` column) arkwiki writes. Writers name
// one of these; the import's row check (row_check.h) accepts exactly the
// names of this list plus those of kRetiredAuditKinds, so what arkwiki
// writes and what an import accepts cannot drift apart. Extend, never
// rename: old names stay in archives.
enum class AuditKind {
  kBackupCheck,     // "backup.check" (restore points)
  kBackupCreate,    // "backup.create"
  kBackupDelete,    // "backup.delete" (a restore point)
  kBackupDownload,  // "backup.download" (a restore point as an archive)
  kBackupImport,    // "backup.import"
  kBackupSnapshot,  // "backup.snapshot" (a restore point written)
  kBackupUndo,      // "backup.undo"
  kPageMove,        // "page.move"
  kPagePurge,       // "page.purge"
  kSettingsUpdate,  // "settings.update"
  kTokenCreate,     // "token.create"
  kTokenRevoke,     // "token.revoke"
  kUserAdd,         // "user.add" (API and CLI)
  kUserCreate,      // "user.create" (admin pages)
  kUserDisable,     // "user.disable"
  kUserEnable,      // "user.enable"
  kUserPassword,    // "user.password" (admin pages)
  kUserPasswd,      // "user.passwd" (CLI)
  kUserRole,        // "user.role" (admin pages)
  kUserSetRole,     // "user.set-role" (CLI)
  kUserUpdate,      // "user.update" (API)
};

// The stored name of `kind`, e.g. "user.add".
std::string_view AuditKindName(AuditKind kind);

// Kinds only older versions wrote, which their archives may still hold.
inline constexpr std::string_view kRetiredAuditKinds[] = {"wiki.create"};

// True for the name of an AuditKind or of a retired kind.
bool IsKnownAuditKind(std::string_view action);

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
  Status Append(const std::string& actor, AuditKind kind, const std::string& detail);
  // As above for a kind named by its stored name; InvalidArgument for a
  // name that is not an AuditKind's (nothing is written).
  Status Append(const std::string& actor, const std::string& action, const std::string& detail);
  // Newest first.
  Result<std::vector<AuditEntry>> List(int64_t limit, int64_t offset = 0);

 private:
  Db* db_;
};

}  // namespace arkwiki
