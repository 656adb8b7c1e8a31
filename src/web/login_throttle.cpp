#include "login_throttle.h"

#include <algorithm>

namespace arkwiki::web {

int64_t LoginThrottle::Delay(const Record& r, int64_t now) const {
  if (r.failures < kFreeAttempts || now - r.first_failure > kWindowSeconds) return 0;
  int excess = std::min(r.failures - kFreeAttempts, 20);
  int64_t delay = std::min<int64_t>(int64_t{1} << excess, kMaxDelaySeconds);
  int64_t ready = r.last_failure + delay;
  return ready > now ? ready - now : 0;
}

void LoginThrottle::Bump(Record& r, int64_t now) {
  if (now - r.first_failure > kWindowSeconds) r = Record{0, now, now};
  if (r.failures == 0) r.first_failure = now;
  r.failures += 1;
  r.last_failure = now;
}

int64_t LoginThrottle::RetryAfter(const std::string& name, const std::string& client, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t wait = 0;
  if (auto it = by_name_.find(name); it != by_name_.end()) wait = Delay(it->second, now);
  // A client gets more room than a name: several people may share an address.
  if (auto it = by_client_.find(client); it != by_client_.end()) {
    Record scaled = it->second;
    scaled.failures /= 4;
    wait = std::max(wait, Delay(scaled, now));
  }
  return wait;
}

void LoginThrottle::RecordFailure(const std::string& name, const std::string& client, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (by_name_.size() > 100000) by_name_.clear();  // bound memory under a spray attack
  if (by_client_.size() > 100000) by_client_.clear();
  Bump(by_name_[name], now);
  Bump(by_client_[client], now);
}

void LoginThrottle::RecordSuccess(const std::string& name) {
  std::lock_guard<std::mutex> lock(mutex_);
  by_name_.erase(name);
}

}  // namespace arkwiki::web
