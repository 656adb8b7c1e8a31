// WaitUntil: waits for a condition another thread or process brings about.
//
// Tests wait for what they need to see, never for a fixed time. The limit
// is only there so a hang fails the test instead of the whole CI run; it is
// generous because CI machines are loaded, and a passing test never waits
// for it.
#pragma once

#include <chrono>
#include <thread>

namespace arkwiki::testing {

// Polls `done` every 20 ms until it returns true (then true) or `limit`
// has passed (then false).
template <class Done>
bool WaitUntil(Done&& done, std::chrono::seconds limit = std::chrono::seconds(120)) {
  const auto deadline = std::chrono::steady_clock::now() + limit;
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  return true;
}

}  // namespace arkwiki::testing
