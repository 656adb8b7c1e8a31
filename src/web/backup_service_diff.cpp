// BackupService: what a restore would change, and who would notice
// (backup_service.h).
#include "app.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"
#include "restore_diff_view.h"

namespace arkwiki::web {

DiffSources BackupService::DifferenceSources(const StagedImport& staged) {
  return DiffSourcesFor(app_.layout(), staged);
}

Result<RestoreDiff> BackupService::Difference(const StagedImport& staged,
                                              const std::string& importer) {
  return DiffDatabases(DifferenceSources(staged), DiffOptionsFor(staged, importer));
}

std::vector<std::string> BackupService::RecentlyActiveUsers(const std::string& except) {
  return app_.active_users().Since(NowUnixSeconds() - int64_t{kActiveWindowMinutes} * 60, except);
}

void BackupService::AddDifference(RestoreDone& done, const std::string& actor) {
  auto difference = Difference(done.staged, actor);
  if (difference.ok()) {
    done.difference = std::move(difference).value();
  } else {
    LogWarning("could not compare the backup with the live data: " +
               difference.status().ToString());
    done.difference_error = difference.status().message();
  }
  done.active_users = RecentlyActiveUsers(actor);
}

}  // namespace arkwiki::web
