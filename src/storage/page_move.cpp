// PageStore::Move: a page's place in the tree (parent and sort order).
#include <algorithm>

#include "arkwiki/storage/page_store.h"
#include "page_rows.h"

namespace arkwiki {
namespace {

// NotFound unless `slug` is a live page.
Result<Page> LivePage(Db& tx, const std::string& slug, const std::string& what) {
  ARKWIKI_ASSIGN_OR_RETURN(SqlRows rows,
                           tx.Query(std::string("SELECT ") + kPageColumns +
                                        " FROM pages p WHERE p.slug = ? AND p.deleted_at IS NULL",
                                    {slug}));
  if (rows.empty()) return Status::NotFound("no " + what + " '" + slug + "'");
  return PageFromRow(rows[0]);
}

}  // namespace

Result<Page> PageStore::Move(const MovePageRequest& r) {
  if (r.position && *r.position < 1) {
    return Status::InvalidArgument("the position is a whole number from 1");
  }
  Status s = db_->Transaction([&](Db& tx) -> Status {
    ARKWIKI_ASSIGN_OR_RETURN(Page page, LivePage(tx, r.slug, "page"));
    std::optional<int64_t> parent = page.parent_id;
    if (r.parent_slug) {
      parent = std::nullopt;
      if (!r.parent_slug->empty()) {
        ARKWIKI_ASSIGN_OR_RETURN(Page p, LivePage(tx, *r.parent_slug, "parent page"));
        if (page.parent_id != p.id) {
          ARKWIKI_RETURN_IF_ERROR(CheckNewParent(
              tx, page.id, p.id, "a page cannot be moved under itself or one of its pages"));
        }
        parent = p.id;
      }
    }
    ARKWIKI_ASSIGN_OR_RETURN(
        SqlRows rows, tx.Query("SELECT id FROM pages WHERE parent_id IS ? AND deleted_at IS NULL "
                               "AND id != ? ORDER BY sort_order, title COLLATE NOCASE",
                               {parent, page.id}));
    std::vector<int64_t> order;
    order.reserve(rows.size() + 1);
    for (const SqlRow& row : rows) order.push_back(row.Int(0));
    size_t at = order.size();
    if (r.position) {
      at = std::min(static_cast<size_t>(*r.position - 1), order.size());
    } else if (parent == page.parent_id) {
      // Stays where it is: after the siblings that sorted before it.
      ARKWIKI_ASSIGN_OR_RETURN(
          SqlRows before,
          tx.Query("SELECT count(*) FROM pages WHERE parent_id IS ? AND "
                   "deleted_at IS NULL AND id != ? AND (sort_order < ? OR "
                   "(sort_order = ? AND title COLLATE NOCASE < ?))",
                   {parent, page.id, page.sort_order, page.sort_order, page.title}));
      at = std::min(static_cast<size_t>(before[0].Int(0)), order.size());
    }
    order.insert(order.begin() + static_cast<std::ptrdiff_t>(at), page.id);
    ARKWIKI_RETURN_IF_ERROR(
        tx.Exec("UPDATE pages SET parent_id = ? WHERE id = ?", {parent, page.id}));
    int64_t n = 1;
    for (const int64_t id : order) {
      ARKWIKI_RETURN_IF_ERROR(tx.Exec("UPDATE pages SET sort_order = ? WHERE id = ?", {n++, id}));
    }
    return Status::Ok();
  });
  ARKWIKI_RETURN_IF_ERROR(s);
  return Get(r.slug);
}

}  // namespace arkwiki
