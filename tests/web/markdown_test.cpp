#include "markdown.h"
#include "support/occurrences.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

namespace arkwiki {
namespace {

std::string Html(std::string_view markdown) {
  return RenderMarkdown(markdown, [](const std::string&) { return true; }).html;
}

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// A forgiving HTML tag reader for the assertions below: it finds every tag
// the way a browser would, so an attribute smuggled inside another
// attribute's quoted value does not count, but a real one always does.
struct Tag {
  std::string name;
  std::map<std::string, std::string> attributes;  // names lower-cased
};

std::vector<Tag> ReadTags(const std::string& html) {
  std::vector<Tag> tags;
  size_t i = 0;
  auto space = [](char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '/';
  };
  while ((i = html.find('<', i)) != std::string::npos) {
    if (html.compare(i, 4, "<!--") == 0) {
      size_t end = html.find("-->", i + 4);
      i = end == std::string::npos ? html.size() : end + 3;
      continue;
    }
    ++i;
    if (i < html.size() && html[i] == '/') ++i;
    Tag tag;
    while (i < html.size() && !space(html[i]) && html[i] != '>')
      tag.name += static_cast<char>(std::tolower(html[i++]));
    while (i < html.size() && html[i] != '>') {
      if (space(html[i])) {
        ++i;
        continue;
      }
      std::string name;
      while (i < html.size() && !space(html[i]) && html[i] != '>' && html[i] != '=')
        name += static_cast<char>(std::tolower(html[i++]));
      std::string value;
      if (i < html.size() && html[i] == '=') {
        ++i;
        char quote = i < html.size() && (html[i] == '"' || html[i] == '\'') ? html[i++] : 0;
        while (i < html.size() && (quote ? html[i] != quote : !space(html[i]) && html[i] != '>'))
          value += html[i++];
        if (quote && i < html.size()) ++i;
      }
      if (!name.empty()) tag.attributes[name] = value;
    }
    tags.push_back(tag);
  }
  return tags;
}

// Undoes the escapes a browser would undo in an attribute, then drops what a
// URL parser ignores (whitespace and controls), lower-cased.
std::string BrowserUrl(const std::string& value) {
  std::string decoded;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] == '&') {
      size_t semi = value.find(';', i);
      std::string entity = semi == std::string::npos ? "" : value.substr(i + 1, semi - i - 1);
      char c = entity == "amp" ? '&' : entity == "colon" ? ':' : entity == "#x27" ? '\'' : 0;
      if (!entity.empty() && entity[0] == '#') {
        c = static_cast<char>(entity[1] == 'x' || entity[1] == 'X'
                                  ? std::stoi(entity.substr(2), nullptr, 16)
                                  : std::stoi(entity.substr(1)));
      }
      if (c != 0) {
        decoded += c;
        i = semi;
        continue;
      }
    }
    decoded += value[i];
  }
  std::string url;
  for (char c : decoded) {
    if (static_cast<unsigned char>(c) > 0x20) url += c;
  }
  return Lower(url);
}

void ExpectNoScript(const std::string& markdown) {
  SCOPED_TRACE("markdown: " + markdown);
  RenderedMarkdown out = RenderMarkdown(markdown, [](const std::string&) { return false; });
  const std::string lower = Lower(out.html);
  for (const char* bad : {"<script", "<iframe", "<svg", "<style", "<object", "<embed", "<math",
                          "<form", "<base", "<meta", "<link", "<details", "<noscript", "<button"}) {
    EXPECT_EQ(lower.find(bad), std::string::npos) << bad << " in " << out.html;
  }
  static const std::set<std::string> kAllowedTags = {
      "a",   "blockquote", "br",    "code",  "del", "em",    "h1",    "h2", "h3",
      "h4",  "h5",         "h6",    "hr",    "img", "input", "li",    "ol", "p",
      "pre", "strong",     "table", "tbody", "td",  "th",    "thead", "tr", "ul"};
  for (const Tag& tag : ReadTags(out.html)) {
    EXPECT_TRUE(kAllowedTags.count(tag.name)) << "tag <" << tag.name << "> in " << out.html;
    for (const auto& [name, value] : tag.attributes) {
      EXPECT_FALSE(name.size() > 2 && name.compare(0, 2, "on") == 0)
          << "event handler " << name << " in " << out.html;
      EXPECT_NE(name, "style") << out.html;
      if (name == "href" || name == "src" || name == "action" || name == "formaction") {
        std::string url = BrowserUrl(value);
        for (const char* scheme :
             {"javascript:", "vbscript:", "file:", "data:text", "data:image/svg"}) {
          EXPECT_NE(url.rfind(scheme, 0), 0u) << name << "=" << value << " in " << out.html;
        }
        if (url.rfind("data:", 0) == 0) {
          EXPECT_EQ(name, "src") << out.html;
        }
      }
    }
  }
}

}  // namespace

// ---- Features ----

TEST(MarkdownTest, RendersCommonMarkBasics) {
  std::string html =
      Html("# Title\n\nSome *em* and **strong** and `code`.\n\n> quote\n\n1. one\n2. two\n");
  EXPECT_NE(html.find("<h1>Title</h1>"), std::string::npos) << html;
  EXPECT_NE(html.find("<em>em</em>"), std::string::npos);
  EXPECT_NE(html.find("<strong>strong</strong>"), std::string::npos);
  EXPECT_NE(html.find("<code>code</code>"), std::string::npos);
  EXPECT_NE(html.find("<blockquote>"), std::string::npos);
  EXPECT_NE(html.find("<ol>\n<li>one</li>"), std::string::npos);
}

TEST(MarkdownTest, RendersGfmTables) {
  std::string html = Html("| a | b |\n|:--|--:|\n| 1 | 2 |\n");
  EXPECT_NE(html.find("<table>"), std::string::npos) << html;
  EXPECT_NE(html.find("<th align=\"left\">a</th>"), std::string::npos) << html;
  EXPECT_NE(html.find("<td align=\"right\">2</td>"), std::string::npos) << html;
}

TEST(MarkdownTest, RendersStrikethroughAutolinksAndTaskLists) {
  std::string html =
      Html("~~gone~~ see www.example.com and https://x.org/a\n\n- [ ] todo\n- [x] done\n");
  EXPECT_NE(html.find("<del>gone</del>"), std::string::npos) << html;
  EXPECT_NE(html.find("<a href=\"http://www.example.com\">www.example.com</a>"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<a href=\"https://x.org/a\">"), std::string::npos) << html;
  EXPECT_NE(html.find("<input type=\"checkbox\" disabled=\"\" /> todo"), std::string::npos) << html;
  EXPECT_NE(html.find("<input type=\"checkbox\" checked=\"\" disabled=\"\" /> done"),
            std::string::npos)
      << html;
}

// md4c 0.4.8 lets a permissive autolink swallow one delimiter of an
// emphasis it has already paired, and then reports a leave without its enter
// (first input: leave(em) inside <strong>) or an enter without its leave
// (second). The HTML stays balanced and nothing is cut.
TEST(MarkdownTest, AutolinkThatSwallowsAnEmphasisOpenerRendersBalanced) {
  EXPECT_EQ(Html("**bold www.example.com*note* end**"),
            "<p><strong>bold <a href=\"http://www.example.com*note\">www.example.com*note</a> "
            "end</strong></p>\n");
  EXPECT_EQ(Html("see www.example.com*note*"),
            "<p>see <a href=\"http://www.example.com*note\">www.example.com*note</a></p>\n");
}

TEST(MarkdownTest, AutolinkThatSwallowsAnEmphasisCloserRendersBalanced) {
  EXPECT_EQ(Html("*a] www.x.org*b]"),
            "<p><em>a] <a href=\"http://www.x.org*b%5D\">www.x.org*b]</a></em></p>\n");
}

TEST(MarkdownTest, RendersFencedCodeEscaped) {
  std::string html = Html("```cpp\nif (a < b && c) {}\n```\n");
  EXPECT_NE(
      html.find("<pre><code class=\"language-cpp\">if (a &lt; b &amp;&amp; c) {}\n</code></pre>"),
      std::string::npos)
      << html;
}

TEST(MarkdownTest, KeepsSafeLinks) {
  std::string html = Html(
      "[a](https://x.org/?q=1&r=2) [b](/wiki/other) [c](mailto:me@x.org) [d](#top) [e](rel/page)");
  EXPECT_NE(html.find("href=\"https://x.org/?q=1&amp;r=2\""), std::string::npos) << html;
  EXPECT_NE(html.find("href=\"/wiki/other\""), std::string::npos);
  EXPECT_NE(html.find("href=\"mailto:me@x.org\""), std::string::npos);
  EXPECT_NE(html.find("href=\"#top\""), std::string::npos);
  EXPECT_NE(html.find("href=\"rel/page\""), std::string::npos);
}

// ---- Wiki links ----

TEST(MarkdownTest, ConvertsWikiLinksToPageLinks) {
  std::string html = Html("See [[Getting Started]] and [[faq|the FAQ]].");
  EXPECT_EQ(html,
            "<p>See <a href=\"/wiki/getting-started\">Getting Started</a> and "
            "<a href=\"/wiki/faq\">the FAQ</a>.</p>\n");
}

TEST(MarkdownTest, MarksLinksToMissingPages) {
  RenderedMarkdown out =
      RenderMarkdown("[[Here]] [[Gone]]", [](const std::string& slug) { return slug == "here"; });
  EXPECT_NE(out.html.find("<a href=\"/wiki/here\">Here</a>"), std::string::npos) << out.html;
  EXPECT_NE(out.html.find("<a class=\"missing\" href=\"/wiki/gone\">Gone</a>"), std::string::npos)
      << out.html;
}

TEST(MarkdownTest, PercentEncodesNonAsciiWikiSlugs) {
  RenderedMarkdown out = RenderMarkdown("[[Über Café]]", nullptr);
  EXPECT_NE(out.html.find("href=\"/wiki/%C3%9Cber-caf%C3%A9\">Über Café</a>"), std::string::npos)
      << out.html;
  ASSERT_EQ(out.linked_slugs.size(), 1u);
  EXPECT_EQ(out.linked_slugs[0],
            "\xC3\x9C"
            "ber-caf\xC3\xA9");
}

TEST(MarkdownTest, LeavesWikiLinkSyntaxInCodeAlone) {
  RenderedMarkdown out =
      RenderMarkdown("`[[Code Span]]`\n\n```\n[[Code Block]]\n```\n\n    [[Indented]]\n", nullptr);
  EXPECT_EQ(out.html.find("<a"), std::string::npos) << out.html;
  EXPECT_NE(out.html.find("[[Code Span]]"), std::string::npos);
  EXPECT_NE(out.html.find("[[Code Block]]"), std::string::npos);
  EXPECT_TRUE(out.linked_slugs.empty());
}

TEST(MarkdownTest, LeavesUnusableWikiLinksAsText) {
  std::string html = Html("[[!!!]] [[]] [[a\nb]] [[unclosed");
  EXPECT_EQ(html.find("<a"), std::string::npos) << html;
  EXPECT_NE(html.find("[[!!!]]"), std::string::npos) << html;
}

TEST(MarkdownTest, DoesNotNestWikiLinksInLinks) {
  std::string html = Html("[see [[Inner]]](/x)");
  EXPECT_EQ(html, "<p><a href=\"/x\">see [[Inner]]</a></p>\n");
}

TEST(MarkdownTest, FindsWikiLinksInTablesAndHeadings) {
  RenderedMarkdown out =
      RenderMarkdown("# About [[Alpha]]\n\n| a |\n|---|\n| [[beta\\|Beta page]] |\n", nullptr);
  EXPECT_NE(out.html.find("<h1>About <a href=\"/wiki/alpha\">Alpha</a></h1>"), std::string::npos)
      << out.html;
  EXPECT_NE(out.html.find("<td><a href=\"/wiki/beta\">Beta page</a></td>"), std::string::npos)
      << out.html;
}

TEST(MarkdownTest, ListsEachLinkedSlugOnceInOrder) {
  int calls = 0;
  RenderedMarkdown out = RenderMarkdown(
      "[[B]] [[a]] [[b]] [x](/wiki/c) [y](/wiki/c#s) [[A|again]] [z](/wiki/Bad%20Slug)",
      [&](const std::string&) {
        ++calls;
        return true;
      });
  EXPECT_EQ(out.linked_slugs, (std::vector<std::string>{"b", "a", "c"}));
  EXPECT_EQ(calls, 3);  // once per distinct slug
}

TEST(MarkdownTest, MarksPlainLinksToMissingPagesToo) {
  RenderedMarkdown out = RenderMarkdown("[a](/wiki/gone \"t\") [b](/wiki/here) [c](/wiki/gone#x)",
                                        [](const std::string& slug) { return slug == "here"; });
  EXPECT_EQ(out.html,
            "<p><a class=\"missing\" href=\"/wiki/gone\" title=\"t\">a</a> "
            "<a href=\"/wiki/here\">b</a> <a class=\"missing\" href=\"/wiki/gone#x\">c</a></p>\n");
}

TEST(MarkdownTest, EscapesWikiLinkLabels) {
  std::string html = Html("[[page|\" onmouseover=\"alert(1)]] [[x|<b>]]");
  EXPECT_EQ(html.find("\" onmouseover=\""), std::string::npos) << html;
  ExpectNoScript("[[page|\" onmouseover=\"alert(1)]]");
}

// ---- Images ----

TEST(MarkdownTest, AllowsLocalAndInlineImages) {
  std::string html = Html(
      "![up](/files/cat.png \"Cat\") ![rel](img/x.png) ![d](data:image/png;base64,iVBORw0KGgo=)");
  EXPECT_NE(html.find("<img src=\"/files/cat.png\" alt=\"up\" title=\"Cat\" />"), std::string::npos)
      << html;
  EXPECT_NE(html.find("<img src=\"img/x.png\" alt=\"rel\" />"), std::string::npos) << html;
  EXPECT_NE(html.find("<img src=\"data:image/png;base64,iVBORw0KGgo=\""), std::string::npos)
      << html;
}

TEST(MarkdownTest, TurnsRemoteImagesIntoLinks) {
  std::string html = Html("![tracker](https://evil.example/pixel.gif)");
  EXPECT_EQ(html, "<p><a href=\"https://evil.example/pixel.gif\">tracker</a></p>\n");
}

TEST(MarkdownTest, DropsImagesThatWouldLeaveTheSite) {
  for (const char* md :
       {"![a](//evil.example/x.png)", "![a](/\\evil.example/x.png)", "![a](\\\\evil/x.png)",
        "![a](ftp://x/y.png)", "![a](data:image/svg+xml;base64,PHN2Zz4=)"}) {
    std::string html = Html(md);
    EXPECT_EQ(html.find("<img"), std::string::npos) << md << " -> " << html;
    EXPECT_NE(html.find(">a<"), std::string::npos) << md << " -> " << html;  // alt text kept
  }
}

// ---- XSS corpus ----

TEST(MarkdownTest, NeutralisesRawHtml) {
  for (const char* md : {
           "<script>alert(1)</script>",
           "<img src=x onerror=alert(1)>",
           "<a href=\"javascript:alert(1)\">x</a>",
           "<iframe src=\"https://evil.example\"></iframe>",
           "<svg/onload=alert(1)>",
           "<svg><script>alert(1)</script></svg>",
           "<style>body{background:url(javascript:alert(1))}</style>",
           "<object data=\"x.swf\"></object><embed src=\"x.swf\">",
           "<math><mi xlink:href=\"javascript:alert(1)\">x</mi></math>",
           "<details open ontoggle=alert(1)>",
           "<form action=javascript:alert(1)><button>x</button></form>",
           "<base href=\"javascript:/\">",
           "<meta http-equiv=\"refresh\" content=\"0;url=javascript:alert(1)\">",
           "<noscript><p title=\"</noscript><img src=x onerror=alert(1)>\">",
           "text <b onmouseover=alert(1)>inline</b> text",
           "| a |\n|---|\n| <script>alert(1)</script> |",
           "- <img src=x onerror=alert(1)>",
           "> <iframe srcdoc=\"<script>alert(1)</script>\">",
           "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
           "<<script>script>alert(1)<</script>/script>",
       }) {
    ExpectNoScript(md);
  }
}

TEST(MarkdownTest, NeutralisesJavascriptLinks) {
  for (const char* md : {
           "[x](javascript:alert(1))",
           "[x](JAVASCRIPT:alert(1))",
           "[x](JaVaScRiPt:alert(1))",
           "[x](&#106;avascript:alert(1))",
           "[x](&#x6A;avascript:alert(1))",
           "[x](javascript&colon;alert(1))",
           "[x](<java\tscript:alert(1)>)",
           "[x](java&#9;script:alert(1))",
           "[x](java&#10;script:alert(1))",
           "[x](&#32;javascript:alert(1))",
           "[x](\x01javascript:alert(1))",
           "[x](<javascript:alert(1)>)",
           "[x](javascript:alert(1) \"title\")",
           "[x][ref]\n\n[ref]: javascript:alert(1)",
           "<javascript:alert(1)>",
           "javascript:alert(1)",
           "[x](vbscript:msgbox(1))",
           "[x](file:///etc/passwd)",
           "[x](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
       }) {
    ExpectNoScript(md);
    std::string html = Html(md);
    EXPECT_EQ(Lower(html).find("href=\"javascript"), std::string::npos) << md << " -> " << html;
  }
}

TEST(MarkdownTest, NeutralisesJavascriptImages) {
  for (const char* md : {"![x](javascript:alert(1))", "![x](JaVaScRiPt:alert(1))",
                         "![x](data:text/html,alert)", "![x](&#106;avascript:alert(1))"}) {
    ExpectNoScript(md);
    EXPECT_EQ(Html(md).find("<img"), std::string::npos) << md;
  }
}

TEST(MarkdownTest, KeepsAttributeValuesQuoted) {
  for (const char* md : {
           "[x](/a \"\\\" onmouseover=alert(1) x=\\\"\")",
           "[x](/a 'it\\'s \" onmouseover=alert(1)')",
           "![a\" onerror=\"alert(1)](/x.png)",
           "![a](/x.png \"\\\" onerror=alert(1) x=\\\"\")",
           "[x](/a\" onmouseover=\"alert(1))",
           "[x](/a'onmouseover='alert(1))",
           "`<script>alert(1)</script>`",
           "[[<script>alert(1)</script>]]",
           "[[x|<img src=x onerror=alert(1)>]]",
           "www.example.com/<script>alert(1)</script>",
           "https://example.com/\"onmouseover=\"alert(1)",
       }) {
    ExpectNoScript(md);
  }
}

// ---- Plain text ----

TEST(MarkdownTest, PlainTextDropsMarkup) {
  EXPECT_EQ(
      MarkdownToPlainText(
          "# Title\n\nSome *emph* and [[Page|label]] ![alt](/x.png) <b>raw</b>\n\n- a\n- b\n"),
      "Title\nSome emph and label alt raw\na\nb");
  EXPECT_EQ(MarkdownToPlainText("  **Hello**,   [world](https://x.org)!  "), "Hello, world!");
  EXPECT_EQ(MarkdownToPlainText("| a | b |\n|---|---|\n| 1 | 2 |"), "a b\n1 2");
  EXPECT_EQ(MarkdownToPlainText("<script>alert(1)</script>"), "");
  EXPECT_EQ(MarkdownToPlainText(""), "");
}

}  // namespace arkwiki

namespace arkwiki {

namespace {

using testing::Occurrences;

// Text is escaped in our output, so every '<' starts a real tag.
void ExpectBalancedSpans(const std::string& md, const std::string& html) {
  for (const std::string name : {"em", "strong", "del", "a"}) {
    EXPECT_EQ(Occurrences(html, "<" + name + (name == "a" ? " " : ">")),
              Occurrences(html, "</" + name + ">"))
        << name << " in markdown: " << md << "\nhtml: " << html;
  }
  EXPECT_EQ(Occurrences(html, "<code"), Occurrences(html, "</code>")) << "markdown: " << md;
}

}  // namespace

// Random Markdown-ish input must always render through cmark and our rewrite
// without tripping the post-render allowlist (which would fall back to <pre>).
TEST(MarkdownTest, RandomInputStaysWithinTheAllowlist) {
  static const std::vector<std::string> kPieces = {
      "[",     "]",         "(",           ")",
      "[[",    "]]",        "|",           "\\",
      "`",     "```",       "*",           "_",
      "~~",    "#",         "- ",          "1. ",
      "> ",    "\n",        "\n\n",        " ",
      "<",     ">",         "\"",          "'",
      "&",     "&#106;",    "javascript:", "/wiki/",
      "![",    "www.x.org", "http://",     "data:image/png,",
      "a",     "Bc",        "ü",           "- [ ] ",
      "|---|", "\t",        "<script>",    "<img src=x onerror=y>",
      "&amp;", ":",         "//",          "%",
      "\x01",  "    "};
  std::mt19937 rng(7);
  for (int round = 0; round < 3000; ++round) {
    std::string md;
    int n = 1 + rng() % 40;
    for (int i = 0; i < n; ++i) md += kPieces[rng() % kPieces.size()];
    RenderedMarkdown out = RenderMarkdown(md, [](const std::string& s) { return s.size() % 2; });
    ASSERT_EQ(out.html.find("<pre class=\"unsafe\">"), std::string::npos)
        << "markdown: " << md << "\nhtml: " << out.html;
    // Tiny inputs never reach the render budget: a fallback would hide a
    // writer that gave up.
    ASSERT_EQ(out.html.find("render-limit"), std::string::npos)
        << "markdown: " << md << "\nhtml: " << out.html;
    ExpectBalancedSpans(md, out.html);
    ExpectNoScript(md);
    if (HasFailure()) return;
  }
}

}  // namespace arkwiki
