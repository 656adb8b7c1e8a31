#include "arkwiki/core/slug.h"

#include <gtest/gtest.h>

namespace arkwiki {

TEST(SlugTest, LowercasesAndJoinsWordsWithDashes) {
  EXPECT_EQ(Slugify("Hello, World!"), "hello-world");
  EXPECT_EQ(Slugify("  Getting   Started  "), "getting-started");
}

TEST(SlugTest, KeepsUnicodeLetters) {
  EXPECT_EQ(Slugify("Über Café"),
            "\xC3\x9C"
            "ber-caf\xC3\xA9");  // ASCII is lowercased only
  EXPECT_TRUE(IsValidSlug(Slugify("שלום עולם")));
}

TEST(SlugTest, RefusesTraversalAndSeparators) {
  EXPECT_FALSE(IsValidSlug("../etc"));
  EXPECT_FALSE(IsValidSlug("a/b"));
  EXPECT_FALSE(IsValidSlug("a.b"));
  EXPECT_FALSE(IsValidSlug(""));
  EXPECT_FALSE(IsValidSlug("-a"));
  EXPECT_TRUE(IsValidSlug("a-b_c9"));
}

TEST(SlugTest, RefusesInvisibleAndBidirectionalCharacters) {
  const char* const kHidden[] = {
      "\xE2\x80\x8B",      // U+200B zero-width space
      "\xE2\x80\x8D",      // U+200D zero-width joiner
      "\xE2\x80\x8E",      // U+200E left-to-right mark
      "\xE2\x80\x8F",      // U+200F right-to-left mark
      "\xE2\x80\xAA",      // U+202A left-to-right embedding
      "\xE2\x80\xAE",      // U+202E right-to-left override
      "\xE2\x81\xA6",      // U+2066 left-to-right isolate
      "\xE2\x81\xA9",      // U+2069 pop directional isolate
      "\xE2\x81\xA0",      // U+2060 word joiner
      "\xC2\xAD",          // U+00AD soft hyphen
      "\xC2\x85",          // U+0085 next line (C1 control)
      "\xC2\xA0",          // U+00A0 no-break space
      "\xEF\xBB\xBF",      // U+FEFF byte-order mark
      "\xEF\xB8\x8F",      // U+FE0F variation selector
      "\xF3\xA0\x80\x81",  // U+E0001 language tag
  };
  for (const char* hidden : kHidden) {
    EXPECT_FALSE(IsValidSlug(std::string("ad") + hidden + "min")) << hidden;
    EXPECT_FALSE(IsValidSlug(std::string(hidden) + "admin")) << hidden;
    // A title with one still gets a valid slug.
    EXPECT_TRUE(IsValidSlug(Slugify(std::string("Ad") + hidden + "min"))) << hidden;
  }
  EXPECT_EQ(Slugify("ad\xE2\x80\x8Bmin"), "admin");
  EXPECT_EQ(Slugify("caf\xC3\xA9\xC2\xA0menu"),
            "caf\xC3\xA9"
            "-menu");
  EXPECT_TRUE(IsValidSlug("\xD7\xA9\xD7\x9C\xD7\x95\xD7\x9D"));  // Hebrew letters stay
}

TEST(SlugTest, ReturnsEmptyWhenNothingUsableRemains) { EXPECT_EQ(Slugify("!!! ..."), ""); }

TEST(Utf8Test, RejectsOverlongAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
}

}  // namespace arkwiki
