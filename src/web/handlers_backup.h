// Route groups of Settings → Backup & Import, registered by
// RegisterBackupRoutes (handlers_backup.cpp). Private to the web layer.
#pragma once

#include <string>

#include "web/app.h"

namespace arkwiki::web {

// Browser import: upload, preview, confirm, cancel, progress, result.
void RegisterImportRoutes(WikiApp& app);
// POST /api/restore and GET /api/restore/status.
void RegisterRestoreApiRoutes(WikiApp& app);

// Renders the progress page of import job `id` (polled by backup.js).
void ShowImportProgress(WikiApp& app, Exchange& ex, int status, const std::string& id);

inline constexpr char kBusyMessage[] =
    "another backup or import is running; try again when it has finished";

}  // namespace arkwiki::web
