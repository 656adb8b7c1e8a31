// BackupService: archives going out (Create Backup) and coming in only to
// be checked ("Check a backup file").
#include <malloc.h>

#include <chrono>

#include "app.h"
#include "archive_receiver.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"

namespace arkwiki::web {

Result<BackupResult> BackupService::WriteBackup(ByteSink* sink, const std::string& actor,
                                                const std::string& audit_detail,
                                                bool database_only) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  BackupOptions options;
  options.database_only = database_only;
  auto result = arkwiki::WriteBackup(app_.env(), app_.layout(), sink, options);
  // The backup's threads freed their memory into glibc arenas of their own,
  // which keep it: give it back, or each download would leave the server
  // ~30 MB larger for a 50,000-file wiki (benchmarks/README.md).
  ::malloc_trim(0);
  Journal({0, "backup", result.ok() ? "ok" : "failed", actor, audit_detail,
           result.ok() ? result->archive_bytes : 0, 0,
           result.ok() ? "sha256 " + result->archive_sha256 : result.status().message()});
  if (!result.ok()) return result;
  Status s =
      app_.storage().audit().Append(actor, AuditKind::kBackupCreate,
                                    audit_detail + ", " + std::to_string(result->archive_bytes) +
                                        " bytes, sha256 " + result->archive_sha256);
  if (!s.ok()) LogWarning("backup made but not written to the audit log: " + s.ToString());
  return result;
}

std::string BackupService::BackupFileName(bool database_only) {
  std::string name = arkwiki::BackupFileName(app_.settings().site_title, NowUnixSeconds());
  if (database_only) name.insert(name.size() - 4, "-database-only");  // before ".zip"
  return name;
}

Result<BackupService::ArchiveCheck> BackupService::CheckArchiveFromRequest(Exchange& ex) {
  const ImportOptions options = OptionsFor(ex.user->name);
  // DATA/tmp, not staging/: nothing here is an import. The server empties
  // tmp/ at start, so not even a crash leaves the archive behind.
  ARKWIKI_ASSIGN_OR_RETURN(SplitArchive archive,
                           ReceiveArchive(app_.env(), app_.layout().tmp, ex,
                                          static_cast<int64_t>(options.limits.max_archive_bytes)));
  ArchiveCheck check;
  const std::string name = ex.Query("name");
  check.file = name.empty() ? "upload" : name;
  VerifyOptions verify;
  verify.limits = options.limits;
  verify.scratch_dir = app_.layout().tmp;
  verify.split = &archive;
  const auto start = std::chrono::steady_clock::now();
  check.report = VerifyArchive(app_.env(), archive.path, verify);
  check.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  ::malloc_trim(0);  // as after a backup: the check's threads' arenas
  Status removed = RemoveSplitArchive(app_.env(), archive);
  if (!removed.ok()) LogWarning("could not remove the checked archive: " + removed.ToString());
  return check;
}

}  // namespace arkwiki::web
