// Rendering goes: parse with cmark-gfm -> rewrite the AST (URL policy, wiki
// links) -> cmark's HTML renderer in its default safe mode -> allowlist check.
// Working on the AST rather than on the source means code spans, code blocks
// and link destinations are already told apart from text, and URLs are
// already entity-decoded when we judge them.
#include "markdown.h"

#include <cmark-gfm-core-extensions.h>
#include <cmark-gfm.h>

#include <memory>
#include <mutex>
#include <unordered_set>

#include "arkwiki/core/slug.h"
#include "arkwiki/core/url.h"
#include "html.h"
#include "markdown_safety.h"

namespace arkwiki {
namespace {

namespace safety = markdown_safety;

constexpr int kOptions = CMARK_OPT_DEFAULT | CMARK_OPT_VALIDATE_UTF8;  // never UNSAFE
constexpr size_t kMaxWikiLinkLength = 256;

struct ParserDeleter {
  void operator()(cmark_parser* p) const { cmark_parser_free(p); }
};
struct NodeDeleter {
  void operator()(cmark_node* n) const { cmark_node_free(n); }
};
using ParserPtr = std::unique_ptr<cmark_parser, ParserDeleter>;
using NodePtr = std::unique_ptr<cmark_node, NodeDeleter>;

// A parsed document; the parser owns the extension list the renderer needs.
struct Parsed {
  ParserPtr parser;
  NodePtr doc;
};

Parsed Parse(std::string_view markdown) {
  static std::once_flag registered;
  std::call_once(registered, [] { cmark_gfm_core_extensions_ensure_registered(); });
  Parsed parsed{ParserPtr(cmark_parser_new(kOptions)), nullptr};
  for (const char* name : {"table", "strikethrough", "autolink", "tasklist", "tagfilter"}) {
    cmark_syntax_extension* ext = cmark_find_syntax_extension(name);
    if (ext != nullptr) cmark_parser_attach_syntax_extension(parsed.parser.get(), ext);
  }
  cmark_parser_feed(parsed.parser.get(), markdown.data(), markdown.size());
  parsed.doc.reset(cmark_parser_finish(parsed.parser.get()));
  cmark_consolidate_text_nodes(parsed.doc.get());
  return parsed;
}

std::vector<cmark_node*> CollectNodes(cmark_node* root, cmark_node_type type) {
  std::vector<cmark_node*> nodes;
  cmark_iter* iter = cmark_iter_new(root);
  cmark_event_type event;
  while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(iter);
    if (event == CMARK_EVENT_ENTER && cmark_node_get_type(node) == type) nodes.push_back(node);
  }
  cmark_iter_free(iter);
  return nodes;
}

std::string_view NodeString(const char* s) { return s == nullptr ? "" : s; }

cmark_node* NewText(std::string_view text) {
  cmark_node* node = cmark_node_new(CMARK_NODE_TEXT);
  cmark_node_set_literal(node, std::string(text).c_str());
  return node;
}

// Moves `node`'s children to where it stands, then frees it.
void ReplaceWithChildren(cmark_node* node) {
  while (cmark_node* child = cmark_node_first_child(node)) {
    cmark_node_insert_before(node, child);
  }
  cmark_node_free(node);  // also unlinks
}

// /wiki/<slug>[?#...] -> slug, or "" if `url` is not a page link.
std::string SlugFromWikiUrl(std::string_view url) {
  constexpr std::string_view kPrefix = "/wiki/";
  if (url.substr(0, kPrefix.size()) != kPrefix) return "";
  url.remove_prefix(kPrefix.size());
  url = url.substr(0, url.find_first_of("?#"));
  bool ok = false;
  std::string slug = UrlDecode(url, &ok);
  return ok && IsValidSlug(slug) ? slug : "";
}

// Records the pages a document links to and which of them are missing.
class LinkCollector {
 public:
  explicit LinkCollector(const std::function<bool(const std::string&)>* page_exists)
      : page_exists_(page_exists) {}

  // Records `slug`; asks page_exists about it the first time only.
  void Add(const std::string& slug) {
    if (!seen_.insert(slug).second) return;
    slugs_.push_back(slug);
    if (page_exists_ != nullptr && *page_exists_ && !(*page_exists_)(slug)) missing_.insert(slug);
  }
  bool IsMissing(const std::string& slug) const { return missing_.count(slug) != 0; }
  bool AnyMissing() const { return !missing_.empty(); }
  std::vector<std::string> Take() { return std::move(slugs_); }

 private:
  const std::function<bool(const std::string&)>* page_exists_;
  std::unordered_set<std::string> seen_;
  std::unordered_set<std::string> missing_;
  std::vector<std::string> slugs_;
};

// Applies the URL policy (see markdown.h) to every link and image.
void ApplyUrlPolicy(cmark_node* doc) {
  for (cmark_node* link : CollectNodes(doc, CMARK_NODE_LINK)) {
    std::string_view url = NodeString(cmark_node_get_url(link));
    if (safety::ClassifyUrl(url, safety::UrlUse::kLink) != safety::UrlVerdict::kAllow) {
      ReplaceWithChildren(link);
    }
  }
  for (cmark_node* image : CollectNodes(doc, CMARK_NODE_IMAGE)) {
    std::string_view url = NodeString(cmark_node_get_url(image));
    switch (safety::ClassifyUrl(url, safety::UrlUse::kImage)) {
      case safety::UrlVerdict::kAllow:
        break;
      case safety::UrlVerdict::kExternalImage: {
        cmark_node* link = cmark_node_new(CMARK_NODE_LINK);
        cmark_node_set_url(link, std::string(url).c_str());
        cmark_node_set_title(link, cmark_node_get_title(image));
        cmark_node_insert_before(image, link);
        while (cmark_node* child = cmark_node_first_child(image)) {
          cmark_node_append_child(link, child);
        }
        cmark_node_free(image);
        break;
      }
      case safety::UrlVerdict::kReject:
        ReplaceWithChildren(image);
        break;
    }
  }
}

bool InsideLinkOrImage(cmark_node* node) {
  for (cmark_node* p = cmark_node_parent(node); p != nullptr; p = cmark_node_parent(p)) {
    cmark_node_type type = cmark_node_get_type(p);
    if (type == CMARK_NODE_LINK || type == CMARK_NODE_IMAGE) return true;
  }
  return false;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// "/wiki/" + slug, with the slug's non-ASCII bytes percent-encoded. Slug
// bytes are otherwise [a-z0-9_-], so the result needs no HTML escaping.
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

// Builds the link node for the wiki link whose inner text is `inner`, or
// returns null when it is not a usable wiki link. It is an ordinary link
// node (custom inline nodes are not allowed in table cells); missing pages
// are marked after rendering, by MarkMissingLinks.
cmark_node* MakeWikiLink(std::string_view inner) {
  size_t bar = inner.find('|');
  std::string_view target = Trim(inner.substr(0, bar));
  std::string_view label = bar == std::string_view::npos ? target : Trim(inner.substr(bar + 1));
  std::string slug = Slugify(target);
  if (slug.empty() || !IsValidSlug(slug)) return nullptr;
  if (label.empty()) label = target;
  cmark_node* node = cmark_node_new(CMARK_NODE_LINK);
  cmark_node_set_url(node, WikiHref(slug).c_str());
  cmark_node_append_child(node, NewText(label));
  return node;
}

// Splits one text node around its [[...]] wiki links.
void ConvertWikiLinks(cmark_node* text_node) {
  const std::string text(NodeString(cmark_node_get_literal(text_node)));
  if (text.find("[[") == std::string::npos) return;
  size_t emitted = 0, pos = 0;
  bool changed = false;
  while ((pos = text.find("[[", pos)) != std::string::npos) {
    size_t close = text.find("]]", pos + 2);
    if (close == std::string::npos) break;
    std::string_view inner = std::string_view(text).substr(pos + 2, close - pos - 2);
    // "[[[x]]" etc.: move on to the innermost "[[".
    if (inner.find_first_of("[]\n") != std::string_view::npos ||
        inner.size() > kMaxWikiLinkLength) {
      pos += 1;
      continue;
    }
    cmark_node* link = MakeWikiLink(inner);
    if (link == nullptr || !cmark_node_insert_before(text_node, link)) {
      if (link != nullptr) cmark_node_free(link);
      pos = close + 2;
      continue;
    }
    if (pos > emitted) {
      cmark_node_insert_before(link,
                               NewText(std::string_view(text).substr(emitted, pos - emitted)));
    }
    emitted = pos = close + 2;
    changed = true;
  }
  if (!changed) return;
  if (emitted < text.size()) {
    cmark_node_set_literal(text_node, text.substr(emitted).c_str());
  } else {
    cmark_node_free(text_node);
  }
}

void RewriteTree(cmark_node* doc) {
  ApplyUrlPolicy(doc);
  for (cmark_node* text : CollectNodes(doc, CMARK_NODE_TEXT)) {
    if (!InsideLinkOrImage(text)) ConvertWikiLinks(text);
  }
}

// Every link to /wiki/<slug>, wiki link or not, in document order.
void CollectLinkedSlugs(cmark_node* doc, LinkCollector* links) {
  for (cmark_node* link : CollectNodes(doc, CMARK_NODE_LINK)) {
    std::string slug = SlugFromWikiUrl(NodeString(cmark_node_get_url(link)));
    if (!slug.empty()) links->Add(slug);
  }
}

// Adds class="missing" to each <a href="/wiki/<slug>..."> of a missing page.
// Safe as plain string work: in cmark's output, text is escaped, so every
// "<a href=\"" is a real tag, and hrefs never contain a raw '"'.
std::string MarkMissingLinks(const std::string& html, const LinkCollector& links) {
  constexpr std::string_view kOpen = "<a href=\"";
  std::string out;
  size_t pos = 0, found;
  while ((found = html.find(kOpen, pos)) != std::string::npos) {
    size_t value = found + kOpen.size();
    size_t quote = html.find('"', value);
    if (quote == std::string::npos) break;
    out.append(html, pos, found - pos);
    out += links.IsMissing(SlugFromWikiUrl(std::string_view(html).substr(value, quote - value)))
               ? R"(<a class="missing" href=")"
               : kOpen;
    pos = value;
  }
  out.append(html, pos, std::string::npos);
  return out;
}

// Walks the document, emitting visible text; see MarkdownToPlainText.
std::string CollectPlainText(cmark_node* doc) {
  std::string out;
  cmark_iter* iter = cmark_iter_new(doc);
  cmark_event_type event;
  while ((event = cmark_iter_next(iter)) != CMARK_EVENT_DONE) {
    cmark_node* node = cmark_iter_get_node(iter);
    cmark_node_type type = cmark_node_get_type(node);
    bool enter = event == CMARK_EVENT_ENTER;
    std::string_view name = NodeString(cmark_node_get_type_string(node));
    if (enter && (type == CMARK_NODE_TEXT || type == CMARK_NODE_CODE)) {
      out += NodeString(cmark_node_get_literal(node));
    } else if (enter && type == CMARK_NODE_CODE_BLOCK) {
      out += NodeString(cmark_node_get_literal(node));
      out += '\n';
    } else if (type == CMARK_NODE_SOFTBREAK || (!enter && name == "table_cell")) {
      out += ' ';
    } else if (type == CMARK_NODE_LINEBREAK ||
               (!enter &&
                (type == CMARK_NODE_PARAGRAPH || type == CMARK_NODE_HEADING ||
                 type == CMARK_NODE_ITEM || name == "table_row" || name == "table_header"))) {
      out += '\n';
    }
  }
  cmark_iter_free(iter);
  return out;
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

std::string RenderHtml(const Parsed& parsed) {
  char* raw = cmark_render_html(parsed.doc.get(), kOptions,
                                cmark_parser_get_syntax_extensions(parsed.parser.get()));
  std::string html(raw == nullptr ? "" : raw);
  cmark_get_default_mem_allocator()->free(raw);
  return html;
}

}  // namespace

RenderedMarkdown RenderMarkdown(std::string_view markdown,
                                const std::function<bool(const std::string& slug)>& page_exists) {
  Parsed parsed = Parse(markdown);
  RewriteTree(parsed.doc.get());
  LinkCollector links(&page_exists);
  CollectLinkedSlugs(parsed.doc.get(), &links);
  RenderedMarkdown result;
  result.html = RenderHtml(parsed);
  if (links.AnyMissing()) result.html = MarkMissingLinks(result.html, links);
  result.linked_slugs = links.Take();
  if (!safety::IsAllowedHtml(result.html)) {
    // Should be unreachable: cmark's safe mode plus our policy never emit
    // anything outside the allowlist. Fail closed if that ever changes.
    result.html = "<pre class=\"unsafe\">" + HtmlEscape(markdown) + "</pre>\n";
  }
  return result;
}

std::string MarkdownToPlainText(std::string_view markdown) {
  Parsed parsed = Parse(markdown);
  RewriteTree(parsed.doc.get());
  return NormaliseWhitespace(CollectPlainText(parsed.doc.get()));
}

}  // namespace arkwiki
