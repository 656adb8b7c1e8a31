// How a restore looks to users: template values and JSON for staged
// archives, manifests and restore jobs, and the URLs of the browser's
// restore pages (/settings/backup/import/<id>/...). Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/backup/restore.h"
#include "restore_jobs.h"
#include "template.h"

namespace arkwiki::web {

// "/settings/backup/import/<id>[/<suffix>]".
std::string RestorePageHref(const std::string& id, const std::string& suffix = "");

// A manifest's created_at the way the UI shows dates ("2026-11-26 17:28 UTC").
std::string BackupDate(const std::string& iso);

// {pages, revisions, users, uploads, bytes (human)} for templates.
TemplateValue CountsValue(const ManifestCounts& counts);
Poco::JSON::Object::Ptr CountsJson(const ManifestCounts& counts);
// {created_at, app_version, format_version, schema_version, site_title,
// counts, partial, omits}.
Poco::JSON::Object::Ptr ManifestJson(const Manifest& manifest);
// A database-only archive's preview: {is_partial, has_missing,
// missing_count, missing [{page, name, size}] (the first kShownMissing),
// missing_more} for templates.
inline constexpr size_t kShownMissing = 200;
TemplateValue PartialValue(const StagedImport& staged);
// {"count", "files": [{"page", "name", "sha256", "size"}] (the first
// kListedMissing), "truncated"}: what a database-only archive's pages refer
// to and this wiki lacks.
inline constexpr size_t kListedMissing = 1000;
Poco::JSON::Object::Ptr MissingUploadsJson(const std::vector<MissingUpload>& missing);
// Who an import logs out: {same_wiki, logged_out [{name}], has_logged_out,
// you_logged_out} for templates; `me` is the importing admin.
TemplateValue SessionsValue(const SessionCarryOver& plan, const std::string& me);
// {"same_wiki", "kept": [names], "logged_out": [names]}.
Poco::JSON::Object::Ptr SessionsJson(const SessionCarryOver& plan);
// The job as JSON for GET /api/restore/status.
Poco::JSON::Object::Ptr RestoreJobJson(const RestoreJob& job);

}  // namespace arkwiki::web
