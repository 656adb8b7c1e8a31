#include "arkwiki/core/cancellation.h"

namespace arkwiki {

void Cancellation::Cancel(const std::string& reason) {
  {
    const std::lock_guard<std::mutex> lock(mu_);
    if (cancelled_.load(std::memory_order_relaxed)) return;
    reason_ = reason;
    cancelled_.store(true, std::memory_order_release);
  }
  cv_.notify_all();
}

Status Cancellation::Check() const {
  if (!cancelled()) return Status::Ok();
  const std::lock_guard<std::mutex> lock(mu_);
  return Status::Cancelled("cancelled: " + reason_);
}

Status Cancellation::SleepFor(std::chrono::milliseconds duration) const {
  {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, duration, [this] { return cancelled_.load(std::memory_order_relaxed); });
  }
  return Check();
}

}  // namespace arkwiki
