// The steps an import takes through the web layer, shared by the browser
// pages (handlers_import.cpp), the background jobs (import_jobs.h) and the
// JSON API (handlers_restore_api.cpp). Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>

#include <functional>
#include <string>

#include "arkwiki/backup/restore.h"
#include "arkwiki/web/template.h"
#include "web/app.h"

namespace arkwiki::web {

// Import options from the site settings: the archive cap is
// import_max_bytes, safety backups are kept safety_backup_retention_days.
ImportOptions ImportOptionsFor(WikiApp& app, const std::string& actor);

// Receives the request body (import_receiver.h) and stages it (Restorer::
// Stage). The received file is removed either way: the staged copy is all a
// commit needs. On failure staging holds nothing of this request.
Result<StagedImport> ReceiveAndStage(WikiApp& app, Exchange& ex);

// Restorer::Commit with the server's maintenance hooks. `own_requests` is
// how many requests in flight belong to this import (1 when the caller is a
// request handler, 0 for a background job). `on_phase` sees each phase.
// Whatever happens, the server serves again when this returns (if the data
// directory can be reopened at all).
Result<ImportOutcome> CommitImport(
    WikiApp& app, const StagedImport& staged, ImportOptions options, int own_requests,
    const std::function<void(const std::string&, uint64_t, uint64_t)>& on_progress);

// The newest safety backup, or NotFound.
Result<SafetyBackup> NewestSafetyBackup(WikiApp& app);

// "arkwiki-safety-....zip" from a path.
std::string FileNameOf(const std::string& path);

// {pages, revisions, users, uploads, bytes (human)} for templates.
TemplateValue CountsValue(const ManifestCounts& counts);
Poco::JSON::Object::Ptr CountsJson(const ManifestCounts& counts);
// {created_at, app_version, format_version, schema_version, site_title, counts}.
Poco::JSON::Object::Ptr ManifestJson(const Manifest& manifest);

}  // namespace arkwiki::web
