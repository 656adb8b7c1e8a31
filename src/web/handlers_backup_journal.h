// The backup journal (arkwiki/backup/backup_journal.h) for people and
// monitors: GET /api/backup-journal and the list on Settings → Backup &
// Import. Routes in routes.cpp. Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"
#include "template.h"

namespace arkwiki::web::backup_journal {

// GET /api/backup-journal?limit=N&offset=M: the journal, newest first.
void List(BackupService& backup, const Renderer& pages, Exchange& ex);
// Sets "journal" (the newest entries; has_journal) and "journal_error" on
// the page data.
void SetView(BackupService& backup, TemplateValue* data);

}  // namespace arkwiki::web::backup_journal
