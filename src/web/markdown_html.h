// Private to the web layer: Markdown to HTML on md4c's parser, with the URL
// policy and wiki links applied as the document streams past. The output
// format follows cmark-gfm's HTML renderer in its safe mode (see markdown.h
// for the dialect and the policy).
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "markdown_bounds.h"

namespace arkwiki {

struct MarkdownHtml {
  std::string html;                       // no class="missing" marks yet
  std::vector<std::string> linked_slugs;  // each once, in document order
  bool depth_cut = false;                 // containers past max_depth were flattened
  bool over_budget = false;               // rendering stopped at the budget; html is partial
};

// Renders `markdown`, which must be valid UTF-8 (see BoundMarkdown). Uses
// limits.max_depth and limits.budget.
MarkdownHtml RenderMarkdownHtml(std::string_view markdown, const MarkdownLimits& limits);

}  // namespace arkwiki
