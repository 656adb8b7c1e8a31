// Private to the web layer: the URL policy for rendered Markdown and the
// allowlist check run over the rendered HTML (defence in depth).
#pragma once

#include <string>
#include <string_view>

namespace arkwiki::markdown_safety {

enum class UrlUse { kLink, kImage };

// What to do with a URL found in Markdown.
enum class UrlVerdict {
  kAllow,
  kExternalImage,  // an http(s) image: show it as a link instead
  kReject,
};

// Classifies `url` (already entity-decoded, as the parser reports it) the way a
// browser would read it: ASCII tab/CR/LF anywhere are ignored, leading and
// trailing spaces and controls are ignored, the scheme is case-insensitive.
// Any ':' before the first '/', '?' or '#' counts as a scheme. Other control
// characters reject the URL.
UrlVerdict ClassifyUrl(std::string_view url, UrlUse use);

// True if `html` uses only the tags and attributes our renderer emits, every
// attribute value is double-quoted and every href/src passes ClassifyUrl.
bool IsAllowedHtml(std::string_view html);

}  // namespace arkwiki::markdown_safety
