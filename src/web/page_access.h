// Visibility rules shared by the HTML and API handlers.
#pragma once

#include <string>

#include "app.h"
#include "arkwiki/storage/page_store.h"

namespace arkwiki::web {

// The live page, if this visitor may see it. Private pages are NotFound for
// anonymous visitors, so their existence is not revealed.
Result<Page> VisiblePage(WikiApp& app, const Exchange& ex, const std::string& slug);
// The parent's slug, or "" for a top-level page.
std::string ParentSlug(WikiApp& app, const Page& page);
// Links in page text as rendered Markdown sees them (for PageStore::Save).
std::vector<std::string> LinkedSlugs(WikiApp& app, const std::string& markdown);

}  // namespace arkwiki::web
