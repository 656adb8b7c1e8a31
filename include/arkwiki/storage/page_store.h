// Pages, their revisions, hierarchy, redirects, trash and search.
//
// Every save appends a revision; nothing rewrites an old one. A page's
// current text is the revision numbered pages.current_revision. Deleting
// moves a page to the trash (deleted_at set); purging removes it with its
// revisions and uploads. A rename leaves a redirect from the old slug.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"
#include "arkwiki/storage/read_pool.h"

namespace arkwiki {

struct Page {
  int64_t id = 0;
  std::string slug;
  std::string title;
  std::optional<int64_t> parent_id;
  int64_t sort_order = 0;
  std::string visibility = "public";
  int64_t current_revision = 0;
  std::optional<int64_t> deleted_at;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::string markdown;  // the current revision's text (empty in listings)
};

struct Revision {
  int64_t id = 0;
  int64_t page_id = 0;
  int64_t number = 0;
  std::string title;
  std::string markdown;
  std::string author;
  std::string comment;
  int64_t created_at = 0;
};

// How deep saves and moves may nest pages: a top-level page is level 1.
// The breadcrumb shows as many ancestors. A tree from older or imported
// data may be deeper; it is still shown and exported, and every page view
// walks it without recursion.
inline constexpr int64_t kMaxPageLevels = 64;

struct SavePageRequest {
  std::string slug;
  std::string title;
  std::string markdown;
  std::optional<std::string> parent_slug;  // "" makes it a top-level page
  std::optional<std::string> visibility;   // default: the site's default
  std::string default_visibility = "public";
  std::string author;
  std::string comment;
  // When set, the save fails with kConflict unless the page is still at this
  // revision (so two editors cannot silently overwrite each other); 0 means
  // the page must not exist yet, and any other number that it still exists
  // (not renamed or purged since).
  std::optional<int64_t> base_revision;
  // When set, the save fails with kConflict unless the slug still names
  // this page: after a rename, a new page may hold the old slug at the same
  // revision number.
  std::optional<int64_t> base_page_id;
  std::vector<std::string> linked_slugs;  // from the rendered Markdown
};

struct MovePageRequest {
  std::string slug;
  std::optional<std::string> parent_slug;  // "" = the top level
  std::optional<int64_t> position;         // 1-based among the new siblings
};

struct SearchHit {
  std::string slug;
  std::string title;
  // Plain text; matches are wrapped in \x01 ... \x02 for the caller to mark
  // up. Other control characters of the page text are spaces here.
  std::string snippet;
};

// A full-text search. Each word of `query` matches words it begins (a
// prefix); a page must match every word. Words are split at whitespace,
// control characters and '"', de-duplicated, and capped: see SearchResult.
struct SearchRequest {
  std::string query;
  bool include_private = false;
  int64_t limit = 50;
  QueryBudget budget;
};

struct SearchResult {
  std::vector<SearchHit> hits;  // best first
  // The words searched for, after de-duplication and the caps.
  std::vector<std::string> terms;
  // Words left out because the query had more than kMaxSearchTerms.
  int64_t ignored_terms = 0;
  // Set when the budget ran out or the server shut down: `hits` may then
  // miss pages or snippets (an empty snippet), and `stop` says why.
  bool truncated = false;
  QueryStop stop = QueryStop::kNone;
};

// Caps on a search query. Every word is a prefix query whose cost grows with
// the index; 16 words is more than any real search, and 64 bytes is longer
// than natural words in any script (21 CJK characters). A longer word is cut
// at a character boundary, which keeps every page it matched.
inline constexpr size_t kMaxSearchTerms = 16;
inline constexpr size_t kMaxSearchTermBytes = 64;

struct PageCounts {
  int64_t pages = 0;
  int64_t revisions = 0;
  int64_t trashed = 0;
};

class PageStore {
 public:
  // Searches run on `reads` when given, else on `db`. Reads outside a save
  // (Get, lists, revisions, backlinks, counts) run on `views` when given,
  // else on `db`: they see what was committed when they started.
  explicit PageStore(Db* db, ReadPool* reads = nullptr, ReadPool* views = nullptr)
      : db_(db), reads_(reads), views_(views) {}

  // Live pages only unless include_trashed.
  Result<Page> Get(const std::string& slug, bool include_trashed = false);
  Result<Page> GetById(int64_t id);
  // The slug a renamed page now has, or NotFound.
  Result<std::string> ResolveRedirect(const std::string& old_slug);
  // Every redirect to a live page: (old slug, the page's slug now).
  Result<std::vector<std::pair<std::string, std::string>>> Redirects();
  // Creates or updates; always appends a revision. Refuses a parent that is
  // the page itself or one of its descendants, and one that would nest a
  // page more than kMaxPageLevels deep.
  Result<Page> Save(const SavePageRequest& request);
  Result<std::vector<Page>> List(bool include_private);
  Result<std::vector<Page>> Children(std::optional<int64_t> parent_id, bool include_private);
  // Root first, excluding the page itself.
  Result<std::vector<Page>> Ancestors(const Page& page);
  Status SetChildOrder(std::optional<int64_t> parent_id, const std::vector<std::string>& slugs);
  // Moves a live page: under `request.parent_slug` when set ("" = the top
  // level), else under its current parent; to 1-based `request.position`
  // among the live pages there when set (clamped to the last place), else
  // to the end of a new parent's pages or its current place. The pages of
  // that parent are renumbered 1..n. Writes no revision. NotFound for an
  // unknown page or parent (trashed ones included); InvalidArgument when the
  // new parent is the page itself or one of its descendants, or would nest
  // one of the moved pages more than kMaxPageLevels deep.
  Result<Page> Move(const MovePageRequest& request);

  Result<std::vector<Revision>> Revisions(int64_t page_id);  // newest first, no text
  Result<Revision> GetRevision(int64_t page_id, int64_t number);
  // `links_of` gives the slugs a page's Markdown links to (the web layer
  // renders it): the reverted text's links replace the current ones.
  Result<Page> Revert(
      const std::string& slug, int64_t number, const std::string& author,
      const std::function<std::vector<std::string>(const std::string& markdown)>& links_of);
  Result<Page> Rename(const std::string& slug, const std::string& new_slug,
                      const std::string& new_title, const std::string& author);

  Status MoveToTrash(const std::string& slug);
  // Back under its parent, or at the top level when the parent is in the
  // trash or would nest a page more than kMaxPageLevels deep.
  Status RestoreFromTrash(const std::string& slug);
  // Removes a trashed page for good, with its revisions and upload rows.
  // Upload files left unreferenced go at the next UploadStore::CollectGarbage.
  Status Purge(const std::string& slug);
  Result<std::vector<Page>> Trash();

  // Errors: Busy when no search connection frees within the budget or the
  // pool is shutting down; a spent budget is not an error (see SearchResult).
  Result<SearchResult> Search(const SearchRequest& request);
  // The hits of Search with the default budget.
  Result<std::vector<SearchHit>> Search(const std::string& query, bool include_private,
                                        int64_t limit);
  Result<std::vector<Page>> Backlinks(const std::string& slug, bool include_private);
  Result<PageCounts> Counts();

 private:
  Status WriteRevision(Db& tx, Page* page, const SavePageRequest& r);
  // `current`: the page as stored, null for a new one.
  Result<std::optional<int64_t>> ResolveParent(Db& tx, const SavePageRequest& r,
                                               const Page* current);
  Result<SqlRows> Read(const std::string& sql, const std::vector<SqlParam>& params = {});
  Db* db_;
  ReadPool* reads_;
  ReadPool* views_;
};

Status ValidateTitle(const std::string& title);
Status ValidateMarkdown(const std::string& markdown);

// A revision's author and comment, by the same rules wherever they come
// from: an edit in the web UI or the API, a revert or rename, or a row of an
// imported database (row_check.h). The author is a user name (the rules of
// ValidateUserName). The comment is valid UTF-8 without NUL bytes and at
// most kMaxRevisionCommentBytes; the edit form asks for at most 500
// characters, but the API has always taken longer ones, and a wiki holding
// them must stay importable.
inline constexpr size_t kMaxRevisionCommentBytes = 64 << 10;
Status ValidateRevisionAuthor(const std::string& author);
Status ValidateRevisionComment(const std::string& comment);

}  // namespace arkwiki
