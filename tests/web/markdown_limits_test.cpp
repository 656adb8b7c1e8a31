// The limits RenderMarkdownBase applies before parsing, and the render
// budget. These check what is cut and said, never how long anything takes.
#include <gtest/gtest.h>

#include "markdown.h"
#include "support/occurrences.h"

namespace arkwiki {
namespace {

std::string Repeat(std::string_view s, size_t n) {
  std::string out;
  for (size_t i = 0; i < n; ++i) out += s;
  return out;
}

using testing::Occurrences;

TEST(MarkdownLimitsTest, CutsTableColumnsAndSaysSo) {
  MarkdownLimits limits;
  limits.max_table_columns = 4;
  std::string row = "|" + Repeat(" x |", 10) + "\n";
  std::string md = row + "|" + Repeat("---|", 10) + "\n" + row;
  std::string html = RenderMarkdownBase(md, limits).html;
  EXPECT_EQ(Occurrences(html, "<th>"), 4u) << html;
  EXPECT_EQ(Occurrences(html, "<td>"), 4u) << html;
  EXPECT_NE(html.find("<p class=\"render-limit\">A table row had too many columns"),
            std::string::npos)
      << html;
}

TEST(MarkdownLimitsTest, KeepsPipesInFencedCode) {
  MarkdownLimits limits;
  limits.max_table_columns = 2;
  std::string html = RenderMarkdownBase("```\n|a|b|c|d|\n```\n", limits).html;
  EXPECT_NE(html.find("|a|b|c|d|"), std::string::npos) << html;
  EXPECT_EQ(html.find("render-limit"), std::string::npos) << html;
}

TEST(MarkdownLimitsTest, CutsLongLinesOnACharacterBoundary) {
  MarkdownLimits limits;
  limits.max_line_bytes = 11;
  std::string html =
      RenderMarkdownBase("\xC3\xBC" + Repeat("a", 8) + "\xC3\xBC" + "tail", limits).html;
  EXPECT_NE(html.find("<p>\xC3\xBC"
                      "aaaaaaaa</p>"),
            std::string::npos)
      << html;
  EXPECT_NE(html.find("A very long line was cut short."), std::string::npos) << html;
}

TEST(MarkdownLimitsTest, ShowsOnlyTheBeginningOfAnOverlongPage) {
  MarkdownLimits limits;
  limits.max_bytes = 12;
  std::string html = RenderMarkdownBase("first\n\nsecond\n\nthird\n", limits).html;
  EXPECT_NE(html.find("<p>first</p>"), std::string::npos) << html;
  EXPECT_EQ(html.find("third"), std::string::npos) << html;
  EXPECT_NE(html.find("only its beginning is shown"), std::string::npos) << html;
}

TEST(MarkdownLimitsTest, FlattensDeepNesting) {
  MarkdownLimits limits;
  limits.max_depth = 3;
  std::string html = RenderMarkdownBase(Repeat(">", 10) + " deep\n", limits).html;
  EXPECT_EQ(Occurrences(html, "<blockquote>"), 3u) << html;
  EXPECT_EQ(Occurrences(html, "</blockquote>"), 3u) << html;
  EXPECT_NE(html.find("<p>deep</p>"), std::string::npos) << html;
  EXPECT_NE(html.find("nested too deeply"), std::string::npos) << html;
}

TEST(MarkdownLimitsTest, FallsBackToEscapedTextPastTheBudget) {
  MarkdownLimits limits;
  limits.budget = std::chrono::milliseconds(0);
  RenderedMarkdown out = RenderMarkdownBase("# Title\n\n<b>[[Page]]</b>\n", limits);
  EXPECT_NE(out.html.find("took too long to render"), std::string::npos) << out.html;
  EXPECT_NE(out.html.find("<pre># Title\n\n&lt;b&gt;[[Page]]&lt;/b&gt;\n</pre>"), std::string::npos)
      << out.html;
  EXPECT_TRUE(out.linked_slugs.empty());
}

TEST(MarkdownLimitsTest, OrdinaryPagesCarryNoNotice) {
  std::string html = RenderMarkdown("| a | b |\n|---|---|\n| 1 | 2 |\n\n> > quote\n", nullptr).html;
  EXPECT_EQ(html.find("render-limit"), std::string::npos) << html;
}

TEST(MarkdownLimitsTest, DefaultLimitsBoundAHostileWideTable) {
  std::string row = "|" + Repeat(" x |", 5000) + "\n";
  std::string md = row + "|" + Repeat("---|", 5000) + "\n" + Repeat(row, 3);
  std::string html = RenderMarkdown(md, nullptr).html;
  EXPECT_EQ(Occurrences(html, "<td>"), 3 * MarkdownLimits{}.max_table_columns) << html.size();
}

TEST(MarkdownLimitsTest, MarkMissingLinksLeavesTheBaseUntouched) {
  RenderedMarkdown base = RenderMarkdownBase("[[Here]] [[Gone]]");
  std::string marked = MarkMissingLinks(base, [](const std::string& s) { return s == "here"; });
  EXPECT_EQ(base.html.find("missing"), std::string::npos);
  EXPECT_EQ(marked,
            "<p><a href=\"/wiki/here\">Here</a> <a class=\"missing\" "
            "href=\"/wiki/gone\">Gone</a></p>\n");
}

}  // namespace
}  // namespace arkwiki
