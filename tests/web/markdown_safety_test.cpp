// The post-render allowlist check is private to the web layer; it is tested
// directly because RenderMarkdown should never give it anything to refuse.
#include "markdown_safety.h"

#include <gtest/gtest.h>

namespace arkwiki::markdown_safety {

TEST(MarkdownSafetyTest, ClassifiesLinkUrls) {
  for (const char* ok : {"https://x.org", "HTTP://x", "mailto:a@b", "tel:+1", "/wiki/x", "rel",
                         "#f", "?q=1", "", "a/b:c"}) {
    EXPECT_EQ(ClassifyUrl(ok, UrlUse::kLink), UrlVerdict::kAllow) << ok;
  }
  for (const char* bad :
       {"javascript:x", " JavaScript:x", "java\tscript:x", "java\nscript:x", "\x01javascript:x",
        "vbscript:x", "data:text/html,x", "file:///etc", "x\x7f", "weird:x", "\\javascript:x"}) {
    EXPECT_EQ(ClassifyUrl(bad, UrlUse::kLink), UrlVerdict::kReject) << bad;
  }
}

TEST(MarkdownSafetyTest, ClassifiesImageUrls) {
  EXPECT_EQ(ClassifyUrl("/files/a.png", UrlUse::kImage), UrlVerdict::kAllow);
  EXPECT_EQ(ClassifyUrl("a.png", UrlUse::kImage), UrlVerdict::kAllow);
  EXPECT_EQ(ClassifyUrl("DATA:image/PNG;base64,AA", UrlUse::kImage), UrlVerdict::kAllow);
  EXPECT_EQ(ClassifyUrl("https://x/a.png", UrlUse::kImage), UrlVerdict::kExternalImage);
  for (const char* bad :
       {"//x/a.png", "/\\x/a.png", "\\\\x\\a.png", " //x", "data:image/svg+xml,<svg>",
        "data:image/pngx,AA", "javascript:x", "ftp://x/a.png"}) {
    EXPECT_EQ(ClassifyUrl(bad, UrlUse::kImage), UrlVerdict::kReject) << bad;
  }
}

TEST(MarkdownSafetyTest, AcceptsWhatCmarkEmits) {
  EXPECT_TRUE(
      IsAllowedHtml("<p>a &lt;b&gt; <a href=\"/x?a=1&amp;b=2\" title=\"&quot;t&quot;\">x</a></p>\n"
                    "<!-- raw HTML omitted -->\n<ul>\n<li><input type=\"checkbox\" checked=\"\" "
                    "disabled=\"\" /> x</li>\n</ul>\n<img src=\"/f.png\" alt=\"a\" /><br />\n"
                    "<table>\n<thead>\n<tr>\n<th align=\"left\">h</th></tr></thead></table>"
                    "<pre><code class=\"language-c\">x</code></pre><hr />"));
}

TEST(MarkdownSafetyTest, RefusesAnythingElse) {
  for (const char* bad : {"<script>", "<p onclick=\"x\">", "<a href=\"javascript:x\">",
                          "<a href=\"java&#x09;script:x\">", "<a href=\"&#106;avascript:x\">",
                          "<img src=\"//evil/x\">", "<a href='x'>", "<a href=x>", "<p style=\"x\">",
                          "<input type=\"text\">", "<svg>", "<a href=\"x\"", "<!-- open", "<p\n>",
                          "</p class=\"x\">", "<iframe>", "<a title=\"<x>\">"}) {
    EXPECT_FALSE(IsAllowedHtml(bad)) << bad;
  }
}

}  // namespace arkwiki::markdown_safety
