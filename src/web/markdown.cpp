// Rendering goes: bound the input (markdown_bounds) -> parse with md4c and
// write HTML as events arrive (markdown_html) -> allowlist check -> mark
// links to missing pages. md4c was chosen over cmark-gfm on measurements
// (docs/dependencies.md): Debian's cmark-gfm takes quadratic time on wide
// tables and some inline patterns.
#include "markdown.h"

#include <md4c.h>

#include <unordered_set>

#include "html.h"
#include "markdown_entities.h"
#include "markdown_html.h"
#include "markdown_safety.h"
#include "markdown_wiki_links.h"

namespace arkwiki {
namespace {

constexpr char kOverBudget[] = "This page took too long to render; it is shown as plain text.";

std::string Notice(std::string_view text) {
  return "<p class=\"render-limit\">" + HtmlEscape(text) + "</p>\n";
}

// Collapses blank runs: spaces/tabs to one space, line breaks to one "\n".
std::string NormaliseWhitespace(std::string_view text) {
  std::string out;
  bool pending_space = false, pending_newline = false;
  for (char c : text) {
    if (c == '\n' || c == '\r') {
      pending_newline = true;
    } else if (c == ' ' || c == '\t' || c == '\f' || c == '\v') {
      pending_space = true;
    } else {
      if (!out.empty() && (pending_newline || pending_space)) out += pending_newline ? '\n' : ' ';
      pending_space = pending_newline = false;
      out += c;
    }
  }
  return out;
}

// Visible text only: see MarkdownToPlainText. Wiki links are found in each
// run of text between two parser events, as the HTML renderer does.
class TextCollector {
 public:
  std::string Run(std::string_view markdown) {
    MD_PARSER parser{};
    parser.flags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS;
    parser.enter_block = [](MD_BLOCKTYPE, void*, void* self) {
      static_cast<TextCollector*>(self)->Flush();
      return 0;
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void*, void* self) {
      static_cast<TextCollector*>(self)->LeaveBlock(t);
      return 0;
    };
    parser.enter_span = [](MD_SPANTYPE t, void*, void* self) {
      static_cast<TextCollector*>(self)->Span(t, 1);
      return 0;
    };
    parser.leave_span = [](MD_SPANTYPE t, void*, void* self) {
      static_cast<TextCollector*>(self)->Span(t, -1);
      return 0;
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* self) {
      static_cast<TextCollector*>(self)->Text(t, std::string_view(s, n));
      return 0;
    };
    (void)md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, this);
    Flush();
    return std::move(out_);
  }

 private:
  void Flush() {
    if (link_depth_ > 0) {
      out_ += pending_;
    } else {
      SplitWikiLinks(
          pending_, [this](std::string_view text) { out_ += text; },
          [this](const std::string&, std::string_view label) { out_ += label; });
    }
    pending_.clear();
  }
  void Span(MD_SPANTYPE type, int step) {
    Flush();
    if (type == MD_SPAN_A || type == MD_SPAN_IMG) link_depth_ += step;
  }
  void LeaveBlock(MD_BLOCKTYPE type) {
    Flush();
    if (type == MD_BLOCK_TD || type == MD_BLOCK_TH) out_ += ' ';
    if (type == MD_BLOCK_P || type == MD_BLOCK_H || type == MD_BLOCK_LI || type == MD_BLOCK_TR ||
        type == MD_BLOCK_CODE) {
      out_ += '\n';
    }
  }
  void Text(MD_TEXTTYPE type, std::string_view text) {
    switch (type) {
      case MD_TEXT_HTML:
        break;
      case MD_TEXT_ENTITY:
        if (!DecodeEntity(text, &pending_)) pending_ += text;
        break;
      case MD_TEXT_NULLCHAR:
        pending_ += "\xEF\xBF\xBD";
        break;
      case MD_TEXT_SOFTBR:
        pending_ += ' ';
        break;
      case MD_TEXT_BR:
        pending_ += '\n';
        break;
      default:
        pending_ += text;
    }
  }

  std::string out_;
  std::string pending_;
  int link_depth_ = 0;
};

}  // namespace

RenderedMarkdown RenderMarkdownBase(std::string_view markdown, const MarkdownLimits& limits) {
  BoundedMarkdown bounded = BoundMarkdown(markdown, limits);
  MarkdownHtml body = RenderMarkdownHtml(bounded.text, limits);
  std::string notices;
  for (const std::string& notice : bounded.notices) notices += Notice(notice);
  if (body.depth_cut) notices += Notice("Lists or quotes nested too deeply are shown flat.");
  RenderedMarkdown result;
  if (body.over_budget) {
    result.html = notices + Notice(kOverBudget) + "<pre>" + HtmlEscape(bounded.text) + "</pre>\n";
    result.over_budget = true;
    return result;
  }
  result.html = notices + body.html;
  result.linked_slugs = std::move(body.linked_slugs);
  if (!markdown_safety::IsAllowedHtml(result.html)) {
    // Should be unreachable: the renderer emits nothing outside the
    // allowlist. Fail closed if that ever changes.
    result.html = "<pre class=\"unsafe\">" + HtmlEscape(bounded.text) + "</pre>\n";
    result.linked_slugs.clear();
  }
  return result;
}

// Safe as plain string work: in our output, text is escaped, so every
// "<a href=\"" is a real tag, and hrefs never contain a raw '"'.
std::string MarkMissingLinks(const RenderedMarkdown& base,
                             const std::function<bool(const std::string& slug)>& page_exists) {
  std::unordered_set<std::string> missing;
  if (page_exists) {
    for (const std::string& slug : base.linked_slugs) {
      if (!page_exists(slug)) missing.insert(slug);
    }
  }
  if (missing.empty()) return base.html;
  constexpr std::string_view kOpen = "<a href=\"";
  const std::string& html = base.html;
  std::string out;
  size_t pos = 0, found;
  while ((found = html.find(kOpen, pos)) != std::string::npos) {
    size_t value = found + kOpen.size();
    size_t quote = html.find('"', value);
    if (quote == std::string::npos) break;
    out.append(html, pos, found - pos);
    std::string slug = SlugFromWikiUrl(std::string_view(html).substr(value, quote - value));
    out += missing.count(slug) != 0 ? R"(<a class="missing" href=")" : kOpen;
    pos = value;
  }
  out.append(html, pos, std::string::npos);
  return out;
}

RenderedMarkdown RenderMarkdown(std::string_view markdown,
                                const std::function<bool(const std::string& slug)>& page_exists) {
  RenderedMarkdown result = RenderMarkdownBase(markdown);
  result.html = MarkMissingLinks(result, page_exists);
  return result;
}

std::string MarkdownToPlainText(std::string_view markdown) {
  BoundedMarkdown bounded = BoundMarkdown(markdown, MarkdownLimits{});
  return NormaliseWhitespace(TextCollector().Run(bounded.text));
}

}  // namespace arkwiki
