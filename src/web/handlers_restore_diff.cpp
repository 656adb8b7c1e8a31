#include "handlers_restore_diff.h"

#include <Poco/JSON/Array.h>

#include <charconv>

#include "restore_diff_view.h"
#include "restore_view.h"

namespace arkwiki::web::restore_pages {
namespace {

// One page of one list: the entries from `offset`, and the list's size.
struct DifferencePage {
  uint64_t total = 0;
  TemplateValue entries = TemplateValue::List{};
  Poco::JSON::Array::Ptr json = new Poco::JSON::Array;
};

Result<DifferencePage> ReadPage(BackupService& backup, const StagedImport& staged, DiffList list,
                                uint64_t offset, const std::string& importer) {
  DifferencePage page;
  auto in_page = [&page, offset] {
    const bool in = page.total >= offset && page.total < offset + kDifferencePageSize;
    ++page.total;
    return in;
  };
  const DiffSources sources = backup.DifferenceSources(staged);
  if (IsPageList(list)) {
    ARKWIKI_RETURN_IF_ERROR(ForEachPageChange(sources, DiffOptionsFor(staged, importer), list,
                                              [&](const PageChange& c) -> Status {
                                                if (!in_page()) return Status::Ok();
                                                page.entries.Append(PageChangeValue(c));
                                                page.json->add(PageChangeJson(c));
                                                return Status::Ok();
                                              }));
  } else {
    ARKWIKI_RETURN_IF_ERROR(ForEachUserChange(sources, list, [&](const UserChange& c) -> Status {
      if (!in_page()) return Status::Ok();
      page.entries.Append(UserChangeValue(c));
      page.json->add(UserChangeJson(c));
      return Status::Ok();
    }));
  }
  return page;
}

uint64_t ParseOffset(const std::string& text) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
  return ec == std::errc() && end == text.data() + text.size() ? value : 0;
}

std::string PageHref(const std::string& id, DiffList list, uint64_t offset) {
  return RestorePageHref(id, "difference") + "?list=" + DiffListName(list) +
         "&offset=" + std::to_string(offset);
}

}  // namespace

void DifferenceList(BackupService& backup, const Renderer& pages, Exchange& ex) {
  const std::string id = ex.Param("id");
  auto staged = backup.LoadStaged(id);
  if (!staged.ok()) return pages.SendError(ex, staged.status());
  const std::optional<DiffList> list = ParseDiffList(ex.Query("list"));
  if (!list) {
    return pages.SendError(ex, Status::InvalidArgument("no list '" + ex.Query("list") + "'"));
  }
  const uint64_t offset = ParseOffset(ex.Query("offset", "0"));
  auto page = ReadPage(backup, *staged, *list, offset, ex.user->name);
  if (!page.ok()) return pages.SendError(ex, page.status());
  if (ex.request.get("Accept", "").find("application/json") != std::string::npos) {
    Poco::JSON::Object::Ptr body = new Poco::JSON::Object;
    body->set("list", DiffListName(*list));
    body->set("total", page->total);
    body->set("offset", offset);
    body->set("entries", page->json);
    return SendJson(ex, 200, body);
  }
  const uint64_t end = std::min(page->total, offset + kDifferencePageSize);
  TemplateValue data = TemplateValue::MakeMap(
      {{"title", DiffListTitle(*list)},
       {"is_pages", IsPageList(*list)},
       {"total", page->total},
       {"from", page->total == 0 ? 0 : offset + 1},
       {"to", end},
       {"preview_href", RestorePageHref(id)},
       {"has_next", end < page->total},
       {"next_href", PageHref(id, *list, end)},
       {"has_previous", offset > 0},
       {"previous_href",
        PageHref(id, *list, offset > kDifferencePageSize ? offset - kDifferencePageSize : 0)}});
  data.Set("entries", std::move(page->entries));
  pages.RenderPage(ex, 200, "import_difference", DiffListTitle(*list), std::move(data));
}

}  // namespace arkwiki::web::restore_pages
