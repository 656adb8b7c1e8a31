// Row mapping and tree rules shared by the PageStore source files.
#pragma once

#include "arkwiki/storage/page_store.h"

namespace arkwiki {

inline constexpr char kPageColumns[] =
    "p.id, p.slug, p.title, p.parent_id, p.sort_order, p.visibility, p.current_revision, "
    "p.deleted_at, p.created_at, p.updated_at";

inline Page PageFromRow(const SqlRow& r) {
  Page p;
  p.id = r.Int(0);
  p.slug = r.Text(1);
  p.title = r.Text(2);
  p.parent_id = r.OptInt(3);
  p.sort_order = r.Int(4);
  p.visibility = r.Text(5);
  p.current_revision = r.Int(6);
  p.deleted_at = r.OptInt(7);
  p.created_at = r.Int(8);
  p.updated_at = r.Int(9);
  return p;
}

inline std::vector<Page> PagesFromRows(const SqlRows& rows) {
  std::vector<Page> out;
  out.reserve(rows.size());
  for (const auto& r : rows) out.push_back(PageFromRow(r));
  return out;
}

// Whether `self` (a page not yet saved when unset) may go under the live
// page `parent`: InvalidArgument with `cycle_message` when `parent` is
// `self` or below it, and when the move would put a page of `self`'s live
// subtree below level kMaxPageLevels. Walks up from `parent` to the top
// (bounded by the page count) and, for a page that exists, down its
// subtree (bounded by kMaxPageLevels).
Status CheckNewParent(Db& tx, std::optional<int64_t> self, int64_t parent,
                      const std::string& cycle_message);

}  // namespace arkwiki
