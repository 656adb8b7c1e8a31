// md4c reports the document as enter/leave/text events (no tree), so the
// URL policy is applied as each link or image opens, and wiki links are
// found in runs of plain text buffered between two events. md4c hands raw
// HTML over as such; it is replaced by a comment, as cmark-gfm's safe mode
// does, and never copied.
//
// Two behaviours of md4c 0.4.8 (Debian 12) shape the span stack:
// - A permissive autolink can swallow one delimiter of an emphasis or
//   strikethrough that was already paired: "see www.example.com*note*"
//   gives enter(a), leave(a), leave(em) with no enter(em), and
//   "*a] www.x.org*b]" gives enter(em) with no leave. (md4c 0.5.1 fixed
//   this.) So a leave is honoured only when it matches the innermost open
//   span, and spans still open at the next block event are closed there:
//   the HTML stays balanced whatever md4c reports.
// - Only a negative return value from a callback reliably stops md_parse:
//   a positive one is ignored where md4c calls through its MD_CHECK macro
//   (links, images, blocks), and parsing goes on. So the budget stop
//   returns -1, and every callback after it returns -1 too.
#include "markdown_html.h"

#include <md4c.h>

#include <unordered_set>

#include "markdown_entities.h"
#include "markdown_safety.h"
#include "markdown_wiki_links.h"

namespace arkwiki {
namespace {

namespace safety = markdown_safety;

constexpr unsigned kFlags = MD_FLAG_TABLES | MD_FLAG_STRIKETHROUGH | MD_FLAG_TASKLISTS |
                            MD_FLAG_PERMISSIVEURLAUTOLINKS | MD_FLAG_PERMISSIVEWWWAUTOLINKS |
                            MD_FLAG_PERMISSIVEEMAILAUTOLINKS;
constexpr unsigned kBudgetCheckEvery = 256;
constexpr int kGoOn = 0;
constexpr int kStop = -1;  // see the top of this file: never a positive value
constexpr char kRawHtml[] = "<!-- raw HTML omitted -->";

// Text, escaped as cmark-gfm escapes it: & < > " only.
void AppendEscaped(std::string* out, std::string_view text) {
  for (char c : text) {
    switch (c) {
      case '&':
        *out += "&amp;";
        break;
      case '<':
        *out += "&lt;";
        break;
      case '>':
        *out += "&gt;";
        break;
      case '"':
        *out += "&quot;";
        break;
      default:
        *out += c;
    }
  }
}

// A URL for href/src, as cmark-gfm writes it: RFC 3986 characters kept
// (so existing %XX escapes survive), & and ' as entities, the rest %XX.
void AppendHref(std::string* out, std::string_view url) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  static constexpr std::string_view kSafe = "-_.+!*(),%#@?=;:/$~";
  for (char ch : url) {
    auto c = static_cast<unsigned char>(ch);
    bool alnum = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
    if (alnum || kSafe.find(ch) != std::string_view::npos) {
      *out += ch;
    } else if (ch == '&') {
      *out += "&amp;";
    } else if (ch == '\'') {
      *out += "&#x27;";
    } else {
      *out += '%';
      *out += kHex[c >> 4];
      *out += kHex[c & 0x0F];
    }
  }
}

// An md4c attribute (URL or title) with its entities decoded; false if it
// holds an entity we cannot decode, so that it is never judged half-read.
bool DecodeAttribute(const MD_ATTRIBUTE& attr, std::string* out) {
  out->clear();
  for (unsigned i = 0; attr.substr_offsets[i] < attr.size; ++i) {
    std::string_view piece(attr.text + attr.substr_offsets[i],
                           attr.substr_offsets[i + 1] - attr.substr_offsets[i]);
    if (attr.substr_types[i] == MD_TEXT_NULLCHAR) {
      *out += "\xEF\xBF\xBD";
    } else if (attr.substr_types[i] == MD_TEXT_ENTITY) {
      if (!DecodeEntity(piece, out)) return false;
    } else {
      *out += piece;
    }
  }
  return true;
}

enum class Span { kPlain, kLink, kSkipped, kImageTag, kImageAsLink };

struct OpenSpan {
  MD_SPANTYPE type;
  Span kind;
};

class HtmlRenderer {
 public:
  explicit HtmlRenderer(const MarkdownLimits& limits)
      : limits_(limits), deadline_(std::chrono::steady_clock::now() + limits.budget) {}

  MarkdownHtml Run(std::string_view markdown) {
    MD_PARSER parser{};
    parser.flags = kFlags;
    parser.enter_block = [](MD_BLOCKTYPE t, void* d, void* self) {
      return static_cast<HtmlRenderer*>(self)->Block(t, d, true);
    };
    parser.leave_block = [](MD_BLOCKTYPE t, void* d, void* self) {
      return static_cast<HtmlRenderer*>(self)->Block(t, d, false);
    };
    parser.enter_span = [](MD_SPANTYPE t, void* d, void* self) {
      return static_cast<HtmlRenderer*>(self)->EnterSpan(t, d);
    };
    parser.leave_span = [](MD_SPANTYPE t, void*, void* self) {
      return static_cast<HtmlRenderer*>(self)->LeaveSpan(t);
    };
    parser.text = [](MD_TEXTTYPE t, const MD_CHAR* s, MD_SIZE n, void* self) {
      return static_cast<HtmlRenderer*>(self)->Text(t, std::string_view(s, n));
    };
    result_.over_budget =
        md_parse(markdown.data(), static_cast<MD_SIZE>(markdown.size()), &parser, this) != 0;
    Flush();
    return std::move(result_);
  }

 private:
  // kGoOn, or kStop (from the budget on, for every later event too).
  int Tick() {
    if (stopped_) return kStop;
    if (events_++ % kBudgetCheckEvery == 0 && std::chrono::steady_clock::now() >= deadline_) {
      stopped_ = true;
      return kStop;
    }
    return kGoOn;
  }

  std::string& Out() { return result_.html; }
  void Cr() {
    if (!Out().empty() && Out().back() != '\n') Out() += '\n';
  }
  bool InAlt() const { return alt_depth_ > 0; }

  void AddSlug(const std::string& slug) {
    if (seen_.insert(slug).second) result_.linked_slugs.push_back(slug);
  }

  // Emits the buffered run of plain text, with its wiki links.
  void Flush() {
    if (pending_.empty()) return;
    if (InAlt()) {
      alt_ += pending_;
    } else if (link_depth_ > 0) {
      AppendEscaped(&Out(), pending_);
    } else {
      SplitWikiLinks(
          pending_, [this](std::string_view text) { AppendEscaped(&Out(), text); },
          [this](const std::string& slug, std::string_view label) {
            AddSlug(slug);
            Out() += "<a href=\"" + WikiHref(slug) + "\">";
            AppendEscaped(&Out(), label);
            Out() += "</a>";
          });
    }
    pending_.clear();
  }

  // Containers (quotes, lists, items) past max_depth emit no tags.
  bool Container(bool enter) {
    if (enter) ++depth_;
    bool shown = depth_ <= limits_.max_depth;
    if (!enter) --depth_;
    if (!shown) result_.depth_cut = true;
    return shown;
  }

  int Block(MD_BLOCKTYPE type, void* detail, bool enter);
  void ListItem(const MD_BLOCK_LI_DETAIL* li, bool enter);
  void Cell(MD_BLOCKTYPE type, const MD_BLOCK_TD_DETAIL* td, bool enter);
  int EnterSpan(MD_SPANTYPE type, void* detail);
  int LeaveSpan(MD_SPANTYPE type);
  void CloseInnermostSpan();
  void CloseOpenSpans();
  void EnterLink(MD_SPANTYPE type, const std::string& url, const MD_ATTRIBUTE& title, Span kind);
  void EnterImage(const MD_SPAN_IMG_DETAIL* img);
  int Text(MD_TEXTTYPE type, std::string_view text);

  const MarkdownLimits& limits_;
  std::chrono::steady_clock::time_point deadline_;
  unsigned events_ = 0;
  MarkdownHtml result_;
  std::unordered_set<std::string> seen_;
  std::string pending_;
  std::vector<OpenSpan> spans_;  // innermost last
  bool stopped_ = false;
  size_t depth_ = 0;
  int link_depth_ = 0;  // inside a shown link: no wiki links
  int alt_depth_ = 0;   // inside an <img>: text goes to alt_
  bool in_html_block_ = false;
  std::string alt_;
  std::string image_open_;  // "<img src=... alt=\"" waiting for alt_
  std::string image_close_;
};

int HtmlRenderer::Block(MD_BLOCKTYPE type, void* detail, bool enter) {
  if (Tick() != kGoOn) return kStop;
  Flush();
  // Spans live inside one leaf block: one still open here was never left.
  CloseOpenSpans();
  switch (type) {
    case MD_BLOCK_DOC:
      break;
    case MD_BLOCK_QUOTE:
      if (Container(enter)) {
        Cr();
        Out() += enter ? "<blockquote>\n" : "</blockquote>\n";
      }
      break;
    case MD_BLOCK_UL:
    case MD_BLOCK_OL:
      if (Container(enter)) {
        Cr();
        const char* tag = type == MD_BLOCK_UL ? "ul" : "ol";
        unsigned start = type == MD_BLOCK_OL ? static_cast<MD_BLOCK_OL_DETAIL*>(detail)->start : 1;
        Out() += std::string(enter ? "<" : "</") + tag;
        if (enter && start != 1) Out() += " start=\"" + std::to_string(start) + "\"";
        Out() += ">\n";
      }
      break;
    case MD_BLOCK_LI:
      ListItem(static_cast<MD_BLOCK_LI_DETAIL*>(detail), enter);
      break;
    case MD_BLOCK_HR:
      if (enter) Cr(), Out() += "<hr />\n";
      break;
    case MD_BLOCK_H: {
      std::string level = std::to_string(static_cast<MD_BLOCK_H_DETAIL*>(detail)->level);
      if (enter) Cr();
      Out() += (enter ? "<h" : "</h") + level + (enter ? ">" : ">\n");
      break;
    }
    case MD_BLOCK_CODE: {
      if (!enter) {
        Out() += "</code></pre>\n";
        break;
      }
      Cr();
      Out() += "<pre><code";
      const MD_ATTRIBUTE& lang = static_cast<MD_BLOCK_CODE_DETAIL*>(detail)->lang;
      std::string decoded;
      if (lang.size > 0 && DecodeAttribute(lang, &decoded)) {
        Out() += " class=\"language-";
        AppendEscaped(&Out(), decoded);
        Out() += "\"";
      }
      Out() += ">";
      break;
    }
    case MD_BLOCK_HTML:
      in_html_block_ = enter;
      if (enter) Cr(), Out() += std::string(kRawHtml) + "\n";
      break;
    case MD_BLOCK_P:
      if (enter) Cr();
      Out() += enter ? "<p>" : "</p>\n";
      break;
    case MD_BLOCK_TABLE:
      Cr(), Out() += enter ? "<table>\n" : "</table>\n";
      break;
    case MD_BLOCK_THEAD:
      Out() += enter ? "<thead>\n" : "</thead>\n";
      break;
    case MD_BLOCK_TBODY:
      Out() += enter ? "<tbody>\n" : "</tbody>\n";
      break;
    case MD_BLOCK_TR:
      Out() += enter ? "<tr>\n" : "</tr>\n";
      break;
    case MD_BLOCK_TH:
    case MD_BLOCK_TD:
      Cell(type, static_cast<MD_BLOCK_TD_DETAIL*>(detail), enter);
      break;
  }
  return kGoOn;
}

void HtmlRenderer::ListItem(const MD_BLOCK_LI_DETAIL* li, bool enter) {
  if (!Container(enter)) return;
  if (!enter) {
    Out() += "</li>\n";
    return;
  }
  Cr();
  Out() += "<li>";
  if (li->is_task) {
    Out() += li->task_mark == ' ' ? R"(<input type="checkbox" disabled="" /> )"
                                  : R"(<input type="checkbox" checked="" disabled="" /> )";
  }
}

void HtmlRenderer::Cell(MD_BLOCKTYPE type, const MD_BLOCK_TD_DETAIL* td, bool enter) {
  const char* tag = type == MD_BLOCK_TH ? "th" : "td";
  if (!enter) {
    Out() += std::string("</") + tag + ">\n";
    return;
  }
  Out() += std::string("<") + tag;
  switch (td->align) {
    case MD_ALIGN_LEFT:
      Out() += " align=\"left\"";
      break;
    case MD_ALIGN_CENTER:
      Out() += " align=\"center\"";
      break;
    case MD_ALIGN_RIGHT:
      Out() += " align=\"right\"";
      break;
    case MD_ALIGN_DEFAULT:
      break;
  }
  Out() += ">";
}

int HtmlRenderer::EnterSpan(MD_SPANTYPE type, void* detail) {
  if (Tick() != kGoOn) return kStop;
  Flush();
  if (InAlt()) {
    // Inside an image's alt text only the text counts.
    spans_.push_back({type, type == MD_SPAN_IMG ? Span::kSkipped : Span::kPlain});
    if (type == MD_SPAN_IMG) ++alt_depth_;
    return kGoOn;
  }
  switch (type) {
    case MD_SPAN_EM:
      Out() += "<em>";
      break;
    case MD_SPAN_STRONG:
      Out() += "<strong>";
      break;
    case MD_SPAN_CODE:
      Out() += "<code>";
      break;
    case MD_SPAN_DEL:
      Out() += "<del>";
      break;
    case MD_SPAN_A: {
      auto* a = static_cast<MD_SPAN_A_DETAIL*>(detail);
      std::string url;
      bool ok = DecodeAttribute(a->href, &url) &&
                safety::ClassifyUrl(url, safety::UrlUse::kLink) == safety::UrlVerdict::kAllow;
      EnterLink(type, url, a->title, ok ? Span::kLink : Span::kSkipped);
      return kGoOn;
    }
    case MD_SPAN_IMG:
      EnterImage(static_cast<MD_SPAN_IMG_DETAIL*>(detail));
      return kGoOn;
    default:
      break;  // no other span types are enabled
  }
  spans_.push_back({type, Span::kPlain});
  return kGoOn;
}

void HtmlRenderer::EnterLink(MD_SPANTYPE type, const std::string& url, const MD_ATTRIBUTE& title,
                             Span kind) {
  spans_.push_back({type, kind});
  if (kind == Span::kSkipped) return;
  ++link_depth_;
  std::string slug = SlugFromWikiUrl(url);
  if (!slug.empty()) AddSlug(slug);
  Out() += "<a href=\"";
  AppendHref(&Out(), url);
  Out() += "\"";
  std::string decoded;
  if (title.size > 0 && DecodeAttribute(title, &decoded)) {
    Out() += " title=\"";
    AppendEscaped(&Out(), decoded);
    Out() += "\"";
  }
  Out() += ">";
}

void HtmlRenderer::EnterImage(const MD_SPAN_IMG_DETAIL* img) {
  std::string url;
  safety::UrlVerdict verdict = DecodeAttribute(img->src, &url)
                                   ? safety::ClassifyUrl(url, safety::UrlUse::kImage)
                                   : safety::UrlVerdict::kReject;
  if (verdict == safety::UrlVerdict::kExternalImage) {
    EnterLink(MD_SPAN_IMG, url, img->title, Span::kImageAsLink);
    return;
  }
  if (verdict == safety::UrlVerdict::kReject) {
    spans_.push_back({MD_SPAN_IMG, Span::kSkipped});  // its alt text stays, as text
    return;
  }
  spans_.push_back({MD_SPAN_IMG, Span::kImageTag});
  ++alt_depth_;
  alt_.clear();
  image_open_ = "<img src=\"";
  AppendHref(&image_open_, url);
  image_open_ += "\" alt=\"";
  image_close_ = "\"";
  std::string title;
  if (img->title.size > 0 && DecodeAttribute(img->title, &title)) {
    image_close_ += " title=\"";
    AppendEscaped(&image_close_, title);
    image_close_ += "\"";
  }
  image_close_ += " />";
}

int HtmlRenderer::LeaveSpan(MD_SPANTYPE type) {
  if (Tick() != kGoOn) return kStop;
  Flush();
  // A leave that does not match the innermost open span is one whose enter
  // md4c never reported (see the top of this file): it closes nothing.
  if (spans_.empty() || spans_.back().type != type) return kGoOn;
  CloseInnermostSpan();
  return kGoOn;
}

void HtmlRenderer::CloseOpenSpans() {
  while (!spans_.empty()) CloseInnermostSpan();
}

void HtmlRenderer::CloseInnermostSpan() {
  if (spans_.empty()) return;  // defence: never read past the stack
  const OpenSpan span = spans_.back();
  spans_.pop_back();
  if (span.type == MD_SPAN_IMG && InAlt() && span.kind != Span::kImageTag) {
    --alt_depth_;  // an image inside alt text
    return;
  }
  if (InAlt() && span.kind != Span::kImageTag) return;
  switch (span.kind) {
    case Span::kSkipped:
      return;
    case Span::kLink:
    case Span::kImageAsLink:
      --link_depth_, Out() += "</a>";
      return;
    case Span::kImageTag:
      --alt_depth_;
      Out() += image_open_;
      AppendEscaped(&Out(), alt_);
      Out() += image_close_;
      return;
    case Span::kPlain:
      break;
  }
  switch (span.type) {
    case MD_SPAN_EM:
      Out() += "</em>";
      break;
    case MD_SPAN_STRONG:
      Out() += "</strong>";
      break;
    case MD_SPAN_CODE:
      Out() += "</code>";
      break;
    case MD_SPAN_DEL:
      Out() += "</del>";
      break;
    default:
      break;
  }
}

int HtmlRenderer::Text(MD_TEXTTYPE type, std::string_view text) {
  if (Tick() != kGoOn) return kStop;
  switch (type) {
    case MD_TEXT_NORMAL:
      pending_ += text;
      break;
    case MD_TEXT_NULLCHAR:
      pending_ += "\xEF\xBF\xBD";
      break;
    case MD_TEXT_ENTITY:
      if (!DecodeEntity(text, &pending_)) pending_ += text;
      break;
    case MD_TEXT_BR:
      Flush();
      InAlt() ? void(alt_ += ' ') : void(Out() += "<br />\n");
      break;
    case MD_TEXT_SOFTBR:
      Flush();
      InAlt() ? void(alt_ += ' ') : void(Out() += "\n");
      break;
    case MD_TEXT_HTML:
      Flush();
      if (!InAlt() && !in_html_block_) Out() += kRawHtml;
      break;
    default:  // MD_TEXT_CODE and anything verbatim
      Flush();
      InAlt() ? void(alt_ += text) : AppendEscaped(&Out(), text);
      break;
  }
  return kGoOn;
}

}  // namespace

MarkdownHtml RenderMarkdownHtml(std::string_view markdown, const MarkdownLimits& limits) {
  return HtmlRenderer(limits).Run(markdown);
}

}  // namespace arkwiki
