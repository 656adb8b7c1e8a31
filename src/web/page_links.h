// Links to wiki pages, and answering for a page that is missing or hidden.
// Private to the web layer.
#pragma once

#include <optional>
#include <string>

#include "app.h"
#include "arkwiki/storage/page_store.h"
#include "arkwiki/web/template.h"
#include "page_access.h"  // VisiblePage

namespace arkwiki::web {

// "/wiki/<slug>" with the slug percent-encoded (slugs may hold UTF-8), plus
// an optional "/<suffix>" such as "edit" or "history".
std::string PageHref(const std::string& slug, const std::string& suffix = "");

// Sends the 404 page for `slug`, with a "Create this page" link for editors.
void SendPageNotFound(WikiApp& app, Exchange& ex, const std::string& slug);

// Loads a visible page for a sub-view (/history, /edit...): on failure sends
// the right response (redirect for a renamed page, 404, error) and returns
// nullopt. `suffix` keeps the sub-view when following a rename.
std::optional<Page> PageOrRespond(WikiApp& app, Exchange& ex, const std::string& suffix);

// {slug, title, href} for lists of pages.
TemplateValue PageLinkValue(const Page& page);

}  // namespace arkwiki::web
