#include "markdown_wiki_links.h"

#include "arkwiki/core/slug.h"
#include "arkwiki/core/trim.h"
#include "arkwiki/core/url.h"

namespace arkwiki {
namespace {

constexpr size_t kMaxWikiLinkLength = 256;

}  // namespace

std::string WikiHref(const std::string& slug) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string href = "/wiki/";
  for (char ch : slug) {
    auto c = static_cast<unsigned char>(ch);
    if (c < 0x80) {
      href += ch;
    } else {
      href += '%';
      href += kHex[c >> 4];
      href += kHex[c & 0x0F];
    }
  }
  return href;
}

std::string SlugFromWikiUrl(std::string_view url) {
  constexpr std::string_view kPrefix = "/wiki/";
  if (url.substr(0, kPrefix.size()) != kPrefix) return "";
  url.remove_prefix(kPrefix.size());
  url = url.substr(0, url.find_first_of("?#"));
  bool ok = false;
  std::string slug = UrlDecode(url, &ok);
  return ok && IsValidSlug(slug) ? slug : "";
}

void SplitWikiLinks(
    std::string_view text, const std::function<void(std::string_view text)>& on_text,
    const std::function<void(const std::string& slug, std::string_view label)>& on_link) {
  size_t emitted = 0, pos = 0;
  while ((pos = text.find("[[", pos)) != std::string_view::npos) {
    // Only the next "]]" can close: a "[" or "]" before it disqualifies
    // this "[[" (move on to the innermost one), so the scan stays linear.
    size_t stop = text.find_first_of("[]\n", pos + 2);
    if (stop == std::string_view::npos) break;
    if (text[stop] != ']' || text.substr(stop, 2) != "]]" || stop - pos - 2 > kMaxWikiLinkLength) {
      pos = text[stop] == '[' ? stop - 1 : stop;
      continue;
    }
    std::string_view inner = text.substr(pos + 2, stop - pos - 2);
    size_t bar = inner.find('|');
    std::string_view target = Trim(inner.substr(0, bar));
    std::string_view label = bar == std::string_view::npos ? target : Trim(inner.substr(bar + 1));
    std::string slug = Slugify(target);
    if (slug.empty() || !IsValidSlug(slug)) {
      pos = stop + 2;
      continue;
    }
    if (pos > emitted) on_text(text.substr(emitted, pos - emitted));
    on_link(slug, label.empty() ? target : label);
    emitted = pos = stop + 2;
  }
  if (emitted < text.size()) on_text(text.substr(emitted));
}

}  // namespace arkwiki
