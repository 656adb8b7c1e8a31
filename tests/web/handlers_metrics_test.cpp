// IsAllowedAddress: the one address that may read /metrics without a login.
#include "handlers_metrics.h"

#include <gtest/gtest.h>

namespace arkwiki::web::metrics {
namespace {

// The peer is compared in canonical form: an IPv4 client reaching an IPv6
// listener shows as ::ffff:a.b.c.d and is that IPv4 address.
TEST(MetricsAccessTest, TheAllowedAddressMatchesHoweverTheClientIsWritten) {
  EXPECT_TRUE(IsAllowedAddress("203.0.113.9", "203.0.113.9"));
  EXPECT_TRUE(IsAllowedAddress("203.0.113.9", "::ffff:203.0.113.9"));
  EXPECT_TRUE(IsAllowedAddress("::ffff:203.0.113.9", "203.0.113.9"));
  EXPECT_TRUE(IsAllowedAddress("2001:db8::1", "2001:DB8:0::1"));
  EXPECT_FALSE(IsAllowedAddress("203.0.113.9", "203.0.113.10"));
  EXPECT_FALSE(IsAllowedAddress("203.0.113.9", "::203.0.113.9")) << "IPv4-compatible is IPv6";
  EXPECT_FALSE(IsAllowedAddress("2001:db8::1", "2001:db8::2"));
}

TEST(MetricsAccessTest, AnEmptyOrUnreadableSettingAllowsNoAddress) {
  for (const char* setting : {"", "localhost", "10.0.0.0/8"}) {
    EXPECT_FALSE(IsAllowedAddress(setting, "127.0.0.1")) << setting;
    EXPECT_FALSE(IsAllowedAddress(setting, "")) << setting;
    EXPECT_FALSE(IsAllowedAddress(setting, setting)) << setting;
  }
}

}  // namespace
}  // namespace arkwiki::web::metrics
