#include "web/page_view.h"

#include <cstdio>

#include "arkwiki/core/url.h"
#include "arkwiki/core/clock.h"
#include "arkwiki/core/log.h"
#include "arkwiki/core/slug.h"
#include "web/html.h"

namespace arkwiki::web {

std::string PageHref(const std::string& slug, const std::string& suffix) {
  std::string href = "/wiki/" + UrlEncodeComponent(slug);
  if (!suffix.empty()) href += "/" + suffix;
  return href;
}

void SendPageNotFound(WikiApp& app, Exchange& ex, const std::string& slug) {
  bool can_create = ex.at_least(Role::kEditor) && IsValidSlug(slug);
  TemplateValue data =
      TemplateValue::MakeMap({{"slug", slug},
                              {"can_create", can_create},
                              {"search_href", "/search?q=" + UrlEncodeComponent(slug)}});
  if (can_create) data.Set("create_href", PageHref(slug, "edit"));
  app.RenderPage(ex, 404, "page_missing", "Page not found", std::move(data));
}

std::optional<Page> PageOrRespond(WikiApp& app, Exchange& ex, const std::string& suffix) {
  const std::string slug = ex.Param("slug");
  auto page = VisiblePage(app, ex, slug);
  if (page.ok()) return std::move(page).value();
  if (page.status().code() != StatusCode::kNotFound) {
    app.SendError(ex, page.status());
    return std::nullopt;
  }
  // A renamed page: follow the redirect, unless the target is hidden.
  auto moved = app.storage().pages().ResolveRedirect(slug);
  if (moved.ok() && VisiblePage(app, ex, *moved).ok()) {
    const std::string& uri = ex.request.getURI();
    size_t q = uri.find('?');
    SendRedirect(ex, PageHref(*moved, suffix) + (q == std::string::npos ? "" : uri.substr(q)), 301);
    return std::nullopt;
  }
  SendPageNotFound(app, ex, slug);
  return std::nullopt;
}

TemplateValue PageLinkValue(const Page& page) {
  return TemplateValue::MakeMap({{"slug", page.slug},
                                 {"title", page.title},
                                 {"href", PageHref(page.slug)},
                                 {"private", page.visibility == "private"}});
}

void SetList(TemplateValue* data, const std::string& name, TemplateValue list) {
  data->Set("has_" + name, !list.AsList().empty());
  data->Set(name, std::move(list));
}

std::string FormatDate(int64_t unix_seconds) {
  std::string iso = FormatIsoUtc(unix_seconds);  // 2026-11-26T17:28:14Z
  if (iso.size() < 16) return iso;
  return iso.substr(0, 10) + " " + iso.substr(11, 5) + " UTC";
}

TemplateValue DateValue(int64_t unix_seconds) {
  std::string iso = FormatIsoUtc(unix_seconds);
  return TemplateValue::MakeMap(
      {{"text", FormatDate(unix_seconds)}, {"iso", iso}, {"day", iso.substr(0, 10)}});
}

std::string FormatBytes(int64_t bytes) {
  static const char* kUnits[] = {"KiB", "MiB", "GiB", "TiB"};
  if (bytes < 1024) return std::to_string(bytes) + (bytes == 1 ? " byte" : " bytes");
  auto v = static_cast<double>(bytes);
  int unit = -1;
  while (v >= 1024 && unit < 3) {
    v /= 1024;
    ++unit;
  }
  char buf[32];
  std::snprintf(buf, sizeof buf, v < 10 ? "%.1f %s" : "%.0f %s", v, kUnits[unit]);
  return buf;
}

void RedirectWithFlash(Exchange& ex, const std::string& path, const std::string& text,
                       const std::string& kind) {
  std::string location = path + (path.find('?') == std::string::npos ? "?" : "&") +
                         "flash=" + UrlEncodeComponent(text);
  if (kind != "success") location += "&flash_kind=" + UrlEncodeComponent(kind);
  SendRedirect(ex, location, 303);
}

std::string MarkSnippet(const std::string& snippet) {
  std::string escaped = HtmlEscape(snippet);
  std::string out;
  out.reserve(escaped.size() + 32);
  bool open = false;  // keep the tags balanced even if a marker is missing
  for (char c : escaped) {
    if (c == '\x01') {
      if (!open) out += "<mark>";
      open = true;
    } else if (c == '\x02') {
      if (open) out += "</mark>";
      open = false;
    } else {
      out += c;
    }
  }
  if (open) out += "</mark>";
  return out;
}

std::string AsSentence(std::string text) {
  if (!text.empty() && text[0] >= 'a' && text[0] <= 'z') text[0] = text[0] - 'a' + 'A';
  if (!text.empty() && text.back() != '.' && text.back() != '!' && text.back() != '?') {
    text += '.';
  }
  return text;
}

std::optional<int64_t> ParseCount(const std::string& text) {
  if (text.empty() || text.size() > 18) return std::nullopt;
  int64_t v = 0;
  for (char c : text) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string ActorName(const Exchange& ex) { return ex.user ? ex.user->name : ""; }

void AuditOrWarn(WikiApp& app, const Exchange& ex, const std::string& action,
                 const std::string& detail) {
  Status s = app.storage().audit().Append(ActorName(ex), action, detail);
  if (!s.ok()) LogWarning("audit log: " + s.ToString());
}

}  // namespace arkwiki::web
