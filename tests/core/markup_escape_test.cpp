#include "arkwiki/core/markup_escape.h"

#include <gtest/gtest.h>

#include <string>

namespace arkwiki {
namespace {

TEST(MarkupEscapeTest, EscapesTheFiveMarkupCharacters) {
  EXPECT_EQ(MarkupEscape(R"(<a href="x">Tom & Jerry's</a>)"),
            "&lt;a href=&quot;x&quot;&gt;Tom &amp; Jerry&#39;s&lt;/a&gt;");
}

TEST(MarkupEscapeTest, LeavesOtherTextAndUtf8Alone) {
  EXPECT_EQ(MarkupEscape("plain text, ünïcødé ✓"), "plain text, ünïcødé ✓");
  EXPECT_EQ(MarkupEscape(""), "");
  EXPECT_EQ(MarkupEscape("&amp;"), "&amp;amp;");  // escapes again: input is text, not markup
}

TEST(MarkupEscapeTest, ControlCharactersAreKeptUnlessAskedToReplace) {
  const std::string text = std::string(
                               "a\x01"
                               "b\tc\nd\re") +
                           '\0' + "f\x1f";
  EXPECT_EQ(MarkupEscape(text), text);
  EXPECT_EQ(MarkupEscape(text, ControlChars::kReplaceWithSpace), "a b\tc\nd\re f ");
}

}  // namespace
}  // namespace arkwiki
