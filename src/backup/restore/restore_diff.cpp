// The pages part of the difference, the public entry points and the list
// names (restore_diff.h). Users, uploads and settings: restore_diff_more.cpp.
#include "arkwiki/backup/restore_diff.h"

#include <utility>

#include "arkwiki/core/clock.h"
#include "restore/diff_merge.h"
#include "restore/restore_diff_parts.h"
#include "restore/restore_files.h"

namespace arkwiki {
namespace {

// Live pages only (not in the trash), by slug; the current revision's
// author and time. pages.slug is UNIQUE, so its index gives the order.
constexpr char kPagesSql[] =
    "SELECT p.slug, p.title, p.current_revision, coalesce(r.author, ''), "
    "coalesce(r.created_at, p.updated_at) FROM pages p "
    "LEFT JOIN revisions r ON r.page_id = p.id AND r.number = p.current_revision "
    "WHERE p.deleted_at IS NULL ORDER BY p.slug COLLATE BINARY";

PageVersion ReadPage(const RowCursor& row) {
  return PageVersion{row.Text(1), row.Int(2), row.Text(3), row.Int(4)};
}

bool SamePage(const RowCursor& b, const RowCursor& l) {
  return b.View(1) == l.View(1) && b.Int(2) == l.Int(2) && b.View(3) == l.View(3) &&
         b.Int(4) == l.Int(4);
}

struct PageStep {
  DiffList list;
  PageChange change;
};

// What the restore does to one slug, or nothing when it keeps it as it is.
std::optional<PageStep> ClassifyPage(const RowCursor* b, const RowCursor* l, int64_t made_at) {
  if (b != nullptr && l != nullptr && SamePage(*b, *l)) return std::nullopt;
  PageStep step;
  if (b != nullptr) {
    step.change.slug = b->Text(0);
    step.change.in_backup = ReadPage(*b);
  }
  if (l != nullptr) {
    step.change.slug = l->Text(0);
    step.change.now = ReadPage(*l);
    step.change.edited_since_backup = step.change.now->edited_at >= made_at;
  }
  step.list = b == nullptr   ? DiffList::kPagesRemoved
              : l == nullptr ? DiffList::kPagesAdded
                             : DiffList::kPagesChanged;
  return step;
}

// One page list as it fills: the pages edited since the backup first, then
// the others, each part capped, so the first max_entries are exact.
struct PageListFill {
  BoundedList<PageChange>* list;
  std::vector<PageChange> others;
};

void AddPage(PageListFill& fill, PageChange change, size_t max_entries) {
  ++fill.list->total;
  auto& part = change.edited_since_backup ? fill.list->first : fill.others;
  if (part.size() < max_entries) part.push_back(std::move(change));
}

void FinishPages(PageListFill& fill, size_t max_entries) {
  auto& first = fill.list->first;
  for (PageChange& c : fill.others) {
    if (first.size() >= max_entries) break;
    first.push_back(std::move(c));
  }
  fill.others.clear();
}

Status DiffPages(DiffDbs& dbs, const DiffOptions& options, RestoreDiff* diff) {
  PageListFill added{&diff->pages_added, {}};
  PageListFill removed{&diff->pages_removed, {}};
  PageListFill changed{&diff->pages_changed, {}};
  ARKWIKI_RETURN_IF_ERROR(MergeByKey(dbs.backup.get(), dbs.live.get(), kPagesSql,
                                     [&](const RowCursor* b, const RowCursor* l) -> Status {
                                       auto step = ClassifyPage(b, l, options.backup_made_at);
                                       if (!step) return Status::Ok();
                                       if (step->change.edited_since_backup)
                                         ++diff->pages_edited_since_backup;
                                       PageListFill& fill =
                                           step->list == DiffList::kPagesAdded     ? added
                                           : step->list == DiffList::kPagesRemoved ? removed
                                                                                   : changed;
                                       AddPage(fill, std::move(step->change), options.max_entries);
                                       return Status::Ok();
                                     }));
  for (PageListFill* fill : {&added, &removed, &changed}) FinishPages(*fill, options.max_entries);
  return Status::Ok();
}

}  // namespace

Result<DiffDbs> OpenDiffDbs(const DiffSources& sources) {
  DbOptions ro;
  ro.read_only = true;
  ro.wal = false;
  DiffDbs dbs;
  ARKWIKI_ASSIGN_OR_RETURN(dbs.backup, Db::Open(sources.backup_db, ro));
  auto live = Db::Open(sources.live_db, ro);
  if (live.ok()) {
    dbs.live = std::move(live).value();
  } else if (live.status().code() != StatusCode::kNotFound) {
    return live.status();
  }
  return dbs;
}

DiffSources DiffSourcesFor(const DataDirLayout& layout, const StagedImport& staged) {
  return DiffSources{JoinPath(StagedLive(layout, staged.id), "arkwiki.db"), layout.database};
}

DiffOptions DiffOptionsFor(const StagedImport& staged, std::string importer) {
  DiffOptions options;
  options.backup_made_at = ParseIsoUtc(staged.report.manifest.created_at);
  options.importer = std::move(importer);
  return options;
}

Result<RestoreDiff> DiffDatabases(const DiffSources& sources, const DiffOptions& options) {
  ARKWIKI_ASSIGN_OR_RETURN(DiffDbs dbs, OpenDiffDbs(sources));
  RestoreDiff diff;
  ARKWIKI_RETURN_IF_ERROR(DiffPages(dbs, options, &diff));
  ARKWIKI_RETURN_IF_ERROR(DiffUsers(dbs, options, &diff));
  ARKWIKI_RETURN_IF_ERROR(DiffUploads(dbs, &diff));
  ARKWIKI_RETURN_IF_ERROR(DiffSettings(dbs, options, &diff));
  return diff;
}

Status ForEachPageChange(const DiffSources& sources, const DiffOptions& options, DiffList list,
                         const std::function<Status(const PageChange&)>& on_page) {
  if (!IsPageList(list)) return Status::InvalidArgument("not a list of pages");
  ARKWIKI_ASSIGN_OR_RETURN(DiffDbs dbs, OpenDiffDbs(sources));
  // Two passes keep the order of the bounded lists (edited since the backup
  // first) without holding the list: the first yields those, the second
  // the rest. Added pages have no live version, so one pass does.
  const int passes = list == DiffList::kPagesAdded ? 1 : 2;
  for (int pass = 0; pass < passes; ++pass) {
    const bool want_edited = passes == 2 && pass == 0;
    ARKWIKI_RETURN_IF_ERROR(MergeByKey(dbs.backup.get(), dbs.live.get(), kPagesSql,
                                       [&](const RowCursor* b, const RowCursor* l) -> Status {
                                         auto step = ClassifyPage(b, l, options.backup_made_at);
                                         if (!step || step->list != list) return Status::Ok();
                                         if (passes == 2 &&
                                             step->change.edited_since_backup != want_edited)
                                           return Status::Ok();
                                         return on_page(step->change);
                                       }));
  }
  return Status::Ok();
}

const char* DiffListName(DiffList list) {
  switch (list) {
    case DiffList::kPagesAdded:
      return "pages_added";
    case DiffList::kPagesRemoved:
      return "pages_removed";
    case DiffList::kPagesChanged:
      return "pages_changed";
    case DiffList::kUsersAdded:
      return "users_added";
    case DiffList::kUsersRemoved:
      return "users_removed";
    case DiffList::kUsersChanged:
      return "users_changed";
  }
  return "";
}

std::optional<DiffList> ParseDiffList(const std::string& name) {
  for (DiffList list : {DiffList::kPagesAdded, DiffList::kPagesRemoved, DiffList::kPagesChanged,
                        DiffList::kUsersAdded, DiffList::kUsersRemoved, DiffList::kUsersChanged}) {
    if (name == DiffListName(list)) return list;
  }
  return std::nullopt;
}

bool IsPageList(DiffList list) {
  return list == DiffList::kPagesAdded || list == DiffList::kPagesRemoved ||
         list == DiffList::kPagesChanged;
}

}  // namespace arkwiki
