// Hex checks and parsing of SHA-256 names.
#include "arkwiki/core/hash.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace arkwiki {
namespace {

const std::string kHex = "00ff0a1b2c3d4e5f60718293a4b5c6d7e8f90123456789abcdefabcdef012345";

TEST(HexTest, ParsesSixtyFourLowercaseHexDigits) {
  Sha256Raw raw{};
  ASSERT_TRUE(ParseSha256Hex(kHex, &raw));
  EXPECT_EQ(raw[0], 0x00);
  EXPECT_EQ(raw[1], 0xff);
  EXPECT_EQ(raw[2], 0x0a);
  EXPECT_EQ(raw[31], 0x45);
  EXPECT_EQ(HexEncode(raw.data(), raw.size()), kHex);
  EXPECT_TRUE(IsLowerHex(kHex, 64));
}

TEST(HexTest, RefusesAnyOtherTextAndLeavesTheOutputUntouched) {
  std::vector<std::string> bad = {"", kHex.substr(1), kHex + "0"};
  for (const char c : std::string("AFG/:`g \x80\xff")) {
    for (const size_t at : {size_t{0}, size_t{31}, size_t{63}}) {
      std::string s = kHex;
      s[at] = c;
      bad.push_back(s);
    }
  }
  bad.push_back(std::string(kHex).replace(10, 1, 1, '\0'));
  for (const std::string& s : bad) {
    Sha256Raw raw{};
    raw[0] = 7;
    EXPECT_FALSE(ParseSha256Hex(s, &raw)) << s;
    EXPECT_EQ(raw[0], 7) << s;
    EXPECT_FALSE(IsLowerHex(s, 64)) << s;
  }
  EXPECT_TRUE(IsLowerHex("", 0));
  EXPECT_FALSE(IsLowerHex("ab", 3));
}

}  // namespace
}  // namespace arkwiki
