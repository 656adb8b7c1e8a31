// Private to the web layer: finding "[[target|label]]" wiki links in text.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace arkwiki {

// "/wiki/" + slug, with the slug's non-ASCII bytes percent-encoded. Slug
// bytes are otherwise [a-z0-9_-], so the result needs no HTML escaping.
std::string WikiHref(const std::string& slug);

// /wiki/<slug>[?#...] -> slug, or "" if `url` is not a link to a page.
std::string SlugFromWikiUrl(std::string_view url);

// Calls `on_text` and `on_link` for the pieces of `text`, in order. A wiki
// link does not span '[', ']' or a line break, its inner text is at most
// 256 bytes, and a target that slugifies to "" stays text. An empty label
// is the target. Linear in text.size().
void SplitWikiLinks(
    std::string_view text, const std::function<void(std::string_view text)>& on_text,
    const std::function<void(const std::string& slug, std::string_view label)>& on_link);

}  // namespace arkwiki
