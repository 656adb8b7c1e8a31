// Cancellation: a request, raised once from one thread, that work running
// on others stop at its next safe point. The work polls it between steps
// (Check) and waits through it (SleepFor), so that a raise also ends a wait
// at once. Work that stops for it returns kCancelled with the reason, and
// leaves what it stores as after a failure at that point.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <string>

#include "arkwiki/core/status.h"

namespace arkwiki {

class Cancellation {
 public:
  // Raises the request (the first reason stays) and wakes every SleepFor.
  void Cancel(const std::string& reason);
  bool cancelled() const { return cancelled_.load(std::memory_order_acquire); }
  // OK, or kCancelled ("cancelled: <reason>") once raised.
  Status Check() const;
  // Waits `duration`, or less if the request is raised meanwhile; then Check().
  Status SleepFor(std::chrono::milliseconds duration) const;

 private:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  std::atomic<bool> cancelled_{false};
  std::string reason_;  // guarded by mu_
};

// Check() of `cancel`, OK when it is null (work nobody can cancel).
inline Status CheckCancelled(const Cancellation* cancel) {
  return cancel == nullptr ? Status::Ok() : cancel->Check();
}

}  // namespace arkwiki
