#include "web/import_flow.h"

#include <algorithm>

#include "arkwiki/core/log.h"
#include "web/import_receiver.h"
#include "web/page_view.h"

namespace arkwiki::web {

ImportOptions ImportOptionsFor(WikiApp& app, const std::string& actor) {
  const SiteSettings settings = app.settings();
  ImportOptions options;
  options.limits.max_archive_bytes = static_cast<uint64_t>(settings.import_max_bytes);
  options.safety_retention_days = settings.safety_backup_retention_days;
  options.actor = actor;
  return options;
}

Result<StagedImport> ReceiveAndStage(WikiApp& app, Exchange& ex) {
  ImportOptions options = ImportOptionsFor(app, ex.user->name);
  ARKWIKI_ASSIGN_OR_RETURN(std::string path,
                           ReceiveImportArchive(app, ex, app.settings().import_max_bytes));
  auto staged = Restorer(app.env(), app.layout()).Stage(path, options);
  Status removed = app.env()->RemoveFile(path);
  if (!removed.ok()) LogWarning("could not remove the uploaded backup: " + removed.ToString());
  return staged;
}

Result<ImportOutcome> CommitImport(
    WikiApp& app, const StagedImport& staged, ImportOptions options, int own_requests,
    const std::function<void(const std::string&, uint64_t, uint64_t)>& on_progress) {
  options.progress = on_progress;
  CommitHooks hooks;
  // Between these two hooks app.storage() is closed: nothing here may use it.
  hooks.enter_maintenance = [&app, own_requests] { return app.EnterMaintenance(own_requests); };
  hooks.leave_maintenance = [&app] { return app.LeaveMaintenance(); };
  auto outcome = Restorer(app.env(), app.layout()).Commit(staged, options, hooks);
  if (app.maintenance()) {
    // Commit failed after entering maintenance and did not leave it (e.g. it
    // could not remove the intent marker). The live directory holds exactly
    // the old or the new data, so serving it again is right.
    LogError("import ended inside maintenance; reopening the data directory");
    Status reopened = app.LeaveMaintenance();
    if (!reopened.ok()) LogError("still in maintenance: " + reopened.ToString());
  }
  return outcome;
}

Result<SafetyBackup> NewestSafetyBackup(WikiApp& app) {
  ARKWIKI_ASSIGN_OR_RETURN(auto backups,
                           Restorer(app.env(), app.layout())
                               .ListSafetyBackups(app.settings().safety_backup_retention_days));
  // An import over data too damaged to archive kept that data as a
  // directory (restore.h); undoing it would bring back an older archive
  // instead, so refuse and say where the data is.
  auto entries = app.env()->ListDir(app.layout().safety);
  std::string kept;
  if (entries.ok()) {
    for (const DirEntry& e : *entries) {
      const std::string suffix = "-unarchived";
      if (e.type == DirEntry::Type::kDir && e.name.size() > suffix.size() &&
          e.name.compare(e.name.size() - suffix.size(), suffix.size(), suffix) == 0 &&
          e.name > kept) {
        kept = e.name;
      }
    }
  }
  if (!kept.empty() && (backups.empty() || kept > backups.front().name)) {
    return Status::Conflict(
        "the last import replaced data that could not be archived, so it "
        "cannot be undone here; that data is kept as it was in " +
        JoinPath(app.layout().safety, kept));
  }
  if (backups.empty()) {
    return Status::NotFound("there is no safety backup yet: one is written before each import");
  }
  return backups.front();
}

std::string FileNameOf(const std::string& path) {
  size_t slash = path.find_last_of('/');
  return slash == std::string::npos ? path : path.substr(slash + 1);
}

TemplateValue CountsValue(const ManifestCounts& c) {
  return TemplateValue::MakeMap({{"pages", c.pages},
                                 {"revisions", c.revisions},
                                 {"users", c.users},
                                 {"uploads", c.uploads},
                                 {"bytes", FormatBytes(c.bytes)}});
}

Poco::JSON::Object::Ptr CountsJson(const ManifestCounts& c) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("pages", c.pages);
  o->set("revisions", c.revisions);
  o->set("users", c.users);
  o->set("uploads", c.uploads);
  o->set("bytes", c.bytes);
  return o;
}

Poco::JSON::Object::Ptr ManifestJson(const Manifest& m) {
  Poco::JSON::Object::Ptr o = new Poco::JSON::Object;
  o->set("created_at", m.created_at);
  o->set("app_version", m.app_version);
  o->set("format_version", m.format_version);
  o->set("schema_version", m.schema_version);
  o->set("site_title", m.site_title);
  o->set("counts", CountsJson(m.counts));
  return o;
}

}  // namespace arkwiki::web
