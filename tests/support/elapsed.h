// Elapsed wall-clock time, for what a test prints (never for a verdict).
#pragma once

#include <chrono>

namespace arkwiki::testing {

inline double SecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

}  // namespace arkwiki::testing
