// BackupService: the first-run restore from an off-site target (/setup).
#include "app.h"
#include "arkwiki/backup/repository.h"
#include "arkwiki/core/hash.h"
#include "arkwiki/core/log.h"
#include "backup_service.h"

namespace arkwiki::web {
namespace {

// Decrypts restore point `id` of `target` into a repository of its own in
// `staging` (every file checked against the record) and exports it to an
// archive in layout.tmp; returns the archive's path.
Result<std::string> ExportTargetPoint(Env* env, const DataDirLayout& layout, OffsiteTarget* target,
                                      const OffsiteKey& key, const std::string& id,
                                      const std::string& staging) {
  ARKWIKI_ASSIGN_OR_RETURN(std::string staged_id, StageTargetPoint(env, target, key, id, staging));
  ARKWIKI_ASSIGN_OR_RETURN(auto repository, Repository::Open(env, layout, staging));
  const std::string path = JoinPath(layout.tmp, "setup-" + RandomHex(6) + ".zip");
  auto exported = repository->ExportToFile(staged_id, path);
  if (!exported.ok()) {
    (void)env->RemoveFile(path);  // the failure to export matters more
    return exported.status();
  }
  return path;
}

}  // namespace

Result<RestoreDone> BackupService::RestoreFirstRun(OffsiteTarget* target, const OffsiteKey& key,
                                                   const std::string& id) {
  std::unique_lock<std::mutex> lock(exclusive_, std::try_to_lock);
  if (!lock.owns_lock()) return Status::Busy(kBusyMessage);
  // Under the lock: of two restores sent at once, the second finds the
  // users the first brought.
  ARKWIKI_ASSIGN_OR_RETURN(int64_t users, app_.storage().users().Count());
  if (users > 0) {
    return Status::Conflict("this wiki has users now: log in, and import from Settings");
  }
  Env* env = app_.env();
  const DataDirLayout layout = app_.layout();
  ARKWIKI_RETURN_IF_ERROR(env->CreateDirs(layout.tmp));
  const std::string staging = JoinPath(layout.tmp, "setup-" + RandomHex(6));
  auto archive = ExportTargetPoint(env, layout, target, key, id, staging);
  Status removed = env->RemoveTree(staging);  // the archive holds it all now, or none is needed
  if (!removed.ok()) LogWarning("could not remove " + staging + ": " + removed.ToString());
  if (!archive.ok()) return archive.status();
  ImportOptions options = OptionsFor(kSetupActor);
  // import_max_bytes caps what a browser uploads, and no admin could raise
  // it here; the archive comes from the target the setup code's holder
  // named, so it gets the offline restore's limits, as `restore --from`.
  options.limits.max_archive_bytes = ZipLimits{}.max_archive_bytes;
  auto staged = restorer_.Stage(*archive, options);
  removed = env->RemoveFile(*archive);
  if (!removed.ok()) LogWarning("could not remove " + *archive + ": " + removed.ToString());
  if (!staged.ok()) return AsArchiveRefusal(staged.status());
  RestoreDone done;
  done.staged = std::move(staged).value();
  return FinishRestore(std::move(done), kSetupActor, false);
}

}  // namespace arkwiki::web
