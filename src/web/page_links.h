// Helpers shared by the browser UI handlers (wiki pages and Settings):
// visibility rules, links, dates and flash redirects. Private to the web
// layer.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "arkwiki/storage/page_store.h"
#include "arkwiki/web/template.h"
#include "web/app.h"
#include "web/page_access.h"  // VisiblePage

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

// Sets `name` to the list and "has_<name>" to whether it has items, so a
// template can put a heading around a list only when it is not empty.
void SetList(TemplateValue* data, const std::string& name, TemplateValue list);

// "2026-11-26 17:28 UTC". Dates in the UI are shown in UTC.
std::string FormatDate(int64_t unix_seconds);
// {text, iso, day} for a <time datetime="iso">text</time> element; day is
// just "2026-11-26".
TemplateValue DateValue(int64_t unix_seconds);
// "1.5 MiB", "512 bytes".
std::string FormatBytes(int64_t bytes);

// 303 to `path` with a ?flash= message (kind "success" or "error").
void RedirectWithFlash(Exchange& ex, const std::string& path, const std::string& text,
                       const std::string& kind = "success");

// Escapes a search snippet, then turns its \x01/\x02 match markers into
// <mark></mark>. The result is safe to insert raw.
std::string MarkSnippet(const std::string& snippet);

// A store message as a sentence: first letter upper-case, final period.
std::string AsSentence(std::string text);

// Parses a whole decimal number (no sign, no junk); nullopt otherwise.
std::optional<int64_t> ParseCount(const std::string& text);

// The current user's name, or "" (handlers behind Access::kLoggedIn or
// stricter always have a user).
std::string ActorName(const Exchange& ex);

// Appends to the audit log as the current user; a failure is logged, not
// shown, since the change itself has already been made.
void AuditOrWarn(WikiApp& app, const Exchange& ex, const std::string& action,
                 const std::string& detail);

// Route groups registered by RegisterPageRoutes / RegisterSettingsRoutes.
void RegisterAssetRoutes(WikiApp& app);
void RegisterPageEditRoutes(WikiApp& app);
void RegisterPageHistoryRoutes(WikiApp& app);
void RegisterPageManageRoutes(WikiApp& app);
void RegisterTrashSearchRoutes(WikiApp& app);
void RegisterUserAdminRoutes(WikiApp& app);
void RegisterTokenAdminRoutes(WikiApp& app);
void RegisterPreferenceRoutes(WikiApp& app);

}  // namespace arkwiki::web
