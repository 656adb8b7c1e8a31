// Times written as ISO text in the policy tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdint>

#include "arkwiki/core/clock.h"

namespace arkwiki::testing {

// The Unix time of "2026-11-26T17:28:14Z"; a malformed one fails the test.
inline int64_t At(const char* iso) {
  const int64_t t = ParseIsoUtc(iso);
  EXPECT_GE(t, 0) << iso;
  return t;
}

}  // namespace arkwiki::testing
