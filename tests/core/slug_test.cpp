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

TEST(SlugTest, ReturnsEmptyWhenNothingUsableRemains) { EXPECT_EQ(Slugify("!!! ..."), ""); }

TEST(Utf8Test, RejectsOverlongAndSurrogates) {
  EXPECT_TRUE(IsValidUtf8("plain ascii"));
  EXPECT_FALSE(IsValidUtf8("\xC0\xAF"));
  EXPECT_FALSE(IsValidUtf8("\xED\xA0\x80"));
  EXPECT_FALSE(IsValidUtf8("\xFF"));
  EXPECT_FALSE(IsValidUtf8("\xE2\x82"));
}

}  // namespace arkwiki
