// Pages, their revisions, hierarchy, redirects, trash and search.
//
// Every save appends a revision; nothing rewrites an old one. A page's
// current text is the revision numbered pages.current_revision. Deleting
// moves a page to the trash (deleted_at set); purging removes it with its
// revisions and uploads. A rename leaves a redirect from the old slug.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "arkwiki/core/status.h"
#include "arkwiki/storage/db.h"

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
  // revision (so two editors cannot silently overwrite each other).
  std::optional<int64_t> base_revision;
  std::vector<std::string> linked_slugs;  // from the rendered Markdown
};

struct SearchHit {
  std::string slug;
  std::string title;
  // Plain text; matches are wrapped in \x01 ... \x02 for the caller to mark up.
  std::string snippet;
};

struct PageCounts {
  int64_t pages = 0;
  int64_t revisions = 0;
  int64_t trashed = 0;
};

class PageStore {
 public:
  explicit PageStore(Db* db) : db_(db) {}

  // Live pages only unless include_trashed.
  Result<Page> Get(const std::string& slug, bool include_trashed = false);
  Result<Page> GetById(int64_t id);
  // The slug a renamed page now has, or NotFound.
  Result<std::string> ResolveRedirect(const std::string& old_slug);
  // Creates or updates; always appends a revision. Refuses a parent that is
  // the page itself or one of its descendants.
  Result<Page> Save(const SavePageRequest& request);
  Result<std::vector<Page>> List(bool include_private);
  Result<std::vector<Page>> Children(std::optional<int64_t> parent_id, bool include_private);
  // Root first, excluding the page itself.
  Result<std::vector<Page>> Ancestors(const Page& page);
  Status SetChildOrder(std::optional<int64_t> parent_id, const std::vector<std::string>& slugs);

  Result<std::vector<Revision>> Revisions(int64_t page_id);  // newest first, no text
  Result<Revision> GetRevision(int64_t page_id, int64_t number);
  Result<Page> Revert(const std::string& slug, int64_t number, const std::string& author);
  Result<Page> Rename(const std::string& slug, const std::string& new_slug,
                      const std::string& new_title, const std::string& author);

  Status MoveToTrash(const std::string& slug);
  Status RestoreFromTrash(const std::string& slug);
  // Removes a trashed page for good, with its revisions and upload rows.
  // Upload files left unreferenced go at the next UploadStore::CollectGarbage.
  Status Purge(const std::string& slug);
  Result<std::vector<Page>> Trash();

  Result<std::vector<SearchHit>> Search(const std::string& query, bool include_private,
                                        int64_t limit);
  Result<std::vector<Page>> Backlinks(const std::string& slug, bool include_private);
  Result<PageCounts> Counts();

 private:
  Status WriteRevision(Db& tx, Page* page, const SavePageRequest& r);
  Result<std::optional<int64_t>> ResolveParent(Db& tx, const SavePageRequest& r,
                                               std::optional<int64_t> self);
  Db* db_;
};

Status ValidateTitle(const std::string& title);
Status ValidateMarkdown(const std::string& markdown);

}  // namespace arkwiki
