// PageStore: revisions, revert, rename, trash and backlinks.
#include "arkwiki/core/clock.h"
#include "arkwiki/core/slug.h"
#include "arkwiki/storage/page_store.h"
#include "page_rows.h"

namespace arkwiki {
namespace {

Revision RevisionFromRow(const SqlRow& r) {
  Revision v;
  v.id = r.Int(0);
  v.page_id = r.Int(1);
  v.number = r.Int(2);
  v.title = r.Text(3);
  v.author = r.Text(4);
  v.comment = r.Text(5);
  v.created_at = r.Int(6);
  if (r.cells.size() > 7) v.markdown = r.Text(7);
  return v;
}

}  // namespace

Result<std::vector<Revision>> PageStore::Revisions(int64_t page_id) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           Read("SELECT id, page_id, number, title, author, comment, created_at "
                                "FROM revisions WHERE page_id = ? ORDER BY number DESC",
                                {page_id}));
  std::vector<Revision> out;
  for (const auto& r : rows) out.push_back(RevisionFromRow(r));
  return out;
}

Result<Revision> PageStore::GetRevision(int64_t page_id, int64_t number) {
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows, Read("SELECT id, page_id, number, title, author, comment, created_at, markdown "
                         "FROM revisions WHERE page_id = ? AND number = ?",
                         {page_id, number}));
  if (rows.empty()) return Status::NotFound("no revision " + std::to_string(number));
  return RevisionFromRow(rows[0]);
}

Result<Page> PageStore::Revert(
    const std::string& slug, int64_t number, const std::string& author,
    const std::function<std::vector<std::string>(const std::string& markdown)>& links_of) {
  ARKWIKI_ASSIGN_OR_RETURN(Page page, Get(slug));
  ARKWIKI_ASSIGN_OR_RETURN(Revision old, GetRevision(page.id, number));
  SavePageRequest r;
  r.slug = slug;
  r.title = old.title;
  r.markdown = old.markdown;
  r.author = author;
  r.comment = "Reverted to revision " + std::to_string(number);
  r.base_revision = page.current_revision;
  r.linked_slugs = links_of(old.markdown);
  return Save(r);
}

Result<Page> PageStore::Rename(const std::string& slug, const std::string& new_slug,
                               const std::string& new_title, const std::string& author) {
  if (!IsValidSlug(new_slug)) {
    return Status::InvalidArgument("'" + new_slug + "' is not a valid slug");
  }
  ARKWIKI_RETURN_IF_ERROR(ValidateTitle(new_title));
  ARKWIKI_ASSIGN_OR_RETURN(Page page, Get(slug));
  Status s = db_->Transaction([&](Db& tx) -> Status {
    if (new_slug != slug) {
      ARKWIKI_ASSIGN_OR_RETURN(int64_t taken, tx.QueryInt("SELECT count(*) FROM pages WHERE "
                                                          "slug = ?",
                                                          {new_slug}));
      if (taken > 0) return Status::Conflict("a page '" + new_slug + "' already exists");
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("UPDATE pages SET slug = ? WHERE id = ?", {new_slug, page.id}));
      ARKWIKI_RETURN_IF_ERROR(tx.Exec("DELETE FROM redirects WHERE old_slug = ?", {new_slug}));
      ARKWIKI_RETURN_IF_ERROR(
          tx.Exec("INSERT INTO redirects(old_slug, page_id) VALUES(?,?) "
                  "ON CONFLICT(old_slug) DO UPDATE SET page_id = excluded.page_id",
                  {slug, page.id}));
    }
    if (new_title == page.title) return Status::Ok();
    SavePageRequest r;
    r.slug = new_slug;
    r.title = new_title;
    r.markdown = page.markdown;
    r.author = author;
    r.comment = "Renamed from '" + page.title + "'";
    ARKWIKI_ASSIGN_OR_RETURN(SqlRows links, tx.Query("SELECT to_slug FROM page_links WHERE "
                                                     "from_page = ?",
                                                     {page.id}));
    for (const auto& l : links) r.linked_slugs.push_back(l.Text(0));
    return WriteRevision(tx, &page, r);
  });
  ARKWIKI_RETURN_IF_ERROR(s);
  return Get(new_slug);
}

Status PageStore::MoveToTrash(const std::string& slug) {
  return db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, tx.Query("SELECT id, parent_id FROM pages WHERE "
                                                    "slug = ? AND deleted_at IS NULL",
                                                    {slug}));
    if (rows.empty()) return Status::NotFound("no page '" + slug + "'");
    int64_t id = rows[0].Int(0);
    // Children move up to the trashed page's parent rather than vanish.
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE pages SET parent_id = ? WHERE parent_id = ?", {rows[0].OptInt(1), id}));
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE pages SET deleted_at = ? WHERE id = ?", {NowUnixSeconds(), id}));
    return tx.Exec("DELETE FROM page_search WHERE rowid = ?", {id});
  });
}

Status PageStore::RestoreFromTrash(const std::string& slug) {
  return db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(
        SqlRows rows, tx.Query("SELECT p.id, p.title, r.markdown, p.parent_id FROM pages p "
                               "JOIN revisions r ON r.page_id = p.id AND r.number = "
                               "p.current_revision WHERE p.slug = ? AND p.deleted_at IS NOT NULL",
                               {slug}));
    if (rows.empty()) return Status::NotFound("no page '" + slug + "' in the trash");
    int64_t id = rows[0].Int(0);
    // A parent that is itself in the trash no longer holds the page, nor
    // one that would put it (or a page below it) deeper than
    // kMaxPageLevels: the tree may have grown under it meanwhile. Either
    // way the page comes back at the top level.
    std::optional<int64_t> parent = rows[0].OptInt(3);
    if (parent) {
      ARKWIKI_ASSIGN_OR_RETURN(int64_t live, tx.QueryInt("SELECT count(*) FROM pages WHERE id = ? "
                                                         "AND deleted_at IS NULL",
                                                         {*parent}));
      if (live == 0) parent.reset();
    }
    if (parent) {
      Status fits = CheckNewParent(tx, id, *parent, "a page cannot be placed under itself");
      if (fits.code() == StatusCode::kInvalidArgument) {
        parent.reset();
      } else {
        ARKWIKI_RETURN_IF_ERROR(fits);
      }
    }
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE pages SET deleted_at = NULL, parent_id = ? WHERE id = ?", {parent, id}));
    return tx.Exec("INSERT INTO page_search(rowid, title, body) VALUES(?,?,?)",
                   {id, rows[0].Text(1), rows[0].Text(2)});
  });
}

Status PageStore::Purge(const std::string& slug) {
  ARKWIKI_RETURN_IF_ERROR(
      db_->Exec("DELETE FROM pages WHERE slug = ? AND deleted_at IS NOT NULL", {slug}));
  if (db_->Changes() == 0) return Status::NotFound("no page '" + slug + "' in the trash");
  return Status::Ok();
}

Result<std::vector<Page>> PageStore::Trash() {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows, Read(std::string("SELECT ") + kPageColumns +
                                              " FROM pages p WHERE p.deleted_at IS NOT "
                                              "NULL ORDER BY p.deleted_at DESC"));
  return PagesFromRows(rows);
}

Result<std::vector<Page>> PageStore::Backlinks(const std::string& slug, bool include_private) {
  // Links to one of the page's old slugs count: they still lead to it.
  ARKWIKI_ASSIGN_OR_RETURN(
      SqlRows rows,
      Read(std::string("SELECT DISTINCT ") + kPageColumns +
               " FROM page_links l JOIN pages p ON p.id = l.from_page "
               "WHERE (l.to_slug = ? OR l.to_slug IN (SELECT r.old_slug FROM redirects r "
               "JOIN pages t ON t.id = r.page_id WHERE t.slug = ?)) AND p.deleted_at IS NULL" +
               (include_private ? "" : " AND p.visibility = 'public'") +
               " ORDER BY p.title COLLATE NOCASE",
           {slug, slug}));
  return PagesFromRows(rows);
}

}  // namespace arkwiki
