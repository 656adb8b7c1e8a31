// Page history: the revision list, old revisions, diffs and revert.
#include "handlers_page_history.h"

#include "audit_trail.h"
#include "html.h"
#include "line_diff.h"
#include "markdown.h"
#include "page_access.h"
#include "page_links.h"
#include "view_format.h"

namespace arkwiki::web::wiki_pages {
namespace {

std::string DiffHref(const Page& page, int64_t from, int64_t to) {
  return PageHref(page.slug, "diff") + "?from=" + std::to_string(from) +
         "&to=" + std::to_string(to);
}

TemplateValue RevisionRow(const Page& page, const Revision& rev, size_t index) {
  const bool current = rev.number == page.current_revision;
  TemplateValue row = TemplateValue::MakeMap(
      {{"number", rev.number},
       {"date", DateValue(rev.created_at)},
       {"author", rev.author},
       {"comment", rev.comment},
       {"current", current},
       {"href", PageHref(page.slug, "revisions/" + std::to_string(rev.number))},
       // Preselect the newest two revisions for the compare form.
       {"from_checked", index == 1},
       {"to_checked", index == 0}});
  if (rev.number > 1) row.Set("prev_diff", DiffHref(page, rev.number - 1, rev.number));
  return row;
}

TemplateValue DiffRows(const Revision& a, const Revision& b) {
  TemplateValue rows = TemplateValue::List{};
  for (const DiffLine& line : DiffLines(a.markdown, b.markdown)) {
    const char* cls = line.kind == DiffLine::kAdded     ? "diff-add"
                      : line.kind == DiffLine::kRemoved ? "diff-del"
                                                        : "diff-same";
    rows.Append(TemplateValue::MakeMap({{"cls", cls}, {"text", line.text}}));
  }
  return rows;
}

}  // namespace

void History(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "history");
  if (!page) return;
  auto revisions = app.storage().pages().Revisions(page->id);
  if (!revisions.ok()) return app.SendError(ex, revisions.status());
  TemplateValue rows = TemplateValue::List{};
  for (size_t i = 0; i < revisions->size(); ++i) {
    rows.Append(RevisionRow(*page, (*revisions)[i], i));
  }
  TemplateValue data = TemplateValue::MakeMap({{"page", PageLinkValue(*page)},
                                               {"revisions", std::move(rows)},
                                               {"can_compare", revisions->size() > 1},
                                               {"diff_action", PageHref(page->slug, "diff")},
                                               {"revert_action", PageHref(page->slug, "revert")}});
  app.RenderPage(ex, 200, "page_history", "History of " + page->title, std::move(data));
}

void ShowRevision(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "revisions/" + ex.Param("n"));
  if (!page) return;
  auto number = ParseCount(ex.Param("n"));
  if (!number) return app.SendError(ex, Status::NotFound("no such revision"));
  auto rev = app.storage().pages().GetRevision(page->id, *number);
  if (!rev.ok()) return app.SendError(ex, rev.status());
  TemplateValue data =
      TemplateValue::MakeMap({{"page", PageLinkValue(*page)},
                              {"number", rev->number},
                              {"title", rev->title},
                              {"author", rev->author},
                              {"comment", rev->comment},
                              {"date", DateValue(rev->created_at)},
                              {"current", rev->number == page->current_revision},
                              {"html", PageHtml(app, ex, rev->markdown)},
                              {"history_href", PageHref(page->slug, "history")},
                              {"diff_href", DiffHref(*page, rev->number, page->current_revision)},
                              {"revert_action", PageHref(page->slug, "revert")}});
  app.RenderPage(ex, 200, "page_revision",
                 rev->title + " (revision " + std::to_string(rev->number) + ")", std::move(data));
}

void Diff(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "diff");
  if (!page) return;
  int64_t to = ParseCount(ex.Query("to")).value_or(page->current_revision);
  int64_t from = ParseCount(ex.Query("from")).value_or(to > 1 ? to - 1 : to);
  if (from > to) std::swap(from, to);
  PageStore& pages = app.storage().pages();
  auto a = pages.GetRevision(page->id, from);
  if (!a.ok()) return app.SendError(ex, a.status());
  auto b = pages.GetRevision(page->id, to);
  if (!b.ok()) return app.SendError(ex, b.status());
  TemplateValue rows = DiffRows(*a, *b);
  bool changed = false;
  for (const auto& r : rows.AsList()) changed |= r.Find("cls")->AsString() != "diff-same";
  TemplateValue data = TemplateValue::MakeMap(
      {{"page", PageLinkValue(*page)},
       {"from", from},
       {"to", to},
       {"from_title", a->title},
       {"to_title", b->title},
       {"title_changed", a->title != b->title},
       {"from_href", PageHref(page->slug, "revisions/" + std::to_string(from))},
       {"to_href", PageHref(page->slug, "revisions/" + std::to_string(to))},
       {"history_href", PageHref(page->slug, "history")},
       {"lines", std::move(rows)},
       {"unchanged", !changed}});
  app.RenderPage(ex, 200, "page_diff", "Changes to " + page->title, std::move(data));
}

void Revert(WikiApp& app, Exchange& ex) {
  auto page = PageOrRespond(app, ex, "revert");
  if (!page) return;
  auto number = ParseCount(ex.Form("revision"));
  if (!number) return app.SendError(ex, Status::InvalidArgument("choose a revision to revert to"));
  auto reverted = app.storage().pages().Revert(
      page->slug, *number, ActorName(ex),
      [&app](const std::string& markdown) { return LinkedSlugs(app, markdown); });
  if (!reverted.ok()) return app.SendError(ex, reverted.status());
  RedirectWithFlash(ex, PageHref(page->slug),
                    "Reverted to revision " + std::to_string(*number) + ".");
}

}  // namespace arkwiki::web::wiki_pages
