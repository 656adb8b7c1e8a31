// Visibility rules shared by the HTML and API handlers.
#pragma once

#include <string>

#include "app.h"
#include "arkwiki/storage/page_store.h"

namespace arkwiki::web {

// The live page, if this visitor may see it. Private pages are NotFound for
// anonymous visitors, so their existence is not revealed.
Result<Page> VisiblePage(WikiApp& app, const Exchange& ex, const std::string& slug);
// Whether this visitor may see `page`: private pages only when logged in,
// trashed ones only for editors (the trash is theirs).
bool MayView(const Exchange& ex, const Page& page);
// The parent's slug, or "" for a top-level page and for a parent this
// visitor may not see (so its name is not revealed).
std::string ParentSlug(WikiApp& app, const Exchange& ex, const Page& page);
// The breadcrumb: ancestors root first, cut above the nearest ancestor this
// visitor may not see (which is left out with everything above it).
std::vector<Page> VisibleAncestors(WikiApp& app, const Exchange& ex, const Page& page);
// Whether a link to `slug` leads to a page this visitor may see: the page,
// or the page a rename left `slug` redirecting to. Otherwise the link is
// drawn as missing.
bool LinkLeadsToAPage(WikiApp& app, const Exchange& ex, const std::string& slug);
// Links in page text as rendered Markdown sees them (for PageStore::Save).
// Renders through the app's RenderCache, so the views that follow a save
// find the page's HTML there.
std::vector<std::string> LinkedSlugs(WikiApp& app, const std::string& markdown);
// Page text as safe HTML for `ex`'s visitor: the cached rendering, with
// links to pages the visitor cannot see marked missing.
std::string PageHtml(WikiApp& app, const Exchange& ex, const std::string& markdown);

}  // namespace arkwiki::web
