// "Show all" of the import preview's lists: every page or user a staged
// import would add, remove or change, a page of entries at a time, as HTML
// or (Accept: application/json) as JSON. Private to the web layer.
#pragma once

#include "backup_service.h"
#include "renderer.h"

namespace arkwiki::web::restore_pages {

// GET /settings/backup/import/{id}/difference?list=NAME[&offset=N]
// NAME is pages_added, pages_removed, pages_changed, users_added,
// users_removed or users_changed (restore_diff.h); kDifferencePageSize
// entries from `offset`, in the preview's order.
inline constexpr uint64_t kDifferencePageSize = 1000;
void DifferenceList(BackupService& backup, const Renderer& pages, Exchange& ex);

}  // namespace arkwiki::web::restore_pages
