// The wiki the load test runs against: a fresh data directory with an
// admin and one editor per editing client (made with the CLI), a running
// `arkwiki serve` on loopback, and pages seeded through the HTTP API:
// ordinary pages for the browsers, one page per editor, a 5,000-column
// table, a page of one word repeated 40,000 times, and uploads so that
// a backup streams for a while.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/process/child_process.h"
#include "load/load_options.h"

namespace arkwiki::load {

inline constexpr char kPassword[] = "correct horse battery";
inline constexpr char kWideTableSlug[] = "wide-table";
inline constexpr char kRepeatedWordSlug[] = "repeated-word";
inline constexpr char kRepeatedWord[] = "quux";

struct LoadWiki {
  std::string data_dir;
  std::unique_ptr<process::ServerProcess> server;
  std::string admin_token;
  std::vector<std::string> page_slugs;    // ordinary pages, for the browsers
  std::vector<std::string> editor_names;  // one user per editor, kPassword
  std::vector<std::string> editor_slugs;  // the page editor i saves
};

// Sets the wiki up under `dir` (which must exist), with the server's
// head_timeout_ms and threads from `options`.
Result<LoadWiki> SetUpWiki(const LoadOptions& options, const std::string& dir);

// The Markdown of a 5,000-column, 50-row table (about 520 KB).
std::string WideTableMarkdown();

// The text of ordinary page `i` (a few KB: headings, lists, a table, links).
std::string PageMarkdown(int i, int pages);

}  // namespace arkwiki::load
