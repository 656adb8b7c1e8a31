// How a restore looks to users: template values and JSON for staged
// archives, manifests and restore jobs, and the URLs of the browser's
// restore pages (/settings/backup/import/<id>/...). Private to the web layer.
#pragma once

#include <Poco/JSON/Object.h>

#include <string>

#include "arkwiki/backup/archive_format.h"
#include "arkwiki/web/template.h"
#include "restore_jobs.h"

namespace arkwiki::web {

// "/settings/backup/import/<id>[/<suffix>]".
std::string RestorePageHref(const std::string& id, const std::string& suffix = "");

// A manifest's created_at the way the UI shows dates ("2026-11-26 17:28 UTC").
std::string BackupDate(const std::string& iso);

// {pages, revisions, users, uploads, bytes (human)} for templates.
TemplateValue CountsValue(const ManifestCounts& counts);
Poco::JSON::Object::Ptr CountsJson(const ManifestCounts& counts);
// {created_at, app_version, format_version, schema_version, site_title, counts}.
Poco::JSON::Object::Ptr ManifestJson(const Manifest& manifest);
// The job as JSON for GET /api/restore/status.
Poco::JSON::Object::Ptr RestoreJobJson(const RestoreJob& job);

}  // namespace arkwiki::web
