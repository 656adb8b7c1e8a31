#include "arkwiki/storage/page_store.h"

#include "arkwiki/core/clock.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/storage/user_store.h"
#include "page_rows.h"
#include "row_check_util.h"
#include "sqlite_calls.h"

namespace arkwiki {

Status ValidateTitle(const std::string& title) {
  if (title.empty() || title.size() > 300) {
    return Status::InvalidArgument("titles are 1 to 300 bytes");
  }
  if (!IsValidUtf8(title)) return Status::InvalidArgument("the title is not valid UTF-8");
  for (unsigned char c : title) {
    if (c < 0x20 || c == 0x7f) {
      return Status::InvalidArgument("the title contains control characters");
    }
  }
  return Status::Ok();
}

Status ValidateMarkdown(const std::string& markdown) {
  if (markdown.size() > (16u << 20)) return Status::TooLarge("pages are at most 16 MiB of text");
  if (!IsValidUtf8(markdown)) return Status::InvalidArgument("the text is not valid UTF-8");
  if (markdown.find('\0') != std::string::npos) {
    return Status::InvalidArgument("the text contains a NUL byte");
  }
  return Status::Ok();
}

Status ValidateRevisionAuthor(const std::string& author) {
  Status s = ValidateUserName(author);
  if (s.ok()) return s;
  return Status::InvalidArgument("the author is not a user name: " + s.message());
}

Status ValidateRevisionComment(const std::string& comment) {
  return row_check::CheckBoundedText("the comment", comment, kMaxRevisionCommentBytes);
}

Result<SqlRows> PageStore::Read(const std::string& sql, const std::vector<SqlParam>& params) {
  return ReadCommitted(db_, views_, sql, params);
}

Result<Page> PageStore::Get(const std::string& slug, bool include_trashed) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      Read(std::string("SELECT ") + kPageColumns +
               ", r.markdown FROM pages p "
               "LEFT JOIN revisions r ON r.page_id = p.id AND r.number = p.current_revision "
               "WHERE p.slug = ?" +
               (include_trashed ? "" : " AND p.deleted_at IS NULL"),
           {slug}));
  if (rows.empty()) return Status::NotFound("no page '" + slug + "'");
  Page page = PageFromRow(rows[0]);
  page.markdown = rows[0].Text(10);
  return page;
}

Result<Page> PageStore::GetById(int64_t id) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      Read(std::string("SELECT ") + kPageColumns + " FROM pages p WHERE p.id = ?", {id}));
  if (rows.empty()) return Status::NotFound("no page with id " + std::to_string(id));
  return Get(rows[0].Text(1), true);
}

Result<std::string> PageStore::ResolveRedirect(const std::string& old_slug) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           Read("SELECT p.slug FROM redirects r JOIN pages p ON p.id = r.page_id "
                                "WHERE r.old_slug = ? AND p.deleted_at IS NULL",
                                {old_slug}));
  if (rows.empty()) return Status::NotFound("no redirect for '" + old_slug + "'");
  return rows[0].Text(0);
}

Result<std::vector<std::pair<std::string, std::string>>> PageStore::Redirects() {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           Read("SELECT r.old_slug, p.slug FROM redirects r JOIN pages p ON "
                                "p.id = r.page_id WHERE p.deleted_at IS NULL"));
  std::vector<std::pair<std::string, std::string>> out;
  out.reserve(rows.size());
  for (const SqlRow& r : rows) out.emplace_back(r.Text(0), r.Text(1));
  return out;
}

Status CheckNewParent(Db& tx, std::optional<int64_t> self, int64_t parent,
                      const std::string& cycle_message) {
  ARKWIKI_ASSIGN_OR_RETURN(int64_t pages, tx.QueryInt("SELECT count(*) FROM pages"));
  // The whole way up, not just kMaxPageLevels: an imported tree may be
  // deeper, and a cycle must be refused wherever it would close.
  int64_t parent_level = 0;
  for (std::optional<int64_t> cur = parent; cur && parent_level <= pages; ++parent_level) {
    if (self && *cur == *self) return Status::InvalidArgument(cycle_message);
    ARKWIKI_ASSIGN_OR_RETURN(SqlRows up,
                             tx.Query("SELECT parent_id FROM pages WHERE id = ?", {*cur}));
    cur = up.empty() ? std::nullopt : up[0].OptInt(0);
  }
  int64_t height = 0;  // levels of live pages below `self`
  if (self) {
    ARKWIKI_ASSIGN_OR_RETURN(
        height, tx.QueryInt("WITH RECURSIVE below(id, depth) AS (SELECT ?, 0 UNION ALL "
                            "SELECT p.id, below.depth + 1 FROM pages p JOIN below ON "
                            "p.parent_id = below.id WHERE p.deleted_at IS NULL AND "
                            "below.depth < ?) SELECT max(depth) FROM below",
                            {*self, kMaxPageLevels}));
  }
  if (parent_level + 1 + height > kMaxPageLevels) {
    return Status::InvalidArgument(
        "pages nest at most " + std::to_string(kMaxPageLevels) +
        " levels deep; the parent is at level " + std::to_string(parent_level) +
        (height > 0 ? " and this page has " + std::to_string(height) + " levels of pages below it"
                    : ""));
  }
  return Status::Ok();
}

Result<std::optional<int64_t>> PageStore::ResolveParent(Db& tx, const SavePageRequest& r,
                                                        const Page* current) {
  if (!r.parent_slug || r.parent_slug->empty()) return std::optional<int64_t>();
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, tx.Query("SELECT id FROM pages WHERE slug = ? AND "
                                                  "deleted_at IS NULL",
                                                  {*r.parent_slug}));
  if (rows.empty())
    return Status::InvalidArgument("parent page '" + *r.parent_slug + "' not found");
  int64_t parent = rows[0].Int(0);
  // A save that keeps the parent needs no walk of the tree.
  if (current == nullptr || current->parent_id != parent) {
    ARKWIKI_RETURN_IF_ERROR(
        CheckNewParent(tx, current ? std::optional<int64_t>(current->id) : std::nullopt, parent,
                       "a page cannot be placed under itself"));
  }
  return std::optional<int64_t>(parent);
}

Status PageStore::WriteRevision(Db& tx, Page* page, const SavePageRequest& r) {
  ARKWIKI_RETURN_IF_ERROR(ValidateRevisionAuthor(r.author));
  ARKWIKI_RETURN_IF_ERROR(ValidateRevisionComment(r.comment));
  int64_t now = NowUnixSeconds();
  page->current_revision += 1;
  ARKWIKI_RETURN_IF_ERROR(tx.Exec(
      "INSERT INTO revisions(page_id, number, title, markdown, author, comment, created_at) "
      "VALUES(?,?,?,?,?,?,?)",
      {page->id, page->current_revision, r.title, r.markdown, r.author, r.comment, now}));
  ARKWIKI_RETURN_IF_ERROR(
      tx.Exec("UPDATE pages SET title = ?, current_revision = ?, updated_at = ? WHERE id = ?",
              {r.title, page->current_revision, now, page->id}));
  ARKWIKI_RETURN_IF_ERROR(tx.Exec("DELETE FROM page_search WHERE rowid = ?", {page->id}));
  ARKWIKI_RETURN_IF_ERROR(tx.Exec("INSERT INTO page_search(rowid, title, body) VALUES(?,?,?)",
                                  {page->id, r.title, r.markdown}));
  ARKWIKI_RETURN_IF_ERROR(tx.Exec("DELETE FROM page_links WHERE from_page = ?", {page->id}));
  // One prepared statement for all links: a page may link to 50,000 pages.
  std::vector<std::vector<SqlParam>> links;
  links.reserve(r.linked_slugs.size());
  for (const auto& to : r.linked_slugs) links.push_back({page->id, to});
  ARKWIKI_RETURN_IF_ERROR(
      ExecEach(tx, "INSERT OR IGNORE INTO page_links(from_page, to_slug) VALUES(?,?)", links));
  page->title = r.title;
  page->markdown = r.markdown;
  page->updated_at = now;
  return Status::Ok();
}

Result<Page> PageStore::Save(const SavePageRequest& r) {
  if (!IsValidSlug(r.slug)) return Status::InvalidArgument("'" + r.slug + "' is not a valid slug");
  ARKWIKI_RETURN_IF_ERROR(ValidateTitle(r.title));
  ARKWIKI_RETURN_IF_ERROR(ValidateMarkdown(r.markdown));
  if (r.visibility && *r.visibility != "public" && *r.visibility != "private") {
    return Status::InvalidArgument("visibility must be public or private");
  }
  Page page;
  Status s = db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, tx.Query(std::string("SELECT ") + kPageColumns +
                                                        " FROM pages p WHERE p.slug = ?",
                                                    {r.slug}));
    if (r.base_revision && *r.base_revision < 0) {
      return Status::InvalidArgument("base_revision is a revision number, or 0 for a new page");
    }
    if (rows.empty() && r.base_page_id) {
      return Status::Conflict("page '" + r.slug +
                              "' no longer exists: the page being edited was renamed or "
                              "purged meanwhile");
    }
    if (rows.empty() && r.base_revision && *r.base_revision != 0) {
      return Status::Conflict("page '" + r.slug + "' no longer exists (it was at revision " +
                              std::to_string(*r.base_revision) +
                              "): it was renamed or purged meanwhile");
    }
    if (!rows.empty()) {
      page = PageFromRow(rows[0]);
      if (r.base_page_id && *r.base_page_id != page.id) {
        return Status::Conflict("'" + r.slug +
                                "' is another page now: the page being edited was renamed or "
                                "deleted meanwhile");
      }
      if (page.deleted_at) {
        return Status::Conflict("page '" + r.slug + "' is in the trash; restore it first");
      }
      if (r.base_revision && *r.base_revision != page.current_revision) {
        return Status::Conflict("page '" + r.slug +
                                "' was changed by someone else (now at "
                                "revision " +
                                std::to_string(page.current_revision) + ")");
      }
    }
    ARKWIKI_ASSIGN_OR_RETURN(std::optional<int64_t> parent,
                             ResolveParent(tx, r, rows.empty() ? nullptr : &page));
    if (rows.empty()) {
      int64_t now = NowUnixSeconds();
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO pages(slug, title, parent_id, sort_order, visibility, created_at, "
                  "updated_at) VALUES(?,?,?,(SELECT coalesce(max(sort_order),0)+1 FROM pages WHERE "
                  "parent_id IS ?),?,?,?)",
                  {r.slug, r.title, parent, parent, r.visibility.value_or(r.default_visibility),
                   now, now}));
      page.id = tx.LastInsertId();
      page.slug = r.slug;
      page.created_at = now;
      (void)tx.Exec("DELETE FROM redirects WHERE old_slug = ?", {r.slug});
    } else {
      if (r.parent_slug) {
        ARKWIKI_RETURN_IF_ERROR(
            tx.Exec("UPDATE pages SET parent_id = ? WHERE id = ?", {parent, page.id}));
      }
      if (r.visibility) {
        ARKWIKI_RETURN_IF_ERROR(
            tx.Exec("UPDATE pages SET visibility = ? WHERE id = ?", {*r.visibility, page.id}));
      }
    }
    return WriteRevision(tx, &page, r);
  });
  ARKWIKI_RETURN_IF_ERROR(s);
  return Get(r.slug);
}

Result<std::vector<Page>> PageStore::List(bool include_private) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      Read(std::string("SELECT ") + kPageColumns + " FROM pages p WHERE p.deleted_at IS NULL" +
           (include_private ? "" : " AND p.visibility = 'public'") +
           " ORDER BY p.title COLLATE NOCASE"));
  return PagesFromRows(rows);
}

Result<std::vector<Page>> PageStore::Children(std::optional<int64_t> parent_id,
                                              bool include_private) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows, Read(std::string("SELECT ") + kPageColumns +
                             " FROM pages p WHERE p.parent_id IS ? AND p.deleted_at IS NULL" +
                             (include_private ? "" : " AND p.visibility = 'public'") +
                             " ORDER BY p.sort_order, p.title COLLATE NOCASE",
                         {parent_id}));
  return PagesFromRows(rows);
}

Result<std::vector<Page>> PageStore::Ancestors(const Page& page) {
  std::vector<Page> chain;
  std::optional<int64_t> cur = page.parent_id;
  while (cur && chain.size() < 64) {
    ARKWIKI_ASSIGN_OR_RETURN(
        SqlRows rows,
        Read(std::string("SELECT ") + kPageColumns + " FROM pages p WHERE p.id = ?", {*cur}));
    if (rows.empty()) break;
    chain.push_back(PageFromRow(rows[0]));
    cur = chain.back().parent_id;
  }
  return std::vector<Page>(chain.rbegin(), chain.rend());
}

Status PageStore::SetChildOrder(std::optional<int64_t> parent_id,
                                const std::vector<std::string>& slugs) {
  return db_->Transaction([&](Db& tx) -> Status {
    int64_t order = 1;
    for (const auto& slug : slugs) {
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("UPDATE pages SET sort_order = ? WHERE slug = ? AND parent_id IS ?",
                  {order++, slug, parent_id}));
      if (tx.Changes() == 0) {
        return Status::InvalidArgument("'" + slug + "' is not a child of that page");
      }
    }
    return Status::Ok();
  });
}

Result<PageCounts> PageStore::Counts() {
  PageCounts c;
  ARKWIKI_ASSIGN_OR_RETURN(c.pages, ReadCommittedInt(db_, views_,
                                                     "SELECT count(*) FROM pages WHERE deleted_at "
                                                     "IS NULL"));
  ARKWIKI_ASSIGN_OR_RETURN(c.trashed, ReadCommittedInt(db_, views_,
                                                       "SELECT count(*) FROM pages WHERE "
                                                       "deleted_at IS NOT NULL"));
  ARKWIKI_ASSIGN_OR_RETURN(c.revisions,
                           ReadCommittedInt(db_, views_, "SELECT count(*) FROM revisions"));
  return c;
}

}  // namespace arkwiki
