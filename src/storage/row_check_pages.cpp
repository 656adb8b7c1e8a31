#include "row_check_pages.h"

#include <algorithm>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "arkwiki/core/slug.h"
#include "arkwiki/storage/page_store.h"
#include "row_check_util.h"

namespace arkwiki {
namespace {

using row_check::ForEach;
using row_check::IsInteger;
using row_check::Refuse;
using row_check::Text;

constexpr int64_t kNoParent = -1;

struct TreeNode {
  int64_t id;
  int64_t parent;  // kNoParent at the top
};

Status CheckPageRow(sqlite3_stmt* st, std::vector<TreeNode>* tree) {
  const std::string slug = Text(st, 1);
  if (!IsValidSlug(slug)) return Refuse("pages", slug, "the slug is not one arkwiki makes");
  Status rule = ValidateTitle(Text(st, 2));
  const std::string visibility = Text(st, 4);
  if (rule.ok() && visibility != "public" && visibility != "private") {
    rule = Status::InvalidArgument("the visibility is neither public nor private");
  }
  if (rule.ok() && sqlite3_column_type(st, 3) != SQLITE_NULL && !IsInteger(st, 3)) {
    rule = Status::InvalidArgument("the parent is not a page id");
  }
  if (!rule.ok()) return Refuse("pages", slug, rule.message());
  const bool top = sqlite3_column_type(st, 3) == SQLITE_NULL;
  tree->push_back({sqlite3_column_int64(st, 0), top ? kNoParent : sqlite3_column_int64(st, 3)});
  return Status::Ok();
}

// `tree` is sorted by id. Walks up from each page once: a page is marked
// while its walk is open, so meeting a marked page again is a cycle. On
// failure, *bad is the page whose parent is missing or closes the cycle.
Status CheckTree(const std::vector<TreeNode>& tree, int64_t* bad) {
  enum class Mark : uint8_t { kNone, kOpen, kDone };
  std::vector<Mark> marks(tree.size(), Mark::kNone);
  std::vector<size_t> walk;
  auto find = [&](int64_t id) -> size_t {
    auto it = std::lower_bound(tree.begin(), tree.end(), id,
                               [](const TreeNode& n, int64_t v) { return n.id < v; });
    return it != tree.end() && it->id == id ? static_cast<size_t>(it - tree.begin()) : tree.size();
  };
  for (size_t start = 0; start < tree.size(); ++start) {
    size_t at = start;
    while (at < tree.size() && marks[at] == Mark::kNone) {
      marks[at] = Mark::kOpen;
      walk.push_back(at);
      if (tree[at].parent == kNoParent) break;
      const size_t parent = find(tree[at].parent);
      if (parent == tree.size() || marks[parent] == Mark::kOpen) {
        *bad = tree[at].id;
        return Status::InvalidArgument(parent == tree.size() ? "the parent page does not exist"
                                                             : "the page tree has a cycle");
      }
      at = parent;
    }
    for (const size_t i : walk) marks[i] = Mark::kDone;
    walk.clear();
  }
  return Status::Ok();
}

Status CheckRevisionRow(sqlite3_stmt* st) {
  const std::string key = Text(st, 0) + "@" + std::to_string(sqlite3_column_int64(st, 1));
  Status rule = ValidateTitle(Text(st, 2));
  if (rule.ok()) rule = ValidateMarkdown(Text(st, 3));
  if (rule.ok()) rule = ValidateRevisionAuthor(Text(st, 4));
  if (rule.ok()) rule = ValidateRevisionComment(Text(st, 5));
  if (rule.ok() && !IsInteger(st, 1)) rule = Status::InvalidArgument("the number is not a number");
  return rule.ok() ? rule : Refuse("revisions", key, rule.message());
}

// count, min and max of each page's revision numbers against its current one.
Status CheckRevisionNumbers(sqlite3_stmt* st) {
  const int64_t current = sqlite3_column_int64(st, 1);
  const int64_t count = sqlite3_column_int64(st, 2);
  const int64_t low = sqlite3_column_int64(st, 3);
  const int64_t high = sqlite3_column_int64(st, 4);
  if (!IsInteger(st, 1) || count != current || high != current || (count > 0 && low != 1)) {
    return Refuse(
        "pages", Text(st, 0),
        "the revision numbers are not 1 to the current revision (" + std::to_string(current) + ")");
  }
  return Status::Ok();
}

}  // namespace

Status CheckPageRows(sqlite3* db) {
  std::vector<TreeNode> tree;
  ARKWIKI_RETURN_IF_ERROR(
      ForEach(db, "SELECT id, slug, title, parent_id, visibility FROM pages ORDER BY id",
              [&](sqlite3_stmt* st) { return CheckPageRow(st, &tree); }));
  int64_t bad = 0;
  if (Status rule = CheckTree(tree, &bad); !rule.ok()) {
    std::string slug = std::to_string(bad);
    (void)ForEach(db, "SELECT slug FROM pages WHERE id = " + slug, [&](sqlite3_stmt* st) {
      slug = Text(st, 0);
      return Status::Ok();
    });  // the id stands in for the slug should this read fail
    return Refuse("pages", slug, rule.message());
  }
  tree = {};
  ARKWIKI_RETURN_IF_ERROR(ForEach(db,
                                  "SELECT p.slug, p.current_revision, count(r.id), "
                                  "coalesce(min(r.number), 0), coalesce(max(r.number), 0) "
                                  "FROM pages p LEFT JOIN revisions r ON r.page_id = p.id "
                                  "GROUP BY p.id",
                                  CheckRevisionNumbers));
  return ForEach(db,
                 "SELECT p.slug, r.number, r.title, r.markdown, r.author, r.comment "
                 "FROM revisions r JOIN pages p ON p.id = r.page_id",
                 CheckRevisionRow);
}

}  // namespace arkwiki
