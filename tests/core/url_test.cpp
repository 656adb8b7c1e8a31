#include "arkwiki/core/url.h"

#include <gtest/gtest.h>

namespace arkwiki {

TEST(UrlTest, UrlEncodeKeepsOnlyUnreservedCharacters) {
  EXPECT_EQ(UrlEncodeComponent("AZaz09-._~"), "AZaz09-._~");
  EXPECT_EQ(UrlEncodeComponent("a b/c?d=e&f#g"), "a%20b%2Fc%3Fd%3De%26f%23g");
  EXPECT_EQ(UrlEncodeComponent("ü"), "%C3%BC");
  EXPECT_EQ(UrlEncodeComponent(std::string_view("\0\xff", 2)), "%00%FF");
}

TEST(UrlTest, UrlDecodeRoundTripsEncode) {
  const std::string original = "Über /path?q=1&x=\"y\" +";
  bool ok = false;
  EXPECT_EQ(UrlDecode(UrlEncodeComponent(original), &ok), original);
  EXPECT_TRUE(ok);
}

TEST(UrlTest, UrlDecodeHandlesPlusOnlyWhenAsked) {
  bool ok = false;
  EXPECT_EQ(UrlDecode("a+b%2B", &ok), "a+b+");
  EXPECT_TRUE(ok);
  EXPECT_EQ(UrlDecode("a+b%2B", &ok, /*plus_as_space=*/true), "a b+");
  EXPECT_TRUE(ok);
  EXPECT_EQ(UrlDecode("%c3%BC", &ok), "ü");
  EXPECT_TRUE(ok);
}

TEST(UrlTest, UrlDecodeRejectsBadEscapesAndNul) {
  for (std::string_view bad : {"%", "%4", "%zz", "abc%g1", "%00", "a%0"}) {
    bool ok = true;
    EXPECT_EQ(UrlDecode(bad, &ok), "") << bad;
    EXPECT_FALSE(ok) << bad;
  }
  bool ok = true;
  EXPECT_EQ(UrlDecode(std::string_view("a\0b", 3), &ok), "");
  EXPECT_FALSE(ok);
  EXPECT_EQ(UrlDecode("%41", nullptr), "A");  // ok may be null
}

}  // namespace arkwiki
