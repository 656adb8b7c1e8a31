// Target text made fit for messages: hidden characters escaped, bad UTF-8
// replaced, long text cut; ordinary text, non-ASCII letters included, kept.
#include "offsite/shown_text.h"

#include <gtest/gtest.h>

namespace arkwiki {
namespace {

TEST(ShownTextTest, KeepsOrdinaryTextAndLetters) {
  EXPECT_EQ(ShownText("objects/ab/cd-1.x"), "objects/ab/cd-1.x");
  EXPECT_EQ(ShownText("Zugriff verweigert: \xC3\xBC\xE2\x82\xAC"),
            "Zugriff verweigert: \xC3\xBC\xE2\x82\xAC");
}

TEST(ShownTextTest, EscapesControlAndInvisibleCharacters) {
  EXPECT_EQ(ShownText("a\nb\x1b[31m\x7f"), "a\\x0Ab\\x1B[31m\\x7F");
  EXPECT_EQ(ShownText("\xC2\x9B"
                      "1\xE2\x80\xAE"
                      "2\xE2\x81\xA6"
                      "3\xEF\xBB\xBF"),
            "\\x9B1\\u{202E}2\\u{2066}3\\u{FEFF}");
  EXPECT_EQ(ShownText("bad \xFF byte"), "bad \xEF\xBF\xBD byte");
}

TEST(ShownTextTest, CutsAfterMaxCharacters) {
  EXPECT_EQ(ShownText(std::string(kMaxShownChars, 'a')), std::string(kMaxShownChars, 'a'));
  EXPECT_EQ(ShownText(std::string(kMaxShownChars + 1, 'a')),
            std::string(kMaxShownChars, 'a') + "...");
  EXPECT_EQ(ShownText("\xC3\xBC\xC3\xBC\xC3\xBC", 2), "\xC3\xBC\xC3\xBC...");
}

}  // namespace
}  // namespace arkwiki
