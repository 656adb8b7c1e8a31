// The page and revision part of the row check (row_check.h); private to the
// storage layer.
#pragma once

#include <sqlite3.h>

#include "arkwiki/core/status.h"

namespace arkwiki {

// Pages: slug, title and visibility as the API allows; every parent exists
// and the tree has no cycle. Revisions: title, text and comment within the
// API's limits; each page's revisions are numbered 1..n without gaps, with
// n its current revision.
Status CheckPageRows(sqlite3* db);

}  // namespace arkwiki
