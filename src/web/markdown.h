// Markdown to safe HTML for page bodies, via md4c.
//
// Dialect: CommonMark plus the GitHub extensions table, strikethrough,
// autolinks (www., http(s):// and e-mail) and task lists, plus wiki links:
//   [[Page Title]]   -> <a href="/wiki/page-title">Page Title</a>
//   [[slug|label]]   -> <a href="/wiki/slug">label</a>
// The target goes through Slugify(); non-ASCII slug bytes are percent-encoded
// in the href. Any link to a page that does not exist, wiki link or plain
// [text](/wiki/slug), gets class="missing": <a class="missing" href=...>.
// Wiki links are recognised only in plain text: not in code spans or blocks,
// not inside another link or an image, and not across emphasis or a line
// break. Inside a table cell, write the '|' as "\|". A target that slugifies
// to "" stays literal text.
//
// Safety: the output may be inserted into a page unescaped. Raw HTML is
// never passed through (it becomes "<!-- raw HTML omitted -->"). Links may
// use http, https, mailto, tel, or no scheme (relative, /path, #fragment);
// a link with any other scheme is reduced to its text. Images may use a
// relative or /path URL (e.g. /files/x.png) or an inline
// data:image/{png,gif,jpeg,webp}; an http(s) image becomes a plain link to it
// (no request to another host on page view), and any other image is reduced
// to its alt text. As defence in depth the rendered HTML is then checked
// against an allowlist of tags, attributes and URLs; if the check ever fails,
// the whole page is shown as escaped source text in <pre class="unsafe">.
// The HTML follows cmark-gfm's format (<br />, <li><input ... /> ...).
//
// Cost: md4c parses in linear time, and the limits in MarkdownLimits (page
// bytes, line bytes, table columns, nesting depth, a time budget) bound the
// output and the time whatever the input. When a limit cuts something, the
// page starts with a <p class="render-limit"> that says what was cut.
// Thread-safe.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "markdown_bounds.h"

namespace arkwiki {

struct RenderedMarkdown {
  std::string html;
  // Slugs of the pages this one links to, each once, in order of first
  // appearance: wiki links, and ordinary links whose URL is /wiki/<slug>.
  std::vector<std::string> linked_slugs;
  // The render budget ran out: `html` is the page as escaped text.
  bool over_budget = false;
};

// Renders `markdown` (UTF-8; invalid sequences become U+FFFD).
// `page_exists` is called once per distinct linked slug; it may be empty, in
// which case no link is marked missing.
RenderedMarkdown RenderMarkdown(std::string_view markdown,
                                const std::function<bool(const std::string& slug)>& page_exists);

// The part of RenderMarkdown that depends on `markdown` and `limits` alone,
// so it can be stored and reused: no link is marked missing yet.
RenderedMarkdown RenderMarkdownBase(std::string_view markdown, const MarkdownLimits& limits = {});

// `base` (from RenderMarkdownBase) with class="missing" on each link to a
// page for which `page_exists` returns false; page_exists is called once per
// linked slug, and may be empty (nothing is marked). Linear in the HTML.
std::string MarkMissingLinks(const RenderedMarkdown& base,
                             const std::function<bool(const std::string& slug)>& page_exists);

// Bumped whenever RenderMarkdownBase's output for some input changes, so
// that stored renderings are not reused across versions.
inline constexpr std::string_view kMarkdownRendererVersion = "md4c-1";

// The visible text of `markdown`, for search snippets and titles: no markup,
// wiki links as their labels, images as their alt text, raw HTML dropped.
// Blocks are separated by "\n", runs of spaces collapse to one, and the
// result has no leading or trailing whitespace.
std::string MarkdownToPlainText(std::string_view markdown);

}  // namespace arkwiki
