#include "login_throttle.h"

#include <arpa/inet.h>

#include <algorithm>
#include <cstring>
#include <optional>

#include "arkwiki/core/config.h"

namespace arkwiki::web {
namespace {

// The key a client's failures are counted under: an IPv6 address's /64
// network ("2001:db8:1:2::/64"; a link-local one, which has a zone, all in
// fe80::/64), an IPv4 address (or one mapped into IPv6) as that address,
// anything else as it is.
std::string ClientKey(const std::string& client) {
  std::optional<std::string> canonical = CanonicalIpAddress(client);
  if (!canonical && client.find('%') != std::string::npos) {
    canonical = CanonicalIpAddress(client.substr(0, client.find('%')));
    if (canonical && canonical->find(':') == std::string::npos) canonical.reset();  // IPv4%x
  }
  if (!canonical) return client;
  unsigned char raw[sizeof(struct in6_addr)];
  if (inet_pton(AF_INET6, canonical->c_str(), raw) != 1) return *canonical;  // IPv4
  std::memset(raw + 8, 0, 8);
  char out[INET6_ADDRSTRLEN];
  if (inet_ntop(AF_INET6, raw, out, sizeof out) == nullptr) return client;
  return std::string(out) + "/64";
}

// The key a name's failures are counted under: its ASCII letters folded,
// as the login's lookup folds them (users.name is COLLATE NOCASE), so that
// "Alice" and "ALICE" are one name here too.
std::string NameKey(const std::string& name) {
  std::string key = name;
  for (char& c : key) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return key;
}

}  // namespace

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

// Drops records past the window; if the map is still full (a spray of
// fresh names or addresses), forgets them all: the global limit still holds.
template <typename Map>
void LoginThrottle::MakeRoom(Map& records, int64_t now) {
  if (records.size() < kMaxRecords) return;
  for (auto it = records.begin(); it != records.end();) {
    it = now - it->second.first_failure > kWindowSeconds ? records.erase(it) : std::next(it);
  }
  if (records.size() >= kMaxRecords) records.clear();
}

int64_t LoginThrottle::GlobalWait(const std::string& client, int64_t now) const {
  const int64_t window_end = global_window_start_ + kGlobalWindowSeconds;
  if (global_failures_ <= kGlobalFailuresPerWindow || now >= window_end) return 0;
  auto it = by_client_.find(client);
  if (it == by_client_.end() || it->second.last_failure < global_window_start_) return 0;
  return window_end - now;
}

int64_t LoginThrottle::RetryAfter(const std::string& name, const std::string& address,
                                  int64_t now) {
  const std::string client = ClientKey(address);
  std::lock_guard<std::mutex> lock(mutex_);
  int64_t wait = 0;
  if (auto it = by_pair_.find({NameKey(name), client}); it != by_pair_.end())
    wait = Delay(it->second, now);
  // A client gets more room than a pair: several people may share an address.
  if (auto it = by_client_.find(client); it != by_client_.end()) {
    Record scaled = it->second;
    scaled.failures /= 4;
    wait = std::max(wait, Delay(scaled, now));
  }
  return std::max(wait, GlobalWait(client, now));
}

void LoginThrottle::RecordFailure(const std::string& name, const std::string& address,
                                  int64_t now) {
  const std::string client = ClientKey(address);
  std::lock_guard<std::mutex> lock(mutex_);
  MakeRoom(by_pair_, now);
  MakeRoom(by_client_, now);
  Bump(by_pair_[{NameKey(name), client}], now);
  Bump(by_client_[client], now);
  if (now - global_window_start_ >= kGlobalWindowSeconds) {
    global_window_start_ = now;
    global_failures_ = 0;
  }
  ++global_failures_;
}

void LoginThrottle::RecordSuccess(const std::string& name, const std::string& address) {
  const std::string client = ClientKey(address);
  std::lock_guard<std::mutex> lock(mutex_);
  by_pair_.erase({NameKey(name), client});
}

size_t LoginThrottle::RecordCount() {
  std::lock_guard<std::mutex> lock(mutex_);
  return by_pair_.size() + by_client_.size();
}

}  // namespace arkwiki::web
