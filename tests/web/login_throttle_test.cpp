#include "login_throttle.h"

#include <gtest/gtest.h>

#include <string>

namespace arkwiki::web {
namespace {

constexpr int64_t kNow = 1'000'000;

void Fail(LoginThrottle& t, const std::string& name, const std::string& client, int times) {
  for (int i = 0; i < times; ++i) t.RecordFailure(name, client, kNow);
}

TEST(LoginThrottleTest, FailuresFromOneAddressDoNotLockTheNameOutElsewhere) {
  LoginThrottle t;
  Fail(t, "alice", "203.0.113.9", 9);
  EXPECT_GT(t.RetryAfter("alice", "203.0.113.9", kNow), 0);
  EXPECT_EQ(t.RetryAfter("alice", "198.51.100.7", kNow), 0);
}

// The login finds "ALICE" as "alice": guesses spread over the spellings of
// a name count as guesses at that one name.
TEST(LoginThrottleTest, TheSpellingsOfANameThatDifferOnlyInCaseAreOneName) {
  LoginThrottle t;
  for (const char* spelling : {"alice", "Alice", "ALICE", "aLiCe", "alicE"}) {
    t.RecordFailure(spelling, "203.0.113.9", kNow);
  }
  EXPECT_GT(t.RetryAfter("Alice", "203.0.113.9", kNow), 0);
  EXPECT_EQ(t.RetryAfter("bob", "203.0.113.9", kNow), 0);
  t.RecordSuccess("ALICE", "203.0.113.9");
  EXPECT_EQ(t.RetryAfter("alice", "203.0.113.9", kNow), 0);
}

// One IPv6 host holds a whole /64: picking a new address from it for each
// guess gains nothing; another /64 is another client.
TEST(LoginThrottleTest, AnIpv6ClientIsCountedByItsSlash64) {
  LoginThrottle t;
  for (int i = 1; i <= 2 * LoginThrottle::kFreeAttempts; ++i) {
    t.RecordFailure("alice", "2001:db8:1:2::" + std::to_string(i), kNow);
  }
  EXPECT_GT(t.RetryAfter("alice", "2001:db8:1:2:ffff::99", kNow), 0);
  EXPECT_EQ(t.RetryAfter("alice", "2001:db8:1:3::1", kNow), 0);
  // IPv4, also mapped into IPv6, is counted per address as before.
  Fail(t, "bob", "::ffff:203.0.113.9", 9);
  EXPECT_GT(t.RetryAfter("bob", "::ffff:203.0.113.9", kNow), 0);
  EXPECT_EQ(t.RetryAfter("bob", "::ffff:203.0.113.10", kNow), 0);
  EXPECT_GT(t.RetryAfter("bob", "203.0.113.9", kNow), 0) << "the same client, however written";
  // A link-local neighbour, shown with its zone, is counted by its /64 too.
  for (int i = 1; i <= 2 * LoginThrottle::kFreeAttempts; ++i) {
    t.RecordFailure("carol", "fe80::" + std::to_string(i) + "%eth0", kNow);
  }
  EXPECT_GT(t.RetryAfter("carol", "fe80::99%eth0", kNow), 0);
}

TEST(LoginThrottleTest, SlowsGuessingOfOneNameFromOneAddress) {
  LoginThrottle t;
  Fail(t, "alice", "203.0.113.9", LoginThrottle::kFreeAttempts - 1);
  EXPECT_EQ(t.RetryAfter("alice", "203.0.113.9", kNow), 0);
  Fail(t, "alice", "203.0.113.9", 1);
  EXPECT_GT(t.RetryAfter("alice", "203.0.113.9", kNow), 0);
  t.RecordSuccess("alice", "203.0.113.9");
  EXPECT_EQ(t.RetryAfter("alice", "203.0.113.9", kNow), 0);
}

TEST(LoginThrottleTest, SlowsOneAddressSprayingManyNames) {
  LoginThrottle t;
  for (int i = 0; i < 4 * LoginThrottle::kFreeAttempts; ++i) {
    t.RecordFailure("user" + std::to_string(i), "203.0.113.9", kNow);
  }
  EXPECT_GT(t.RetryAfter("someone-else", "203.0.113.9", kNow), 0);
  EXPECT_EQ(t.RetryAfter("someone-else", "198.51.100.7", kNow), 0);
}

TEST(LoginThrottleTest, GlobalLimitHoldsBackFailingClientsOnly) {
  LoginThrottle t;
  // Many addresses, each below its own limit, together above the global one.
  for (int i = 0; i <= LoginThrottle::kGlobalFailuresPerWindow; ++i) {
    t.RecordFailure("alice", "10.0." + std::to_string(i / 250) + "." + std::to_string(i % 250),
                    kNow);
  }
  EXPECT_GT(t.RetryAfter("alice", "10.0.0.1", kNow), 0);
  EXPECT_EQ(t.RetryAfter("alice", "198.51.100.7", kNow), 0);  // no failure on record
  EXPECT_EQ(t.RetryAfter("alice", "10.0.0.1", kNow + LoginThrottle::kGlobalWindowSeconds), 0);
}

TEST(LoginThrottleTest, MemoryStaysBounded) {
  LoginThrottle t;
  for (size_t i = 0; i < LoginThrottle::kMaxRecords + 10; ++i) {
    t.RecordFailure("n" + std::to_string(i), "c" + std::to_string(i), kNow);
  }
  EXPECT_LE(t.RecordCount(), 2 * LoginThrottle::kMaxRecords);
  // Records past the window make room for new ones.
  t.RecordFailure("alice", "203.0.113.9", kNow + LoginThrottle::kWindowSeconds + 1);
  EXPECT_LE(t.RecordCount(), 2 * LoginThrottle::kMaxRecords);
  EXPECT_GE(t.RecordCount(), 2U);
}

}  // namespace
}  // namespace arkwiki::web
