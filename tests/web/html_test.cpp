#include "html.h"

#include <gtest/gtest.h>

namespace arkwiki {

TEST(HtmlTest, EscapesAllFiveSpecialCharacters) {
  EXPECT_EQ(HtmlEscape(R"(<a href="x" title='y'>&</a>)"),
            "&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;");
  EXPECT_EQ(HtmlEscape("plain text ünïcode"), "plain text ünïcode");
  EXPECT_EQ(HtmlEscape(""), "");
}

}  // namespace arkwiki
