#include "active_users.h"

#include <algorithm>

namespace arkwiki::web {

void ActiveUsers::Seen(const std::string& name, int64_t now) {
  std::lock_guard<std::mutex> lock(mutex_);
  last_seen_[name] = now;
  if (now < next_prune_) return;
  next_prune_ = now + 3600;
  std::erase_if(last_seen_,
                [now](const auto& entry) { return entry.second < now - kForgetAfterSeconds; });
}

std::vector<std::string> ActiveUsers::Since(int64_t since, const std::string& except) const {
  std::vector<std::string> names;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    for (const auto& [name, at] : last_seen_) {
      if (at >= since && name != except) names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

}  // namespace arkwiki::web
