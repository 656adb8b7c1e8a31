// Creating and editing pages: GET/POST /wiki/{slug}/edit.
#include "handlers_page_edit.h"

#include "arkwiki/core/slug.h"
#include "arkwiki/core/trim.h"
#include "audit_trail.h"
#include "html.h"
#include "line_diff.h"
#include "markdown.h"
#include "page_access.h"
#include "page_links.h"
#include "view_format.h"

namespace arkwiki::web::wiki_pages {
namespace {

struct EditForm {
  std::string slug;
  std::string title;
  std::string markdown;
  std::string parent;  // slug; "" for a top-level page
  std::string visibility = "public";
  std::string comment;
  int64_t base_revision = 0;  // 0 for a page that does not exist yet
  int64_t page_id = 0;        // the page edited; 0 for a new one
  std::string error;
  std::string preview_html;  // safe HTML from RenderMarkdown
  TemplateValue conflict_diff;
};

// "getting-started" -> "Getting started": a first guess at a new page's title.
std::string TitleFromSlug(const std::string& slug) {
  std::string title = slug;
  for (char& c : title) {
    if (c == '-' || c == '_') c = ' ';
  }
  if (!title.empty() && title[0] >= 'a' && title[0] <= 'z') title[0] = title[0] - 'a' + 'A';
  return title;
}

std::string WithoutCarriageReturns(const std::string& text) {
  std::string out;
  out.reserve(text.size());
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r' && i + 1 < text.size() && text[i + 1] == '\n') continue;
    out += text[i];
  }
  return out;
}

TemplateValue ParentOptions(WikiApp& app, const EditForm& form) {
  TemplateValue list = TemplateValue::List{};
  auto pages = app.storage().pages().List(true);
  if (!pages.ok()) return list;
  for (const Page& p : *pages) {
    if (p.slug == form.slug) continue;
    list.Append(TemplateValue::MakeMap(
        {{"slug", p.slug}, {"title", p.title}, {"selected", p.slug == form.parent}}));
  }
  return list;
}

void ShowEditForm(WikiApp& app, Exchange& ex, const EditForm& form, int status) {
  std::string font = "mono", wrap = "on";
  if (auto prefs = app.storage().users().GetPreferences(ex.user->id); prefs.ok()) {
    font = (*prefs)["editor_font"];
    wrap = (*prefs)["editor_line_wrap"];
  }
  const bool is_new = form.base_revision == 0;
  TemplateValue data = TemplateValue::MakeMap(
      {{"slug", form.slug},
       {"title", form.title},
       {"markdown", form.markdown},
       {"comment", form.comment},
       {"base_revision", form.base_revision},
       {"page_id", form.page_id},
       {"is_new", is_new},
       {"error", form.error},
       {"preview", form.preview_html},
       {"action", PageHref(form.slug, "edit")},
       {"cancel", is_new ? "/" : PageHref(form.slug)},
       {"is_private", form.visibility == "private"},
       {"top_level", form.parent.empty()},
       {"parents", ParentOptions(app, form)},
       {"editor_class", std::string("editor-") + (font == "sans" ? "sans" : "mono") +
                            (wrap == "off" ? " editor-nowrap" : "")},
       {"wrap", wrap == "off" ? "off" : "soft"}});
  SetList(&data, "conflict_diff", form.conflict_diff);
  std::string heading = (is_new ? "Create " : "Edit ") + form.title;
  app.RenderPage(ex, status, "page_edit", heading, std::move(data));
}

EditForm FormFromPost(const Exchange& ex) {
  EditForm form;
  form.slug = ex.Param("slug");
  form.title = std::string(Trim(ex.Form("title")));
  form.markdown = WithoutCarriageReturns(ex.Form("markdown"));
  form.parent = ex.Form("parent");
  form.visibility = ex.Form("visibility", "public");
  form.comment = std::string(Trim(ex.Form("comment")));
  form.base_revision = ParseCount(ex.Form("base_revision", "0")).value_or(0);
  form.page_id = ParseCount(ex.Form("page_id", "0")).value_or(0);
  return form;
}

// Someone saved since this editor loaded the page: keep their text, show
// what differs from the saved version, and let a second save overwrite.
// The page this form edits may have been renamed meanwhile (that conflict,
// at its new address: the form saves there now), moved to the trash (to be
// restored first), or deleted for good (saving again creates it anew, or
// meets whatever page holds its address now).
void ShowConflict(WikiApp& app, Exchange& ex, EditForm form) {
  PageStore& pages = app.storage().pages();
  auto current = pages.Get(form.slug);
  std::string renamed;
  const bool elsewhere =
      form.page_id > 0 ? !current.ok() || current->id != form.page_id : !current.ok();
  if (elsewhere) {
    Result<Page> mine = Status::NotFound("");
    if (form.page_id > 0) {
      mine = pages.GetById(form.page_id);
    } else if (auto moved = pages.ResolveRedirect(form.slug); moved.ok()) {
      mine = pages.Get(*moved);
    }
    if (mine.ok() && mine->deleted_at) {
      form.error =
          "This page was moved to the trash while you were editing. Your text is "
          "below; restore the page from the trash, then save again.";
      return ShowEditForm(app, ex, form, 409);
    }
    if (mine.ok()) {
      renamed = "This page was renamed to “" + mine->title + "” (" + mine->slug +
                ") while you were editing; saving now saves there. ";
      form.slug = mine->slug;
      form.title = mine->title;
      current = std::move(mine);
    } else if (current.ok()) {
      renamed =
          "The page you were editing was deleted, and this address is another page's "
          "now. ";
    } else {
      form.error =
          "This page was deleted while you were editing. Your text is below; saving again "
          "creates the page anew.";
      form.base_revision = 0;
      form.page_id = 0;
      return ShowEditForm(app, ex, form, 409);
    }
    form.page_id = current->id;
  }
  form.error = renamed +
               "Someone else saved this page while you were editing it (it is now at revision " +
               std::to_string(current->current_revision) +
               "). Your text is below, and the "
               "differences from the saved version are listed under the editor. Saving again "
               "will replace their version with yours.";
  form.base_revision = current->current_revision;
  TemplateValue diff = TemplateValue::List{};
  for (const DiffLine& line : DiffLines(current->markdown, form.markdown)) {
    const char* cls = line.kind == DiffLine::kAdded     ? "diff-add"
                      : line.kind == DiffLine::kRemoved ? "diff-del"
                                                        : "diff-same";
    diff.Append(TemplateValue::MakeMap({{"cls", cls}, {"text", line.text}}));
  }
  form.conflict_diff = std::move(diff);
  ShowEditForm(app, ex, form, 409);
}

}  // namespace

void EditGet(WikiApp& app, Exchange& ex) {
  EditForm form;
  form.slug = ex.Param("slug");
  if (!IsValidSlug(form.slug)) {
    return app.SendError(ex, Status::InvalidArgument("'" + form.slug +
                                                     "' is not a valid page "
                                                     "address; use New page to pick a title"));
  }
  PageStore& pages = app.storage().pages();
  auto page = pages.Get(form.slug, /*include_trashed=*/true);
  if (page.ok() && page->deleted_at) {
    return app.RenderPage(
        ex, 409, "message", "Page in the trash",
        TemplateValue::MakeMap({{"title", "This page is in the trash"},
                                {"message", "Restore it from the trash before editing it."},
                                {"link", TemplateValue::MakeMap({{"href", "/trash"},
                                                                 {"label", "Go to the trash"}})}}));
  }
  if (page.ok()) {
    form.title = page->title;
    form.markdown = page->markdown;
    form.visibility = page->visibility;
    form.base_revision = page->current_revision;
    form.page_id = page->id;
    form.parent = ParentSlug(app, ex, *page);
    return ShowEditForm(app, ex, form, 200);
  }
  if (page.status().code() != StatusCode::kNotFound) return app.SendError(ex, page.status());
  if (auto moved = pages.ResolveRedirect(form.slug); moved.ok()) {
    return SendRedirect(ex, PageHref(*moved, "edit"), 301);
  }
  form.title = ex.Query("title", TitleFromSlug(form.slug));
  form.parent = ex.Query("parent");
  form.visibility = app.settings().default_visibility;
  ShowEditForm(app, ex, form, 200);
}

void EditPost(WikiApp& app, Exchange& ex) {
  EditForm form = FormFromPost(ex);
  if (ex.Form("action") == "preview") {
    form.preview_html = RenderMarkdown(form.markdown, [&](const std::string& s) {
                          return LinkLeadsToAPage(app, ex, s);
                        }).html;
    return ShowEditForm(app, ex, form, 200);
  }
  if (form.title.empty()) {
    form.error = "Give the page a title.";
    return ShowEditForm(app, ex, form, 400);
  }
  SavePageRequest r;
  r.slug = form.slug;
  r.title = form.title;
  r.markdown = form.markdown;
  r.parent_slug = form.parent;
  r.visibility = form.visibility;
  r.default_visibility = app.settings().default_visibility;
  r.author = ActorName(ex);
  r.comment = form.comment;
  r.base_revision = form.base_revision;
  if (form.page_id > 0) r.base_page_id = form.page_id;
  r.linked_slugs = LinkedSlugs(app, form.markdown);
  auto saved = app.storage().pages().Save(r);
  if (saved.ok()) {
    return RedirectWithFlash(ex, PageHref(saved->slug),
                             form.base_revision == 0 ? "Page created." : "Page saved.");
  }
  const Status& s = saved.status();
  if (s.code() == StatusCode::kConflict && s.message().find("trash") == std::string::npos) {
    return ShowConflict(app, ex, std::move(form));
  }
  int code = HttpStatusFor(s);
  if (code >= 500) return app.SendError(ex, s);
  form.error = "Not saved: " + s.message() + ".";
  ShowEditForm(app, ex, form, code);
}

}  // namespace arkwiki::web::wiki_pages
